//! What a merchant has in the books, per currency: read from the balances the line trigger
//! keeps (one row per account), so the answer costs the same at a million entries as at ten.

use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use super::AccountKind;
use crate::gateway_accounts::Mode;

/// A merchant's balances in one currency, as the merchant reads them (what Saleonix owes
/// it). `available_minor` may be below zero after refunds and chargebacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balance {
    pub currency: String,
    pub available_minor: i64,
    pub pending_minor: i64,
    pub reserve_minor: i64,
    pub in_payout_minor: i64,
}

impl Balance {
    /// Everything Saleonix owes the merchant in this currency.
    pub fn total_minor(&self) -> i64 {
        self.available_minor + self.pending_minor + self.reserve_minor + self.in_payout_minor
    }
}

pub async fn of_merchant(conn: &mut PgConnection, merchant_id: Uuid, mode: Mode) -> Result<Vec<Balance>, sqlx::Error> {
    let rows: Vec<(AccountKind, String, i64)> = sqlx::query_as(
        "SELECT kind, currency::text, balance_minor FROM ledger_accounts
         WHERE merchant_id = $1 AND mode = $2 ORDER BY currency",
    )
    .bind(merchant_id)
    .bind(mode)
    .fetch_all(conn)
    .await?;
    let mut balances: Vec<Balance> = Vec::new();
    for (kind, currency, stored) in rows {
        if balances.last().is_none_or(|b| b.currency != currency) {
            balances.push(Balance { currency: currency.clone(), ..Balance::default() });
        }
        let balance = balances.last_mut().expect("pushed above");
        let amount = kind.reading(stored);
        match kind {
            AccountKind::MerchantAvailable => balance.available_minor = amount,
            AccountKind::MerchantPending => balance.pending_minor = amount,
            AccountKind::MerchantReserve => balance.reserve_minor = amount,
            AccountKind::MerchantInPayout => balance.in_payout_minor = amount,
            _ => {}
        }
    }
    Ok(balances)
}

/// Money still held, by the day it is released.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Upcoming {
    pub release_on: Date,
    /// `pending` or `reserve`.
    pub kind: String,
    pub currency: String,
    pub amount_minor: i64,
}

pub async fn upcoming_releases(conn: &mut PgConnection, merchant_id: Uuid, mode: Mode) -> Result<Vec<Upcoming>, sqlx::Error> {
    sqlx::query_as(
        "SELECT release_on, kind, currency::text AS currency, sum(remaining_minor)::bigint AS amount_minor
         FROM ledger_holds
         WHERE merchant_id = $1 AND mode = $2 AND released_at IS NULL AND remaining_minor > 0
         GROUP BY release_on, kind, currency ORDER BY release_on, kind, currency",
    )
    .bind(merchant_id)
    .bind(mode)
    .fetch_all(conn)
    .await
}
