//! One-time and recovery codes: making, matching and hashing them.

use super::*;

pub(super) fn slot(row: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "user_mfa",
        column: "totp_secret",
        row,
    }
}

pub(super) fn totp(secret: Vec<u8>, account: &str) -> TOTP {
    TOTP {
        algorithm: Algorithm::SHA1,
        digits: DIGITS,
        skew: 0,
        step: STEP_SECS,
        secret,
        issuer: Some(ISSUER.to_owned()),
        account_name: account.to_owned(),
    }
}

/// The code an authenticator app shows at Unix time `unix` for a secret typed in as base32
/// (the form the set-up page shows); `None` if the text is not base32.
pub fn code_at(secret_base32: &str, unix: u64) -> Option<String> {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .ok()?;
    Some(totp(secret, "").generate(unix))
}

/// The time step (within one step of `now`) whose code is `code`, compared in constant time.
pub(super) fn matching_step(secret: &[u8], code: &str, now: u64) -> Option<u64> {
    let totp = totp(secret.to_vec(), "");
    let current = now / STEP_SECS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| totp.check(code, step * STEP_SECS))
}

pub(super) fn unix_now() -> u64 {
    time::OffsetDateTime::now_utc()
        .unix_timestamp()
        .try_into()
        .unwrap_or(0)
}

pub(super) fn recovery_digest(user_id: Uuid, code: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(user_id.as_bytes());
    hasher.update(code.as_bytes());
    hasher.finalize().to_vec()
}

/// What the user typed, as a recovery code is stored: lower case, no dashes or spaces.
pub(super) fn normalise_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(super) fn is_totp_shaped(code: &str) -> bool {
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

/// Replaces the user's recovery codes with a new set and returns them.
pub(super) async fn new_recovery_codes(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<RecoveryCodes, sqlx::Error> {
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let mut rng = rand::rngs::OsRng;
    let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for _ in 0..RECOVERY_CODE_COUNT {
        let plain: String = (0..CODE_LEN)
            .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
            .collect();
        sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(recovery_digest(user_id, &plain))
            .execute(&mut *conn)
            .await?;
        let shown = format!("{}-{}-{}", &plain[..4], &plain[4..8], &plain[8..]);
        codes.push(SecretString::from(shown));
    }
    Ok(RecoveryCodes(codes))
}
