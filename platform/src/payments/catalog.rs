//! Products: a name and a price in euro, in one mode, active or archived. Archived
//! products stay readable (old sessions and links name them) but cannot be sold again.

use domain::Money;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row as _};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Mode, PaymentError, chargeable, optional_text, text};
use crate::audit::{self, Event, Outcome, RequestFacts};
use crate::identity::roles::MerchantScope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: Uuid,
    pub mode: Mode,
    pub name: String,
    pub description: Option<String>,
    pub price: Money,
    pub archived_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// By hand rather than derived: the price is two columns.
impl<'r> sqlx::FromRow<'r, PgRow> for Product {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Product {
            id: row.try_get("id")?,
            mode: row.try_get("mode")?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            price: super::money_in(row, "price_minor")?,
            archived_at: row.try_get("archived_at")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// A new product: the dashboard reads its typed price with [`super::parse_euro`]; the API
/// takes minor units.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub name: String,
    pub description: String,
    pub price: Money,
}

const COLUMNS: &str =
    "id, mode, name, description, price_minor, currency::text AS currency, archived_at, created_at";

/// The merchant's products in `mode`, active first, newest first.
pub async fn list(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
) -> Result<Vec<Product>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM products WHERE merchant_id = $1 AND mode = $2
         ORDER BY archived_at IS NOT NULL, created_at DESC"
    ))
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_all(pool)
    .await
}

pub async fn create(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    new: &NewProduct,
    facts: &RequestFacts,
) -> Result<Product, PaymentError> {
    let name = text("name", &new.name, 200)?;
    let description = optional_text("description", &new.description, 1000)?;
    let price = chargeable("price", new.price)?;
    let mut tx = pool.begin().await?;
    let product: Product = sqlx::query_as(&format!(
        "INSERT INTO products (id, merchant_id, mode, name, description, price_minor, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(Uuid::new_v4())
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(&name)
    .bind(&description)
    .bind(price.minor())
    .bind(price.currency().alpha())
    .fetch_one(&mut *tx)
    .await?;
    let event = Event::new("product.create", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("product", product.id.to_string())
        .detail(serde_json::json!({ "mode": mode.as_str(), "price_minor": product.price.minor() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(product)
}

/// Archives one of the merchant's own products; another merchant's id is not found.
pub async fn archive(
    pool: &PgPool,
    scope: &MerchantScope,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    super::archive(pool, scope, super::Archivable::Product, id, facts).await
}
