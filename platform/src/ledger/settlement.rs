//! How a merchant is settled and paid (`merchant_settlement`): the settlement delay and
//! rolling reserve staff set, and the payout schedule and minimum the merchant chooses. A
//! merchant without a row has the defaults of the schema.

use domain::{MerchantId, Money};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Row};

use crate::identity::roles::{Level, Module, StaffScope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Business days a paid payment's net stays pending.
    pub delay_days: i16,
    /// The rolling reserve: this share of each net (basis points) held `reserve_days`.
    pub reserve_bp: i32,
    pub reserve_days: i16,
    /// `daily`, `weekly` or `monthly`.
    pub payout_schedule: String,
    /// ISO weekday, 1 (Monday) to 5 (Friday), for a weekly schedule.
    pub payout_weekday: i16,
    /// Day of the month, 1 to 28, for a monthly schedule.
    pub payout_month_day: i16,
    /// In euro, the currency of every merchant balance today (the table has no currency).
    pub payout_minimum: Money,
}

impl FromRow<'_, PgRow> for Settlement {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Settlement {
            delay_days: row.try_get("delay_days")?,
            reserve_bp: row.try_get("reserve_bp")?,
            reserve_days: row.try_get("reserve_days")?,
            payout_schedule: row.try_get("payout_schedule")?,
            payout_weekday: row.try_get("payout_weekday")?,
            payout_month_day: row.try_get("payout_month_day")?,
            payout_minimum: Money::eur(row.try_get("payout_minimum_minor")?),
        })
    }
}

impl Default for Settlement {
    fn default() -> Self {
        Settlement {
            delay_days: 7,
            reserve_bp: 0,
            reserve_days: 0,
            payout_schedule: "weekly".into(),
            payout_weekday: 1,
            payout_month_day: 1,
            payout_minimum: Money::eur(1_000),
        }
    }
}

pub async fn of_merchant(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Settlement, sqlx::Error> {
    let row = sqlx::query_as(
        "SELECT delay_days, reserve_bp, reserve_days, payout_schedule, payout_weekday, payout_month_day,
                payout_minimum_minor
         FROM merchant_settlement WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.unwrap_or_default())
}

/// The settlement terms staff set for a merchant, as typed: the delay in business days,
/// and the rolling reserve as a percentage (`10`, `7.5`) held for a number of days.
#[derive(Debug, Clone, Default)]
pub struct NewTerms {
    pub delay_days: String,
    pub reserve_percent: String,
    pub reserve_days: String,
}

/// Sets a merchant's settlement delay and rolling reserve (a staff scope holding merchants
/// `act`),
/// audited as `merchant.settlement.change` with the terms before and after. They apply to
/// payments paid from now on: money already held keeps the release day it was given. The
/// payout schedule and minimum, the merchant's own choice, are left as they are.
pub async fn set_terms(
    platform: &crate::Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    new: &NewTerms,
    facts: &crate::audit::RequestFacts,
) -> Result<Settlement, super::change::ChangeError> {
    use super::change::{ChangeError, hundredths};
    use crate::audit::{self, Actor, ActorKind, Event, Outcome};
    staff.holds(Module::Merchants, Level::Act)?;
    let staff_id = staff.user_id();
    let delay_days: i16 = new
        .delay_days
        .trim()
        .parse()
        .ok()
        .filter(|days| (0..=60).contains(days))
        .ok_or_else(|| {
            ChangeError::invalid(
                "delay_days",
                "Enter a whole number of business days from 0 to 60.",
            )
        })?;
    let reserve_bp = match new.reserve_percent.trim() {
        "" => 0,
        text => hundredths(text).filter(|bp| *bp <= 5_000).ok_or_else(|| {
            ChangeError::invalid(
                "reserve_percent",
                "Enter a reserve from 0 to 50 percent, like 10 or 7.5.",
            )
        })?,
    };
    let reserve_days: i16 = match new.reserve_days.trim() {
        "" => 0,
        text => text
            .parse()
            .ok()
            .filter(|days| (0..=365).contains(days))
            .ok_or_else(|| {
                ChangeError::invalid(
                    "reserve_days",
                    "Enter a whole number of days from 0 to 365.",
                )
            })?,
    };
    if reserve_bp > 0 && reserve_days == 0 {
        return Err(ChangeError::invalid(
            "reserve_days",
            "A reserve needs the number of days it is held.",
        ));
    }
    let mut tx = platform.pool.begin().await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM merchants WHERE id = $1)")
        .bind(merchant_id)
        .fetch_one(&mut *tx)
        .await?;
    if !exists {
        return Err(ChangeError::NotFound);
    }
    // Locks the row (when there is one), so two staff members' changes cannot interleave
    // between the "before" the audit row tells and the write.
    let before: Option<Settlement> = sqlx::query_as(
        "SELECT delay_days, reserve_bp, reserve_days, payout_schedule, payout_weekday, payout_month_day,
                payout_minimum_minor
         FROM merchant_settlement WHERE merchant_id = $1 FOR UPDATE",
    )
    .bind(merchant_id)
    .fetch_optional(&mut *tx)
    .await?;
    let before = before.unwrap_or_default();
    let after: Settlement = sqlx::query_as(
        "INSERT INTO merchant_settlement (merchant_id, delay_days, reserve_bp, reserve_days, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (merchant_id) DO UPDATE
             SET delay_days = $2, reserve_bp = $3, reserve_days = $4, updated_by = $5, updated_at = now()
         RETURNING delay_days, reserve_bp, reserve_days, payout_schedule, payout_weekday, payout_month_day,
                   payout_minimum_minor",
    )
    .bind(merchant_id)
    .bind(delay_days)
    .bind(i32::try_from(reserve_bp).unwrap_or(i32::MAX))
    .bind(reserve_days)
    .bind(staff_id)
    .fetch_one(&mut *tx)
    .await?;
    let event = Event::new("merchant.settlement.change", Actor { kind: ActorKind::Staff, id: Some(staff_id) }, Outcome::Success)
        .merchant(merchant_id)
        .target("merchant", merchant_id.to_string())
        .detail(serde_json::json!({
            "before": { "delay_days": before.delay_days, "reserve_bp": before.reserve_bp, "reserve_days": before.reserve_days },
            "after": { "delay_days": after.delay_days, "reserve_bp": after.reserve_bp, "reserve_days": after.reserve_days },
        }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(after)
}
