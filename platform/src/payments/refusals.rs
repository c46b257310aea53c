//! Refused gateway answers cost a flood nothing. `/pay/return` and `/pay/callback` take
//! unauthenticated requests, and the audit trail is one chain every row joins, so one row
//! per refused request would let an empty `GET /pay/return` in a loop grow it without end.
//!
//! Instead each refusal only counts against its client network (an IPv6 client is its /64), in the shared fixed-window
//! counters (`GATEWAY_REFUSALS_PER_IP`). The first refusal of a window is audited at once,
//! with its reason; once the window has closed, [`report_closed_windows`] audits how many
//! refusals it held (when more than that first one), exactly once however many instances
//! run it. Past the limit the address is answered 429. Valid signed answers never come
//! here, so they are never limited.

use std::time::Duration;

use super::PaymentError;
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::rate_limit::{self, Limit};

/// The counters' bucket; its keys are client networks (`rate_limit::client_key`: the
/// address for IPv4, the /64 for IPv6).
pub const BUCKET: &str = "gateway-refusal-ip";

/// What to do with one refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The address's first refusal of this window: audit it.
    First,
    /// Within the limit: answer as refused, counted only.
    Again,
    /// Past the limit: answer 429 with this wait, counted only.
    Limited(Duration),
}

fn limit(platform: &Platform) -> Limit {
    Limit::new(
        BUCKET,
        platform.config.settings.rate_limits.gateway_refusals_per_ip,
    )
}

/// Counts one refused answer from the request's client address.
pub async fn count(platform: &Platform, facts: &RequestFacts) -> Result<Counted, PaymentError> {
    let limit = limit(platform);
    let count = rate_limit::count(&platform.pool, limit, &rate_limit::client_key(facts)).await?;
    Ok(match count.hits {
        1 => Counted::First,
        hits if hits <= limit.max => Counted::Again,
        _ => Counted::Limited(count.window_left),
    })
}

/// Audits the refusal count of every closed window that held more than its first, audited,
/// refusal: one row per address and window (`payment.answers_refused`, with the count, the
/// window and the limit). Returns how many rows it wrote.
pub async fn report_closed_windows(platform: &Platform) -> Result<u32, PaymentError> {
    let limit = limit(platform);
    let window_secs = limit.window.as_secs_f64().max(1.0);
    let closed: Vec<(String, time::OffsetDateTime, i32)> = sqlx::query_as(
        "SELECT h.key, h.window_start, h.hits FROM rate_limit_hits h
         WHERE h.bucket = $1 AND h.hits > 1 AND h.window_start + make_interval(secs => $2) <= now()
           AND NOT EXISTS (SELECT 1 FROM gateway_refusal_reports r
                           WHERE r.client_key = h.key AND r.window_start = h.window_start)
         ORDER BY h.window_start LIMIT 1000",
    )
    .bind(BUCKET)
    .bind(window_secs)
    .fetch_all(&platform.pool)
    .await?;
    let mut written = 0;
    for (key, window_start, refusals) in closed {
        let mut tx = platform.pool.begin().await?;
        // The report row is the claim: another instance that got here first wins.
        let claimed = sqlx::query(
            "INSERT INTO gateway_refusal_reports (client_key, window_start, refusals) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(&key)
        .bind(window_start)
        .bind(refusals)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 1 {
            let event = Event::new(
                "payment.answers_refused",
                Actor {
                    kind: ActorKind::Anonymous,
                    id: None,
                },
                Outcome::Denied,
            )
            .reason("refusal_count")
            .detail(serde_json::json!({
                "refusals": refusals,
                "window_start": window_start.unix_timestamp(),
                "window_secs": limit.window.as_secs(),
                "limit": limit.max,
            }));
            let facts = RequestFacts {
                ip: (key != "unknown").then_some(key),
                ..RequestFacts::default()
            };
            audit::record(&mut tx, &event, &facts).await?;
            written += 1;
        }
        tx.commit().await?;
    }
    // Reports outlive their counters (pruned after a day) only long enough to stop a repeat.
    sqlx::query(
        "DELETE FROM gateway_refusal_reports WHERE window_start < now() - interval '2 days'",
    )
    .execute(&platform.pool)
    .await?;
    Ok(written)
}
