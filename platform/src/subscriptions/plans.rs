//! Plans: a merchant's recurring prices, each in one mode. A checkout for a plan is made
//! like any other (`payments::sessions::create` with `plan`); the buyer's page states the
//! plan's terms and asks for consent before Pay.

use domain::{CheckoutId, MerchantId, Money};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Interval, StoredTerms, Terms, terms_columns};
use crate::audit::{self, Event, Outcome, RequestFacts};
use crate::identity::roles::MerchantScope;
use crate::payments::{Mode, PaymentError, chargeable, ensure_mode_allowed, invalid, text};

/// The longest interval count the gateway takes (`RecurringFrequency`).
pub const MAX_INTERVAL_COUNT: u16 = 999;
/// The most payments one gateway series holds: a plan's limit, and the length of each
/// series of a plan that runs until cancelled.
pub const MAX_INSTALLMENTS: u16 = payten::MAX_RECURRING_PAYMENTS;

#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub amount: Money,
    pub interval: Interval,
    /// Every `count` intervals: 1 to 999.
    pub count: u16,
    /// Payments in all, the first at sign-up: 2 to 121 (the gateway's series limit).
    /// Ignored when `until_cancelled`: the series then has the most the gateway takes.
    pub installments: u16,
    /// Runs until cancelled: each series of 121 payments is renewed with the buyer's
    /// consent (`super::renewal`).
    pub until_cancelled: bool,
    /// One of the merchant's active products of the same mode, if the plan sells one.
    pub product_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: Uuid,
    pub mode: Mode,
    pub name: String,
    pub product_id: Option<Uuid>,
    pub terms: Terms,
    pub active: bool,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    name: String,
    product_id: Option<Uuid>,
    #[sqlx(flatten)]
    terms: StoredTerms,
    archived_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

fn columns() -> String {
    format!(
        "p.id, p.mode, p.name, p.product_id, {}, p.archived_at, p.created_at",
        terms_columns("p")
    )
}

fn plan(row: Row) -> Plan {
    Plan {
        id: row.id,
        mode: row.mode,
        name: row.name,
        product_id: row.product_id,
        terms: Terms::stored(&row.terms),
        active: row.archived_at.is_none(),
        created_at: row.created_at,
    }
}

/// Makes a plan, audited as `subscription_plan.create`.
pub async fn create(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    new: &NewPlan,
    facts: &RequestFacts,
) -> Result<Plan, PaymentError> {
    let name = text("name", &new.name, 200)?;
    let amount = chargeable("amount", new.amount)?;
    if !(1..=MAX_INTERVAL_COUNT).contains(&new.count) {
        return Err(invalid("interval_count", "charge every 1 to 999 intervals"));
    }
    let installments = if new.until_cancelled {
        MAX_INSTALLMENTS
    } else {
        new.installments
    };
    if !(2..=MAX_INSTALLMENTS).contains(&installments) {
        return Err(invalid(
            "installments",
            "a plan has 2 to 121 payments, the first at sign-up",
        ));
    }
    let mut tx = pool.begin().await?;
    ensure_mode_allowed(&mut tx, scope.merchant_id(), mode).await?;
    if let Some(product_id) = new.product_id {
        let active: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM products
                            WHERE id = $1 AND merchant_id = $2 AND mode = $3 AND archived_at IS NULL)",
        )
        .bind(product_id)
        .bind(scope.merchant_id())
        .bind(mode)
        .fetch_one(&mut *tx)
        .await?;
        if !active {
            return Err(invalid("product", "choose one of your active products"));
        }
    }
    let id = Uuid::new_v4();
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO subscription_plans AS p (id, merchant_id, mode, product_id, name, amount_minor, currency,
                                              interval, interval_count, installments, until_cancelled, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING {}",
        columns()
    ))
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(new.product_id)
    .bind(&name)
    .bind(amount.minor())
    .bind(amount.currency().alpha())
    .bind(new.interval)
    .bind(i16::try_from(new.count).unwrap_or(i16::MAX))
    .bind(i16::try_from(installments).unwrap_or(i16::MAX))
    .bind(new.until_cancelled)
    .bind(scope.user_id())
    .fetch_one(&mut *tx)
    .await?;
    let event = Event::new("subscription_plan.create", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("subscription_plan", id.to_string())
        .detail(serde_json::json!({
            "mode": mode.as_str(), "amount_minor": amount.minor(), "interval": new.interval.as_str(),
            "interval_count": new.count, "installments": installments,
            "until_cancelled": new.until_cancelled,
        }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(plan(row))
}

/// The scope's plans in `mode`, newest first.
pub async fn list(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
) -> Result<Vec<Plan>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {} FROM subscription_plans p WHERE p.merchant_id = $1 AND p.mode = $2 ORDER BY p.created_at DESC",
        columns()
    ))
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(plan).collect())
}

/// One of the merchant's plans in `mode` that can still be sold.
pub(crate) async fn active(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    id: Uuid,
) -> Result<Option<Plan>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {} FROM subscription_plans p
         WHERE p.id = $1 AND p.merchant_id = $2 AND p.mode = $3 AND p.archived_at IS NULL",
        columns()
    ))
    .bind(id)
    .bind(merchant_id)
    .bind(mode)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(plan))
}

/// The terms a checkout signs its buyer up for; `None` for a one-off checkout.
pub(crate) async fn terms_of_checkout(
    conn: &mut PgConnection,
    session_id: CheckoutId,
) -> Result<Option<Terms>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {} FROM subscription_plans p WHERE p.id = (SELECT plan_id FROM checkout_sessions WHERE id = $1)",
        columns()
    ))
    .bind(session_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| plan(row).terms))
}
