//! The outbox worker. A pass claims up to [`BATCH`] due deliveries with `FOR UPDATE SKIP
//! LOCKED` in one short statement that leases them to the pass (`lease_owner`,
//! `leased_until`) and commits; sends them all at once with no transaction open; and
//! records each outcome in a transaction of its own that first checks the lease is still
//! the pass's ([`outcome`]). Other workers and instances skip a leased delivery; one whose
//! lease ran out (its worker crashed or hung) is claimable again, so a crash delays a
//! delivery by at most the lease and repeats at most the attempt under way (receivers
//! deduplicate by `webhook-id`).
//!
//! Deliveries of one object to one endpoint go in the order of their events: one waits
//! while an earlier one is still pending, whether waiting for a retry, leased or in
//! flight. A delivery a person asked for (a resend, the test event) is tried once and
//! stands outside that order.

use std::time::Duration;

use domain::{MerchantId, Mode};
use secrecy::ExposeSecret;
use time::OffsetDateTime;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::endpoints::secret_slot;
use super::outcome::{self, Recorded};
use super::request::{self, Outcome, Signed};
use super::{LOG_RETENTION_DAYS, WebhookError, ssrf};
use crate::Platform;
use crate::config::WebhookSettings;
use crate::events;

/// Deliveries one pass claims at most, and so sends at once; a stop is heeded between
/// passes.
pub const BATCH: usize = 50;

/// How long a lease outlasts the request timeout: the pass's database work after the
/// sends. A lease that runs out while its pass still holds it costs a repeated delivery.
const LEASE_MARGIN: Duration = Duration::from_secs(20);

/// How long a pass holds the deliveries it claimed (30 s with the default timeout).
pub fn lease(settings: &WebhookSettings) -> Duration {
    Duration::from_millis(settings.timeout_ms) + LEASE_MARGIN
}

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
pub(super) struct Due {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub manual: bool,
    pub merchant_id: MerchantId,
    mode: Mode,
    url: String,
    secret: Vec<u8>,
    previous_secret: Option<Vec<u8>>,
    previous_secret_expires_at: Option<OffsetDateTime>,
}

/// Due deliveries that no earlier delivery of their object to their endpoint holds back
/// and no live lease holds, leased to `$3` until `$4`.
const CLAIM: &str = "WITH due AS (
        SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.enabled
          AND (d.leased_until IS NULL OR d.leased_until <= $1)
          AND (d.manual OR NOT EXISTS (
                SELECT 1 FROM webhook_deliveries earlier
                WHERE earlier.endpoint_id = d.endpoint_id AND earlier.object_id = d.object_id
                  AND earlier.event_seq < d.event_seq AND earlier.status = 'pending' AND NOT earlier.manual))
        ORDER BY d.next_attempt_at, d.event_seq
        LIMIT $2
        FOR UPDATE OF d SKIP LOCKED)
    UPDATE webhook_deliveries d SET lease_owner = $3, leased_until = $4
    FROM due, webhook_endpoints w
    WHERE d.id = due.id AND w.id = d.endpoint_id
    RETURNING d.id, d.endpoint_id, d.event_id, d.manual, w.merchant_id, w.mode, w.url,
              w.secret, w.previous_secret, w.previous_secret_expires_at";

/// Deliveries one pass leased, to send and record; dropped unsent (a crash), they are
/// claimable again once the lease runs out.
pub struct Claim {
    owner: Uuid,
    due: Vec<Due>,
}

impl Claim {
    pub fn len(&self) -> usize {
        self.due.len()
    }

    pub fn is_empty(&self) -> bool {
        self.due.is_empty()
    }
}

/// Leases what is due at `now` to a new pass, in a statement of its own (its transaction
/// ends before anything is sent). The lease runs on the same clock as `now`.
pub async fn claim(platform: &Platform, now: OffsetDateTime) -> Result<Claim, WebhookError> {
    let owner = Uuid::new_v4();
    let leased_until = now + lease(&platform.config.settings.webhooks);
    let due = sqlx::query_as::<_, Due>(CLAIM)
        .bind(now)
        .bind(i64::try_from(BATCH).unwrap_or(i64::MAX))
        .bind(owner)
        .bind(leased_until)
        .fetch_all(&platform.pool)
        .await?;
    Ok(Claim { owner, due })
}

/// Delivers what is due at `now` (tests pass a later `now` instead of waiting for
/// retries); the `webhook-timestamp` is always the real clock, which receivers check.
pub async fn deliver_due(platform: &Platform, now: OffsetDateTime) -> Result<Report, WebhookError> {
    let claimed = claim(platform, now).await?;
    deliver(platform, claimed, now).await
}

/// Sends every delivery of `claimed` at once and records each outcome as it comes. An
/// error in one leaves its lease to run out, and the others go on; the first is returned.
pub async fn deliver(
    platform: &Platform,
    claimed: Claim,
    now: OffsetDateTime,
) -> Result<Report, WebhookError> {
    let mut report = Report {
        attempted: claimed.len(),
        ..Report::default()
    };
    let owner = claimed.owner;
    let mut sends = JoinSet::new();
    for due in claimed.due {
        let platform = platform.clone();
        sends.spawn(async move {
            let outcome = attempt(&platform, &due, now).await?;
            outcome::record(&platform, owner, &due, now, &outcome).await
        });
    }
    let mut first_error = None;
    while let Some(sent) = sends.join_next().await {
        match sent {
            Ok(Ok(Recorded::Delivered)) => report.delivered += 1,
            Ok(Ok(Recorded::Disabled)) => report.disabled += 1,
            Ok(Ok(Recorded::Failed | Recorded::LeaseLost)) => {}
            Ok(Err(error)) => {
                first_error.get_or_insert(error);
            }
            Err(error) => tracing::error!(%error, "a webhook delivery task ended abnormally"),
        }
    }
    first_error.map_or(Ok(report), Err)
}

/// Signs the event and posts it. A secret that no longer decrypts (a key removed from
/// the ring) or an event gone fails the attempt as an unreachable endpoint would, rather
/// than every pass; only a database error is an error.
async fn attempt(
    platform: &Platform,
    due: &Due,
    now: OffsetDateTime,
) -> Result<Outcome, WebhookError> {
    match signed_post(platform, due, now).await {
        Err(WebhookError::Database(error)) => Err(error.into()),
        Err(error) => {
            tracing::error!(delivery = %due.id, %error, "webhook delivery could not be prepared");
            Ok(Outcome {
                status: None,
                body: None,
                duration: Duration::ZERO,
                error: Some(request::ErrorClass::Other),
            })
        }
        Ok(outcome) => Ok(outcome),
    }
}

/// Signs the event with each secret in force and posts it.
async fn signed_post(
    platform: &Platform,
    due: &Due,
    now: OffsetDateTime,
) -> Result<Outcome, WebhookError> {
    let event = events::load(&platform.pool, due.event_id)
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
    let timeout = Duration::from_millis(settings.webhooks.timeout_ms);
    let signed = Signed {
        attempt_id: Uuid::new_v4().to_string(),
        webhook_id: &webhook_id,
        timestamp,
        signature,
        body,
    };
    let public_only = ssrf::must_be_public(settings, due.mode);
    Ok(request::post(
        &platform.webhook_clients,
        &due.url,
        public_only,
        timeout,
        signed,
    )
    .await)
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
