//! The outbox worker: delivers due webhook deliveries, one at a time per worker.
//!
//! Each delivery is claimed with `FOR UPDATE SKIP LOCKED` in a transaction that stays open
//! while it is sent, so another worker or instance skips it instead of sending it too; a
//! crash after sending repeats at most that one delivery (receivers deduplicate by
//! `webhook-id`). Deliveries of one object to one endpoint go in the order of their events:
//! one waits while an earlier one is still pending, retries included. A delivery a person
//! asked for (a resend, the test event) is tried once and stands outside that order.

use domain::{MerchantId, Mode};
use secrecy::ExposeSecret;
use time::OffsetDateTime;
use uuid::Uuid;

use super::endpoints::secret_slot;
use super::request::{self, Outcome, Signed};
use super::{LOG_RETENTION_DAYS, WebhookError, disabling, schedule, ssrf};
use crate::Platform;
use crate::events;

/// Deliveries one pass handles at most, so a stop is heeded between passes.
pub const BATCH: usize = 50;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub attempted: usize,
    pub delivered: usize,
    pub disabled: usize,
}

impl Report {
    /// The pass took a full batch: more may be due at once.
    pub fn more_due(&self) -> bool {
        self.attempted >= BATCH
    }
}

#[derive(sqlx::FromRow)]
struct Due {
    id: Uuid,
    endpoint_id: Uuid,
    event_id: Uuid,
    attempts: i32,
    manual: bool,
    merchant_id: MerchantId,
    mode: Mode,
    url: String,
    secret: Vec<u8>,
    previous_secret: Option<Vec<u8>>,
    previous_secret_expires_at: Option<OffsetDateTime>,
    failing_since: Option<OffsetDateTime>,
}

/// The next due delivery no earlier delivery of its object to its endpoint holds back.
const CLAIM: &str = "SELECT d.id, d.endpoint_id, d.event_id, d.attempts, d.manual,
        w.merchant_id, w.mode, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at, w.failing_since
    FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.enabled
      AND (d.manual OR NOT EXISTS (
            SELECT 1 FROM webhook_deliveries earlier
            WHERE earlier.endpoint_id = d.endpoint_id AND earlier.object_id = d.object_id
              AND earlier.event_seq < d.event_seq AND earlier.status = 'pending' AND NOT earlier.manual))
    ORDER BY d.next_attempt_at, d.event_seq
    LIMIT 1
    FOR UPDATE OF d SKIP LOCKED";

/// Delivers what is due at `now` (tests pass a later `now` instead of waiting for
/// retries); the `webhook-timestamp` is always the real clock, which receivers check.
pub async fn deliver_due(platform: &Platform, now: OffsetDateTime) -> Result<Report, WebhookError> {
    let mut report = Report::default();
    for _ in 0..BATCH {
        let mut tx = platform.pool.begin().await?;
        let Some(due) = sqlx::query_as::<_, Due>(CLAIM)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?
        else {
            break;
        };
        report.attempted += 1;
        let attempt = due.attempts.saturating_add(1);
        let outcome = match attempt_once(platform, &mut tx, &due, now).await {
            Ok(outcome) => outcome,
            Err(WebhookError::Database(error)) => return Err(error.into()),
            // A secret that no longer decrypts (a key removed from the ring) fails the
            // attempt like an unreachable endpoint would, rather than every pass.
            Err(error) => {
                tracing::error!(delivery = %due.id, %error, "webhook delivery could not be prepared");
                Outcome {
                    status: None,
                    body: None,
                    duration: std::time::Duration::ZERO,
                    error: Some(request::ErrorClass::Other),
                }
            }
        };
        let attempt_id = Uuid::new_v4();
        log_attempt(&mut tx, &due, attempt_id, attempt, now, &outcome).await?;
        match outcome.error {
            None => {
                sqlx::query("UPDATE webhook_deliveries SET status = 'succeeded', attempts = $2 WHERE id = $1")
                    .bind(due.id)
                    .bind(attempt)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1")
                    .bind(due.endpoint_id)
                    .execute(&mut *tx)
                    .await?;
                report.delivered += 1;
            }
            // A person's resend or test is tried once; its failure is theirs to see in the
            // log, and neither retried nor counted against the endpoint.
            Some(_) if due.manual => {
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = 'failed', attempts = $2 WHERE id = $1",
                )
                .bind(due.id)
                .bind(attempt)
                .execute(&mut *tx)
                .await?;
            }
            Some(error) => {
                if failed(platform, &mut tx, &due, attempt, now).await? {
                    report.disabled += 1;
                }
                tracing::info!(delivery = %due.id, attempt, error = error.as_str(), "webhook attempt failed");
            }
        }
        tx.commit().await?;
    }
    Ok(report)
}

/// Signs the event with each secret in force and posts it.
async fn attempt_once(
    platform: &Platform,
    conn: &mut sqlx::PgConnection,
    due: &Due,
    now: OffsetDateTime,
) -> Result<Outcome, WebhookError> {
    let event = events::load(&mut *conn, due.event_id)
        .await?
        .ok_or(WebhookError::NotFound)?;
    let body = event.to_json().to_string().into_bytes();
    let keys = &platform.config.secrets.field_keys;
    let row = due.endpoint_id.to_string();
    let current = keys.decrypt(secret_slot("secret", &row), &due.secret)?;
    let previous = match (&due.previous_secret, due.previous_secret_expires_at) {
        (Some(sealed), Some(until)) if until > now => {
            Some(keys.decrypt(secret_slot("previous_secret", &row), sealed)?)
        }
        _ => None,
    };
    let mut signing_keys: Vec<&[u8]> = vec![current.expose_secret().as_slice()];
    if let Some(previous) = &previous {
        signing_keys.push(previous.expose_secret().as_slice());
    }
    let webhook_id = domain::public_id::encode(domain::public_id::Kind::Event, event.id);
    let timestamp = OffsetDateTime::now_utc().unix_timestamp();
    let signature = super::signing::signature_header(&signing_keys, &webhook_id, timestamp, &body);
    let settings = &platform.config.settings;
    let timeout = std::time::Duration::from_millis(settings.webhooks.timeout_ms);
    let signed = Signed {
        attempt_id: Uuid::new_v4().to_string(),
        webhook_id: &webhook_id,
        timestamp,
        signature,
        body,
    };
    let public_only = ssrf::must_be_public(settings, due.mode);
    Ok(request::post(&due.url, public_only, timeout, signed).await)
}

async fn log_attempt(
    conn: &mut sqlx::PgConnection,
    due: &Due,
    attempt_id: Uuid,
    attempt: i32,
    now: OffsetDateTime,
    outcome: &Outcome,
) -> Result<(), sqlx::Error> {
    let duration_ms = i32::try_from(outcome.duration.as_millis()).unwrap_or(i32::MAX);
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, attempt, attempted_at,
                                       response_status, response_body, duration_ms, error_class)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(attempt_id)
    .bind(due.id)
    .bind(due.endpoint_id)
    .bind(due.event_id)
    .bind(attempt)
    .bind(now)
    .bind(outcome.status.map(i32::from))
    .bind(&outcome.body)
    .bind(duration_ms)
    .bind(outcome.error.map(|e| e.as_str()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failed automatic attempt: retried on the schedule, or, after the last
/// attempt or five days of failing, the delivery fails and the endpoint is disabled.
/// Returns whether the endpoint was disabled.
async fn failed(
    platform: &Platform,
    conn: &mut sqlx::PgConnection,
    due: &Due,
    attempt: i32,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let settings = &platform.config.settings.webhooks;
    let failing_since = due.failing_since.unwrap_or(now);
    sqlx::query("UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1")
        .bind(due.endpoint_id)
        .bind(failing_since)
        .execute(&mut *conn)
        .await?;
    let failing_for = now - failing_since;
    let give_up = u32::try_from(attempt).unwrap_or(u32::MAX) >= settings.max_attempts
        || failing_for.whole_hours()
            >= i64::try_from(settings.disable_after_failing_hours).unwrap_or(i64::MAX);
    if give_up {
        sqlx::query("UPDATE webhook_deliveries SET status = 'failed', attempts = $2 WHERE id = $1")
            .bind(due.id)
            .bind(attempt)
            .execute(&mut *conn)
            .await?;
        return disabling::disable_failing(conn, platform, due.merchant_id, due.endpoint_id).await;
    }
    let delay = schedule::delay(settings, u32::try_from(attempt).unwrap_or(u32::MAX));
    sqlx::query("UPDATE webhook_deliveries SET attempts = $2, next_attempt_at = $3 WHERE id = $1")
        .bind(due.id)
        .bind(attempt)
        .bind(now + delay)
        .execute(conn)
        .await?;
    Ok(false)
}

/// Deletes events and logged attempts older than 30 days (the API lists events for that
/// long). An event some endpoint still has pending is kept until it is done.
pub async fn prune(pool: &sqlx::PgPool, now: OffsetDateTime) -> Result<(u64, u64), sqlx::Error> {
    let attempts = sqlx::query(
        "DELETE FROM webhook_attempts WHERE attempted_at < $1 - make_interval(days => $2)",
    )
    .bind(now)
    .bind(LOG_RETENTION_DAYS)
    .execute(pool)
    .await?
    .rows_affected();
    let events = sqlx::query(
        "DELETE FROM events e WHERE e.created_at < $1 - make_interval(days => $2)
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')",
    )
    .bind(now)
    .bind(events::RETENTION_DAYS)
    .execute(pool)
    .await?
    .rows_affected();
    Ok((events, attempts))
}
