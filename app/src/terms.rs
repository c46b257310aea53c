//! What a merchant pays and when it is paid, as the console sets it: fee schedules (the
//! default, by platform administrators; a merchant's override, by staff with merchants
//! `act`), each effective from a day that is today or later, and a merchant's settlement
//! terms (delay and rolling reserve, merchants `act`). Every change needs a fresh
//! second-factor check and is audited.

use domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub id: String,
    /// `2.90 %`.
    pub percent: String,
    pub fixed: Money,
    pub effective_from: String,
    /// In effect now; the others are upcoming.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedulesView {
    /// The default schedules, current first then upcoming.
    pub default: Vec<ScheduleView>,
    /// The merchant's overrides, when a merchant was asked about.
    pub merchant: Vec<ScheduleView>,
    /// The viewer may add a default schedule (a platform administrator).
    pub can_set_default: bool,
    /// The viewer may add a merchant's override (merchants `act`).
    pub can_set_merchant: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementView {
    pub delay_days: i16,
    /// `10.00 %`.
    pub reserve_percent: String,
    pub reserve_days: i16,
    /// The merchant's own payout choice, shown for context.
    pub payout_schedule: String,
    pub can_change: bool,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use platform::ledger::change::percent;
    use platform::ledger::fees::Schedule;
    use platform::ledger::settlement::Settlement;
    use time::OffsetDateTime;

    use super::{ScheduleView, SettlementView};
    use crate::payments::ssr::when;

    pub fn schedules(list: Vec<Schedule>) -> Vec<ScheduleView> {
        let now = OffsetDateTime::now_utc();
        list.into_iter()
            .map(|s| ScheduleView {
                id: s.id.to_string(),
                percent: percent(i64::from(s.percent_bp)),
                fixed: s.fixed,
                effective_from: when(s.effective_from),
                current: s.effective_from <= now,
            })
            .collect()
    }

    pub fn settlement(s: Settlement, can_change: bool) -> SettlementView {
        SettlementView {
            delay_days: s.delay_days,
            reserve_percent: percent(i64::from(s.reserve_bp)),
            reserve_days: s.reserve_days,
            payout_schedule: s.payout_schedule,
            can_change,
        }
    }
}

/// The default fee schedules, and `merchant_id`'s overrides when one is given (not empty).
#[server(endpoint = "admin/fees")]
pub async fn fee_schedules(
    #[server(default)] merchant_id: String,
) -> Result<FeeSchedulesView, AppError> {
    use crate::error::internal;
    use domain::Currency;
    use platform::identity::roles::{Level, Module};
    use platform::identity::users::UserKind;
    use platform::ledger::fees;
    let platform = expect_context::<platform::Platform>();
    async {
        let (staff, _) = crate::auth::session::require_declared::<FeeSchedules>()
            .await?
            .parts();
        let merchant = match merchant_id.trim() {
            "" => None,
            text => Some(crate::team::ssr::id(text)?),
        };
        // Fee schedules are in euro today: the form takes the fixed part in euro.
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let default = fees::current_and_upcoming(&mut conn, None, Currency::Eur)
            .await
            .map_err(internal)?;
        let overrides = match merchant {
            Some(merchant) => fees::current_and_upcoming(&mut conn, Some(merchant), Currency::Eur)
                .await
                .map_err(internal)?,
            None => Vec::new(),
        };
        Ok(FeeSchedulesView {
            default: ssr::schedules(default),
            merchant: ssr::schedules(overrides),
            can_set_default: staff.kind() == UserKind::PlatformAdmin,
            can_set_merchant: staff.permissions().allows(Module::Merchants, Level::Act),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Adds a default fee schedule (platform administrators, a fresh second-factor check):
/// `percent` (`2.90`), `fixed` in euro (`0.25`), `effective_from` (`YYYY-MM-DD`, today or
/// later).
#[server(endpoint = "admin/fees/default")]
pub async fn add_default_fee_schedule(
    percent: String,
    fixed: String,
    effective_from: String,
) -> Result<ScheduleView, AppError> {
    use platform::ledger::fees::{self, NewSchedule};
    let platform = expect_context::<platform::Platform>();
    async {
        let (admin, _) = crate::auth::session::require_declared::<AddDefaultFeeSchedule>()
            .await?
            .admin()?;
        let facts = crate::request::facts().await;
        let new = NewSchedule {
            percent,
            fixed_euro: fixed,
            effective_from,
        };
        let schedule = fees::add_default_schedule(&platform, &admin, &new, &facts).await?;
        Ok(ssr::schedules(vec![schedule]).remove(0))
    }
    .await
    .map_err(AppError::respond)
}

/// Adds a merchant's fee override (merchants `act`, a fresh second-factor check), typed
/// like the default's.
#[server(endpoint = "admin/fees/merchant")]
pub async fn add_merchant_fee_schedule(
    merchant_id: String,
    percent: String,
    fixed: String,
    effective_from: String,
) -> Result<ScheduleView, AppError> {
    use platform::ledger::fees::{self, NewSchedule};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<AddMerchantFeeSchedule>()
            .await?
            .staff()?;
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let facts = crate::request::facts().await;
        let new = NewSchedule {
            percent,
            fixed_euro: fixed,
            effective_from,
        };
        let schedule =
            fees::add_merchant_schedule(&platform, &scope, merchant, &new, &facts).await?;
        Ok(ssr::schedules(vec![schedule]).remove(0))
    }
    .await
    .map_err(AppError::respond)
}

/// A merchant's settlement terms.
#[server(endpoint = "admin/settlement")]
pub async fn settlement_terms(merchant_id: String) -> Result<SettlementView, AppError> {
    use crate::error::internal;
    use platform::identity::roles::{Level, Module};
    let platform = expect_context::<platform::Platform>();
    async {
        let (staff, _) = crate::auth::session::require_declared::<SettlementTerms>()
            .await?
            .parts();
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let terms = platform::ledger::settlement::of_merchant(&mut conn, merchant)
            .await
            .map_err(internal)?;
        Ok(ssr::settlement(
            terms,
            staff.permissions().allows(Module::Merchants, Level::Act),
        ))
    }
    .await
    .map_err(AppError::respond)
}

/// Sets a merchant's settlement delay (`delay_days`, business days) and rolling reserve
/// (`reserve_percent`, `reserve_days`): merchants `act`, a fresh second-factor check. They
/// apply to payments paid from now on.
#[server(endpoint = "admin/settlement/set")]
pub async fn set_settlement_terms(
    merchant_id: String,
    delay_days: String,
    #[server(default)] reserve_percent: String,
    #[server(default)] reserve_days: String,
) -> Result<SettlementView, AppError> {
    use platform::ledger::settlement::{self, NewTerms};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<SetSettlementTerms>()
            .await?
            .staff()?;
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let facts = crate::request::facts().await;
        let new = NewTerms {
            delay_days,
            reserve_percent,
            reserve_days,
        };
        let terms = settlement::set_terms(&platform, &scope, merchant, &new, &facts).await?;
        Ok(ssr::settlement(terms, true))
    }
    .await
    .map_err(AppError::respond)
}
