//! Chargebacks as the dashboard and the console show them: the merchant's own (scoped by
//! the session's merchant, never by input), or any merchant's for staff.

use domain::{ChargebackStatus, Currency, MerchantId, Money, PaymentId};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Row};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::ChargebackError;
use super::evidence::{self, Evidence};
use crate::Platform;
use crate::gateway_accounts::Mode;
use crate::payments::reading::ThreeDSecure;
use crate::payments::receipts::{self, Receipt};

/// The newest this many are listed.
const LIST_LIMIT: i64 = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chargeback {
    pub id: Uuid,
    pub payment_id: PaymentId,
    pub order_id: String,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub mode: Mode,
    pub amount: Money,
    pub reason_code: String,
    pub reported_on: Date,
    pub evidence_due_on: Date,
    pub status: ChargebackStatus,
    pub recorded_at: OffsetDateTime,
    pub decided_at: Option<OffsetDateTime>,
    /// Evidence is still taken: undecided and the deadline not past (Kosovo's day).
    pub open_for_evidence: bool,
}

impl FromRow<'_, PgRow> for Chargeback {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Chargeback {
            id: row.try_get("id")?,
            payment_id: row.try_get("payment_id")?,
            order_id: row.try_get("order_id")?,
            merchant_id: row.try_get("merchant_id")?,
            merchant_name: row.try_get("merchant_name")?,
            mode: row.try_get("mode")?,
            amount: crate::ledger::money_at(row, "amount_minor", "currency")?,
            reason_code: row.try_get("reason_code")?,
            reported_on: row.try_get("reported_on")?,
            evidence_due_on: row.try_get("evidence_due_on")?,
            status: row.try_get("status")?,
            recorded_at: row.try_get("recorded_at")?,
            decided_at: row.try_get("decided_at")?,
            open_for_evidence: row.try_get("open_for_evidence")?,
        })
    }
}

const SELECT: &str = "SELECT c.id, c.payment_id, p.order_id, c.merchant_id, m.business_name AS merchant_name, c.mode,
        c.amount_minor, c.currency::text AS currency, c.reason_code, c.reported_on, c.evidence_due_on, c.status,
        c.recorded_at, c.decided_at,
        c.status IN ('open', 'evidence_submitted') AND (now() AT TIME ZONE 'Europe/Belgrade')::date <= c.evidence_due_on
            AS open_for_evidence
    FROM chargebacks c JOIN payments p ON p.id = c.payment_id JOIN merchants m ON m.id = c.merchant_id";

/// The merchant's chargebacks in `mode`, newest first; or every merchant's (all modes)
/// for staff when `merchant` is `None`.
pub async fn list(
    pool: &PgPool,
    merchant: Option<(MerchantId, Mode)>,
) -> Result<Vec<Chargeback>, sqlx::Error> {
    let (merchant_id, mode) = merchant.unzip();
    sqlx::query_as(&format!(
        "{SELECT} WHERE ($1::uuid IS NULL OR c.merchant_id = $1) AND ($2::payment_mode IS NULL OR c.mode = $2)
         ORDER BY c.recorded_at DESC, c.id LIMIT $3"
    ))
    .bind(merchant_id)
    .bind(mode)
    .bind(LIST_LIMIT)
    .fetch_all(pool)
    .await
}

/// One chargeback with what answers it: the payment's 3-D Secure result and receipt, on
/// file from the payment itself, and the evidence added.
#[derive(Debug, Clone)]
pub struct Detail {
    pub chargeback: Chargeback,
    pub three_d_secure: ThreeDSecure,
    pub receipt: Option<Receipt>,
    /// What the payment has refunded, in its currency (the chargeback's).
    pub refunded: Money,
    pub evidence: Vec<Evidence>,
}

/// Chargeback `id` of the merchant `merchant_id` (any merchant's for staff: `None`).
/// Another merchant's id is not found.
pub async fn detail(
    platform: &Platform,
    merchant_id: Option<MerchantId>,
    id: Uuid,
) -> Result<Detail, ChargebackError> {
    let pool = &platform.pool;
    let chargeback: Chargeback = sqlx::query_as(&format!(
        "{SELECT} WHERE c.id = $1 AND ($2::uuid IS NULL OR c.merchant_id = $2)"
    ))
    .bind(id)
    .bind(merchant_id)
    .fetch_optional(pool)
    .await?
    .ok_or(ChargebackError::NotFound)?;
    let (md_status, eci, liability_shifted, refunded_minor, currency): (
        Option<String>,
        Option<String>,
        Option<bool>,
        i64,
        Currency,
    ) = sqlx::query_as(
        "SELECT md_status, eci, liability_shifted, refunded_minor, currency::text FROM payments WHERE id = $1",
    )
    .bind(chargeback.payment_id)
    .fetch_one(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    let receipt = receipts::load(&mut conn, &chargeback.order_id).await.map_err(|error| {
        tracing::error!(%error, order_id = %chargeback.order_id, "a charged-back payment's receipt does not load");
        ChargebackError::NotFound
    })?;
    let evidence =
        evidence::of_chargeback(&mut conn, &platform.config.secrets.field_keys, id).await?;
    Ok(Detail {
        chargeback,
        three_d_secure: ThreeDSecure {
            md_status,
            eci,
            liability_shifted,
        },
        receipt,
        refunded: Money::new(refunded_minor, currency),
        evidence,
    })
}
