//! Single-use account tokens: the secret in an email link that verifies an address or
//! resets a password. 256 random bits, sent once, stored only as a SHA-256 digest.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::Duration;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "account_token_purpose", rename_all = "snake_case")]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
    AcceptInvitation,
}

/// Why a token was not accepted; each gets its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("this link is not valid")]
    Unknown,
    #[error("this link has already been used")]
    Used,
    #[error("this link has expired")]
    Expired,
    #[error("database error")]
    Database,
}

impl From<sqlx::Error> for TokenError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "account token query failed");
        TokenError::Database
    }
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Creates a token for `user_id`, valid for `ttl`, and returns it for the email. Older
/// unused tokens of the same purpose stay valid until they expire or one is used.
pub async fn issue(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: Purpose,
    ttl: Duration,
) -> Result<SecretString, sqlx::Error> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
    )
    .bind(digest(&token))
    .bind(user_id)
    .bind(purpose)
    .bind(ttl.as_seconds_f64())
    .execute(conn)
    .await?;
    Ok(token.into())
}

/// Locks a valid token for use in the caller's transaction and returns its user. The
/// caller then acts and calls [`consume`] in the same transaction, so a token is spent
/// exactly when its action commits, and two concurrent uses cannot both succeed.
pub async fn claim(
    conn: &mut PgConnection,
    purpose: Purpose,
    token: &SecretString,
) -> Result<Uuid, TokenError> {
    let row: Option<(Uuid, bool, bool)> = sqlx::query_as(
        "SELECT user_id, used_at IS NOT NULL, expires_at <= now()
         FROM account_tokens WHERE token_hash = $1 AND purpose = $2 FOR UPDATE",
    )
    .bind(digest(token.expose_secret()))
    .bind(purpose)
    .fetch_optional(conn)
    .await?;
    match row {
        None => Err(TokenError::Unknown),
        Some((_, true, _)) => Err(TokenError::Used),
        Some((_, _, true)) => Err(TokenError::Expired),
        Some((user_id, false, false)) => Ok(user_id),
    }
}

/// Spends every unused token of `purpose` for the user: the one just used, and any older
/// link still sitting in a mailbox.
pub async fn consume(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: Purpose,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user_id)
        .bind(purpose)
        .execute(conn)
        .await?;
    Ok(())
}

/// Tokens a day past their expiry serve no message any more ("already used" or "expired"
/// is only useful soon after); the cleanup job deletes them.
pub async fn delete_stale(pool: &sqlx::PgPool) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM account_tokens WHERE expires_at < now() - interval '1 day'")
            .execute(pool)
            .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    #[sqlx::test(migrations = "../migrations")]
    async fn a_token_is_stored_as_a_digest_and_works_once(pool: PgPool) {
        let user_id = crate::identity::test_user(&pool).await;
        let mut conn = pool.acquire().await.unwrap();
        let token = issue(
            &mut conn,
            user_id,
            Purpose::ResetPassword,
            Duration::minutes(30),
        )
        .await
        .unwrap();
        assert!(token.expose_secret().len() >= 43, "256 bits, base64");
        let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM account_tokens")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_ne!(stored, token.expose_secret().as_bytes());

        assert_eq!(
            claim(&mut conn, Purpose::VerifyEmail, &token).await,
            Err(TokenError::Unknown),
            "purpose is bound"
        );
        assert_eq!(
            claim(&mut conn, Purpose::ResetPassword, &token).await,
            Ok(user_id)
        );
        consume(&mut conn, user_id, Purpose::ResetPassword)
            .await
            .unwrap();
        assert_eq!(
            claim(&mut conn, Purpose::ResetPassword, &token).await,
            Err(TokenError::Used)
        );
        let forged = SecretString::from("A".repeat(43));
        assert_eq!(
            claim(&mut conn, Purpose::ResetPassword, &forged).await,
            Err(TokenError::Unknown)
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_expired_token_is_refused(pool: PgPool) {
        let user_id = crate::identity::test_user(&pool).await;
        let mut conn = pool.acquire().await.unwrap();
        let token = issue(
            &mut conn,
            user_id,
            Purpose::VerifyEmail,
            Duration::hours(24),
        )
        .await
        .unwrap();
        sqlx::query("UPDATE account_tokens SET expires_at = now() - interval '1 second'")
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            claim(&mut conn, Purpose::VerifyEmail, &token).await,
            Err(TokenError::Expired)
        );
    }
}
