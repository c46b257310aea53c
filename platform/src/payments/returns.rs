//! Money the platform returns on its own: a duplicate charge (see [`super::captures`]).
//!
//! The whole refund is queued, unsent, in the transaction that records the duplicate
//! ([`super::refunds::queue_whole`]). Whoever recorded it sends it right after the commit
//! (the gateway's answer, the reconciliation run); should that process stop first, the next
//! reconciliation run does. A sender claims a refund by setting its `sent_at` in one
//! statement, so two senders never both send it; from then on it is an ordinary refund:
//! a Void, a Credit when the sale is settled (`CORE-2008`), and an unknown outcome settled
//! from the order history.

use super::PaymentError;
use super::refunds::{self, Refund};
use crate::Platform;
use crate::audit::{Actor, ActorKind, RequestFacts};

/// Queued returns one claim takes; each may wait a refund timeout for the gateway.
const BATCH: i64 = 20;

/// Sends the queued return of the payment with gateway order id `order_id`, if one waits.
pub async fn send_queued_of(platform: &Platform, order_id: &str) -> Result<(), PaymentError> {
    claim_and_send(platform, Some(order_id)).await.map(|_| ())
}

/// Sends every queued return still unsent (left by a process that stopped), in batches;
/// returns how many it sent.
pub async fn send_queued(platform: &Platform) -> Result<u32, PaymentError> {
    let mut sent = 0;
    loop {
        match claim_and_send(platform, None).await? {
            0 => return Ok(sent),
            n => sent += n,
        }
    }
}

async fn claim_and_send(platform: &Platform, order_id: Option<&str>) -> Result<u32, PaymentError> {
    let claimed: Vec<Refund> = sqlx::query_as(&format!(
        "UPDATE refunds SET sent_at = now()
         WHERE id IN (SELECT r.id FROM refunds r JOIN payments p ON p.id = r.payment_id
                      WHERE r.sent_at IS NULL AND r.status = 'pending' AND ($1::text IS NULL OR p.order_id = $1)
                      ORDER BY r.created_at LIMIT $2 FOR UPDATE OF r SKIP LOCKED)
         RETURNING {}",
        refunds::COLUMNS
    ))
    .bind(order_id)
    .bind(BATCH)
    .fetch_all(&platform.pool)
    .await?;
    let count = u32::try_from(claimed.len()).unwrap_or(u32::MAX);
    let system = Actor {
        kind: ActorKind::System,
        id: None,
    };
    for refund in claimed {
        refunds::send(platform, refund, system, &RequestFacts::default()).await?;
    }
    Ok(count)
}
