//! Refunds: full and partial, from the merchant dashboard and from the admin console.
//!
//! A refund is recorded (and its amount held on the payment) before anything is sent, in
//! one transaction that locks the payment. The database keeps what is refunded plus what is
//! held within what was paid (a CHECK), and lets one refund per payment wait for the
//! gateway at a time (a partial unique index), so simultaneous requests cannot over-refund
//! and the gateway's order history always tells which request it carried out.
//!
//! For the whole amount a Void is sent (before settlement nothing reaches the buyer's
//! statement); when the gateway has nothing left to void (settled: `CORE-2008`), and for
//! part of the amount, a Credit. A request that gets
//! no answer is "outcome unknown" and is never retried: [`super::reconciliation`] reads the
//! order history and settles it. Each request carries an id chosen by the screen that
//! made it; asking again with the same id returns the same refund.

use domain::{Currency, MerchantId, Money, PaymentId, PaymentStatus, RefundId, TimelineNote};
use payten::api::FinancialResponse;
use payten::{ApiError, ErrorCode};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::transition::{self, Change};
use super::{Mode, PaymentError, gateways, invalid, optional_text, receipts};
use crate::Platform;
use crate::audit::{self, Actor, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, MerchantScope, Module, StaffScope};
use domain::TimelineSource;

// Sending a refund, settling it from the answer and tracking one in flight live apart; the
// re-exports keep `refunds::X` paths unchanged for the rest of the crate.
mod in_flight;
mod sending;
mod settle;

pub(crate) use in_flight::{close_open, open_of};
use sending::hold;
pub(crate) use sending::{queue_whole, send};
pub(crate) use settle::{Answer, settle};
use settle::{failure_phrase, gateway_answer};

pub use domain::RefundStatus;

/// The merchant roles that refund payments: money leaves the merchant's balance, so
/// developers and viewers may not, in the dashboard or with an API key they make.
pub const REFUNDERS: &[domain::MerchantRole] = &[
    domain::MerchantRole::Owner,
    domain::MerchantRole::Admin,
    domain::MerchantRole::Finance,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "refund_method", rename_all = "snake_case")]
pub enum Method {
    Void,
    Credit,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Void => "void",
            Method::Credit => "credit",
        }
    }
}

/// Who asked: a merchant member from the dashboard or an API key (held to their own merchant), staff
/// from the console (holding refunds at `act`, checked in [`request`]), or the platform
/// itself returning a duplicate charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requester {
    Merchant(MerchantScope),
    Staff(StaffScope),
    Platform,
}

impl Requester {
    fn actor(self) -> Actor {
        match self {
            Requester::Merchant(scope) => scope.actor(),
            Requester::Staff(scope) => Actor {
                kind: audit::ActorKind::Staff,
                id: Some(scope.user_id()),
            },
            Requester::Platform => Actor {
                kind: audit::ActorKind::System,
                id: None,
            },
        }
    }

    fn via(self) -> &'static str {
        match self {
            Requester::Merchant(scope) => scope.via(),
            Requester::Staff(_) => "console",
            Requester::Platform => "platform",
        }
    }

    fn merchant_id(self) -> Option<MerchantId> {
        match self {
            Requester::Merchant(scope) => Some(scope.merchant_id()),
            Requester::Staff(_) | Requester::Platform => None,
        }
    }

    fn user_id(self) -> Option<Uuid> {
        match self {
            Requester::Merchant(scope) => scope.user_id(),
            Requester::Staff(scope) => Some(scope.user_id()),
            Requester::Platform => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub request_id: Uuid,
    pub amount: Money,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub id: RefundId,
    pub payment_id: PaymentId,
    pub request_id: Uuid,
    pub amount: Money,
    pub method: Method,
    pub status: RefundStatus,
    pub reason: Option<String>,
    pub failure: Option<String>,
    pub requested_via: String,
    pub created_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
}

/// By hand rather than derived: the amount is two columns.
impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for Refund {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row as _;
        Ok(Refund {
            id: row.try_get("id")?,
            payment_id: row.try_get("payment_id")?,
            request_id: row.try_get("request_id")?,
            amount: Money::new(row.try_get("amount_minor")?, row.try_get("currency")?),
            method: row.try_get("method")?,
            status: row.try_get("status")?,
            reason: row.try_get("reason")?,
            failure: row.try_get("failure")?,
            requested_via: row.try_get("requested_via")?,
            created_at: row.try_get("created_at")?,
            completed_at: row.try_get("completed_at")?,
        })
    }
}

pub(crate) const COLUMNS: &str = "id, payment_id, request_id, amount_minor, currency::text AS currency, method, status, reason, failure,
                       requested_via, created_at, completed_at";

/// The refunds of a payment, oldest first.
pub async fn of_payment(
    conn: &mut PgConnection,
    payment_id: PaymentId,
) -> Result<Vec<Refund>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM refunds WHERE payment_id = $1 ORDER BY created_at, id"
    ))
    .bind(payment_id)
    .fetch_all(conn)
    .await
}

/// What the scope's staff member asked to refund in the console over the last 24 hours,
/// failed refunds aside (no money left), in euro (every payment is in euro today). The
/// step-up threshold weighs this plus the new refund, so fifty refunds of 100 € weigh
/// like one of 5,000 €.
pub async fn refunded_by_staff_last_day(
    conn: &mut PgConnection,
    scope: &StaffScope,
) -> Result<Money, PaymentError> {
    scope.holds(Module::Refunds, Level::Act)?;
    let minor: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(amount_minor), 0)::bigint FROM refunds
         WHERE requested_by = $1 AND requested_via = 'console' AND status <> 'failed'
           AND created_at > now() - interval '24 hours'",
    )
    .bind(scope.user_id())
    .fetch_one(conn)
    .await?;
    Ok(Money::eur(minor))
}

async fn by_id(conn: &mut PgConnection, id: RefundId) -> Result<Refund, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM refunds WHERE id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await
}

/// What can still be refunded on a payment: paid, minus refunded, minus held by a refund
/// waiting for the gateway.
/// Never below zero; nothing when the amounts are in different currencies (which the
/// schema does not allow).
pub fn refundable(status: PaymentStatus, amount: Money, refunded: Money, pending: Money) -> Money {
    let nothing = Money::zero(amount.currency());
    if !matches!(
        status,
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Duplicate
    ) {
        return nothing;
    }
    amount
        .checked_sub(refunded)
        .and_then(|left| left.checked_sub(pending))
        .filter(|left| left.is_positive())
        .unwrap_or(nothing)
}

/// The payment fields a refund decision needs, read under its row lock.
struct Locked {
    merchant_id: Uuid,
    mode: Mode,
    order_id: String,
    status: PaymentStatus,
    amount: Money,
    refunded: Money,
    /// Held by a refund waiting for the gateway.
    pending: Money,
}

async fn lock_payment(
    conn: &mut PgConnection,
    payment_id: PaymentId,
    merchant_id: Option<MerchantId>,
) -> Result<Locked, PaymentError> {
    type Row = (Uuid, Mode, String, PaymentStatus, i64, Currency, i64, i64);
    let row: Option<Row> = sqlx::query_as(
        "SELECT merchant_id, mode, order_id, status, amount_minor, currency::text, refunded_minor, refund_pending_minor
         FROM payments WHERE id = $1 AND ($2::uuid IS NULL OR merchant_id = $2) FOR UPDATE",
    )
    .bind(payment_id)
    .bind(merchant_id)
    .fetch_optional(conn)
    .await?;
    let (
        merchant_id,
        mode,
        order_id,
        status,
        amount_minor,
        currency,
        refunded_minor,
        pending_minor,
    ) = row.ok_or(PaymentError::NotFound)?;
    Ok(Locked {
        merchant_id,
        mode,
        order_id,
        status,
        amount: Money::new(amount_minor, currency),
        refunded: Money::new(refunded_minor, currency),
        pending: Money::new(pending_minor, currency),
    })
}

/// Refunds `request.amount` of the payment `payment_id` and returns the refund as it
/// stands after the gateway's answer: succeeded, failed with a reason, or unknown. Merchant
/// and staff refunds both come here; the span gets the order, merchant and mode once the
/// payment is locked.
#[tracing::instrument(
    name = "refund",
    skip_all,
    fields(%payment_id, via = requester.via(), amount = %request.amount, order_id = tracing::field::Empty, merchant_id = tracing::field::Empty, mode = tracing::field::Empty)
)]
pub async fn request(
    platform: &Platform,
    payment_id: PaymentId,
    request: &RefundRequest,
    requester: Requester,
    facts: &RequestFacts,
) -> Result<Refund, PaymentError> {
    if let Requester::Staff(scope) = requester {
        scope.holds(Module::Refunds, Level::Act)?;
    }
    if !request.amount.is_positive() {
        return Err(invalid("amount", "enter an amount above zero"));
    }
    let reason = optional_text("reason", &request.reason, 500)?;
    let Some(refund) =
        record_request(platform, payment_id, request, reason, requester, facts).await?
    else {
        // The same request again: it is answered by the refund it made.
        let mut conn = platform.pool.acquire().await?;
        let id: RefundId = sqlx::query_scalar("SELECT id FROM refunds WHERE request_id = $1")
            .bind(request.request_id)
            .fetch_one(&mut *conn)
            .await?;
        return Ok(by_id(&mut conn, id).await?);
    };
    let refund = send(platform, refund, requester.actor(), facts).await?;
    tracing::info!(
        refund_id = %refund.id,
        status = refund.status.as_str(),
        method = refund.method.as_str(),
        "refund answered"
    );
    Ok(refund)
}

/// Records the request and holds its amount; `None` when this request id already made a
/// refund of the same payment and amount.
async fn record_request(
    platform: &Platform,
    payment_id: PaymentId,
    request: &RefundRequest,
    reason: Option<String>,
    requester: Requester,
    facts: &RequestFacts,
) -> Result<Option<Refund>, PaymentError> {
    let mut tx = platform.pool.begin().await?;
    let payment = lock_payment(&mut tx, payment_id, requester.merchant_id()).await?;
    let span = tracing::Span::current();
    span.record("order_id", payment.order_id.as_str());
    span.record("merchant_id", tracing::field::display(payment.merchant_id));
    span.record("mode", payment.mode.as_str());
    let earlier: Option<(PaymentId, i64)> =
        sqlx::query_as("SELECT payment_id, amount_minor FROM refunds WHERE request_id = $1")
            .bind(request.request_id)
            .fetch_optional(&mut *tx)
            .await?;
    match earlier {
        Some((paid, amount)) if paid == payment_id && amount == request.amount.minor() => {
            return Ok(None);
        }
        Some(_) => return Err(PaymentError::RequestReused),
        None => {}
    }
    let actor = requester.actor();
    let denied = |reason: &'static str| {
        Event::new("refund.request", actor, Outcome::Denied)
            .merchant(payment.merchant_id)
            .target("payment", payment.order_id.clone())
            .reason(reason)
            .detail(
                serde_json::json!({ "amount_minor": request.amount.minor(), "via": requester.via() }),
            )
    };
    let refusal = if !matches!(
        payment.status,
        PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Duplicate
    ) {
        Some(("not_refundable", PaymentError::NotRefundable))
    } else if payment.pending.is_positive() {
        Some(("refund_in_progress", PaymentError::RefundInProgress))
    } else {
        // What the acquirer took back in a chargeback (unless the merchant won it) is no
        // longer the merchant's to refund: the buyer has it already.
        let charged_back: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(amount_minor), 0)::bigint FROM chargebacks WHERE payment_id = $1 AND status <> 'won'",
        )
        .bind(payment_id)
        .fetch_one(&mut *tx)
        .await?;
        let nothing = Money::zero(payment.amount.currency());
        let remaining = refundable(
            payment.status,
            payment.amount,
            payment.refunded,
            payment.pending,
        )
        .checked_sub(Money::new(charged_back, payment.amount.currency()))
        .filter(|left| left.is_positive())
        .unwrap_or(nothing);
        (request.amount.currency() != remaining.currency()
            || request.amount.minor() > remaining.minor())
        .then_some((
            "exceeds_refundable",
            PaymentError::RefundExceeds { remaining },
        ))
    };
    if let Some((reason, error)) = refusal {
        drop(tx);
        audit::record_alone(&platform.pool, &denied(reason), facts).await?;
        return Err(error);
    }

    let id = match hold(
        &mut tx,
        platform,
        payment_id,
        &payment,
        request,
        reason.as_deref(),
        requester,
        facts,
    )
    .await
    {
        // Only a simultaneous request with the same id gets here (the payment is locked).
        Err(PaymentError::Database(error))
            if error
                .as_database_error()
                .is_some_and(|e| e.is_unique_violation()) =>
        {
            return Err(PaymentError::RequestReused);
        }
        held => held?,
    };
    tx.commit().await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Some(by_id(&mut conn, id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_taken_money_not_yet_refunded_or_held_is_refundable() {
        let eur = Money::eur;
        let left = |status, amount, refunded, pending| {
            refundable(status, eur(amount), eur(refunded), eur(pending))
        };
        assert_eq!(left(PaymentStatus::Paid, 1000, 0, 0), eur(1000));
        assert_eq!(
            left(PaymentStatus::PartiallyRefunded, 1000, 300, 200),
            eur(500)
        );
        assert_eq!(left(PaymentStatus::Refunded, 1000, 1000, 0), eur(0));
        assert_eq!(left(PaymentStatus::Pending, 1000, 0, 0), eur(0));
        assert_eq!(left(PaymentStatus::Declined, 1000, 0, 0), eur(0));
        assert_eq!(left(PaymentStatus::Paid, 1000, 800, 300), eur(0));
    }
}
