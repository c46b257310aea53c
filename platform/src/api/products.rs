//! The `product` object: a name and a price in one mode, active or archived.

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
#[schema(as = Product)]
pub struct ProductObject {
    /// `prod_…`
    pub id: String,
    /// Always `product`.
    pub object: &'static str,
    pub livemode: bool,
    pub name: String,
    pub description: Option<String>,
    /// In minor units.
    pub unit_amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// False once archived: it can no longer be sold, and stays readable.
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    name: String,
    description: Option<String>,
    price_minor: i64,
    currency: Currency,
    archived_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

const TABLE: Table = Table {
    name: "products",
    kind: Kind::Product,
    select:
        "SELECT t.id, t.mode, t.name, t.description, t.price_minor, t.currency::text AS currency,
        t.archived_at, t.created_at
    FROM products t",
    url: "/v1/products",
};

fn render(row: Row) -> ProductObject {
    ProductObject {
        id: public_id::encode(Kind::Product, row.id),
        object: "product",
        livemode: livemode(row.mode),
        name: row.name,
        description: row.description,
        unit_amount: row.price_minor,
        currency: row.currency,
        active: row.archived_at.is_none(),
        created: row.created_at,
    }
}

/// One of the scope's products in `mode`, by its `prod_…` id.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<ProductObject, ReadError> {
    super::one(conn, &TABLE, scope, mode, id).await.map(render)
}

/// The scope's products in `mode`, newest first; `status` (`active` or `archived`) narrows it.
pub async fn list(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
) -> Result<List<ProductObject>, ReadError> {
    let archived = super::archived_filter(params, "a product is active or archived")?;
    super::list(conn, &TABLE, scope, mode, params, archived, render).await
}
