//! Plans: a merchant's recurring prices, each in one mode. A checkout for a plan is made
//! like any other (`payments::sessions::create` with `plan`); the buyer's page states the
//! plan's terms and asks for consent before Pay.

use domain::{CheckoutId, Currency, MerchantId, Money};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Interval, Terms};
use crate::audit::{self, Event, Outcome, RequestFacts};
use crate::identity::roles::MerchantScope;
use crate::payments::{Mode, PaymentError, chargeable, ensure_mode_allowed, invalid, text};

/// The longest interval count the gateway takes (`RecurringFrequency`).
pub const MAX_INTERVAL_COUNT: u16 = 999;

#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub amount: Money,
    pub interval: Interval,
    /// Every `count` intervals: 1 to 999.
    pub count: u16,
    /// Payments in all, the first at sign-up: 2 to 121 (the gateway's series limit).
    pub installments: u16,
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

type Row = (
    Uuid,
    Mode,
    String,
    Option<Uuid>,
    i64,
    Currency,
    Interval,
    i16,
    i16,
    Option<OffsetDateTime>,
    OffsetDateTime,
);

const COLUMNS: &str =
    "id, mode, name, product_id, amount_minor, currency::text, interval, interval_count,
        installments, archived_at, created_at";

fn plan(row: Row) -> Plan {
    let (
        id,
        mode,
        name,
        product_id,
        minor,
        currency,
        interval,
        count,
        installments,
        archived,
        created_at,
    ) = row;
    Plan {
        id,
        mode,
        name,
        product_id,
        terms: Terms::stored(minor, currency, interval, count, installments),
        active: archived.is_none(),
        created_at,
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
    if !(2..=payten::MAX_RECURRING_PAYMENTS).contains(&new.installments) {
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
        "INSERT INTO subscription_plans (id, merchant_id, mode, product_id, name, amount_minor, currency, interval,
                                         interval_count, installments, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         RETURNING {COLUMNS}"
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
    .bind(i16::try_from(new.installments).unwrap_or(i16::MAX))
    .bind(scope.user_id())
    .fetch_one(&mut *tx)
    .await?;
    let event = Event::new("subscription_plan.create", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("subscription_plan", id.to_string())
        .detail(serde_json::json!({
            "mode": mode.as_str(), "amount_minor": amount.minor(), "interval": new.interval.as_str(),
            "interval_count": new.count, "installments": new.installments,
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
        "SELECT {COLUMNS} FROM subscription_plans WHERE merchant_id = $1 AND mode = $2 ORDER BY created_at DESC"
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
        "SELECT {COLUMNS} FROM subscription_plans WHERE id = $1 AND merchant_id = $2 AND mode = $3 AND archived_at IS NULL"
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
        "SELECT {COLUMNS} FROM subscription_plans WHERE id = (SELECT plan_id FROM checkout_sessions WHERE id = $1)"
    ))
    .bind(session_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| plan(row).terms))
}
