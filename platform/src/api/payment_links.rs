//! The `payment_link` object: a reusable checkout URL for a product or a fixed amount.

use domain::Currency;
use domain::public_id::{self, Kind};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    List, ListParams, ReadError, Table, check_cursor, finish, invalid, livemode, page, start,
};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;

const TABLE: Table = Table {
    name: "payment_links",
    kind: Kind::PaymentLink,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = PaymentLink)]
pub struct PaymentLinkObject {
    /// `pl_…` followed by 32 hex digits. (The `url` holds a different token.)
    pub id: String,
    /// Always `payment_link`.
    pub object: &'static str,
    pub livemode: bool,
    /// The link to share: each buyer who opens it gets a checkout of their own.
    pub url: String,
    /// The product it sells, when it sells one: `prod_…`
    pub product: Option<String>,
    pub title: String,
    /// In minor units.
    pub amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// At most this many paid checkouts; none when left out.
    pub max_payments: Option<i32>,
    /// Paid checkouts made through it so far.
    pub payments: i64,
    /// False once archived, expired, at its limit, or when its product was archived.
    pub active: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    token: String,
    product_id: Option<Uuid>,
    title: String,
    amount_minor: i64,
    currency: Currency,
    max_payments: Option<i32>,
    expires_at: Option<OffsetDateTime>,
    archived_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    payments: i64,
    product_archived: bool,
}

const SELECT: &str = "SELECT t.id, t.mode, t.token, t.product_id, t.title, t.amount_minor, t.currency::text AS currency,
        t.max_payments, t.expires_at, t.archived_at, t.created_at,
        (SELECT count(*) FROM checkout_sessions s WHERE s.link_id = t.id AND s.status = 'paid') AS payments,
        EXISTS (SELECT 1 FROM products p WHERE p.id = t.product_id AND p.archived_at IS NOT NULL) AS product_archived
    FROM payment_links t";

fn render(row: Row, origin: &str, now: OffsetDateTime) -> PaymentLinkObject {
    let active = !crate::payments::links::unavailable(
        row.archived_at,
        row.expires_at,
        row.max_payments,
        row.payments,
        row.product_archived,
        now,
    );
    PaymentLinkObject {
        id: public_id::encode(Kind::PaymentLink, row.id),
        object: "payment_link",
        livemode: livemode(row.mode),
        url: format!("{origin}/pay/{}", row.token),
        product: row
            .product_id
            .map(|id| public_id::encode(Kind::Product, id)),
        title: row.title,
        amount: row.amount_minor,
        currency: row.currency,
        max_payments: row.max_payments,
        payments: row.payments,
        active,
        expires_at: row.expires_at,
        created: row.created_at,
    }
}

/// One of the scope's links in `mode`, by its `pl_…` id.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
    origin: &str,
) -> Result<PaymentLinkObject, ReadError> {
    let id = public_id::decode(Kind::PaymentLink, id).ok_or(ReadError::NotFound)?;
    let row: Option<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE t.id = $1 AND t.merchant_id = $2 AND t.mode = $3"
    ))
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_optional(conn)
    .await?;
    let now = OffsetDateTime::now_utc();
    row.map(|row| render(row, origin, now))
        .ok_or(ReadError::NotFound)
}

/// The scope's links in `mode`, newest first; `status` (`active` or `archived`) narrows it
/// by whether it was archived.
pub async fn list(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
    origin: &str,
) -> Result<List<PaymentLinkObject>, ReadError> {
    let paging = params.paging(TABLE.kind)?;
    let archived = match params.status.as_deref() {
        None => None,
        Some("active") => Some(false),
        Some("archived") => Some(true),
        Some(_) => return Err(invalid("status", "a payment link is active or archived")),
    };
    check_cursor(&mut *conn, &TABLE, scope, mode, &paging).await?;
    let mut q = start(SELECT, &TABLE, scope, mode, params, &paging);
    match archived {
        Some(true) => {
            q.push(" AND t.archived_at IS NOT NULL");
        }
        Some(false) => {
            q.push(" AND t.archived_at IS NULL");
        }
        None => {}
    }
    finish(&mut q, &paging);
    let rows: Vec<Row> = q.build_query_as().fetch_all(conn).await?;
    let now = OffsetDateTime::now_utc();
    let objects = rows
        .into_iter()
        .map(|row| render(row, origin, now))
        .collect();
    Ok(page(objects, &paging, "/v1/payment_links"))
}
