//! Two-factor authentication: TOTP (RFC 6238 with SHA-1, 6 digits and 30-second steps, the
//! defaults every authenticator app reads) and ten single-use recovery codes.
//!
//! The 160-bit secret is stored encrypted under the field keys and bound to its row;
//! recovery codes are stored only as salted digests. A TOTP code is accepted one step
//! either side of now, and only for a step later than the last one accepted, so a code
//! seen over someone's shoulder cannot be used again.

use rand::Rng;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

use super::roles::AdminScope;
use super::{emails, sessions};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, AuditError, Event, Outcome, RequestFacts};
use crate::field_crypto::FieldSlot;
use crate::mail;

// The code arithmetic lives apart from the enrolment and sign-in flows that use it.
mod codes;
mod password;

pub use codes::code_at;
use codes::*;
use password::password_confirmed;

pub const RECOVERY_CODE_COUNT: usize = 10;
const SECRET_BYTES: usize = 20;
const DIGITS: usize = 6;
const STEP_SECS: u64 = 30;
const ISSUER: &str = "Saleonix";
/// Recovery-code letters: no 0/o, 1/l/i, so a code read off paper is typed right.
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const CODE_LEN: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MfaError {
    #[error("the code is not right")]
    WrongCode,
    /// A right code for a step already used, or a recovery code already spent.
    #[error("the code has already been used")]
    Replayed,
    #[error("the password is not right")]
    WrongPassword,
    #[error("two-factor authentication is already on")]
    AlreadyEnabled,
    #[error("two-factor authentication is not on")]
    NotEnabled,
    #[error("no two-factor set-up has been started")]
    NoEnrolment,
    /// Our side failed (database, hashing, drawing the QR code); logged where it happened.
    #[error("internal error")]
    Internal,
}

impl From<sqlx::Error> for MfaError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "two-factor query failed");
        MfaError::Internal
    }
}

impl From<crate::password::HashError> for MfaError {
    fn from(error: crate::password::HashError) -> Self {
        tracing::error!(%error, "password hashing failed");
        MfaError::Internal
    }
}

impl From<AuditError> for MfaError {
    fn from(error: AuditError) -> Self {
        tracing::error!(%error, "writing the audit row failed");
        MfaError::Internal
    }
}

/// What a code was checked for; names the audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The second step of signing in.
    SignIn,
    /// Re-verification before a sensitive action.
    StepUp,
}

impl Check {
    fn event_type(self) -> &'static str {
        match self {
            Check::SignIn => "auth.second_factor",
            Check::StepUp => "auth.step_up",
        }
    }
}

/// How a check was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    Totp,
    RecoveryCode { remaining: i64 },
}

/// A started enrolment, for the set-up page: the secret as text and as a QR code.
pub struct Enrolment {
    /// Base32, as authenticator apps take it when typed.
    pub secret: SecretString,
    /// An SVG drawing of the `otpauth://` URL.
    pub qr_svg: SecretString,
}

/// Recovery codes in clear, shown once and never again.
pub struct RecoveryCodes(pub Vec<SecretString>);

fn actor(user_id: Uuid) -> Actor {
    Actor {
        kind: ActorKind::User,
        id: Some(user_id),
    }
}

struct Owner {
    email: String,
    full_name: String,
}

async fn owner(conn: &mut PgConnection, user_id: Uuid) -> Result<Owner, sqlx::Error> {
    let (email, full_name) = sqlx::query_as("SELECT email, full_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Owner { email, full_name })
}

/// Starts (or restarts) enrolment with a new secret, kept until a code confirms it. The
/// password comes first: whoever holds the secret decides who can sign in, so a stolen
/// session alone must not be able to turn two-factor on with an app of its own.
pub async fn start_enrolment(
    platform: &Platform,
    user_id: Uuid,
    password: SecretString,
    facts: &RequestFacts,
) -> Result<Enrolment, MfaError> {
    password_confirmed(platform, user_id, password, "mfa.enrolment_started", facts).await?;
    let mut tx = platform.pool.begin().await?;
    let owner = owner(&mut tx, user_id).await?;
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let sealed = platform
        .config
        .secrets
        .field_keys
        .encrypt(slot(&user_id.to_string()), &secret)
        .map_err(sqlx::Error::from)?;
    let replaced = sqlx::query(
        "INSERT INTO user_mfa (user_id, totp_secret) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET totp_secret = EXCLUDED.totp_secret, last_used_step = 0, created_at = now()
         WHERE user_mfa.enabled_at IS NULL",
    )
    .bind(user_id)
    .bind(sealed)
    .execute(&mut *tx)
    .await?;
    if replaced.rows_affected() == 0 {
        return Err(MfaError::AlreadyEnabled);
    }
    tx.commit().await?;
    let totp = totp(secret, &owner.email);
    let qr = qrcode::QrCode::new(totp.get_url().as_bytes()).map_err(|error| {
        tracing::error!(%error, "drawing the enrolment QR code failed");
        MfaError::Internal
    })?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    // Inline in an HTML page: the XML declaration before `<svg` has no place there.
    let svg = svg
        .find("<svg")
        .map_or(svg.clone(), |start| svg[start..].to_owned());
    Ok(Enrolment {
        secret: SecretString::from(totp.get_secret_base32()),
        qr_svg: SecretString::from(svg),
    })
}

/// The stored secret of the user, with the step last accepted, locked for this transaction.
async fn locked_secret(
    conn: &mut PgConnection,
    platform: &Platform,
    user_id: Uuid,
    enabled: bool,
) -> Result<Option<(secrecy::SecretBox<Vec<u8>>, i64)>, MfaError> {
    let row: Option<(Vec<u8>, i64)> = sqlx::query_as(
        "SELECT totp_secret, last_used_step FROM user_mfa
         WHERE user_id = $1 AND (enabled_at IS NOT NULL) = $2 FOR UPDATE",
    )
    .bind(user_id)
    .bind(enabled)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((sealed, last_step)) = row else {
        return Ok(None);
    };
    let secret = platform
        .config
        .secrets
        .field_keys
        .decrypt(slot(&user_id.to_string()), &sealed)
        .map_err(|error| {
            tracing::error!(%error, %user_id, "a stored TOTP secret does not decrypt");
            MfaError::Internal
        })?;
    Ok(Some((secret, last_step)))
}

/// Accepts `code` for the stored secret if it is right and newer than the last one used.
async fn accept_totp(
    conn: &mut PgConnection,
    user_id: Uuid,
    secret: &[u8],
    last_step: i64,
    code: &str,
) -> Result<(), MfaError> {
    let step = matching_step(secret, code, unix_now()).ok_or(MfaError::WrongCode)?;
    let step = i64::try_from(step).map_err(|_| MfaError::WrongCode)?;
    if step <= last_step {
        return Err(MfaError::Replayed);
    }
    sqlx::query("UPDATE user_mfa SET last_used_step = $2 WHERE user_id = $1")
        .bind(user_id)
        .bind(step)
        .execute(conn)
        .await?;
    Ok(())
}

/// Turns two-factor authentication on once `code` proves the app holds the secret, and
/// returns the first set of recovery codes.
pub async fn confirm_enrolment(
    platform: &Platform,
    user_id: Uuid,
    code: &str,
    facts: &RequestFacts,
) -> Result<RecoveryCodes, MfaError> {
    let code = code.trim();
    let mut tx = platform.pool.begin().await?;
    let Some((secret, last_step)) = locked_secret(&mut tx, platform, user_id, false).await? else {
        let enabled = sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM user_mfa WHERE user_id = $1)",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        return Err(if enabled {
            MfaError::AlreadyEnabled
        } else {
            MfaError::NoEnrolment
        });
    };
    if let Err(error) = accept_totp(&mut tx, user_id, secret.expose_secret(), last_step, code).await
    {
        drop(tx);
        let event =
            Event::new("mfa.enabled", actor(user_id), Outcome::Failure).reason(error.to_string());
        audit::record_alone(&platform.pool, &event, facts).await?;
        return Err(error);
    }
    sqlx::query("UPDATE user_mfa SET enabled_at = now() WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let codes = new_recovery_codes(&mut tx, user_id).await?;
    let owner = owner(&mut tx, user_id).await?;
    let notice = emails::mfa_enabled(&platform.config.settings, &owner.email, &owner.full_name);
    mail::enqueue(&mut tx, &platform.config.secrets.field_keys, &notice).await?;
    audit::record(
        &mut tx,
        &Event::new("mfa.enabled", actor(user_id), Outcome::Success),
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Checks a TOTP or recovery code of a user with two-factor authentication on. A recovery
/// code is spent by its use and the owner is told by email. Every attempt is audited.
pub async fn verify(
    platform: &Platform,
    user_id: Uuid,
    code: &str,
    check: Check,
    facts: &RequestFacts,
) -> Result<Passed, MfaError> {
    let mut tx = platform.pool.begin().await?;
    let outcome = verify_in(&mut tx, platform, user_id, code.trim()).await;
    let passed = match outcome {
        Ok(passed) => passed,
        Err(error) => {
            drop(tx);
            let event = Event::new(check.event_type(), actor(user_id), Outcome::Failure)
                .reason(error.to_string());
            audit::record_alone(&platform.pool, &event, facts).await?;
            return Err(error);
        }
    };
    let detail = match passed {
        Passed::Totp => serde_json::json!({ "method": "totp" }),
        Passed::RecoveryCode { remaining } => {
            let owner = owner(&mut tx, user_id).await?;
            let notice = emails::recovery_code_used(
                &platform.config.settings,
                &owner.email,
                &owner.full_name,
                remaining,
            );
            mail::enqueue(&mut tx, &platform.config.secrets.field_keys, &notice).await?;
            serde_json::json!({ "method": "recovery_code", "remaining": remaining })
        }
    };
    let event = Event::new(check.event_type(), actor(user_id), Outcome::Success).detail(detail);
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(passed)
}

async fn verify_in(
    conn: &mut PgConnection,
    platform: &Platform,
    user_id: Uuid,
    code: &str,
) -> Result<Passed, MfaError> {
    let Some((secret, last_step)) = locked_secret(conn, platform, user_id, true).await? else {
        return Err(MfaError::NotEnabled);
    };
    if is_totp_shaped(code) {
        accept_totp(conn, user_id, secret.expose_secret(), last_step, code).await?;
        return Ok(Passed::Totp);
    }
    // The user's `user_mfa` row is locked, so checks of one user's codes run one at a time.
    let digest = recovery_digest(user_id, &normalise_recovery(code));
    let used_at: Option<Option<time::OffsetDateTime>> = sqlx::query_scalar(
        "SELECT used_at FROM mfa_recovery_codes WHERE user_id = $1 AND code_hash = $2",
    )
    .bind(user_id)
    .bind(&digest)
    .fetch_optional(&mut *conn)
    .await?;
    match used_at {
        None => Err(MfaError::WrongCode),
        Some(Some(_)) => Err(MfaError::Replayed),
        Some(None) => {
            sqlx::query("UPDATE mfa_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2")
                .bind(user_id)
                .bind(&digest)
                .execute(&mut *conn)
                .await?;
            Ok(Passed::RecoveryCode {
                remaining: remaining_codes(conn, user_id).await?,
            })
        }
    }
}

async fn remaining_codes(conn: &mut PgConnection, user_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await
}

/// How the user's two-factor authentication stands, for their settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub enabled: bool,
    pub recovery_codes_left: i64,
}

pub async fn status(platform: &Platform, user_id: Uuid) -> Result<Status, MfaError> {
    let mut conn = platform.pool.acquire().await?;
    let enabled = sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM user_mfa WHERE user_id = $1 AND enabled_at IS NOT NULL)",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Status {
        enabled,
        recovery_codes_left: remaining_codes(&mut conn, user_id).await?,
    })
}

/// Replaces the recovery codes; the old ones stop working at once.
pub async fn regenerate_recovery_codes(
    platform: &Platform,
    user_id: Uuid,
    facts: &RequestFacts,
) -> Result<RecoveryCodes, MfaError> {
    let mut tx = platform.pool.begin().await?;
    if locked_secret(&mut tx, platform, user_id, true)
        .await?
        .is_none()
    {
        return Err(MfaError::NotEnabled);
    }
    let codes = new_recovery_codes(&mut tx, user_id).await?;
    audit::record(
        &mut tx,
        &Event::new(
            "mfa.recovery_codes_regenerated",
            actor(user_id),
            Outcome::Success,
        ),
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Deletes the user's secret and recovery codes and tells them by email.
async fn remove(
    conn: &mut PgConnection,
    platform: &Platform,
    user_id: Uuid,
    by_staff: bool,
) -> Result<(), MfaError> {
    let removed = sqlx::query("DELETE FROM user_mfa WHERE user_id = $1 AND enabled_at IS NOT NULL")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(MfaError::NotEnabled);
    }
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let owner = owner(conn, user_id).await?;
    let notice = emails::mfa_disabled(
        &platform.config.settings,
        &owner.email,
        &owner.full_name,
        by_staff,
    );
    mail::enqueue(conn, &platform.config.secrets.field_keys, &notice).await?;
    Ok(())
}

/// Turns the user's own two-factor authentication off; needs their password. (The caller
/// has already required a fresh second-factor check.)
pub async fn disable(
    platform: &Platform,
    user_id: Uuid,
    password: SecretString,
    facts: &RequestFacts,
) -> Result<(), MfaError> {
    password_confirmed(platform, user_id, password, "mfa.disabled", facts).await?;
    let mut tx = platform.pool.begin().await?;
    remove(&mut tx, platform, user_id, false).await?;
    audit::record(
        &mut tx,
        &Event::new("mfa.disabled", actor(user_id), Outcome::Success),
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator resets another user's two-factor authentication (a lost phone and
/// no recovery codes). Every session of that user ends, and they must enrol again.
pub async fn reset_by_admin(
    platform: &Platform,
    admin: &AdminScope,
    user_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), MfaError> {
    let mut tx = platform.pool.begin().await?;
    remove(&mut tx, platform, user_id, true).await?;
    let ended = sessions::revoke_all(&mut tx, user_id, None).await?;
    let event = Event::new(
        "mfa.reset",
        Actor {
            kind: ActorKind::Staff,
            id: Some(admin.user_id()),
        },
        Outcome::Success,
    )
    .target("user", user_id.to_string())
    .detail(serde_json::json!({ "sessions_ended": ended }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests;
