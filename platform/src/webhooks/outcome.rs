//! Recording what came of one attempt, in a transaction of its own that holds the
//! delivery's row only for that: the attempt in the delivery log, and the delivery
//! delivered, retried on the schedule, or given up (disabling its endpoint).
//!
//! The lease is checked first: a pass whose lease ran out (another worker has since
//! claimed the delivery) or whose delivery was given up meanwhile (its endpoint disabled
//! or deleted) records nothing, so a delivery's state and attempt count are written by
//! one worker at a time.

use time::OffsetDateTime;
use uuid::Uuid;

use super::delivery::Due;
use super::request::Outcome;
use super::{WebhookError, disabling, schedule};
use crate::Platform;

/// What recording an attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Recorded {
    Delivered,
    /// Failed; to be retried, or given up without disabling (a person's resend).
    Failed,
    /// Failed for the last time, and its endpoint is now disabled.
    Disabled,
    /// The lease was no longer this pass's: nothing recorded.
    LeaseLost,
}

pub(super) async fn record(
    platform: &Platform,
    owner: Uuid,
    due: &Due,
    now: OffsetDateTime,
    outcome: &Outcome,
) -> Result<Recorded, WebhookError> {
    let counts_against_endpoint = outcome.error.is_some() && !due.manual;
    if outcome.error.is_none() {
        // The endpoint answered: its failure streak ends, whoever holds the lease. Written
        // on its own, and only if there was a streak, so successes neither queue on the
        // endpoint's row nor lock it while holding a delivery's (the order a disabling
        // takes them in is endpoint first).
        sqlx::query(
            "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL",
        )
        .bind(due.endpoint_id)
        .execute(&platform.pool)
        .await?;
    }
    let mut tx = platform.pool.begin().await?;
    // A failure may disable the endpoint, which gives up its other pending deliveries:
    // the endpoint's row is taken before the delivery's, as a disabling takes them.
    let failing_since = if counts_against_endpoint {
        failing_since(&mut tx, due.endpoint_id, now).await?
    } else {
        None
    };
    let attempts: Option<i32> = sqlx::query_scalar(
        "SELECT attempts FROM webhook_deliveries
         WHERE id = $1 AND lease_owner = $2 AND status = 'pending' FOR UPDATE",
    )
    .bind(due.id)
    .bind(owner)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(attempts) = attempts else {
        tracing::warn!(delivery = %due.id, "webhook delivery taken over or given up before its outcome was recorded");
        return Ok(Recorded::LeaseLost);
    };
    let attempt = attempts.saturating_add(1);
    log_attempt(&mut tx, due, attempt, now, outcome).await?;
    let recorded = match (outcome.error, failing_since) {
        (None, _) => {
            finish(&mut tx, due.id, "succeeded", attempt).await?;
            Recorded::Delivered
        }
        (Some(error), Some(failing_since)) => {
            tracing::info!(delivery = %due.id, attempt, error = error.as_str(), "webhook attempt failed");
            failed(platform, &mut tx, due, attempt, now, failing_since).await?
        }
        // A person's resend or test is tried once; its failure is theirs to see in the
        // log, and neither retried nor counted against the endpoint. (An endpoint that is
        // gone took its deliveries with it, so none was found above.)
        (Some(_), None) => {
            finish(&mut tx, due.id, "failed", attempt).await?;
            Recorded::Failed
        }
    };
    tx.commit().await?;
    Ok(recorded)
}

/// Locks the endpoint's row and returns since when it has been failing, `now` if this is
/// the first failure since its last success; `None` if the endpoint is gone.
async fn failing_since(
    conn: &mut sqlx::PgConnection,
    endpoint_id: Uuid,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2) WHERE id = $1
         RETURNING failing_since",
    )
    .bind(endpoint_id)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// Ends the delivery as `status` after `attempt` attempts, and its lease with it.
async fn finish(
    conn: &mut sqlx::PgConnection,
    delivery: Uuid,
    status: &str,
    attempt: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $2, attempts = $3, lease_owner = NULL, leased_until = NULL
         WHERE id = $1",
    )
    .bind(delivery)
    .bind(status)
    .bind(attempt)
    .execute(conn)
    .await?;
    Ok(())
}

async fn log_attempt(
    conn: &mut sqlx::PgConnection,
    due: &Due,
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
    .bind(Uuid::new_v4())
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
async fn failed(
    platform: &Platform,
    conn: &mut sqlx::PgConnection,
    due: &Due,
    attempt: i32,
    now: OffsetDateTime,
    failing_since: OffsetDateTime,
) -> Result<Recorded, sqlx::Error> {
    let settings = &platform.config.settings.webhooks;
    let failing_for = now - failing_since;
    let give_up = u32::try_from(attempt).unwrap_or(u32::MAX) >= settings.max_attempts
        || failing_for.whole_hours()
            >= i64::try_from(settings.disable_after_failing_hours).unwrap_or(i64::MAX);
    if give_up {
        finish(conn, due.id, "failed", attempt).await?;
        let disabled =
            disabling::disable_failing(conn, platform, due.merchant_id, due.endpoint_id).await?;
        return Ok(if disabled {
            Recorded::Disabled
        } else {
            Recorded::Failed
        });
    }
    let delay = schedule::delay(settings, u32::try_from(attempt).unwrap_or(u32::MAX));
    sqlx::query(
        "UPDATE webhook_deliveries SET attempts = $2, next_attempt_at = $3, lease_owner = NULL, leased_until = NULL
         WHERE id = $1",
    )
    .bind(due.id)
    .bind(attempt)
    .bind(now + delay)
    .execute(conn)
    .await?;
    Ok(Recorded::Failed)
}
