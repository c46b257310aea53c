//! Holding a refund's money and sending it to the gateway.

use super::*;

/// Records a refund of the locked payment and holds its amount, with its timeline note and
/// audit row, in the caller's transaction; the caller has checked that it fits. A refund the
/// platform asks for itself is left unsent (`sent_at` NULL) for [`crate::payments::returns`]
/// to send after the commit; the others are sent by their requester at once.
#[allow(clippy::too_many_arguments)]
pub(super) async fn hold(
    conn: &mut PgConnection,
    platform: &Platform,
    payment_id: PaymentId,
    payment: &Locked,
    request: &RefundRequest,
    reason: Option<&str>,
    requester: Requester,
    facts: &RequestFacts,
) -> Result<RefundId, PaymentError> {
    // A whole refund tries a Void first: only the gateway knows whether the sale is settled
    // yet (its business day is not ours to guess), and it answers CORE-2008 when it is.
    let whole = request.amount == payment.amount && payment.refunded.is_zero();
    let method = if whole { Method::Void } else { Method::Credit };
    let id = RefundId::from_uuid(Uuid::new_v4());
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
    .bind(request.amount.minor())
    .bind(request.amount.currency())
    .bind(method)
    .bind(reason)
    .bind(requester.user_id())
    .bind(requester.via())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE payments SET refund_pending_minor = refund_pending_minor + $2, updated_at = now() WHERE id = $1")
        .bind(payment_id)
        .bind(request.amount.minor())
        .execute(&mut *conn)
        .await?;
    // The worker looks in after the first-check delay, past any gateway timeout: should this
    // process stop before the answer is recorded, the order history settles the refund.
    transition::check_soon(&mut *conn, platform, payment_id).await?;
    transition::note(
        &mut *conn,
        payment_id,
        TimelineSource::Refund,
        payment.status,
        TimelineNote::RefundRequested,
    )
    .await?;
    let event = Event::new("refund.request", requester.actor(), Outcome::Success)
        .merchant(payment.merchant_id)
        .target("payment", payment.order_id.clone())
        .detail(serde_json::json!({
            "refund_id": id, "amount_minor": request.amount.minor(), "currency": request.amount.currency(),
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
    payment_id: PaymentId,
    reason: &str,
    facts: &RequestFacts,
) -> Result<Option<RefundId>, PaymentError> {
    let payment = lock_payment(&mut *conn, payment_id, None).await?;
    let left = refundable(
        payment.status,
        payment.amount,
        payment.refunded,
        payment.pending,
    );
    if left.is_zero() || payment.pending.is_positive() {
        return Ok(None);
    }
    let request = RefundRequest {
        request_id: Uuid::new_v4(),
        amount: left,
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
        TimelineSource::Refund,
        actor,
        facts,
    )
    .await?;
    tx.commit().await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(by_id(&mut conn, refund.id).await?)
}
