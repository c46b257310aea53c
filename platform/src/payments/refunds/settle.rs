//! Settling a refund from the gateway's answer, and releasing held money when it fails.

use super::*;

/// The gateway's answer to the refund: a Void or a Credit, and a Credit after a Void the
/// gateway had nothing left for (already settled), since nothing happened then.
pub(super) async fn gateway_answer(
    platform: &Platform,
    refund: &Refund,
) -> Result<Result<FinancialResponse, ApiError>, PaymentError> {
    let (order_id, mode): (String, Mode) =
        sqlx::query_as("SELECT order_id, mode FROM payments WHERE id = $1")
            .bind(refund.payment_id)
            .fetch_one(&platform.pool)
            .await?;
    let amount = refund.amount;
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

pub(super) fn refused_with(answer: &Result<FinancialResponse, ApiError>, code: &ErrorCode) -> bool {
    matches!(answer, Err(ApiError::Declined(decline)) if decline.error_code.as_ref() == Some(code))
}

/// What the merchant reads when the gateway refused; never the raw answer.
pub(super) fn failure_phrase(error: &ApiError) -> &'static str {
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
    refund_id: RefundId,
    answer: Answer,
    source: TimelineSource,
    actor: Actor,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let (payment_id, amount_minor): (PaymentId, i64) =
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
            let whole = payment
                .refunded
                .checked_add(Money::new(amount_minor, payment.amount.currency()))
                == Some(payment.amount);
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
            crate::payments::captures::close_when_returned(&mut *conn, payment_id).await?;
            let refund = Money::new(amount_minor, payment.amount.currency());
            receipts::enqueue_refund(&mut *conn, platform, &payment.order_id, refund).await?;
            crate::api::notify::refund_settled(&mut *conn, refund_id).await?;
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
                TimelineNote::RefundFailed,
            )
            .await?;
            audit::record(
                &mut *conn,
                &event("refund.fail", Outcome::Failure).reason("refused_by_gateway"),
                facts,
            )
            .await?;
            crate::api::notify::refund_settled(&mut *conn, refund_id).await?;
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
                TimelineNote::RefundOutcomeUnknown,
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
pub(super) async fn release(
    conn: &mut PgConnection,
    payment_id: PaymentId,
    amount_minor: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payments SET refund_pending_minor = refund_pending_minor - $2, updated_at = now() WHERE id = $1")
        .bind(payment_id)
        .bind(amount_minor)
        .execute(conn)
        .await?;
    Ok(())
}
