//! When a merchant is paid: daily, weekly on a weekday (Monday to Friday), or monthly on a
//! day (1 to 28, so every month has it), and from what available balance. A daily payout
//! made on a weekend or holiday reaches the merchant on the bank's next business day. The merchant's
//! owners, admins and finance members set it; the run reads it from `merchant_settlement`.

use domain::{MerchantId, Money};
use time::Date;
use uuid::Uuid;

use super::PayoutError;
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::ledger::settlement::{self, Settlement};

/// The smallest and largest minimum a merchant may choose (1.00 and 1,000,000.00 EUR, in
/// cents), as the schema's CHECK has them.
pub const MINIMUM_RANGE_MINOR: (i64, i64) = (100, 100_000_000);

/// A merchant's choice, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// `daily`, `weekly` or `monthly`.
    pub schedule: &'static str,
    pub weekday: i16,
    pub month_day: i16,
    /// In euro, as the schema keeps it.
    pub minimum: Money,
}

impl Schedule {
    /// Checks the form's fields: the error names the field to show it beside.
    pub fn parse(
        schedule: &str,
        weekday: &str,
        month_day: &str,
        minimum: Money,
    ) -> Result<Schedule, PayoutError> {
        let schedule = match schedule.trim() {
            "daily" => "daily",
            "weekly" => "weekly",
            "monthly" => "monthly",
            _ => {
                return Err(PayoutError::invalid(
                    "schedule",
                    "Choose daily, weekly or monthly.",
                ));
            }
        };
        let weekday: i16 = weekday.trim().parse().unwrap_or(0);
        if !(1..=5).contains(&weekday) {
            return Err(PayoutError::invalid(
                "weekday",
                "Choose a weekday from Monday to Friday.",
            ));
        }
        let month_day: i16 = month_day.trim().parse().unwrap_or(0);
        if !(1..=28).contains(&month_day) {
            return Err(PayoutError::invalid(
                "month_day",
                "Choose a day of the month from 1 to 28.",
            ));
        }
        let (low, high) = MINIMUM_RANGE_MINOR;
        if minimum.currency() != domain::Currency::Eur || !(low..=high).contains(&minimum.minor()) {
            return Err(PayoutError::invalid(
                "minimum",
                "Choose a minimum from 1.00 to 1,000,000.00 EUR.",
            ));
        }
        Ok(Schedule {
            schedule,
            weekday,
            month_day,
            minimum,
        })
    }
}

/// Whether a merchant with `settlement` is paid on `today` (a day in Kosovo).
pub fn is_due(settlement: &Settlement, today: Date) -> bool {
    let weekday = i16::from(today.weekday().number_from_monday());
    match settlement.payout_schedule.as_str() {
        "daily" => true,
        "weekly" => weekday == settlement.payout_weekday,
        "monthly" => i16::from(today.day()) == settlement.payout_month_day,
        _ => false,
    }
}

/// Saves the merchant's schedule (the caller checked the role and scoped the merchant),
/// audited with what it was before.
#[tracing::instrument(skip(platform, facts))]
pub async fn set(
    platform: &Platform,
    user_id: Uuid,
    merchant_id: MerchantId,
    schedule: &Schedule,
    facts: &RequestFacts,
) -> Result<Settlement, PayoutError> {
    let mut tx = platform.pool.begin().await?;
    let before = settlement::of_merchant(&mut tx, merchant_id).await?;
    sqlx::query(
        "INSERT INTO merchant_settlement (merchant_id, payout_schedule, payout_weekday, payout_month_day, payout_minimum_minor, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (merchant_id) DO UPDATE SET payout_schedule = $2, payout_weekday = $3, payout_month_day = $4,
             payout_minimum_minor = $5, updated_by = $6, updated_at = now()",
    )
    .bind(merchant_id)
    .bind(schedule.schedule)
    .bind(schedule.weekday)
    .bind(schedule.month_day)
    .bind(schedule.minimum.minor())
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    let event = Event::new("payout_schedule.change", Actor { kind: ActorKind::User, id: Some(user_id) }, Outcome::Success)
        .merchant(merchant_id)
        .detail(serde_json::json!({
            "before": { "schedule": before.payout_schedule, "weekday": before.payout_weekday,
                        "month_day": before.payout_month_day, "minimum_minor": before.payout_minimum.minor() },
            "after": { "schedule": schedule.schedule, "weekday": schedule.weekday,
                       "month_day": schedule.month_day, "minimum_minor": schedule.minimum.minor() },
        }));
    audit::record(&mut tx, &event, facts).await?;
    let after = settlement::of_merchant(&mut tx, merchant_id).await?;
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn with(schedule: &str, weekday: i16, month_day: i16) -> Settlement {
        Settlement {
            payout_schedule: schedule.into(),
            payout_weekday: weekday,
            payout_month_day: month_day,
            ..Settlement::default()
        }
    }

    #[test]
    fn schedules_fall_on_their_days() {
        // 2026-11-30 is a Monday.
        assert!(is_due(&with("daily", 1, 1), date!(2026 - 11 - 30)));
        assert!(
            is_due(&with("daily", 1, 1), date!(2026 - 11 - 29)),
            "a Sunday too"
        );
        assert!(is_due(&with("weekly", 1, 1), date!(2026 - 11 - 30)));
        assert!(!is_due(&with("weekly", 2, 1), date!(2026 - 11 - 30)));
        assert!(is_due(&with("monthly", 1, 30 - 2), date!(2026 - 11 - 28)));
        assert!(!is_due(&with("monthly", 1, 1), date!(2026 - 11 - 30)));
    }

    #[test]
    fn a_schedule_is_checked_field_by_field() {
        assert!(Schedule::parse("weekly", "3", "1", Money::eur(1_000)).is_ok());
        let field = |r: Result<Schedule, PayoutError>| match r {
            Err(PayoutError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(Schedule::parse("hourly", "1", "1", Money::eur(1_000))),
            "schedule"
        );
        assert_eq!(
            field(Schedule::parse("weekly", "6", "1", Money::eur(1_000))),
            "weekday"
        );
        assert_eq!(
            field(Schedule::parse("monthly", "1", "31", Money::eur(1_000))),
            "month_day"
        );
        assert_eq!(
            field(Schedule::parse("daily", "1", "1", Money::eur(99))),
            "minimum"
        );
    }
}
