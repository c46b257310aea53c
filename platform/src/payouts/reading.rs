//! What the payout screens list: a merchant's own payouts (scoped by the caller's
//! merchant), and for staff the recent batches with their payouts and statement imports.

use domain::{BatchStatus, Currency, MerchantId, Money, PayoutStatus};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, PgPool, Row};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::ledger::money_at;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub end_to_end_id: String,
    pub amount: Money,
    pub status: PayoutStatus,
    pub iban_masked: String,
    pub created_at: OffsetDateTime,
    pub return_reason: Option<String>,
}

impl FromRow<'_, PgRow> for Payout {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Payout {
            id: row.try_get("id")?,
            batch_id: row.try_get("batch_id")?,
            merchant_id: row.try_get("merchant_id")?,
            merchant_name: row.try_get("merchant_name")?,
            end_to_end_id: row.try_get("end_to_end_id")?,
            amount: money_at(row, "amount_minor", "currency")?,
            status: row.try_get("status")?,
            iban_masked: row.try_get("iban_masked")?,
            created_at: row.try_get("created_at")?,
            return_reason: row.try_get("return_reason")?,
        })
    }
}

const PAYOUT_SELECT: &str = "SELECT p.id, p.batch_id, p.merchant_id, m.business_name AS merchant_name, p.end_to_end_id,
        p.currency::text AS currency, p.amount_minor, p.status, b.iban_masked, p.created_at, p.return_reason
     FROM payouts p JOIN merchants m ON m.id = p.merchant_id JOIN bank_accounts b ON b.id = p.bank_account_id";

/// The merchant's payouts, newest first (at most 200).
pub async fn of_merchant(
    pool: &PgPool,
    merchant_id: MerchantId,
) -> Result<Vec<Payout>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{PAYOUT_SELECT} WHERE p.merchant_id = $1 ORDER BY p.created_at DESC, p.id LIMIT 200"
    ))
    .bind(merchant_id)
    .fetch_all(pool)
    .await
}

/// The merchant's payouts still on their way to its bank (made, approved or sent), oldest
/// first: the Balance page's upcoming payouts.
pub async fn on_the_way(
    pool: &PgPool,
    merchant_id: MerchantId,
) -> Result<Vec<Payout>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{PAYOUT_SELECT} WHERE p.merchant_id = $1 AND p.status IN ('created', 'approved', 'sent') ORDER BY p.created_at, p.id"
    ))
    .bind(merchant_id)
    .fetch_all(pool)
    .await
}

/// When a payout to the merchant's current account was returned: no payout goes there
/// until the merchant changes the account.
pub async fn account_flagged_at(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    let flagged: Option<Option<OffsetDateTime>> =
        sqlx::query_scalar("SELECT payout_returned_at FROM bank_accounts WHERE merchant_id = $1 AND retired_at IS NULL")
            .bind(merchant_id)
            .fetch_optional(conn)
            .await?;
    Ok(flagged.flatten())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: Uuid,
    pub currency: Currency,
    pub status: BatchStatus,
    pub created_at: OffsetDateTime,
    /// `None`: the daily job.
    pub created_by: Option<Uuid>,
    pub created_by_email: Option<String>,
    pub approved_by_email: Option<String>,
    pub sent_at: Option<OffsetDateTime>,
    pub payouts: i64,
    pub total: Money,
}

impl FromRow<'_, PgRow> for Batch {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Batch {
            id: row.try_get("id")?,
            currency: row.try_get("currency")?,
            status: row.try_get("status")?,
            created_at: row.try_get("created_at")?,
            created_by: row.try_get("created_by")?,
            created_by_email: row.try_get("created_by_email")?,
            approved_by_email: row.try_get("approved_by_email")?,
            sent_at: row.try_get("sent_at")?,
            payouts: row.try_get("payouts")?,
            total: money_at(row, "total_minor", "currency")?,
        })
    }
}

/// The latest batches, newest first.
pub async fn batches(pool: &PgPool, limit: i64) -> Result<Vec<Batch>, sqlx::Error> {
    sqlx::query_as(
        "SELECT pb.id, pb.currency::text AS currency, pb.status, pb.created_at, pb.created_by,
                c.email AS created_by_email, a.email AS approved_by_email, pb.sent_at,
                (SELECT count(*) FROM payouts p WHERE p.batch_id = pb.id) AS payouts,
                (SELECT coalesce(sum(p.amount_minor), 0)::bigint FROM payouts p WHERE p.batch_id = pb.id) AS total_minor
         FROM payout_batches pb LEFT JOIN users c ON c.id = pb.created_by LEFT JOIN users a ON a.id = pb.approved_by
         ORDER BY pb.created_at DESC, pb.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The payouts of these batches.
pub async fn of_batches(pool: &PgPool, batch_ids: &[Uuid]) -> Result<Vec<Payout>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{PAYOUT_SELECT} WHERE p.batch_id = ANY($1) ORDER BY m.business_name, p.id"
    ))
    .bind(batch_ids)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Import {
    pub id: Uuid,
    pub file_name: String,
    pub imported_at: OffsetDateTime,
    pub imported_by_email: String,
    pub paid: i64,
    pub already_paid: i64,
    pub unmatched: i64,
}

pub async fn imports(pool: &PgPool, limit: i64) -> Result<Vec<Import>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.id, i.file_name, i.imported_at, u.email AS imported_by_email,
                count(*) FILTER (WHERE l.outcome = 'paid') AS paid,
                count(*) FILTER (WHERE l.outcome = 'already_paid') AS already_paid,
                count(*) FILTER (WHERE l.outcome = 'unmatched') AS unmatched
         FROM payout_statement_imports i JOIN users u ON u.id = i.imported_by
         LEFT JOIN payout_statement_lines l ON l.import_id = i.id
         GROUP BY i.id, u.email ORDER BY i.imported_at DESC, i.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedLine {
    pub import_id: Uuid,
    pub line_no: i32,
    pub booked_on: Option<Date>,
    /// Statements are in euro (see [`super::import`]).
    pub amount: Option<Money>,
    pub end_to_end_id: Option<String>,
    pub note: String,
}

impl FromRow<'_, PgRow> for UnmatchedLine {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        let amount: Option<i64> = row.try_get("amount_minor")?;
        Ok(UnmatchedLine {
            import_id: row.try_get("import_id")?,
            line_no: row.try_get("line_no")?,
            booked_on: row.try_get("booked_on")?,
            amount: amount.map(Money::eur),
            end_to_end_id: row.try_get("end_to_end_id")?,
            note: row.try_get("note")?,
        })
    }
}

/// The lines of these imports that matched no payout.
pub async fn unmatched(
    pool: &PgPool,
    import_ids: &[Uuid],
) -> Result<Vec<UnmatchedLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT import_id, line_no, booked_on, amount_minor, end_to_end_id, note FROM payout_statement_lines
         WHERE import_id = ANY($1) AND outcome = 'unmatched' ORDER BY import_id, line_no",
    )
    .bind(import_ids)
    .fetch_all(pool)
    .await
}
