//! An endpoint's delivery log: every attempt of the last 30 days, newest first.

use domain::Mode;
use domain::public_id::{self, Kind};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{LOG_RETENTION_DAYS, WebhookError, endpoints, invalid};
use crate::identity::roles::MerchantScope;

pub const MAX_PAGE: u32 = 100;

/// One attempt as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Attempt {
    /// Also the `saleonix-request-id` header the request carried.
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub attempt: i32,
    pub attempted_at: OffsetDateTime,
    pub response_status: Option<i32>,
    /// The first 2 KB of the response body.
    pub response_body: Option<String>,
    pub duration_ms: i32,
    /// `timeout`, `connect`, `http_status`, `refused_address`, ...; `None` on success.
    pub error_class: Option<String>,
    /// A resend or test event a person asked for.
    pub manual: bool,
}

impl Attempt {
    /// `evt_<hex>`, the `webhook-id` the request carried.
    pub fn event_public_id(&self) -> String {
        public_id::encode(Kind::Event, self.event_id)
    }

    pub fn succeeded(&self) -> bool {
        self.error_class.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub data: Vec<Attempt>,
    pub has_more: bool,
}

/// A page of endpoint `id`'s attempts, newest first; `starting_after` is the last
/// attempt of the previous page.
pub async fn attempts(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    endpoint_id: &str,
    limit: u32,
    starting_after: Option<Uuid>,
) -> Result<Page, WebhookError> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(invalid("limit", "between 1 and 100"));
    }
    let endpoint = endpoints::get(pool, scope, mode, endpoint_id).await?;
    let mut data: Vec<Attempt> = sqlx::query_as(
        "SELECT a.id, a.event_id, e.type AS event_type, a.attempt, a.attempted_at, a.response_status,
                a.response_body, a.duration_ms, a.error_class, d.manual
         FROM webhook_attempts a
         JOIN events e ON e.id = a.event_id
         JOIN webhook_deliveries d ON d.id = a.delivery_id
         WHERE a.endpoint_id = $1 AND a.attempted_at > now() - make_interval(days => $2)
           AND ($3::uuid IS NULL OR (a.attempted_at, a.id) <
                (SELECT attempted_at, id FROM webhook_attempts WHERE id = $3 AND endpoint_id = $1))
         ORDER BY a.attempted_at DESC, a.id DESC
         LIMIT $4",
    )
    .bind(endpoint.id)
    .bind(LOG_RETENTION_DAYS)
    .bind(starting_after)
    .bind(i64::from(limit) + 1)
    .fetch_all(pool)
    .await?;
    let has_more = data.len() > limit as usize;
    data.truncate(limit as usize);
    Ok(Page { data, has_more })
}
