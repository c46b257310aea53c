//! The console's daily reconciliation report: per merchant, mode and currency, what was
//! taken, refunded and returned as duplicates on one day (UTC), and how the day's payments
//! stand against the gateway. On screen and as CSV.

use domain::{Currency, Money};
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use time::Date;

use super::{Mode, PaymentError};
use crate::identity::roles::{Level, Module, StaffScope};

/// One line of the daily report: a merchant, a mode and a currency on one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyLine {
    pub merchant_name: String,
    pub mode: Mode,
    pub currency: Currency,
    pub payments: i64,
    pub payments_total: Money,
    pub refunds: i64,
    pub refunds_total: Money,
    /// Payments of the day whose gateway check matched, or disagreed (open or not).
    pub matched: i64,
    pub mismatched: i64,
    /// Duplicate charges taken on the day (not counted as payments), and how many of them
    /// are back with the buyer in full.
    pub duplicates: i64,
    pub duplicates_total: Money,
    pub duplicates_returned: i64,
}

/// By hand rather than derived: each total is a sum in the line's currency.
impl<'r> sqlx::FromRow<'r, PgRow> for DailyLine {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let currency: Currency = row.try_get("currency")?;
        let total = |column: &str| -> Result<Money, sqlx::Error> {
            Ok(Money::new(row.try_get(column)?, currency))
        };
        Ok(DailyLine {
            merchant_name: row.try_get("merchant_name")?,
            mode: row.try_get("mode")?,
            currency,
            payments: row.try_get("payments")?,
            payments_total: total("payments_minor")?,
            refunds: row.try_get("refunds")?,
            refunds_total: total("refunds_minor")?,
            matched: row.try_get("matched")?,
            mismatched: row.try_get("mismatched")?,
            duplicates: row.try_get("duplicates")?,
            duplicates_total: total("duplicates_minor")?,
            duplicates_returned: row.try_get("duplicates_returned")?,
        })
    }
}

/// Payments taken, duplicate charges and refunds made on `day`, per merchant, mode and
/// currency, for staff holding reconciliation.
pub async fn of_day(
    pool: &sqlx::PgPool,
    scope: &StaffScope,
    day: Date,
) -> Result<Vec<DailyLine>, PaymentError> {
    scope.holds(Module::Reconciliation, Level::View)?;
    let lines = sqlx::query_as(
        "WITH bounds AS (SELECT ($1::date)::timestamp AT TIME ZONE 'UTC' AS start),
         paid AS (
             SELECT merchant_id, mode, currency::text AS currency,
                    count(*) FILTER (WHERE status <> 'duplicate') AS n,
                    coalesce(sum(amount_minor) FILTER (WHERE status <> 'duplicate'), 0)::bigint AS total,
                    count(*) FILTER (WHERE status <> 'duplicate' AND recon_state = 'matched') AS matched,
                    count(*) FILTER (WHERE recon_state IN ('mismatched', 'unresolved')) AS mismatched,
                    count(*) FILTER (WHERE status = 'duplicate') AS duplicates,
                    coalesce(sum(amount_minor) FILTER (WHERE status = 'duplicate'), 0)::bigint AS duplicates_total,
                    count(*) FILTER (WHERE status = 'duplicate' AND refunded_minor = amount_minor) AS duplicates_returned
             FROM payments, bounds WHERE paid_at >= start AND paid_at < start + interval '1 day'
             GROUP BY 1, 2, 3),
         refunded AS (
             SELECT merchant_id, mode, currency::text AS currency, count(*) AS n, sum(amount_minor)::bigint AS total
             FROM refunds, bounds WHERE status = 'succeeded' AND completed_at >= start AND completed_at < start + interval '1 day'
             GROUP BY 1, 2, 3)
         SELECT m.business_name AS merchant_name, mode, currency,
                coalesce(p.n, 0) AS payments, coalesce(p.total, 0) AS payments_minor,
                coalesce(r.n, 0) AS refunds, coalesce(r.total, 0) AS refunds_minor,
                coalesce(p.matched, 0) AS matched, coalesce(p.mismatched, 0) AS mismatched,
                coalesce(p.duplicates, 0) AS duplicates, coalesce(p.duplicates_total, 0) AS duplicates_minor,
                coalesce(p.duplicates_returned, 0) AS duplicates_returned
         FROM paid p FULL JOIN refunded r USING (merchant_id, mode, currency)
              JOIN merchants m ON m.id = coalesce(p.merchant_id, r.merchant_id)
         ORDER BY m.business_name, mode, currency",
    )
    .bind(day)
    .fetch_all(pool)
    .await?;
    Ok(lines)
}

/// The daily report as CSV, amounts in major units as the receipt prints them.
pub fn csv(day: Date, lines: &[DailyLine]) -> String {
    let mut out = crate::csv::line(
        &[
            "day",
            "merchant",
            "mode",
            "currency",
            "payments",
            "payments_amount",
            "refunds",
            "refunds_amount",
            "matched",
            "mismatched",
            "duplicates",
            "duplicates_amount",
            "duplicates_returned",
        ]
        .map(String::from),
    );
    for line in lines {
        out.push_str(&crate::csv::line(&[
            day.to_string(),
            line.merchant_name.clone(),
            line.mode.as_str().to_owned(),
            line.currency.alpha().to_owned(),
            line.payments.to_string(),
            line.payments_total.to_string(),
            line.refunds.to_string(),
            line.refunds_total.to_string(),
            line.matched.to_string(),
            line.mismatched.to_string(),
            line.duplicates.to_string(),
            line.duplicates_total.to_string(),
            line.duplicates_returned.to_string(),
        ]));
    }
    out
}
