//! The overview screen: paid volume per day and payments by status.

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
    pub volume_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewView {
    /// The last `OVERVIEW_DAYS` days, oldest first, each present even when empty.
    pub days: Vec<DayView>,
    pub currency: String,
    /// Payments made in those days by status: `(status, count)`.
    pub statuses: Vec<(String, i64)>,
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
        Ok(OverviewView {
            days: days
                .into_iter()
                .map(|d| DayView {
                    day: d.day.to_string(),
                    payments: d.payments,
                    volume_minor: d.volume_minor,
                })
                .collect(),
            currency: "EUR".to_owned(),
            statuses: statuses
                .into_iter()
                .map(|(status, count)| (status.as_str().to_owned(), count))
                .collect(),
        })
    }
    .await
    .map_err(AppError::respond)
}
