//! The `balance` object: what Saleonix owes the merchant in one mode, per currency, read
//! by the same function as the dashboard's Balance page (`ledger::balances::of_merchant`).

use domain::{Currency, Money};
use serde::Serialize;
use sqlx::PgConnection;

use super::livemode;
use crate::identity::roles::MerchantScope;
use crate::ledger::balances::{self, Balance};
use crate::payments::Mode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Balance)]
pub struct BalanceObject {
    /// Always `balance`.
    pub object: &'static str,
    pub livemode: bool,
    /// Free to be paid out; below zero when refunds or chargebacks took more than there was
    /// (later sales pay it back before any payout).
    pub available: Vec<Amount>,
    /// Sold, held until its release day (business days in Kosovo).
    pub pending: Vec<Amount>,
    /// A rolling reserve's share of sales, held its number of days.
    pub reserved: Vec<Amount>,
    /// In a payout made and not yet paid by the bank.
    pub in_payout: Vec<Amount>,
}

/// An amount in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = BalanceAmount)]
pub struct Amount {
    /// In minor units.
    pub amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
}

impl From<Money> for Amount {
    fn from(money: Money) -> Self {
        Amount {
            amount: money.minor(),
            currency: money.currency(),
        }
    }
}

/// The scope's balance in `mode`. A merchant without books yet has zero euro, so the object
/// always has the same shape.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
) -> Result<BalanceObject, sqlx::Error> {
    let mut rows = balances::of_merchant(conn, scope.merchant_id(), mode).await?;
    if rows.is_empty() {
        rows.push(Balance::zero(Currency::Eur));
    }
    let each = |part: fn(&Balance) -> Money| rows.iter().map(|b| part(b).into()).collect();
    Ok(BalanceObject {
        object: "balance",
        livemode: livemode(mode),
        available: each(|b| b.available),
        pending: each(|b| b.pending),
        reserved: each(|b| b.reserve),
        in_payout: each(|b| b.in_payout),
    })
}
