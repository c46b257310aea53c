//! What a merchant asks for from an endpoint's page: resend one event, resend every event
//! that failed since a time, or send a test event. Each queues deliveries the worker
//! tries once, at once, outside the object's order, and is audited.

use domain::public_id::{self, Kind};
use domain::{EventType, Mode};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::WebhookError;
use super::endpoints::{self, audited};
use crate::Platform;
use crate::audit::RequestFacts;
use crate::events;
use crate::identity::roles::MerchantScope;

async fn enabled_endpoint(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    endpoint_id: &str,
) -> Result<Uuid, WebhookError> {
    match endpoints::lock(conn, scope, mode, endpoint_id).await? {
        (id, true) => Ok(id),
        (_, false) => Err(WebhookError::Disabled),
    }
}

async fn queue(
    conn: &mut PgConnection,
    endpoint_id: Uuid,
    event_id: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_seq, object_id, manual, next_attempt_at)
         SELECT $1, $2, e.id, e.seq, e.object_id, true, now() FROM events e WHERE e.id = $3",
    )
    .bind(id)
    .bind(endpoint_id)
    .bind(event_id)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Queues event `event_id` (`evt_…`, of this merchant and mode, from the last 30 days)
/// for endpoint `endpoint_id` again. Audited as `webhook_endpoint.resend`.
#[tracing::instrument(skip_all, fields(merchant_id = %scope.merchant_id(), endpoint = endpoint_id, event = event_id))]
pub async fn resend(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    endpoint_id: &str,
    event_id: &str,
    facts: &RequestFacts,
) -> Result<Uuid, WebhookError> {
    let event = public_id::decode(Kind::Event, event_id).ok_or(WebhookError::NotFound)?;
    let mut tx = platform.pool.begin().await?;
    let endpoint = enabled_endpoint(&mut tx, scope, mode, endpoint_id).await?;
    events::by_id(&mut *tx, scope.merchant_id(), mode, event)
        .await?
        .ok_or(WebhookError::NotFound)?;
    let delivery = queue(&mut tx, endpoint, event).await?;
    let detail = serde_json::json!({ "event": event_id });
    audited(
        &mut tx,
        scope,
        "webhook_endpoint.resend",
        endpoint,
        detail,
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(delivery)
}

/// Queues again every event of the last 30 days created at or after `since` whose
/// delivery to the endpoint failed and that has not reached it since. Returns how many.
/// Audited as `webhook_endpoint.resend_failed`.
#[tracing::instrument(skip_all, fields(merchant_id = %scope.merchant_id(), endpoint = endpoint_id))]
pub async fn resend_failed_since(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    endpoint_id: &str,
    since: OffsetDateTime,
    facts: &RequestFacts,
) -> Result<u64, WebhookError> {
    let mut tx = platform.pool.begin().await?;
    let endpoint = enabled_endpoint(&mut tx, scope, mode, endpoint_id).await?;
    let queued = sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_seq, object_id, manual, next_attempt_at)
         SELECT gen_random_uuid(), $1, e.id, e.seq, e.object_id, true, now()
         FROM events e
         WHERE e.created_at >= $2 AND e.created_at > now() - make_interval(days => $3)
           AND EXISTS (SELECT 1 FROM webhook_deliveries d
                       WHERE d.endpoint_id = $1 AND d.event_id = e.id AND d.status = 'failed')
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                           WHERE d.endpoint_id = $1 AND d.event_id = e.id AND d.status <> 'failed')",
    )
    .bind(endpoint)
    .bind(since)
    .bind(events::RETENTION_DAYS)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let detail = serde_json::json!({ "since": since.unix_timestamp(), "queued": queued });
    audited(
        &mut tx,
        scope,
        "webhook_endpoint.resend_failed",
        endpoint,
        detail,
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(queued)
}

/// Sends a `webhook.test` event to the endpoint alone; returns its id (`evt_…`).
/// Audited as `webhook_endpoint.test`.
#[tracing::instrument(skip_all, fields(merchant_id = %scope.merchant_id(), endpoint = endpoint_id))]
pub async fn send_test(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    endpoint_id: &str,
    facts: &RequestFacts,
) -> Result<String, WebhookError> {
    let mut tx = platform.pool.begin().await?;
    let endpoint = enabled_endpoint(&mut tx, scope, mode, endpoint_id).await?;
    let object_id = public_id::encode(Kind::WebhookEndpoint, endpoint);
    let object = serde_json::json!({
        "id": object_id,
        "object": "webhook_endpoint",
        "message": "A test event from Saleonix: your endpoint receives and verifies webhooks.",
    });
    let event = events::insert(
        &mut tx,
        scope.merchant_id(),
        mode,
        EventType::WebhookTest,
        &object_id,
        object,
    )
    .await?;
    queue(&mut tx, endpoint, event).await?;
    let detail = serde_json::json!({ "event": public_id::encode(Kind::Event, event) });
    audited(
        &mut tx,
        scope,
        "webhook_endpoint.test",
        endpoint,
        detail,
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(public_id::encode(Kind::Event, event))
}
