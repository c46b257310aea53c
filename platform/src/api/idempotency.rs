//! The first answer to an API POST with an `Idempotency-Key`, kept per API key for three
//! days, so a shop that lost an answer can ask again without acting twice.
//!
//! The first request claims the key by inserting its row (the primary key makes the claim
//! atomic across instances); its answer is stored when it ends. A repeat of the same
//! request gets the stored answer; a different request under the same key is refused; a
//! repeat while the first still runs is told to wait. A claim whose request died (an
//! instance killed mid-request) is taken over after [`ABANDONED_AFTER`].

use sha2::{Digest, Sha256};
use sqlx::PgPool;
use time::Duration;
use uuid::Uuid;

use crate::db::WITHOUT_FLUSH_WAIT;

/// How long answers are kept; the issue asks at least 72 hours.
pub const KEPT: Duration = Duration::hours(72);
/// A claim with no answer after this long belongs to a request that died.
pub const ABANDONED_AFTER: Duration = Duration::minutes(5);

/// What a POST under an idempotency key should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The first time (or the first since a dead claim): run it, then [`complete`] or [`release`].
    Run,
    /// Done before: answer this.
    Replay { status: u16, body: String },
    /// The same key with a different request.
    Mismatch,
    /// The first request is still running.
    InProgress,
}

/// The digest of what makes two requests the same: method, path and body.
pub fn request_digest(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update([0]);
    hash.update(path.as_bytes());
    hash.update([0]);
    hash.update(body);
    hash.finalize().to_vec()
}

pub async fn claim(
    pool: &PgPool,
    api_key_id: Uuid,
    key: &str,
    digest: &[u8],
) -> Result<Claim, sqlx::Error> {
    // Inserted, or taken over from a claim that died or an answer past keeping. The claim
    // does not wait for the disk: whatever the request then commits durably flushes the
    // claim with it (WAL is flushed in order), and a claim lost with no such commit after it
    // lost nothing. The answer, in [`complete`], waits as usual.
    let claimed: Option<i32> = sqlx::query_scalar(&format!(
        "INSERT INTO api_idempotency (api_key_id, key, request_digest)
         SELECT $1, $2, $3 FROM {WITHOUT_FLUSH_WAIT}
         ON CONFLICT (api_key_id, key) DO UPDATE
            SET request_digest = EXCLUDED.request_digest, created_at = now(),
                response_status = NULL, response_body = NULL
            WHERE (api_idempotency.response_status IS NULL AND api_idempotency.created_at < now() - $4)
               OR api_idempotency.created_at < now() - $5
         RETURNING 1",
    ))
    .bind(api_key_id)
    .bind(key)
    .bind(digest)
    .bind(ABANDONED_AFTER)
    .bind(KEPT)
    .fetch_optional(pool)
    .await?;
    if claimed.is_some() {
        return Ok(Claim::Run);
    }
    let row: Option<(Vec<u8>, Option<i16>, Option<String>)> = sqlx::query_as(
        "SELECT request_digest, response_status, response_body::text FROM api_idempotency
         WHERE api_key_id = $1 AND key = $2",
    )
    .bind(api_key_id)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        // Released between the two statements: the caller may simply try again.
        None => Claim::InProgress,
        Some((stored, _, _)) if stored != digest => Claim::Mismatch,
        Some((_, Some(status), Some(body))) => Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body,
        },
        Some(_) => Claim::InProgress,
    })
}

/// Stores the answer of the request that holds the claim. `body` is JSON.
pub async fn complete(
    pool: &PgPool,
    api_key_id: Uuid,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_idempotency SET response_status = $3, response_body = $4::jsonb
         WHERE api_key_id = $1 AND key = $2 AND response_status IS NULL",
    )
    .bind(api_key_id)
    .bind(key)
    .bind(i16::try_from(status).unwrap_or(500))
    .bind(body)
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives the key back when the answer is not worth keeping (Saleonix failed, or the
/// request was throttled): the shop's retry then runs afresh.
pub async fn release(pool: &PgPool, api_key_id: Uuid, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM api_idempotency WHERE api_key_id = $1 AND key = $2 AND response_status IS NULL",
    )
    .bind(api_key_id)
    .bind(key)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes answers past keeping; run by the housekeeping job.
pub async fn delete_stale(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM api_idempotency WHERE created_at < now() - $1")
        .bind(KEPT + ABANDONED_AFTER)
        .execute(pool)
        .await?;
    Ok(deleted.rows_affected())
}
