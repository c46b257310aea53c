//! Payment links: a shareable, reusable URL (`/pay/<token>`) for a product, a fixed amount
//! or a subscription plan, with an optional limit on payments and an optional expiry. A
//! buyer opening one gets a checkout session of their own
//! ([`super::sessions::open_from_link`]); a plan's is a sign-up checkout.

use domain::{Currency, MerchantId, Money};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row as _};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Mode, PaymentError, chargeable, invalid, public_token, text};
use crate::audit::{self, Event, Outcome, RequestFacts};
use crate::identity::roles::MerchantScope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: Uuid,
    pub mode: Mode,
    pub token: String,
    pub product_id: Option<Uuid>,
    /// The subscription plan it signs buyers up for.
    pub plan_id: Option<Uuid>,
    pub title: String,
    pub amount: Money,
    pub max_payments: Option<i32>,
    pub expires_at: Option<OffsetDateTime>,
    pub archived_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    /// Paid checkouts made from this link.
    pub payments: i64,
    /// The link's product or plan has been archived since.
    pub product_archived: bool,
}

/// By hand rather than derived: the amount is two columns.
impl<'r> sqlx::FromRow<'r, PgRow> for Link {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Link {
            id: row.try_get("id")?,
            mode: row.try_get("mode")?,
            token: row.try_get("token")?,
            product_id: row.try_get("product_id")?,
            plan_id: row.try_get("plan_id")?,
            title: row.try_get("title")?,
            amount: super::money_in(row, "amount_minor")?,
            max_payments: row.try_get("max_payments")?,
            expires_at: row.try_get("expires_at")?,
            archived_at: row.try_get("archived_at")?,
            created_at: row.try_get("created_at")?,
            payments: row.try_get("payments")?,
            product_archived: row.try_get("product_archived")?,
        })
    }
}

impl Link {
    /// Whether a buyer cannot pay through the link now: archived, expired, at its limit,
    /// or for a product archived since.
    pub fn unavailable(&self, now: OffsetDateTime) -> bool {
        unavailable(
            self.archived_at,
            self.expires_at,
            self.max_payments,
            self.payments,
            self.product_archived,
            now,
        )
    }
}

/// Whether a link with these facts takes no payment at a time: the one rule the buyer's
/// page and the API's `active` share.
pub(crate) fn unavailable(
    archived_at: Option<OffsetDateTime>,
    expires_at: Option<OffsetDateTime>,
    max_payments: Option<i32>,
    payments: i64,
    product_archived: bool,
    now: OffsetDateTime,
) -> bool {
    archived_at.is_some()
        || expires_at.is_some_and(|at| at <= now)
        || max_payments.is_some_and(|max| payments >= i64::from(max))
        || product_archived
}

/// What a link charges: a product of the same mode (its name and price are copied), a
/// title and amount typed in, or a plan of the same mode (its name and first payment).
#[derive(Debug, Clone)]
pub enum Charge {
    Product(Uuid),
    Amount { title: String, amount: Money },
    Plan(Uuid),
}

#[derive(Debug, Clone)]
pub struct NewLink {
    pub charge: Charge,
    pub max_payments: Option<u32>,
    pub expires_at: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT l.id, l.mode, l.token, l.product_id, l.plan_id, l.title, l.amount_minor,
        l.currency::text AS currency, l.max_payments, l.expires_at, l.archived_at, l.created_at,
        (SELECT count(*) FROM checkout_sessions s WHERE s.link_id = l.id AND s.status = 'paid') AS payments,
        EXISTS (SELECT 1 FROM products p WHERE p.id = l.product_id AND p.archived_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM subscription_plans q WHERE q.id = l.plan_id AND q.archived_at IS NOT NULL)
        AS product_archived
    FROM payment_links l";

pub async fn list(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
) -> Result<Vec<Link>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE l.merchant_id = $1 AND l.mode = $2 ORDER BY l.archived_at IS NOT NULL, l.created_at DESC"
    ))
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_all(pool)
    .await
}

/// A link by its public token, whoever asks (the buyer's page).
pub async fn by_token(
    conn: &mut PgConnection,
    token: &str,
) -> Result<Option<(MerchantId, Link)>, sqlx::Error> {
    let row: Option<(MerchantId,)> =
        sqlx::query_as("SELECT merchant_id FROM payment_links WHERE token = $1")
            .bind(token)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((merchant_id,)) = row else {
        return Ok(None);
    };
    let link: Link = sqlx::query_as(&format!("{SELECT} WHERE l.token = $1"))
        .bind(token)
        .fetch_one(conn)
        .await?;
    Ok(Some((merchant_id, link)))
}

pub async fn create(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    new: &NewLink,
    facts: &RequestFacts,
) -> Result<Link, PaymentError> {
    if new.max_payments == Some(0) {
        return Err(invalid(
            "max_payments",
            "the limit must be at least one payment",
        ));
    }
    let max_payments = new
        .max_payments
        .map(i32::try_from)
        .transpose()
        .map_err(|_| invalid("max_payments", "the limit is too large"))?;
    if new
        .expires_at
        .is_some_and(|at| at <= OffsetDateTime::now_utc())
    {
        return Err(invalid("expires_at", "the expiry must be in the future"));
    }
    let mut tx = pool.begin().await?;
    let mut plan_id = None;
    let (product_id, title, amount) = match &new.charge {
        Charge::Product(id) => {
            let product: Option<(String, i64, Currency)> = sqlx::query_as(
                "SELECT name, price_minor, currency::text FROM products
                 WHERE id = $1 AND merchant_id = $2 AND mode = $3 AND archived_at IS NULL",
            )
            .bind(id)
            .bind(scope.merchant_id())
            .bind(mode)
            .fetch_optional(&mut *tx)
            .await?;
            let (name, price, currency) =
                product.ok_or(invalid("product", "choose one of your active products"))?;
            (Some(*id), name, Money::new(price, currency))
        }
        Charge::Amount { title, amount } => {
            let title = text("title", title, 200)?;
            (None, title, chargeable("amount", *amount)?)
        }
        Charge::Plan(id) => {
            let plan = crate::subscriptions::plans::active(&mut tx, scope.merchant_id(), mode, *id)
                .await?
                .ok_or(invalid("plan", "choose one of your active plans"))?;
            plan_id = Some(plan.id);
            (plan.product_id, plan.name, plan.terms.amount)
        }
    };
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO payment_links (id, merchant_id, mode, token, product_id, title, amount_minor, currency,
                                    max_payments, expires_at, created_by, plan_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(public_token("pl"))
    .bind(product_id)
    .bind(&title)
    .bind(amount.minor())
    .bind(amount.currency())
    .bind(max_payments)
    .bind(new.expires_at)
    .bind(scope.user_id())
    .bind(plan_id)
    .execute(&mut *tx)
    .await?;
    let event = Event::new("payment_link.create", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("payment_link", id.to_string())
        .detail(serde_json::json!({
            "mode": mode.as_str(), "amount_minor": amount.minor(), "currency": amount.currency(), "plan": plan_id,
        }));
    audit::record(&mut tx, &event, facts).await?;
    let link = sqlx::query_as(&format!("{SELECT} WHERE l.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(link)
}

/// Archives one of the merchant's own links: buyers opening it are told it is no longer
/// available. Another merchant's id is not found.
pub async fn archive(
    pool: &PgPool,
    scope: &MerchantScope,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    super::archive(pool, scope, super::Archivable::Link, id, facts).await
}
