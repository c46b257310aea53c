//! Cancelling now: the gateway cancels the installments of the series not yet charged, and
//! the subscription ends. Payments already made stay as they are (a refund is its own step);
//! a declined installment's checkout still open for the buyer closes; the worker looks at
//! the series once more for an installment charged before the cancel.
//!
//! A cancel whose answer was lost (a timeout, a broken connection, an error page) may or
//! may not have happened: the subscription keeps the request (`cancel_requested_at`) and
//! the worker settles it, as refunds are settled, from the series' status: installments
//! the gateway no longer plans mean it happened; otherwise it sends the cancel again
//! (cancelling a series twice is harmless).
//!
//! Cancelling at period end leaves the buyer the period paid for: the subscription runs on,
//! and the worker (`super::follow`) cancels the series [`AHEAD_OF_CHARGE`] before the next
//! planned charge, as it would cancel now. Until then the merchant may keep it after all.

use payten::PaymentGateway as _;
use payten::api::ApiError;
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::Status;
use crate::Platform;
use crate::api::notify;
use crate::audit::{self, Actor, Event, Outcome, RequestFacts};
use crate::identity::roles::MerchantScope;
use crate::payments::{Mode, PaymentError, gateways, invalid, sessions};

/// How long before the next planned charge a subscription ending with its period is
/// cancelled at the gateway: the gateway charges series in its own batch, not on the second.
pub const AHEAD_OF_CHARGE: Duration = Duration::days(1);

/// What a cancel did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// The gateway confirmed it: the subscription is cancelled.
    Now,
    /// The gateway's answer was lost; the worker settles it shortly.
    Pending,
}

/// Who cancels: the merchant's own subscriptions in one mode, by one actor.
pub(crate) struct Canceller {
    pub merchant_id: Uuid,
    pub mode: Mode,
    pub actor: Actor,
    /// `dashboard`, `api` or `portal`, for the audit row.
    pub via: &'static str,
}

/// Cancels one of the scope's subscriptions in `mode` at the gateway, audited as
/// `subscription.cancel`; another merchant's or another mode's id is not found. The row
/// stays locked while the gateway answers, so the worker cannot record the series as
/// running meanwhile. A refusal changes nothing and is audited: the merchant may try again.
pub async fn cancel_now(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<Cancelled, PaymentError> {
    let by = Canceller {
        merchant_id: scope.merchant_id().as_uuid(),
        mode,
        actor: scope.actor(),
        via: scope.via(),
    };
    cancel(platform, &by, id, facts).await
}

/// [`cancel_now`] for any canceller: the merchant, or the buyer in the portal.
pub(crate) async fn cancel(
    platform: &Platform,
    by: &Canceller,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<Cancelled, PaymentError> {
    let Canceller {
        merchant_id,
        mode,
        actor,
        via,
    } = *by;
    let mut tx = platform.pool.begin().await?;
    let recurring_id = lock_running(&mut tx, merchant_id, mode, id)
        .await?
        .recurring_id
        .ok_or(PaymentError::SeriesUnknown)?;
    let event = |outcome| {
        Event::new("subscription.cancel", actor, outcome)
            .merchant(merchant_id)
            .target("subscription", id.to_string())
            .detail(serde_json::json!({ "mode": mode.as_str(), "via": via }))
    };
    match send(platform, mode, &recurring_id).await {
        Ok(()) => {
            mark_cancelled(&mut tx, id).await?;
            sessions::close_for_subscription(&mut tx, platform, id, facts).await?;
            audit::record(&mut tx, &event(Outcome::Success), facts).await?;
            notify::subscription_changed(&mut tx, id).await?;
            tx.commit().await?;
            Ok(Cancelled::Now)
        }
        Err(PaymentError::Gateway(error)) if !definite(&error) => {
            sqlx::query(
                "UPDATE subscriptions SET cancel_requested_at = coalesce(cancel_requested_at, now()),
                     poll_due_at = now()
                 WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let pending = event(Outcome::Success).reason("outcome_unknown");
            audit::record(&mut tx, &pending, facts).await?;
            notify::subscription_changed(&mut tx, id).await?;
            tx.commit().await?;
            tracing::warn!(%error, subscription_id = %id, "cancel answer lost; the worker settles it");
            Ok(Cancelled::Pending)
        }
        Err(error) => {
            drop(tx);
            let reason = match &error {
                PaymentError::Gateway(error) => error.kind(),
                _ => "gateway_account",
            };
            let refused = event(Outcome::Failure).reason(reason);
            audit::record_alone(&platform.pool, &refused, facts).await?;
            Err(error)
        }
    }
}

/// A running subscription, locked.
struct Running {
    recurring_id: Option<String>,
    next_charge_at: Option<OffsetDateTime>,
    cancel_at: Option<OffsetDateTime>,
}

/// Locks subscription `id` of merchant `merchant_id` in `mode`: another merchant's or
/// mode's is not found, one no longer running is over.
async fn lock_running(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    mode: Mode,
    id: Uuid,
) -> Result<Running, PaymentError> {
    type Row = (
        Status,
        Option<String>,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
    );
    let row: Option<(Status, Running)> = sqlx::query_as::<_, Row>(
        "SELECT status, recurring_id, next_charge_at, cancel_at FROM subscriptions
         WHERE id = $1 AND merchant_id = $2 AND mode = $3 FOR UPDATE",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(mode)
    .fetch_optional(conn)
    .await?
    .map(|(status, recurring_id, next_charge_at, cancel_at)| {
        let running = Running {
            recurring_id,
            next_charge_at,
            cancel_at,
        };
        (status, running)
    });
    match row {
        None => Err(PaymentError::NotFound),
        Some((status, _)) if !status.is_running() => Err(PaymentError::SubscriptionOver),
        Some((_, running)) => Ok(running),
    }
}

/// Sends the gateway's cancel for series `recurring_id` of `mode`'s account.
pub(crate) async fn send(
    platform: &Platform,
    mode: Mode,
    recurring_id: &str,
) -> Result<(), PaymentError> {
    let account = gateways::for_mode(platform, mode).await?;
    let client = gateways::refund_client(platform, &account)?;
    Ok(client.cancel_recurring(recurring_id).await?)
}

/// Whether a failed cancel certainly did not happen: refused before sending, never
/// connected, or answered with a refusal. Anything else may have reached the gateway.
fn definite(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::InvalidRequest(_)
            | ApiError::Connect(_)
            | ApiError::Declined(_)
            | ApiError::NotFound(_)
    )
}

/// Marks the subscription cancelled, with one last look at its series due now.
async fn mark_cancelled(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE subscriptions SET status = 'cancelled', cancelled_at = now(), next_charge_at = NULL,
             poll_due_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends one of the scope's running subscriptions in `mode` with the period paid for: the
/// worker cancels the series at the returned time ([`AHEAD_OF_CHARGE`] before the next
/// planned charge, or at once when that is sooner). Audited as
/// `subscription.cancel_at_period_end`; asking again changes nothing.
pub async fn at_period_end(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<OffsetDateTime, PaymentError> {
    let mut tx = platform.pool.begin().await?;
    let running = lock_running(&mut tx, scope.merchant_id().as_uuid(), mode, id).await?;
    running.recurring_id.ok_or(PaymentError::SeriesUnknown)?;
    if let Some(at) = running.cancel_at {
        return Ok(at);
    }
    let next = running.next_charge_at.ok_or(invalid(
        "cancel_at_period_end",
        "the series has nothing left to charge; cancel it now instead",
    ))?;
    let at = (next - AHEAD_OF_CHARGE).max(OffsetDateTime::now_utc());
    sqlx::query(
        "UPDATE subscriptions SET cancel_at = $2, poll_due_at = LEAST(poll_due_at, $2) WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let event = Event::new("subscription.cancel_at_period_end", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("subscription", id.to_string())
        .detail(serde_json::json!({ "mode": mode.as_str(), "via": scope.via(), "cancel_at": at.unix_timestamp() }));
    audit::record(&mut tx, &event, facts).await?;
    notify::subscription_changed(&mut tx, id).await?;
    tx.commit().await?;
    Ok(at)
}

/// Undoes [`at_period_end`] while the series is not yet cancelled: the subscription runs
/// on as agreed. Audited as `subscription.keep`; a subscription not ending is left alone.
pub async fn keep(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let mut tx = platform.pool.begin().await?;
    let running = lock_running(&mut tx, scope.merchant_id().as_uuid(), mode, id).await?;
    if running.cancel_at.is_none() {
        return Ok(());
    }
    sqlx::query("UPDATE subscriptions SET cancel_at = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let event = Event::new("subscription.keep", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("subscription", id.to_string())
        .detail(serde_json::json!({ "mode": mode.as_str(), "via": scope.via() }));
    audit::record(&mut tx, &event, facts).await?;
    notify::subscription_changed(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}
