//! Taking money back from a merchant for one payment (a refund, a chargeback): first from
//! what that payment still has held (pending, then reserve), the rest from `available`,
//! which may go below zero; later sales then pay it back before any payout.

use sqlx::PgConnection;
use uuid::Uuid;

use super::{AccountKind, Line};

/// The merchant-side debit lines for taking `amount_minor` back for `payment_id`, with
/// the payment's holds reduced to match (locked until the transaction ends). The caller
/// adds the credit side and posts.
pub async fn take(
    conn: &mut PgConnection,
    payment_id: Uuid,
    amount_minor: i64,
) -> Result<Vec<Line>, sqlx::Error> {
    let holds: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, kind, remaining_minor FROM ledger_holds
         WHERE payment_id = $1 AND released_at IS NULL AND remaining_minor > 0
         ORDER BY kind = 'reserve', id FOR UPDATE",
    )
    .bind(payment_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut lines = Vec::new();
    let mut left = amount_minor;
    for (hold_id, kind, remaining) in holds {
        let take = remaining.min(left);
        if take == 0 {
            break;
        }
        sqlx::query("UPDATE ledger_holds SET remaining_minor = remaining_minor - $2 WHERE id = $1")
            .bind(hold_id)
            .bind(take)
            .execute(&mut *conn)
            .await?;
        let account = if kind == "reserve" {
            AccountKind::MerchantReserve
        } else {
            AccountKind::MerchantPending
        };
        lines.push(Line::debit(account, take));
        left -= take;
    }
    lines.push(Line::debit(AccountKind::MerchantAvailable, left));
    Ok(lines)
}
