//! The `refund` object: money going back to the buyer, whole or in part.

use domain::public_id::{self, Kind};
use domain::{Currency, RefundId, RefundStatus};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{List, ListParams, ReadError, Table, invalid, livemode};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Refund)]
pub struct RefundObject {
    /// `re_…`
    pub id: String,
    /// Always `refund`.
    pub object: &'static str,
    pub livemode: bool,
    /// The payment refunded: `pay_…`
    pub payment: String,
    /// `pending` (sent, waiting for the bank), `succeeded`, `failed`, or `unknown` (no answer
    /// came back; Saleonix settles it from the gateway's records, never by sending again).
    pub status: &'static str,
    /// In minor units.
    pub amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    pub reason: Option<String>,
    /// Why the gateway refused it, in plain words.
    pub failure_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    payment_id: Uuid,
    status: RefundStatus,
    amount_minor: i64,
    currency: Currency,
    reason: Option<String>,
    failure: Option<String>,
    created_at: OffsetDateTime,
}

const TABLE: Table = Table {
    name: "refunds",
    kind: Kind::Refund,
    select:
        "SELECT t.id, t.mode, t.payment_id, t.status, t.amount_minor, t.currency::text AS currency,
        t.reason, t.failure, t.created_at
    FROM refunds t",
    url: "/v1/refunds",
};

fn render(row: Row) -> RefundObject {
    RefundObject {
        id: public_id::encode(Kind::Refund, row.id),
        object: "refund",
        livemode: livemode(row.mode),
        payment: public_id::encode(Kind::Payment, row.payment_id),
        status: row.status.as_str(),
        amount: row.amount_minor,
        currency: row.currency,
        reason: row.reason,
        failure_reason: row.failure,
        created: row.created_at,
    }
}

/// The refund as it stands, whoever's it is: for the event recorded with its change and
/// for the API's answer to the refund it just made.
pub async fn load(conn: &mut PgConnection, id: RefundId) -> Result<RefundObject, sqlx::Error> {
    let row: Row = super::by_id(conn, &TABLE, id.as_uuid()).await?;
    Ok(render(row))
}

/// One of the scope's refunds in `mode`, by its `re_…` id.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<RefundObject, ReadError> {
    super::one(conn, &TABLE, scope, mode, id).await.map(render)
}

/// The scope's refunds in `mode`, newest first; `status` and `payment` narrow it.
pub async fn list(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
) -> Result<List<RefundObject>, ReadError> {
    let status = params
        .status
        .as_deref()
        .map(|s| RefundStatus::parse(s).ok_or(invalid("status", "no such refund status")))
        .transpose()?;
    let payment = params
        .payment
        .as_deref()
        .map(|p| public_id::decode(Kind::Payment, p).ok_or(invalid("payment", "no such payment")))
        .transpose()?;
    let narrow = move |q: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>| {
        if let Some(status) = status {
            q.push(" AND t.status = ").push_bind(status);
        }
        if let Some(payment) = payment {
            q.push(" AND t.payment_id = ").push_bind(payment);
        }
    };
    super::list(conn, &TABLE, scope, mode, params, narrow, render).await
}
