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

use payten::api::FinancialResponse;
use payten::{ApiError, ErrorCode};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::transition::{self, Change, Source};
use super::{Mode, PaymentError, Status, gateways, invalid, money, optional_text, receipts};
use crate::Platform;
use crate::audit::{self, Actor, Event, Outcome, RequestFacts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "refund_status", rename_all = "snake_case")]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Failed,
    /// Sent, and no answer came back: reconciliation will read the order history.
    Unknown,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
            RefundStatus::Unknown => "unknown",
        }
    }
}

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

/// Who asked: a merchant member from the dashboard (held to their own merchant), staff
/// from the console, or the platform itself returning a duplicate charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requester {
    Member { user_id: Uuid, merchant_id: Uuid },
    Staff { user_id: Uuid },
    Platform,
}

impl Requester {
    fn actor(self) -> Actor {
        match self {
            Requester::Member { user_id, .. } => Actor {
                kind: audit::ActorKind::User,
                id: Some(user_id),
            },
            Requester::Staff { user_id } => Actor {
                kind: audit::ActorKind::Staff,
                id: Some(user_id),
            },
            Requester::Platform => Actor {
                kind: audit::ActorKind::System,
                id: None,
            },
        }
    }

    fn via(self) -> &'static str {
        match self {
            Requester::Member { .. } => "dashboard",
            Requester::Staff { .. } => "console",
            Requester::Platform => "platform",
        }
    }

    fn merchant_id(self) -> Option<Uuid> {
        match self {
            Requester::Member { merchant_id, .. } => Some(merchant_id),
            Requester::Staff { .. } | Requester::Platform => None,
        }
    }

    fn user_id(self) -> Option<Uuid> {
        match self {
            Requester::Member { user_id, .. } | Requester::Staff { user_id } => Some(user_id),
            Requester::Platform => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub request_id: Uuid,
    pub amount_minor: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Refund {
    pub id: Uuid,
    pub payment_id: Uuid,
    pub request_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub method: Method,
    pub status: RefundStatus,
    pub reason: Option<String>,
    pub failure: Option<String>,
    pub requested_via: String,
    pub created_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
}

pub(crate) const COLUMNS: &str = "id, payment_id, request_id, amount_minor, currency::text AS currency, method, status, reason, failure,
                       requested_via, created_at, completed_at";

/// The refunds of a payment, oldest first.
pub async fn of_payment(
    conn: &mut PgConnection,
    payment_id: Uuid,
) -> Result<Vec<Refund>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM refunds WHERE payment_id = $1 ORDER BY created_at, id"
    ))
    .bind(payment_id)
    .fetch_all(conn)
    .await
}

async fn by_id(conn: &mut PgConnection, id: Uuid) -> Result<Refund, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM refunds WHERE id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await
}

/// What can still be refunded on a payment: paid, minus refunded, minus held by a refund
/// waiting for the gateway.
pub fn refundable(
    status: Status,
    amount_minor: i64,
    refunded_minor: i64,
    pending_minor: i64,
) -> i64 {
    if matches!(
        status,
        Status::Paid | Status::PartiallyRefunded | Status::Duplicate
    ) {
        (amount_minor - refunded_minor - pending_minor).max(0)
    } else {
        0
    }
}

/// The payment fields a refund decision needs, read under its row lock.
struct Locked {
    merchant_id: Uuid,
    mode: Mode,
    order_id: String,
    status: Status,
    amount_minor: i64,
    currency: String,
    refunded_minor: i64,
    pending_minor: i64,
}

async fn lock_payment(
    conn: &mut PgConnection,
    payment_id: Uuid,
    merchant_id: Option<Uuid>,
) -> Result<Locked, PaymentError> {
    type Row = (Uuid, Mode, String, Status, i64, String, i64, i64);
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
        amount_minor,
        currency,
        refunded_minor,
        pending_minor,
    })
}

/// Refunds `request.amount_minor` of the payment `payment_id` and returns the refund as it
/// stands after the gateway's answer: succeeded, failed with a reason, or unknown.
pub async fn request(
    platform: &Platform,
    payment_id: Uuid,
    request: &RefundRequest,
    requester: Requester,
    facts: &RequestFacts,
) -> Result<Refund, PaymentError> {
    if request.amount_minor <= 0 {
        return Err(invalid("amount", "enter an amount above zero"));
    }
    let reason = optional_text("reason", &request.reason, 500)?;
    let Some(refund) =
        record_request(platform, payment_id, request, reason, requester, facts).await?
    else {
        // The same request again: it is answered by the refund it made.
        let mut conn = platform.pool.acquire().await?;
        let id: Uuid = sqlx::query_scalar("SELECT id FROM refunds WHERE request_id = $1")
            .bind(request.request_id)
            .fetch_one(&mut *conn)
            .await?;
        return Ok(by_id(&mut conn, id).await?);
    };
    send(platform, refund, requester.actor(), facts).await
}

/// Records the request and holds its amount; `None` when this request id already made a
/// refund of the same payment and amount.
async fn record_request(
    platform: &Platform,
    payment_id: Uuid,
    request: &RefundRequest,
    reason: Option<String>,
    requester: Requester,
    facts: &RequestFacts,
) -> Result<Option<Refund>, PaymentError> {
    let mut tx = platform.pool.begin().await?;
    let payment = lock_payment(&mut tx, payment_id, requester.merchant_id()).await?;
    let earlier: Option<(Uuid, i64)> =
        sqlx::query_as("SELECT payment_id, amount_minor FROM refunds WHERE request_id = $1")
            .bind(request.request_id)
            .fetch_optional(&mut *tx)
            .await?;
    match earlier {
        Some((paid, amount)) if paid == payment_id && amount == request.amount_minor => {
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
                serde_json::json!({ "amount_minor": request.amount_minor, "via": requester.via() }),
            )
    };
    let refusal = if !matches!(
        payment.status,
        Status::Paid | Status::PartiallyRefunded | Status::Duplicate
    ) {
        Some(("not_refundable", PaymentError::NotRefundable))
    } else if payment.pending_minor > 0 {
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
        let remaining = (refundable(
            payment.status,
            payment.amount_minor,
            payment.refunded_minor,
            payment.pending_minor,
        ) - charged_back)
            .max(0);
        (request.amount_minor > remaining).then_some((
            "exceeds_refundable",
            PaymentError::RefundExceeds {
                remaining_minor: remaining,
            },
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

/// Records a refund of the locked payment and holds its amount, with its timeline note and
/// audit row, in the caller's transaction; the caller has checked that it fits. A refund the
/// platform asks for itself is left unsent (`sent_at` NULL) for [`super::returns`] to send
/// after the commit; the others are sent by their requester at once.
#[allow(clippy::too_many_arguments)]
async fn hold(
    conn: &mut PgConnection,
    platform: &Platform,
    payment_id: Uuid,
    payment: &Locked,
    request: &RefundRequest,
    reason: Option<&str>,
    requester: Requester,
    facts: &RequestFacts,
) -> Result<Uuid, PaymentError> {
    // A whole refund tries a Void first: only the gateway knows whether the sale is settled
    // yet (its business day is not ours to guess), and it answers CORE-2008 when it is.
    let whole = request.amount_minor == payment.amount_minor && payment.refunded_minor == 0;
    let method = if whole { Method::Void } else { Method::Credit };
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, mode, request_id, amount_minor, currency, method, reason,
                              requested_by, requested_via, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $11 = 'platform' THEN NULL ELSE now() END)",
    )
    .bind(id)
    .bind(payment_id)
    .bind(payment.merchant_id)
    .bind(payment.mode)
    .bind(request.request_id)
    .bind(request.amount_minor)
    .bind(&payment.currency)
    .bind(method)
    .bind(reason)
    .bind(requester.user_id())
    .bind(requester.via())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE payments SET refund_pending_minor = refund_pending_minor + $2, updated_at = now() WHERE id = $1")
        .bind(payment_id)
        .bind(request.amount_minor)
        .execute(&mut *conn)
        .await?;
    // The worker looks in after the first-check delay, past any gateway timeout: should this
    // process stop before the answer is recorded, the order history settles the refund.
    transition::check_soon(&mut *conn, platform, payment_id).await?;
    transition::note(
        &mut *conn,
        payment_id,
        Source::Refund,
        payment.status,
        "refund_requested",
    )
    .await?;
    let event = Event::new("refund.request", requester.actor(), Outcome::Success)
        .merchant(payment.merchant_id)
        .target("payment", payment.order_id.clone())
        .detail(serde_json::json!({
            "refund_id": id, "amount_minor": request.amount_minor, "currency": payment.currency,
            "method": method.as_str(), "via": requester.via(), "mode": payment.mode.as_str(),
        }));
    audit::record(&mut *conn, &event, facts).await?;
    Ok(id)
}

/// Queues the return of everything left on the payment `payment_id` (a duplicate charge),
/// in the caller's transaction; `None` when nothing is left or a refund is already waiting.
pub(crate) async fn queue_whole(
    conn: &mut PgConnection,
    platform: &Platform,
    payment_id: Uuid,
    reason: &str,
    facts: &RequestFacts,
) -> Result<Option<Uuid>, PaymentError> {
    let payment = lock_payment(&mut *conn, payment_id, None).await?;
    let left = refundable(
        payment.status,
        payment.amount_minor,
        payment.refunded_minor,
        payment.pending_minor,
    );
    if left == 0 || payment.pending_minor > 0 {
        return Ok(None);
    }
    let request = RefundRequest {
        request_id: Uuid::new_v4(),
        amount_minor: left,
        reason: reason.to_owned(),
    };
    hold(
        conn,
        platform,
        payment_id,
        &payment,
        &request,
        Some(reason),
        Requester::Platform,
        facts,
    )
    .await
    .map(Some)
}

/// Sends the refund to the gateway of the payment's own mode and records the answer.
pub(crate) async fn send(
    platform: &Platform,
    refund: Refund,
    actor: Actor,
    facts: &RequestFacts,
) -> Result<Refund, PaymentError> {
    let outcome = match gateway_answer(platform, &refund).await {
        Ok(Ok(response)) => Answer::Done(response),
        Ok(Err(ApiError::OutcomeUnknown { .. })) => Answer::Unknown,
        Ok(Err(error)) => Answer::Refused(failure_phrase(&error)),
        // Nothing was sent (no account, a misconfigured gate): the refund did not happen.
        Err(error) => {
            tracing::error!(%error, refund_id = %refund.id, "a refund could not be sent");
            Answer::Refused("The refund could not be sent. Nothing was refunded.")
        }
    };
    if let Answer::Refused(phrase) = &outcome {
        tracing::warn!(refund_id = %refund.id, phrase, "a refund did not happen");
    }
    let mut tx = platform.pool.begin().await?;
    settle(
        &mut tx,
        platform,
        refund.id,
        outcome,
        Source::Refund,
        actor,
        facts,
    )
    .await?;
    tx.commit().await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(by_id(&mut conn, refund.id).await?)
}

/// The gateway's answer to the refund: a Void or a Credit, and a Credit after a Void the
/// gateway had nothing left for (already settled), since nothing happened then.
async fn gateway_answer(
    platform: &Platform,
    refund: &Refund,
) -> Result<Result<FinancialResponse, ApiError>, PaymentError> {
    let (order_id, mode): (String, Mode) =
        sqlx::query_as("SELECT order_id, mode FROM payments WHERE id = $1")
            .bind(refund.payment_id)
            .fetch_one(&platform.pool)
            .await?;
    let amount = money(refund.amount_minor, &refund.currency)?;
    let account = gateways::for_mode(platform, mode).await?;
    let client = match gateways::refund_client(platform, &account) {
        Ok(client) => client,
        Err(error) => return Ok(Err(error)),
    };
    if refund.method == Method::Credit {
        return Ok(client.api().credit(&order_id, amount).await);
    }
    let answer = client.api().void(&order_id).await;
    if !refused_with(&answer, &ErrorCode::NothingVoidable) {
        return Ok(answer);
    }
    sqlx::query("UPDATE refunds SET method = 'credit' WHERE id = $1")
        .bind(refund.id)
        .execute(&platform.pool)
        .await?;
    Ok(client.api().credit(&order_id, amount).await)
}

fn refused_with(answer: &Result<FinancialResponse, ApiError>, code: &ErrorCode) -> bool {
    matches!(answer, Err(ApiError::Declined(decline)) if decline.error_code.as_ref() == Some(code))
}

/// What the merchant reads when the gateway refused; never the raw answer.
fn failure_phrase(error: &ApiError) -> &'static str {
    match error {
        ApiError::Declined(decline)
            if decline.error_code == Some(ErrorCode::RefundExceedsRemaining) =>
        {
            "The gateway says this is more than is left to refund on the order."
        }
        ApiError::Declined(decline)
            if decline
                .err_msg
                .as_deref()
                .is_some_and(|m| m.contains("settlement")) =>
        {
            "The bank takes partial refunds only after the day's settlement. Refund the whole amount today, or try again tomorrow."
        }
        ApiError::Declined(_) => "The gateway refused the refund. Nothing was refunded.",
        ApiError::NotFound(_) => "The gateway has no record of this order. Nothing was refunded.",
        ApiError::Connect(_) => {
            "The gateway could not be reached. Nothing was refunded; try again later."
        }
        _ => "The refund could not be sent. Nothing was refunded.",
    }
}

/// The gateway's answer to one refund.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    Done(FinancialResponse),
    /// Refused: nothing happened.
    Refused(&'static str),
    /// No readable answer: it may or may not have happened.
    Unknown,
}

/// Records `answer` for the refund `refund_id`, in the caller's transaction. A refund that is
/// already succeeded or failed is left alone, so a late second answer changes nothing.
pub(crate) async fn settle(
    conn: &mut PgConnection,
    platform: &Platform,
    refund_id: Uuid,
    answer: Answer,
    source: Source,
    actor: Actor,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let (payment_id, amount_minor): (Uuid, i64) =
        sqlx::query_as("SELECT payment_id, amount_minor FROM refunds WHERE id = $1")
            .bind(refund_id)
            .fetch_one(&mut *conn)
            .await?;
    let payment = lock_payment(&mut *conn, payment_id, None).await?;
    let status: RefundStatus =
        sqlx::query_scalar("SELECT status FROM refunds WHERE id = $1 FOR UPDATE")
            .bind(refund_id)
            .fetch_one(&mut *conn)
            .await?;
    if !matches!(status, RefundStatus::Pending | RefundStatus::Unknown) {
        return Ok(());
    }
    let event = |name: &'static str, outcome| {
        Event::new(name, actor, outcome).merchant(payment.merchant_id).target("payment", payment.order_id.clone()).detail(
            serde_json::json!({ "refund_id": refund_id, "amount_minor": amount_minor, "source": source.as_str() }),
        )
    };
    match answer {
        Answer::Done(response) => {
            sqlx::query(
                "UPDATE refunds SET status = 'succeeded', completed_at = now(), host_ref_num = $2, trans_id = $3 WHERE id = $1",
            )
            .bind(refund_id)
            .bind(response.host_ref_num.filter(|s| s.len() <= 40))
            .bind(response.trans_id.filter(|s| s.len() <= 64))
            .execute(&mut *conn)
            .await?;
            let whole = payment.refunded_minor + amount_minor == payment.amount_minor;
            let change = Change::Refund {
                amount_minor,
                whole,
            };
            transition::apply(
                &mut *conn,
                platform,
                &payment.order_id,
                change,
                source,
                actor,
                facts,
            )
            .await?;
            audit::record(
                &mut *conn,
                &event("refund.succeed", Outcome::Success),
                facts,
            )
            .await?;
            super::captures::close_when_returned(&mut *conn, payment_id).await?;
            receipts::enqueue_refund(&mut *conn, platform, &payment.order_id, amount_minor).await?;
        }
        Answer::Refused(phrase) => {
            sqlx::query("UPDATE refunds SET status = 'failed', completed_at = now(), failure = $2 WHERE id = $1")
                .bind(refund_id)
                .bind(phrase)
                .execute(&mut *conn)
                .await?;
            release(&mut *conn, payment_id, amount_minor).await?;
            transition::note(
                &mut *conn,
                payment_id,
                source,
                payment.status,
                "refund_failed",
            )
            .await?;
            audit::record(
                &mut *conn,
                &event("refund.fail", Outcome::Failure).reason("refused_by_gateway"),
                facts,
            )
            .await?;
        }
        Answer::Unknown if status == RefundStatus::Unknown => {}
        Answer::Unknown => {
            sqlx::query("UPDATE refunds SET status = 'unknown' WHERE id = $1")
                .bind(refund_id)
                .execute(&mut *conn)
                .await?;
            transition::check_soon(&mut *conn, platform, payment_id).await?;
            transition::note(
                &mut *conn,
                payment_id,
                source,
                payment.status,
                "refund_outcome_unknown",
            )
            .await?;
            audit::record(
                &mut *conn,
                &event("refund.fail", Outcome::Failure).reason("outcome_unknown"),
                facts,
            )
            .await?;
        }
    }
    Ok(())
}

/// Releases the amount a refund held, when it did not happen.
async fn release(
    conn: &mut PgConnection,
    payment_id: Uuid,
    amount_minor: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payments SET refund_pending_minor = refund_pending_minor - $2, updated_at = now() WHERE id = $1")
        .bind(payment_id)
        .bind(amount_minor)
        .execute(conn)
        .await?;
    Ok(())
}

/// A refund of a payment still waiting for the gateway's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct OpenRefund {
    pub id: Uuid,
    pub amount_minor: i64,
    pub status: RefundStatus,
    pub created_at: OffsetDateTime,
    /// When a sender took it; `None` while a return the platform queued waits to be sent.
    pub sent_at: Option<OffsetDateTime>,
}

impl OpenRefund {
    /// Its sender may still be waiting for the gateway at `now`: the order history cannot
    /// tell yet whether it happened. Twice the refund timeout covers the connect and the
    /// writing down of the answer.
    /// A queued return not sent yet is not judged either: [`super::returns`] sends it.
    pub fn in_flight(&self, platform: &Platform, now: OffsetDateTime) -> bool {
        let timeout =
            time::Duration::seconds(platform.config.settings.refunds.gateway_timeout_secs as i64);
        self.status == RefundStatus::Pending
            && self
                .sent_at
                .is_none_or(|sent_at| now < sent_at + timeout * 2)
    }
}

/// The refund of this payment still waiting for the gateway's answer, if any: unknown, or
/// pending (in flight, or left so by a sender that stopped).
pub(crate) async fn open_of(
    conn: &mut PgConnection,
    payment_id: Uuid,
) -> Result<Option<OpenRefund>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, amount_minor, status, created_at, sent_at FROM refunds
         WHERE payment_id = $1 AND status IN ('pending', 'unknown')",
    )
    .bind(payment_id)
    .fetch_optional(conn)
    .await
}

/// Closes a refund left open when staff accept the gateway's figures for the payment: the
/// payment's refunded amount is then the gateway's, so this request no longer holds any.
pub(crate) async fn close_open(
    conn: &mut PgConnection,
    payment_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE refunds SET status = 'failed', completed_at = now(),
             failure = 'Closed by staff, who took the gateway''s refunded amount for this payment.'
         WHERE payment_id = $1 AND status IN ('pending', 'unknown')",
    )
    .bind(payment_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_taken_money_not_yet_refunded_or_held_is_refundable() {
        assert_eq!(refundable(Status::Paid, 1000, 0, 0), 1000);
        assert_eq!(refundable(Status::PartiallyRefunded, 1000, 300, 200), 500);
        assert_eq!(refundable(Status::Refunded, 1000, 1000, 0), 0);
        assert_eq!(refundable(Status::Pending, 1000, 0, 0), 0);
        assert_eq!(refundable(Status::Declined, 1000, 0, 0), 0);
    }
}
