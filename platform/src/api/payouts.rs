//! The `payout` object: Saleonix paying the merchant's available Live balance to its bank
//! account (`crate::payouts`). Payouts exist in Live Mode only, so a Test key lists none.

use domain::public_id::{self, Kind};
use domain::{Currency, PayoutStatus};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{List, ListParams, ReadError, Table, invalid, livemode};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Payout)]
pub struct PayoutObject {
    /// `po_…`
    pub id: String,
    /// Always `payout`.
    pub object: &'static str,
    /// Always `true`: Test Mode money is never paid out.
    pub livemode: bool,
    /// `created` (waiting for Saleonix's approval), `approved`, `sent` (to the bank), then
    /// `paid`, or `returned` when the bank sent it back.
    pub status: &'static str,
    /// In minor units: the whole available balance when the payout was made.
    pub amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// The bank account it goes to, masked as the dashboard shows it.
    pub destination: String,
    /// The transfer's reference on the bank statement (its end-to-end id).
    pub reference: String,
    /// Why the bank returned it, as the bank gave it.
    pub failure_message: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub paid_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub returned_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    status: PayoutStatus,
    amount_minor: i64,
    currency: Currency,
    iban_masked: String,
    end_to_end_id: String,
    return_reason: Option<String>,
    created_at: OffsetDateTime,
    sent_at: Option<OffsetDateTime>,
    paid_at: Option<OffsetDateTime>,
    returned_at: Option<OffsetDateTime>,
}

const TABLE: Table = Table {
    name: "payouts",
    kind: Kind::Payout,
    select:
        "SELECT t.id, t.mode, t.status, t.amount_minor, t.currency::text AS currency, b.iban_masked,
        t.end_to_end_id, t.return_reason, t.created_at, t.sent_at, t.paid_at, t.returned_at
    FROM payouts t JOIN bank_accounts b ON b.id = t.bank_account_id",
    url: "/v1/payouts",
};

fn render(row: Row) -> PayoutObject {
    PayoutObject {
        id: public_id::encode(Kind::Payout, row.id),
        object: "payout",
        livemode: livemode(row.mode),
        status: row.status.as_str(),
        amount: row.amount_minor,
        currency: row.currency,
        destination: row.iban_masked,
        reference: row.end_to_end_id,
        failure_message: row.return_reason,
        created: row.created_at,
        sent_at: row.sent_at,
        paid_at: row.paid_at,
        returned_at: row.returned_at,
    }
}

/// The payout as it stands, whoever's it is: for the event recorded with its change.
pub(crate) async fn load(conn: &mut PgConnection, id: Uuid) -> Result<PayoutObject, sqlx::Error> {
    let row: Row = super::by_id(conn, &TABLE, id).await?;
    Ok(render(row))
}

/// One of the scope's payouts in `mode`, by its `po_…` id.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<PayoutObject, ReadError> {
    super::one(conn, &TABLE, scope, mode, id).await.map(render)
}

/// The scope's payouts in `mode`, newest first; `status` narrows it.
pub async fn list(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
) -> Result<List<PayoutObject>, ReadError> {
    let status = params
        .status
        .as_deref()
        .map(|s| PayoutStatus::parse(s).ok_or(invalid("status", "no such payout status")))
        .transpose()?;
    let narrow = move |q: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>| {
        if let Some(status) = status {
            q.push(" AND t.status = ").push_bind(status);
        }
    };
    super::list(conn, &TABLE, scope, mode, params, narrow, render).await
}
