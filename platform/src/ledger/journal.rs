//! The books as staff and accountants read them: a merchant's entries with every line and
//! the running balance after it (the console's ledger view, paged by entry id), the
//! platform's own accounts month by month, and a merchant's entries as CSV rows.

use domain::{Currency, MerchantId, Money};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Row};
use time::{Date, OffsetDateTime};

use super::{AccountKind, EntryKind, money_at};
use crate::gateway_accounts::Mode;

/// Entries on one page of the ledger view.
pub const PAGE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub entry_id: i64,
    pub account: AccountKind,
    /// Debit positive, credit negative.
    pub amount: Money,
    /// The account's stored balance (debits minus credits) after this line.
    pub balance_after: Money,
}

impl FromRow<'_, PgRow> for LineRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(LineRow {
            entry_id: row.try_get("entry_id")?,
            account: row.try_get("account")?,
            amount: money_at(row, "amount_minor", "currency")?,
            balance_after: money_at(row, "balance_after_minor", "currency")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub id: i64,
    pub kind: EntryKind,
    pub posted_at: OffsetDateTime,
    pub cause: String,
    pub order_id: Option<String>,
    pub memo: Option<String>,
    pub lines: Vec<LineRow>,
}

/// The merchant's business name, the ledger view's heading; `None` for no such merchant.
pub async fn merchant_name(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT business_name FROM merchants WHERE id = $1")
        .bind(merchant_id)
        .fetch_optional(conn)
        .await
}

/// A page of the merchant's entries in `mode`, newest first, older than entry `before`.
pub async fn merchant_entries(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    before: Option<i64>,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    let heads: Vec<(
        i64,
        EntryKind,
        OffsetDateTime,
        String,
        Option<String>,
        Option<String>,
    )> = sqlx::query_as(
        "SELECT e.id, e.kind, e.posted_at, e.cause, p.order_id, e.memo
         FROM ledger_entries e LEFT JOIN payments p ON p.id = e.payment_id
         WHERE e.merchant_id = $1 AND e.mode = $2 AND ($3::bigint IS NULL OR e.id < $3)
         ORDER BY e.id DESC LIMIT $4",
    )
    .bind(merchant_id)
    .bind(mode)
    .bind(before)
    .bind(PAGE)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<i64> = heads.iter().map(|head| head.0).collect();
    let mut lines: Vec<LineRow> = sqlx::query_as(
        "SELECT l.entry_id, a.kind AS account, l.currency::text AS currency, l.amount_minor, l.balance_after_minor
         FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
         WHERE l.entry_id = ANY($1) ORDER BY l.entry_id, l.id",
    )
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    Ok(heads
        .into_iter()
        .map(|(id, kind, posted_at, cause, order_id, memo)| {
            let (mine, rest): (Vec<LineRow>, Vec<LineRow>) = std::mem::take(&mut lines)
                .into_iter()
                .partition(|l| l.entry_id == id);
            lines = rest;
            EntryRow {
                id,
                kind,
                posted_at,
                cause,
                order_id,
                memo,
                lines: mine,
            }
        })
        .collect())
}

/// One platform account in one month and mode, as people read it (fee revenue and VAT
/// payable as what was earned and is owed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRow {
    /// The first day of the month (in Kosovo).
    pub month: Date,
    pub mode: Mode,
    pub account: AccountKind,
    pub currency: Currency,
    /// What the month's lines added.
    pub movement: Money,
    /// The balance after the month's last line.
    pub closing: Money,
}

impl FromRow<'_, PgRow> for MonthRow {
    /// Reads the stored debits-minus-credits the way people read the account.
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        let account: AccountKind = row.try_get("account")?;
        let currency: Currency = row.try_get("currency")?;
        let reading = |column: &str| -> Result<Money, sqlx::Error> {
            Ok(Money::new(account.reading(row.try_get(column)?), currency))
        };
        Ok(MonthRow {
            month: row.try_get("month")?,
            mode: row.try_get("mode")?,
            account,
            currency,
            movement: reading("movement_minor")?,
            closing: reading("closing_minor")?,
        })
    }
}

/// The platform's accounts over the last `months` months, newest first.
pub async fn platform_months(
    conn: &mut PgConnection,
    months: i32,
) -> Result<Vec<MonthRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT date_trunc('month', e.posted_at AT TIME ZONE 'Europe/Belgrade')::date AS month, a.mode,
                a.kind AS account, a.currency::text AS currency, sum(l.amount_minor)::bigint AS movement_minor,
                (array_agg(l.balance_after_minor ORDER BY l.id DESC))[1] AS closing_minor
         FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id JOIN ledger_entries e ON e.id = l.entry_id
         WHERE a.merchant_id IS NULL
           AND e.posted_at >= (date_trunc('month', now() AT TIME ZONE 'Europe/Belgrade')
                               - make_interval(months => $1 - 1)) AT TIME ZONE 'Europe/Belgrade'
         GROUP BY 1, 2, 3, 4 ORDER BY 1 DESC, 2, 3, 4",
    )
    .bind(months)
    .fetch_all(conn)
    .await
}

/// One of a merchant's entries for its accountant: what moved on its own accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub posted_at: OffsetDateTime,
    pub kind: EntryKind,
    /// For a sale, the buyer's payment; otherwise the net.
    pub gross: Money,
    pub fee: Money,
    pub vat: Money,
    /// What the entry added to everything Saleonix owes the merchant (negative: took).
    pub net: Money,
    pub reference: String,
}

impl FromRow<'_, PgRow> for StatementRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(StatementRow {
            posted_at: row.try_get("posted_at")?,
            kind: row.try_get("kind")?,
            gross: money_at(row, "gross_minor", "currency")?,
            fee: money_at(row, "fee_minor", "currency")?,
            vat: money_at(row, "vat_minor", "currency")?,
            net: money_at(row, "net_minor", "currency")?,
            reference: row.try_get("reference")?,
        })
    }
}

/// Every entry on the merchant's accounts in `mode`, oldest first. An entry's lines are in
/// one currency, the one its row is read in.
pub async fn merchant_statement(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
) -> Result<Vec<StatementRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.posted_at, e.kind, a.currency::text AS currency,
                coalesce(f.gross_minor, -sum(l.amount_minor))::bigint AS gross_minor,
                coalesce(f.fee_minor, 0) AS fee_minor, coalesce(f.vat_minor, 0) AS vat_minor,
                (-sum(l.amount_minor))::bigint AS net_minor,
                coalesce(p.order_id, e.memo, e.cause) AS reference
         FROM ledger_entries e
         JOIN ledger_lines l ON l.entry_id = e.id
         JOIN ledger_accounts a ON a.id = l.account_id AND a.merchant_id = e.merchant_id
         LEFT JOIN payments p ON p.id = e.payment_id
         LEFT JOIN payment_fees f ON f.payment_id = e.payment_id AND e.kind = 'payment_paid'
         WHERE e.merchant_id = $1 AND e.mode = $2
         GROUP BY e.id, a.currency, p.id, f.payment_id ORDER BY e.id",
    )
    .bind(merchant_id)
    .bind(mode)
    .fetch_all(conn)
    .await
}

/// The statement as CSV (RFC 4180): amounts as plain decimals, the texts defused.
pub fn statement_csv(rows: &[StatementRow]) -> String {
    use crate::csv::Cell;
    let mut out = crate::csv::row(&[
        Cell::Text("date"),
        Cell::Text("type"),
        Cell::Text("gross"),
        Cell::Text("fee"),
        Cell::Text("vat"),
        Cell::Text("net"),
        Cell::Text("reference"),
    ]);
    for row in rows {
        let date = row.posted_at.format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]Z"
        ));
        let date = date.unwrap_or_default();
        out.push_str(&crate::csv::row(&[
            Cell::Text(&date),
            Cell::Text(row.kind.as_str()),
            Cell::Amount(row.gross),
            Cell::Amount(row.fee),
            Cell::Amount(row.vat),
            Cell::Amount(row.net),
            Cell::Text(&row.reference),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn the_statement_reads_as_plain_numbers_and_defused_text() {
        let rows = [
            StatementRow {
                posted_at: datetime!(2026-11-29 10:15:00 UTC),
                kind: EntryKind::PaymentPaid,
                gross: Money::eur(1_000),
                fee: Money::eur(54),
                vat: Money::eur(10),
                net: Money::eur(936),
                reference: "SX-1".into(),
            },
            StatementRow {
                posted_at: datetime!(2026-11-29 11:00:00 UTC),
                kind: EntryKind::Adjustment,
                gross: Money::eur(-5),
                fee: Money::eur(0),
                vat: Money::eur(0),
                net: Money::eur(-5),
                reference: "=cmd, a reason".into(),
            },
        ];
        assert_eq!(
            statement_csv(&rows),
            "date,type,gross,fee,vat,net,reference\r\n\
             2026-11-29 10:15:00Z,payment_paid,10.00,0.54,0.10,9.36,SX-1\r\n\
             2026-11-29 11:00:00Z,adjustment,-0.05,0.00,0.00,-0.05,\"'=cmd, a reason\"\r\n"
        );
    }
}
