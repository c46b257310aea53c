//! The release job: on a hold's release day (in Kosovo), what remains of it moves from the
//! merchant's `pending` (or `reserve`) to `available`. Holds are claimed with
//! `FOR UPDATE SKIP LOCKED`, so several instances share the work and none releases a hold
//! twice; each release is its own entry, caused by the hold, so a retry posts nothing.

use domain::{Currency, MerchantId, PaymentId};

use super::{AccountKind, EntryKind, LedgerError, Line, NewEntry};
use crate::Platform;
use crate::gateway_accounts::Mode;

/// Holds one transaction releases.
const BATCH: i64 = 200;

#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    merchant_id: MerchantId,
    mode: Mode,
    currency: Currency,
    payment_id: PaymentId,
    kind: String,
    remaining_minor: i64,
}

/// Releases every hold due today or earlier; returns how many.
pub async fn release_due(platform: &Platform) -> Result<u64, LedgerError> {
    let mut released = 0;
    loop {
        let mut tx = platform.pool.begin().await?;
        let due: Vec<Due> = sqlx::query_as(
            "SELECT id, merchant_id, mode, currency::text AS currency, payment_id, kind, remaining_minor
             FROM ledger_holds
             WHERE released_at IS NULL AND release_on <= (now() AT TIME ZONE 'Europe/Belgrade')::date
             ORDER BY release_on, id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            return Ok(released);
        }
        for hold in &due {
            let from = if hold.kind == "reserve" {
                AccountKind::MerchantReserve
            } else {
                AccountKind::MerchantPending
            };
            let entry = NewEntry {
                kind: EntryKind::Release,
                mode: hold.mode,
                merchant_id: Some(hold.merchant_id),
                currency: hold.currency,
                cause: format!("hold:{}:release", hold.id),
                payment_id: Some(hold.payment_id),
                memo: None,
                created_by: None,
                lines: vec![
                    Line::debit(from, hold.remaining_minor),
                    Line::credit(AccountKind::MerchantAvailable, hold.remaining_minor),
                ],
            };
            if hold.remaining_minor > 0 {
                super::post(&mut tx, &entry).await?;
            }
            sqlx::query(
                "UPDATE ledger_holds SET released_at = now(), remaining_minor = 0 WHERE id = $1",
            )
            .bind(hold.id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        released += u64::try_from(due.len()).unwrap_or(u64::MAX);
    }
}
