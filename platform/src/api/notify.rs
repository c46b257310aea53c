//! The events the merchant's objects raise, recorded by [`crate::events::record`] in the
//! transaction of the change that raises them, with the object as the API shows it then:
//! the webhook and `GET /v1/events` carry what `GET /v1/<object>` answered at that moment.

use domain::{
    CheckoutId, EventType, MerchantId, Mode, PaymentId, PaymentStatus, PayoutStatus, RefundId,
    RefundStatus,
};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::Platform;
use crate::events;
use crate::subscriptions::Status;

async fn record(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    kind: EventType,
    object_id: &str,
    object: &impl Serialize,
) -> Result<(), sqlx::Error> {
    // The objects are plain structs of strings, numbers and flags: they always serialise.
    let data = serde_json::to_value(object).unwrap_or_default();
    events::record(conn, merchant_id, mode, kind, object_id, data).await?;
    Ok(())
}

/// A payment reached `to`: `payment.succeeded` (and its checkout's
/// `checkout.session.completed`) when paid, `payment.failed` when declined or failed.
pub(crate) async fn payment_changed(
    conn: &mut PgConnection,
    platform: &Platform,
    payment_id: Uuid,
    to: PaymentStatus,
) -> Result<(), sqlx::Error> {
    let kind = match to {
        PaymentStatus::Paid => EventType::PaymentSucceeded,
        PaymentStatus::Declined | PaymentStatus::Failed => EventType::PaymentFailed,
        _ => return Ok(()),
    };
    let (merchant_id, mode, session_id): (MerchantId, Mode, Uuid) =
        sqlx::query_as("SELECT merchant_id, mode, session_id FROM payments WHERE id = $1")
            .bind(payment_id)
            .fetch_one(&mut *conn)
            .await?;
    let payment = super::payments::load(conn, PaymentId::from_uuid(payment_id)).await?;
    record(conn, merchant_id, mode, kind, &payment.id, &payment).await?;
    if to == PaymentStatus::Paid {
        let origin = platform.config.settings.public_origin();
        let session =
            super::checkout_sessions::load(conn, CheckoutId::from_uuid(session_id), origin).await?;
        let kind = EventType::CheckoutSessionCompleted;
        record(conn, merchant_id, mode, kind, &session.id, &session).await?;
    }
    Ok(())
}

/// A checkout closed unpaid: `checkout.session.expired`.
pub(crate) async fn checkout_expired(
    conn: &mut PgConnection,
    platform: &Platform,
    session_id: Uuid,
) -> Result<(), sqlx::Error> {
    let (merchant_id, mode): (MerchantId, Mode) =
        sqlx::query_as("SELECT merchant_id, mode FROM checkout_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_one(&mut *conn)
            .await?;
    let origin = platform.config.settings.public_origin();
    let session =
        super::checkout_sessions::load(conn, CheckoutId::from_uuid(session_id), origin).await?;
    let kind = EventType::CheckoutSessionExpired;
    record(conn, merchant_id, mode, kind, &session.id, &session).await
}

/// A refund ended: `refund.succeeded` or `refund.failed` (an outcome still unknown raises
/// nothing until reconciliation learns it).
pub(crate) async fn refund_settled(
    conn: &mut PgConnection,
    refund_id: RefundId,
) -> Result<(), sqlx::Error> {
    let (merchant_id, mode, status): (MerchantId, Mode, RefundStatus) =
        sqlx::query_as("SELECT merchant_id, mode, status FROM refunds WHERE id = $1")
            .bind(refund_id)
            .fetch_one(&mut *conn)
            .await?;
    let kind = match status {
        RefundStatus::Succeeded => EventType::RefundSucceeded,
        RefundStatus::Failed => EventType::RefundFailed,
        RefundStatus::Pending | RefundStatus::Unknown => return Ok(()),
    };
    let refund = super::refunds::load(conn, refund_id).await?;
    record(conn, merchant_id, mode, kind, &refund.id, &refund).await
}

/// A payout was made, paid or returned by the bank: `payout.created`, `payout.paid`,
/// `payout.failed` (approval and sending are Saleonix's own steps and raise nothing).
pub(crate) async fn payout_changed(
    conn: &mut PgConnection,
    payout_id: Uuid,
    to: PayoutStatus,
) -> Result<(), sqlx::Error> {
    let kind = match to {
        PayoutStatus::Created => EventType::PayoutCreated,
        PayoutStatus::Paid => EventType::PayoutPaid,
        PayoutStatus::Returned => EventType::PayoutFailed,
        PayoutStatus::Approved | PayoutStatus::Sent => return Ok(()),
    };
    let (merchant_id, mode): (MerchantId, Mode) =
        sqlx::query_as("SELECT merchant_id, mode FROM payouts WHERE id = $1")
            .bind(payout_id)
            .fetch_one(&mut *conn)
            .await?;
    let payout = super::payouts::load(conn, payout_id).await?;
    record(conn, merchant_id, mode, kind, &payout.id, &payout).await
}

/// The merchant's verification or standing changed (`account.*`). Recorded in both modes:
/// the account is one for both, and a merchant still working in Test Mode, with only Test
/// endpoints, is the one waiting to learn that Live Mode opened.
pub(crate) async fn account_changed(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    kind: EventType,
) -> Result<(), sqlx::Error> {
    let account = super::accounts::load(conn, merchant_id).await?;
    for mode in [Mode::Test, Mode::Live] {
        record(conn, merchant_id, mode, kind, &account.id, &account).await?;
    }
    Ok(())
}

/// Subscription `id` started: `subscription.created` (a sign-up, or a renewal's next series).
pub(crate) async fn subscription_started(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<(), sqlx::Error> {
    subscription_event(conn, id, |_| EventType::SubscriptionCreated).await
}

/// Subscription `id` changed: `subscription.ended` once it no longer runs, else
/// `subscription.updated`.
pub(crate) async fn subscription_changed(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<(), sqlx::Error> {
    subscription_event(conn, id, |status| {
        if status.is_running() {
            EventType::SubscriptionUpdated
        } else {
            EventType::SubscriptionEnded
        }
    })
    .await
}

/// Records the event `kind` names for the subscription's status.
async fn subscription_event(
    conn: &mut PgConnection,
    id: Uuid,
    kind: fn(Status) -> EventType,
) -> Result<(), sqlx::Error> {
    let (merchant_id, mode, status): (MerchantId, Mode, Status) =
        sqlx::query_as("SELECT merchant_id, mode, status FROM subscriptions WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let subscription = super::subscriptions::load(conn, id).await?;
    record(
        conn,
        merchant_id,
        mode,
        kind(status),
        &subscription.id,
        &subscription,
    )
    .await
}
