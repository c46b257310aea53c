//! What a merchant has in the books, per currency: read from the balances the line trigger
//! keeps (one row per account), so the answer costs the same at a million entries as at ten.

use domain::{Currency, MerchantId, Money};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Row};
use time::Date;

use super::AccountKind;
use crate::gateway_accounts::Mode;

/// A merchant's balances in one currency, as the merchant reads them (what Saleonix owes
/// it). `available` may be below zero after refunds and chargebacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub currency: Currency,
    pub available: Money,
    pub pending: Money,
    pub reserve: Money,
    pub in_payout: Money,
}

impl Balance {
    /// A currency the merchant has no account in yet.
    pub fn zero(currency: Currency) -> Balance {
        Balance {
            currency,
            available: Money::zero(currency),
            pending: Money::zero(currency),
            reserve: Money::zero(currency),
            in_payout: Money::zero(currency),
        }
    }
}

pub async fn of_merchant(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
) -> Result<Vec<Balance>, sqlx::Error> {
    let rows: Vec<(AccountKind, Currency, i64)> = sqlx::query_as(
        "SELECT kind, currency::text, balance_minor FROM ledger_accounts
         WHERE merchant_id = $1 AND mode = $2 ORDER BY currency",
    )
    .bind(merchant_id)
    .bind(mode)
    .fetch_all(conn)
    .await?;
    let mut balances: Vec<Balance> = Vec::new();
    for (kind, currency, stored) in rows {
        let balance = match balances.last_mut() {
            Some(last) if last.currency == currency => last,
            _ => {
                balances.push(Balance::zero(currency));
                let pushed = balances.len() - 1;
                &mut balances[pushed]
            }
        };
        let amount = Money::new(kind.reading(stored), currency);
        match kind {
            AccountKind::MerchantAvailable => balance.available = amount,
            AccountKind::MerchantPending => balance.pending = amount,
            AccountKind::MerchantReserve => balance.reserve = amount,
            AccountKind::MerchantInPayout => balance.in_payout = amount,
            _ => {}
        }
    }
    Ok(balances)
}

/// Money still held, by the day it is released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    pub release_on: Date,
    /// `pending` or `reserve`.
    pub kind: String,
    pub amount: Money,
}

impl FromRow<'_, PgRow> for Upcoming {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Upcoming {
            release_on: row.try_get("release_on")?,
            kind: row.try_get("kind")?,
            amount: super::money_at(row, "amount_minor", "currency")?,
        })
    }
}

pub async fn upcoming_releases(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
) -> Result<Vec<Upcoming>, sqlx::Error> {
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

/// A merchant's balances at the end of one day (in Kosovo), as the chart draws them: minor
/// units of the one currency [`last_days`] was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayBalance {
    pub day: Date,
    pub available_minor: i64,
    /// Pending and reserve: sold, not yet released.
    pub held_minor: i64,
    pub in_payout_minor: i64,
}

/// The end of each of the last `days` days, oldest first, today's being now. Read from
/// the current balances and the lines of those days only, walked back.
pub async fn last_days(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    currency: Currency,
    days: i64,
) -> Result<Vec<DayBalance>, sqlx::Error> {
    let today = super::today(conn).await?;
    let first = today - time::Duration::days(days - 1);
    let now = of_merchant(conn, merchant_id, mode)
        .await?
        .into_iter()
        .find(|b| b.currency == currency)
        .unwrap_or_else(|| Balance::zero(currency));
    let changes: Vec<(Date, AccountKind, i64)> = sqlx::query_as(
        "SELECT (e.posted_at AT TIME ZONE 'Europe/Belgrade')::date, a.kind, sum(l.amount_minor)::bigint
         FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id JOIN ledger_entries e ON e.id = l.entry_id
         WHERE a.merchant_id = $1 AND a.mode = $2 AND a.currency = $3
           AND e.posted_at >= ($4::date)::timestamp AT TIME ZONE 'Europe/Belgrade'
         GROUP BY 1, 2",
    )
    .bind(merchant_id)
    .bind(mode)
    .bind(currency)
    .bind(first)
    .fetch_all(conn)
    .await?;
    Ok(walk_back(today, days, &now, &changes))
}

/// Each day's closing balances: today's are `now`; each earlier day's are the next day's
/// less what that next day's lines (stored debit-minus-credit, per account) moved.
pub fn walk_back(
    today: Date,
    days: i64,
    now: &Balance,
    changes: &[(Date, AccountKind, i64)],
) -> Vec<DayBalance> {
    let mut day_balance = DayBalance {
        day: today,
        available_minor: now.available.minor(),
        // Two balances of one currency the database keeps as bigints: only a sum past
        // the range fails, and the chart then draws its top rather than wrapping.
        held_minor: now
            .pending
            .checked_add(now.reserve)
            .map_or(i64::MAX, Money::minor),
        in_payout_minor: now.in_payout.minor(),
    };
    let mut out = Vec::with_capacity(usize::try_from(days).unwrap_or(0));
    for _ in 0..days {
        out.push(day_balance);
        for (_, kind, stored) in changes.iter().filter(|(day, _, _)| *day == day_balance.day) {
            let moved = kind.reading(*stored);
            match kind {
                AccountKind::MerchantAvailable => day_balance.available_minor -= moved,
                AccountKind::MerchantPending | AccountKind::MerchantReserve => {
                    day_balance.held_minor -= moved
                }
                AccountKind::MerchantInPayout => day_balance.in_payout_minor -= moved,
                _ => {}
            }
        }
        day_balance.day -= time::Duration::days(1);
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_days_walk_back_from_today_through_each_days_lines() {
        let now = Balance {
            available: Money::eur(-200),
            pending: Money::eur(936),
            ..Balance::zero(Currency::Eur)
        };
        // Yesterday a 10.00 sale put 9.36 in pending (a credit); today a refund of 2.00
        // came out of available (a debit).
        let changes = [
            (date!(2026 - 11 - 28), AccountKind::MerchantPending, -936),
            (date!(2026 - 11 - 29), AccountKind::MerchantAvailable, 200),
        ];
        let days = walk_back(date!(2026 - 11 - 29), 3, &now, &changes);
        let view: Vec<(Date, i64, i64)> = days
            .iter()
            .map(|d| (d.day, d.available_minor, d.held_minor))
            .collect();
        assert_eq!(
            view,
            [
                (date!(2026 - 11 - 27), 0, 0),
                (date!(2026 - 11 - 28), 0, 936),
                (date!(2026 - 11 - 29), -200, 936)
            ]
        );
    }
}
