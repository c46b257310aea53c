//! Refunds still in flight, as reconciliation finds and closes them.

use super::*;

/// A refund of a payment still waiting for the gateway's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct OpenRefund {
    pub id: RefundId,
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
    /// A queued return not sent yet is not judged either: [`crate::payments::returns`] sends it.
    pub fn in_flight(&self, platform: &Platform, now: OffsetDateTime) -> bool {
        let timeout = time::Duration::seconds(
            i64::try_from(platform.config.settings.refunds.gateway_timeout_secs)
                .unwrap_or(i64::MAX),
        );
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
    let closed: Vec<RefundId> = sqlx::query_scalar(
        "UPDATE refunds SET status = 'failed', completed_at = now(),
             failure = 'Closed by staff, who took the gateway''s refunded amount for this payment.'
         WHERE payment_id = $1 AND status IN ('pending', 'unknown')
         RETURNING id",
    )
    .bind(payment_id)
    .fetch_all(&mut *conn)
    .await?;
    for refund_id in closed {
        crate::api::notify::refund_settled(&mut *conn, refund_id).await?;
    }
    Ok(())
}
