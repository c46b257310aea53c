//! How a merchant is settled and paid (`merchant_settlement`): the settlement delay and
//! rolling reserve staff set, and the payout schedule and minimum the merchant chooses. A
//! merchant without a row has the defaults of the schema.

use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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
    pub payout_minimum_minor: i64,
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
            payout_minimum_minor: 1_000,
        }
    }
}

pub async fn of_merchant(conn: &mut PgConnection, merchant_id: Uuid) -> Result<Settlement, sqlx::Error> {
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
