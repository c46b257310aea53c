//! A series whose id never arrived. The gateway's verified return and its callback carry
//! `EXTRA.RECURRINGID`; the order status query does not. When both were lost and
//! reconciliation confirmed the first payment, the subscription runs at the gateway but
//! the platform can neither follow nor cancel it. The worker opens a reconciliation
//! exception for it ([`flag_unknown`]) once a late callback could no longer bring the id,
//! and staff holding reconciliation attach the id read from Payten's merchant portal
//! ([`attach`]): it is taken only when the gateway confirms that the series began with the
//! subscription's first order, so no one can bind another buyer's series to it.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::signup::plausible_series_id;
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, Module, StaffScope};
use crate::payments::reconciliation::{NewException, open_exception};
use crate::payments::{Mode, PaymentError, invalid};

/// How long after its start a subscription may still learn its series id from a late
/// callback (the gateway retries for minutes, not hours).
pub const WAIT: Duration = Duration::hours(1);

/// Opens a `series_unknown` exception for each running subscription started before
/// `now - WAIT` without a series id, once per subscription (an exception staff closed
/// without attaching is not opened again; two instances at once open one, as exceptions
/// are one open per payment).
pub async fn flag_unknown(platform: &Platform, now: OffsetDateTime) -> Result<(), PaymentError> {
    let unknown: Vec<(Uuid, Uuid, Mode, Uuid, String)> = sqlx::query_as(
        "SELECT s.id, s.merchant_id, s.mode, f.id, f.order_id
         FROM subscriptions s JOIN payments f ON f.id = s.first_payment_id
         WHERE s.recurring_id IS NULL AND s.status IN ('active', 'past_due') AND s.created_at <= $1
           AND NOT EXISTS (SELECT 1 FROM reconciliation_exceptions e
                           WHERE e.payment_id = f.id AND e.kind = 'series_unknown')
         LIMIT 100",
    )
    .bind(now - WAIT)
    .fetch_all(&platform.pool)
    .await?;
    for (id, merchant_id, mode, payment_id, order_id) in unknown {
        let mut tx = platform.pool.begin().await?;
        let ours = format!(
            "subscription {} started; the gateway's series id never arrived, so its payments are not followed",
            domain::public_id::encode(domain::public_id::Kind::Subscription, id)
        );
        let theirs = format!(
            "a series begun with order {order_id}: find its id in Payten's merchant portal and attach it"
        );
        open_exception(
            &mut tx,
            &NewException {
                payment_id,
                merchant_id,
                mode,
                order_id: &order_id,
                kind: "series_unknown",
                ours: &ours,
                theirs: &theirs,
                gateway_status: None,
                gateway_refunded: None,
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Attaches series `recurring_id` to the subscription of the open `series_unknown`
/// exception `exception_id`, and closes the exception; audited as
/// `subscription.series_attach`, a refusal too. The scope must hold reconciliation at
/// `act`. The gateway is asked about the series first: it must exist in the subscription's
/// mode and list the subscription's first order as its first payment. Once attached, the
/// worker follows the series from its next pass, recording what it charged meanwhile.
pub async fn attach(
    platform: &Platform,
    scope: &StaffScope,
    exception_id: Uuid,
    recurring_id: &str,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    scope.holds(Module::Reconciliation, Level::Act)?;
    let recurring_id = recurring_id.trim();
    if !plausible_series_id(recurring_id) {
        return Err(invalid(
            "series_id",
            "a series id is 1 to 64 letters, digits, dashes or underscores",
        ));
    }
    let mut tx = platform.pool.begin().await?;
    let row: Option<(Uuid, Uuid, Mode, String)> = sqlx::query_as(
        "SELECT s.id, s.merchant_id, s.mode, f.order_id
         FROM reconciliation_exceptions e JOIN payments f ON f.id = e.payment_id
              JOIN subscriptions s ON s.first_payment_id = f.id
         WHERE e.id = $1 AND e.kind = 'series_unknown' AND e.resolved_at IS NULL AND s.recurring_id IS NULL
         FOR UPDATE OF e, s",
    )
    .bind(exception_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, merchant_id, mode, first_order_id) = row.ok_or(PaymentError::NotFound)?;
    let staff = Actor {
        kind: ActorKind::Staff,
        id: Some(scope.user_id()),
    };
    let event = |outcome| {
        Event::new("subscription.series_attach", staff, outcome)
            .merchant(merchant_id)
            .target("subscription", id.to_string())
            .detail(serde_json::json!({ "mode": mode.as_str(), "series_id": recurring_id }))
    };
    let series = super::follow::ask(platform, mode, recurring_id).await;
    let begun_here = series.as_ref().is_ok_and(|series| {
        series
            .installments
            .iter()
            .any(|i| i.number == 1 && i.order_id == first_order_id)
    });
    if !begun_here {
        drop(tx);
        let reason = match &series {
            Err(_) => "gateway_unanswered",
            Ok(_) => "another_series",
        };
        audit::record_alone(
            &platform.pool,
            &event(Outcome::Failure).reason(reason),
            facts,
        )
        .await?;
        series?;
        return Err(invalid(
            "series_id",
            "the gateway says this series did not begin with the subscription's first payment",
        ));
    }
    sqlx::query("UPDATE subscriptions SET recurring_id = $2, poll_due_at = now() WHERE id = $1")
        .bind(id)
        .bind(recurring_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE reconciliation_exceptions SET resolved_at = now(), resolved_by = $2, resolution = 'resolved', note = $3
         WHERE id = $1",
    )
    .bind(exception_id)
    .bind(scope.user_id())
    .bind(format!(
        "Series {recurring_id} attached; the gateway confirmed it began with order {first_order_id}."
    ))
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, &event(Outcome::Success), facts).await?;
    tx.commit().await?;
    Ok(())
}
