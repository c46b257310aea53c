//! The `checkout_session` object: an order a buyer pays once, on Saleonix's checkout page.

use domain::public_id::{self, Kind};
use domain::{CheckoutId, CheckoutStatus, Currency};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{List, ListParams, ReadError, Table, invalid, livemode};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = CheckoutSession)]
pub struct CheckoutSessionObject {
    /// `cs_…` followed by 32 hex digits. (The `url` holds a different, secret token.)
    pub id: String,
    /// Always `checkout_session`.
    pub object: &'static str,
    pub livemode: bool,
    /// `open`, `paid` or `expired`.
    pub status: &'static str,
    /// Where to send the buyer: Saleonix's checkout page for this session.
    pub url: String,
    /// In minor units.
    pub amount_total: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    pub line_items: Vec<LineItem>,
    pub buyer_email: Option<String>,
    /// Your own reference for the order (at most 100 characters).
    pub reference: Option<String>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    /// The payment that paid it, once paid: `pay_…`
    pub payment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LineItem {
    pub name: String,
    /// In minor units.
    pub unit_amount: i64,
    pub quantity: i32,
    /// `unit_amount` times `quantity`.
    pub amount: i64,
    /// The product sold, when the line is one of your products: `prod_…`
    pub product: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    token: String,
    status: CheckoutStatus,
    amount_minor: i64,
    currency: Currency,
    buyer_email: Option<String>,
    reference: Option<String>,
    success_url: Option<String>,
    cancel_url: Option<String>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    item_names: Vec<String>,
    item_prices: Vec<i64>,
    item_quantities: Vec<i32>,
    item_products: Vec<Option<Uuid>>,
    payment_id: Option<Uuid>,
}

// Items as parallel arrays in position order: one query per page, however many lines.
const TABLE: Table = Table {
    name: "checkout_sessions",
    kind: Kind::CheckoutSession,
    select: "SELECT t.id, t.mode, t.token, t.status, t.amount_minor, t.currency::text AS currency,
        t.buyer_email, t.reference, t.success_url, t.cancel_url, t.created_at, t.expires_at,
        ARRAY(SELECT i.name FROM checkout_items i WHERE i.session_id = t.id ORDER BY i.position) AS item_names,
        ARRAY(SELECT i.unit_amount_minor::bigint FROM checkout_items i WHERE i.session_id = t.id ORDER BY i.position) AS item_prices,
        ARRAY(SELECT i.quantity FROM checkout_items i WHERE i.session_id = t.id ORDER BY i.position) AS item_quantities,
        ARRAY(SELECT i.product_id FROM checkout_items i WHERE i.session_id = t.id ORDER BY i.position) AS item_products,
        (SELECT p.id FROM payments p WHERE p.session_id = t.id AND p.paid_at IS NOT NULL AND p.status <> 'duplicate'
         ORDER BY p.paid_at LIMIT 1) AS payment_id
    FROM checkout_sessions t",
    url: "/v1/checkout_sessions",
};

fn render(row: Row, origin: &str, now: OffsetDateTime) -> CheckoutSessionObject {
    let status = match row.status {
        CheckoutStatus::Open if row.expires_at <= now => CheckoutStatus::Expired,
        status => status,
    };
    let line_items = row
        .item_names
        .into_iter()
        .zip(row.item_prices)
        .zip(row.item_quantities)
        .zip(row.item_products)
        .map(|(((name, unit_amount), quantity), product)| LineItem {
            name,
            unit_amount,
            quantity,
            amount: unit_amount.saturating_mul(i64::from(quantity)),
            product: product.map(|id| public_id::encode(Kind::Product, id)),
        })
        .collect();
    CheckoutSessionObject {
        id: public_id::encode(Kind::CheckoutSession, row.id),
        object: "checkout_session",
        livemode: livemode(row.mode),
        status: status.as_str(),
        url: format!("{origin}/pay/{}", row.token),
        amount_total: row.amount_minor,
        currency: row.currency,
        line_items,
        buyer_email: row.buyer_email,
        reference: row.reference,
        success_url: row.success_url,
        cancel_url: row.cancel_url,
        payment: row
            .payment_id
            .map(|id| public_id::encode(Kind::Payment, id)),
        created: row.created_at,
        expires_at: row.expires_at,
    }
}

/// The session as it stands, whoever's it is: for the API's answer to the session it just
/// made and for the event recorded with its change. `origin` is the platform's public origin.
pub async fn load(
    conn: &mut PgConnection,
    id: CheckoutId,
    origin: &str,
) -> Result<CheckoutSessionObject, sqlx::Error> {
    let row: Row = super::by_id(conn, &TABLE, id.as_uuid()).await?;
    Ok(render(row, origin, OffsetDateTime::now_utc()))
}

/// One of the scope's sessions in `mode`, by its `cs_…` id.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
    origin: &str,
) -> Result<CheckoutSessionObject, ReadError> {
    let now = OffsetDateTime::now_utc();
    let row = super::one(conn, &TABLE, scope, mode, id).await?;
    Ok(render(row, origin, now))
}

/// The scope's sessions in `mode`, newest first; `status` narrows it (an open session past
/// its expiry counts as expired).
pub async fn list(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
    origin: &str,
) -> Result<List<CheckoutSessionObject>, ReadError> {
    let status = params
        .status
        .as_deref()
        .map(|s| CheckoutStatus::parse(s).ok_or(invalid("status", "no such checkout status")))
        .transpose()?;
    let narrow = move |q: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>| {
        q.push(match status {
            Some(CheckoutStatus::Open) => " AND t.status = 'open' AND t.expires_at > now()",
            Some(CheckoutStatus::Expired) => {
                " AND (t.status = 'expired' OR (t.status = 'open' AND t.expires_at <= now()))"
            }
            Some(CheckoutStatus::Paid) => " AND t.status = 'paid'",
            None => "",
        });
    };
    let now = OffsetDateTime::now_utc();
    let render = |row| render(row, origin, now);
    super::list(conn, &TABLE, scope, mode, params, narrow, render).await
}
