//! Signing up: the buyer's consent at Pay, the subscription made once the first payment is
//! confirmed, and the series id the gateway's verified answer carries.

use domain::CheckoutId;
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::plans;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::payments::PaymentError;

/// How long after an installment's planned time the worker first asks the gateway about
/// it: the gateway charges series in its own batch, not on the second.
pub const POLL_AFTER_PLANNED: Duration = Duration::hours(2);

/// Keeps the words the buyer agreed to with the attempt they pressed Pay for.
pub(crate) async fn record_consent(
    conn: &mut PgConnection,
    payment_id: Uuid,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO subscription_consents (payment_id, text) VALUES ($1, $2)")
        .bind(payment_id)
        .bind(text)
        .execute(conn)
        .await?;
    Ok(())
}

/// Called by the transition function when a payment becomes the paid payment of its
/// checkout: for a plan's checkout, starts the subscription (once; a repeat finds it made)
/// with the plan's terms, and counts the payment as its first installment.
pub(crate) async fn on_paid(
    conn: &mut PgConnection,
    payment_id: Uuid,
    session_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let Some(terms) = plans::terms_of_checkout(conn, CheckoutId::from_uuid(session_id)).await?
    else {
        return Ok(());
    };
    let now = OffsetDateTime::now_utc();
    let next = terms.planned(now, 2);
    let id = Uuid::new_v4();
    // A renewal checkout's payment starts the next series of the subscription it renews.
    let made: Option<(Uuid, Uuid, String, Option<Uuid>)> = sqlx::query_as(
        "INSERT INTO subscriptions (id, merchant_id, mode, plan_id, first_payment_id, amount_minor, currency,
                                    interval, interval_count, installments, until_cancelled, renews,
                                    next_charge_at, poll_due_at)
         SELECT $1, s.merchant_id, s.mode, s.plan_id, $2, s.amount_minor, s.currency, p.interval, p.interval_count,
                p.installments, p.until_cancelled, s.renews_id, $3, $4
         FROM checkout_sessions s JOIN subscription_plans p ON p.id = s.plan_id
         WHERE s.id = $5
         ON CONFLICT (first_payment_id) DO NOTHING
         RETURNING id, merchant_id, (SELECT order_id FROM payments WHERE id = $2), renews",
    )
    .bind(id)
    .bind(payment_id)
    .bind(next)
    .bind(next + POLL_AFTER_PLANNED)
    .bind(session_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, merchant_id, order_id, renews)) = made else {
        return Ok(());
    };
    sqlx::query("UPDATE payments SET subscription_id = $2, installment = 1 WHERE id = $1")
        .bind(payment_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let event = Event::new("subscription.start", system(), Outcome::Success)
        .merchant(merchant_id)
        .target("subscription", id.to_string())
        .detail(serde_json::json!({
            "first_order_id": order_id, "amount_minor": terms.amount.minor(),
            "interval": terms.interval.as_str(), "interval_count": terms.count,
            "installments": terms.installments, "until_cancelled": terms.until_cancelled,
            "renews": renews,
        }));
    audit::record(conn, &event, facts).await?;
    crate::api::notify::subscription_started(conn, id).await?;
    Ok(())
}

/// The shape the gateway's series ids take; anything else is not stored (and not trusted
/// to poll with).
pub(super) fn plausible_series_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Stores the series id a verified gateway answer for `order_id` carried, on the
/// subscription that payment started (the first answer wins; a repeat changes nothing).
/// Returns whether a subscription took it.
pub(crate) async fn series_started(
    conn: &mut PgConnection,
    order_id: &str,
    recurring_id: &str,
) -> Result<bool, sqlx::Error> {
    if !plausible_series_id(recurring_id) {
        tracing::warn!("the gateway's series id has an unexpected shape; not stored");
        return Ok(false);
    }
    let taken = sqlx::query(
        "UPDATE subscriptions SET recurring_id = $2
         WHERE first_payment_id = (SELECT id FROM payments WHERE order_id = $1) AND recurring_id IS NULL",
    )
    .bind(order_id)
    .bind(recurring_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// A series no subscription owns: started by a charge the checkout does not keep (a second
/// approval of a plan's checkout, a `duplicate` whose money goes back). The gateway would
/// charge it on and on, so it is cancelled at once, audited either way; a cancel that
/// fails is logged for staff and tried again with the next answer the gateway sends.
pub(crate) async fn cancel_orphan_series(
    platform: &crate::Platform,
    order_id: &str,
    recurring_id: &str,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    if !plausible_series_id(recurring_id) {
        return Ok(());
    }
    let orphan: Option<(Uuid, crate::payments::Mode)> = sqlx::query_as(
        "SELECT p.merchant_id, p.mode FROM payments p
         WHERE p.order_id = $1 AND p.status = 'duplicate'
           AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.recurring_id = $2 AND s.mode = p.mode)",
    )
    .bind(order_id)
    .bind(recurring_id)
    .fetch_optional(&platform.pool)
    .await?;
    let Some((merchant_id, mode)) = orphan else {
        return Ok(());
    };
    let sent = super::cancel::send(platform, mode, recurring_id).await;
    let outcome = if sent.is_ok() {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    if let Err(error) = &sent {
        tracing::error!(%error, order_id, "cancelling the series of a duplicate charge failed");
    }
    let event = Event::new("subscription.cancel_duplicate_series", system(), outcome)
        .merchant(merchant_id)
        .target("payment", order_id)
        .detail(serde_json::json!({ "mode": mode.as_str() }));
    audit::record_alone(&platform.pool, &event, facts).await?;
    Ok(())
}

pub(crate) fn system() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_are_taken_as_series_ids() {
        assert!(plausible_series_id("123456789"));
        assert!(!plausible_series_id(""));
        assert!(!plausible_series_id("12<script>"));
        assert!(!plausible_series_id(&"9".repeat(65)));
    }
}
