//! Events: what happened to a merchant's objects, stored for 30 days (the API's `events`
//! resource) and delivered to the merchant's webhook endpoints.
//!
//! [`record`] writes an event and its outbox rows in the caller's transaction, so an event
//! exists exactly when the change it reports committed. [`Event::to_json`] is the one shape
//! an event has, for a webhook's body and for the API alike.

use domain::public_id::{self, Kind};
use domain::{EventType, MerchantId, Mode};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::identity::roles::MerchantScope;

/// How long events are listed and kept.
pub const RETENTION_DAYS: i32 = 30;
/// The most events one page holds.
pub const MAX_PAGE: u32 = 100;

/// One stored event.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Event {
    pub id: Uuid,
    pub merchant_id: MerchantId,
    pub mode: Mode,
    /// The type as stored; [`EventType`] reads it.
    #[sqlx(rename = "type")]
    pub kind: String,
    pub object_id: String,
    pub data: serde_json::Value,
    pub created_at: OffsetDateTime,
}

/// An event as a webhook delivers it and the API returns it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Event)]
pub struct EventObject {
    /// `evt_…`; also the `webhook-id` of its deliveries.
    pub id: String,
    /// Always `event`.
    pub object: &'static str,
    /// Such as `payment.succeeded`.
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339.
    pub created: String,
    pub livemode: bool,
    /// `{"object": {...}}`: the object as the API showed it when the event happened.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl Event {
    /// `{"id":"evt_…","object":"event","type":…,"created":"<RFC 3339>","livemode":…,
    /// "data":{"object":{…}}}`: what a webhook delivers and what the API returns.
    pub fn object(&self) -> EventObject {
        EventObject {
            id: public_id::encode(Kind::Event, self.id),
            object: "event",
            kind: self.kind.clone(),
            created: self.created_at.format(&Rfc3339).unwrap_or_default(),
            livemode: self.mode == Mode::Live,
            data: serde_json::json!({ "object": self.data }),
        }
    }

    /// [`Event::object`] as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.object()).unwrap_or_default()
    }
}

const SELECT: &str = "SELECT id, merchant_id, mode, type, object_id, data, created_at FROM events";

/// Writes the event and one outbox row per enabled endpoint of the merchant's `mode`
/// subscribed to `kind`, on `conn`: call it inside the transaction of the change.
#[tracing::instrument(skip_all, fields(%merchant_id, mode = mode.as_str(), kind = kind.as_str(), object_id))]
pub async fn record(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    kind: EventType,
    object_id: &str,
    object: serde_json::Value,
) -> Result<Uuid, sqlx::Error> {
    let id = insert(conn, merchant_id, mode, kind, object_id, object).await?;
    // The endpoints' rows are read under the same snapshot as the insert: an endpoint
    // created by a transaction that has not committed yet misses this event, as it would
    // had it been created a moment later.
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_seq, object_id, next_attempt_at)
         SELECT gen_random_uuid(), w.id, e.id, e.seq, e.object_id, e.created_at
         FROM webhook_endpoints w JOIN events e ON e.id = $1
         WHERE w.merchant_id = e.merchant_id AND w.mode = e.mode AND w.enabled
           AND (w.event_types IS NULL OR e.type = ANY (w.event_types))",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Writes an event without delivering it anywhere (the test event picks its endpoint).
pub(crate) async fn insert(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    kind: EventType,
    object_id: &str,
    object: serde_json::Value,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO events (id, merchant_id, mode, type, object_id, data) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(mode)
    .bind(kind.as_str())
    .bind(object_id)
    .bind(object)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The merchant's event in `mode` from the last 30 days; another merchant's, another
/// mode's, an older one and a malformed id are not found alike.
pub async fn get(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<Option<Event>, sqlx::Error> {
    let Some(id) = public_id::decode(Kind::Event, id) else {
        return Ok(None);
    };
    by_id(pool, scope.merchant_id(), mode, id).await
}

/// An event by its uuid, whoever it belongs to and however old: the delivery worker's read.
pub(crate) async fn load<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<Event>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await
}

pub(crate) async fn by_id<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    merchant_id: MerchantId,
    mode: Mode,
    id: Uuid,
) -> Result<Option<Event>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE id = $1 AND merchant_id = $2 AND mode = $3
           AND created_at > now() - make_interval(days => $4)"
    ))
    .bind(id)
    .bind(merchant_id)
    .bind(mode)
    .bind(RETENTION_DAYS)
    .fetch_optional(executor)
    .await
}

/// Which events to list, newest first: Stripe's cursor parameters.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// 1 to [`MAX_PAGE`]; `None` is 10.
    pub limit: Option<u32>,
    /// Events older than this one (`evt_…`), for the next page.
    pub starting_after: Option<String>,
    /// Events newer than this one, for the previous page.
    pub ending_before: Option<String>,
    pub kind: Option<EventType>,
    pub created_gte: Option<OffsetDateTime>,
    pub created_lt: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub data: Vec<Event>,
    pub has_more: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("limit must be between 1 and {MAX_PAGE}")]
    Limit,
    #[error("starting_after and ending_before exclude each other")]
    BothCursors,
    /// The cursor is not one of the merchant's listed events.
    #[error("no such event: {0}")]
    UnknownCursor(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A page of the merchant's events in `mode` from the last 30 days, newest first in the
/// order they were recorded (`seq`: the events of one transaction share a `created_at`, and
/// a payment's `payment.succeeded` comes before its checkout's `checkout.session.completed`).
pub async fn list(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    filter: &Filter,
) -> Result<Page, ListError> {
    let limit = filter.limit.unwrap_or(10);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ListError::Limit);
    }
    let (cursor, newer) = match (&filter.starting_after, &filter.ending_before) {
        (Some(_), Some(_)) => return Err(ListError::BothCursors),
        (Some(after), None) => (
            Some(cursor(pool, scope, mode, after, "starting_after").await?),
            false,
        ),
        (None, Some(before)) => (
            Some(cursor(pool, scope, mode, before, "ending_before").await?),
            true,
        ),
        (None, None) => (None, false),
    };
    // Past the cursor in the listing's direction; the previous page is read oldest first
    // and turned round.
    let (compare, order) = if newer { (">", "ASC") } else { ("<", "DESC") };
    let mut events: Vec<Event> = sqlx::query_as(&format!(
        "{SELECT} WHERE merchant_id = $1 AND mode = $2 AND type <> $3
           AND created_at > now() - make_interval(days => $4)
           AND ($5::timestamptz IS NULL OR seq {compare} (SELECT c.seq FROM events c WHERE c.id = $6))
           AND ($7::text IS NULL OR type = $7)
           AND ($8::timestamptz IS NULL OR created_at >= $8)
           AND ($9::timestamptz IS NULL OR created_at < $9)
         ORDER BY seq {order}
         LIMIT $10"
    ))
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(EventType::WebhookTest.as_str())
    .bind(RETENTION_DAYS)
    .bind(cursor.map(|(at, _)| at))
    .bind(cursor.map(|(_, id)| id))
    .bind(filter.kind.map(EventType::as_str))
    .bind(filter.created_gte)
    .bind(filter.created_lt)
    .bind(i64::from(limit) + 1)
    .fetch_all(pool)
    .await?;
    let has_more = events.len() > limit as usize;
    events.truncate(limit as usize);
    if newer {
        events.reverse();
    }
    Ok(Page {
        data: events,
        has_more,
    })
}

async fn cursor(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
    param: &'static str,
) -> Result<(OffsetDateTime, Uuid), ListError> {
    let event = get(pool, scope, mode, id)
        .await?
        .filter(|event| event.kind != EventType::WebhookTest.as_str())
        .ok_or(ListError::UnknownCursor(param))?;
    Ok((event.created_at, event.id))
}
