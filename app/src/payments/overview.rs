//! The overview screen: paid volume per day and payments by status.

use domain::{Money, PaymentStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub payments: i64,
    /// Paid volume, in euro.
    pub volume: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewView {
    /// The last `OVERVIEW_DAYS` days, oldest first, each present even when empty.
    pub days: Vec<DayView>,
    /// The paid volume of all those days.
    pub total: Money,
    /// Payments made in those days by status: `(status, count)`.
    pub statuses: Vec<(PaymentStatus, i64)>,
}

pub const OVERVIEW_DAYS: i32 = 30;
/// Paid volume and counts per day for the last thirty days, and payments by status.
#[server(endpoint = "payments/overview")]
pub async fn payments_overview() -> Result<OverviewView, AppError> {
    use platform::payments::reading;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<PaymentsOverview>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let days = reading::daily_volume(&platform.pool, &scope, mode, OVERVIEW_DAYS)
            .await
            .map_err(crate::error::internal)?;
        let statuses = reading::status_counts(&platform.pool, &scope, mode, OVERVIEW_DAYS)
            .await
            .map_err(crate::error::internal)?;
        let total = days
            .iter()
            .try_fold(Money::eur(0), |sum, d| sum.checked_add(d.volume))
            .ok_or_else(|| crate::error::internal("the overview's volume overflowed"))?;
        Ok(OverviewView {
            total,
            days: days
                .into_iter()
                .map(|d| DayView {
                    day: d.day.to_string(),
                    payments: d.payments,
                    volume: d.volume,
                })
                .collect(),
            statuses,
        })
    }
    .await
    .map_err(AppError::respond)
}
