//! The `payment_link` object: a reusable checkout URL for a product, a fixed amount or a
//! subscription plan.

use domain::Currency;
use domain::public_id::{self, Kind};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{List, ListParams, ReadError, Table, livemode};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;

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
    /// The plan each buyer signs up for, when it sells one: `plan_…`
    pub plan: Option<String>,
    pub title: String,
    /// In minor units.
    pub amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// At most this many paid checkouts; none when left out.
    pub max_payments: Option<i32>,
    /// Paid checkouts made through it so far.
    pub payments: i64,
    /// False once archived, expired, at its limit, or when its product or plan was archived.
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
    plan_id: Option<Uuid>,
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

const TABLE: Table = Table {
    name: "payment_links",
    kind: Kind::PaymentLink,
    select: "SELECT t.id, t.mode, t.token, t.product_id, t.plan_id, t.title, t.amount_minor,
        t.currency::text AS currency, t.max_payments, t.expires_at, t.archived_at, t.created_at,
        (SELECT count(*) FROM checkout_sessions s WHERE s.link_id = t.id AND s.status = 'paid') AS payments,
        EXISTS (SELECT 1 FROM products p WHERE p.id = t.product_id AND p.archived_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM subscription_plans q WHERE q.id = t.plan_id AND q.archived_at IS NOT NULL)
        AS product_archived
    FROM payment_links t",
    url: "/v1/payment_links",
};

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
        plan: row.plan_id.map(|id| public_id::encode(Kind::Plan, id)),
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
    let now = OffsetDateTime::now_utc();
    let row = super::one(conn, &TABLE, scope, mode, id).await?;
    Ok(render(row, origin, now))
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
    let archived = super::archived_filter(params, "a payment link is active or archived")?;
    let now = OffsetDateTime::now_utc();
    let render = |row| render(row, origin, now);
    super::list(conn, &TABLE, scope, mode, params, archived, render).await
}
