//! The console's Reconciliation module: the exceptions the reconciliation worker opened
//! when our record of a payment and the gateway's disagree (open first), closing them with
//! a note, and the daily report of payments and refunds per merchant with its CSV export.
//! Closing is audited by the platform; exports are audited here.

use domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::payments::Mode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionView {
    pub id: String,
    pub order_id: String,
    pub merchant_name: String,
    pub mode: Mode,
    /// `mismatch` (the gateway said something else), `unresolved` (it never said),
    /// `duplicate` (a second charge, returned automatically), `late_capture` (money taken
    /// after the platform held the attempt declined or expired) or `series_unknown` (a
    /// subscription whose series id never arrived: staff attach it).
    pub kind: String,
    /// Our state and the gateway's, in words.
    pub ours: String,
    pub gateway: String,
    /// The gateway's state was definite, so it can be taken over.
    pub can_accept: bool,
    pub opened: String,
    pub closed: Option<String>,
    /// `accepted_gateway` or `resolved`, with the staff member's note, or `returned` when
    /// the platform gave a duplicate charge back in full.
    pub resolution: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionsView {
    pub rows: Vec<ExceptionView>,
    /// The viewer may close exceptions (reconciliation `act`).
    pub can_act: bool,
}

/// One merchant, mode and currency on the report's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyLineView {
    pub merchant_name: String,
    pub mode: Mode,
    pub payments: i64,
    pub payments_total: Money,
    pub refunds: i64,
    pub refunds_total: Money,
    pub matched: i64,
    pub mismatched: i64,
    /// Duplicate charges taken on the day (not among the payments), and those returned.
    pub duplicates: i64,
    pub duplicates_total: Money,
    pub duplicates_returned: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub lines: Vec<DailyLineView>,
}

/// The daily report as a file to download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFile {
    /// `saleonix-reconciliation-YYYY-MM-DD.csv`.
    pub file_name: String,
    pub csv: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::payments::daily_report::DailyLine;
    use platform::payments::reconciliation::Exception;
    use time::{Date, OffsetDateTime};

    use super::{DailyLineView, ExceptionView};
    use crate::error::AppError;
    use crate::payments::ssr::{date, mode_view, when};

    /// The report's day: the one typed, or today (UTC).
    pub fn day(text: &str) -> Result<Date, AppError> {
        Ok(date("day", text)?.unwrap_or_else(|| OffsetDateTime::now_utc().date()))
    }

    pub fn exception(e: Exception) -> ExceptionView {
        ExceptionView {
            id: e.id.to_string(),
            order_id: e.order_id,
            merchant_name: e.merchant_name,
            mode: mode_view(e.mode),
            kind: e.kind,
            ours: e.platform_state,
            gateway: e.gateway_state,
            can_accept: e.can_accept,
            opened: when(e.created_at),
            closed: e.resolved_at.map(when),
            resolution: e.resolution,
            note: e.note,
        }
    }

    pub fn line(l: DailyLine) -> DailyLineView {
        DailyLineView {
            merchant_name: l.merchant_name,
            mode: mode_view(l.mode),
            payments: l.payments,
            payments_total: l.payments_total,
            refunds: l.refunds,
            refunds_total: l.refunds_total,
            matched: l.matched,
            mismatched: l.mismatched,
            duplicates: l.duplicates,
            duplicates_total: l.duplicates_total,
            duplicates_returned: l.duplicates_returned,
        }
    }
}

/// The exception queue, open first; with `all`, the latest closed ones follow.
#[server(endpoint = "admin/reconciliation/exceptions")]
pub async fn reconciliation_exceptions(
    #[server(default)] all: bool,
) -> Result<ExceptionsView, AppError> {
    use platform::identity::roles::{Level, Module};
    use platform::payments::reconciliation;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<ReconciliationExceptions>()
            .await?
            .staff()?;
        let rows = reconciliation::exceptions(&platform.pool, &scope, !all).await?;
        Ok(ExceptionsView {
            rows: rows.into_iter().map(ssr::exception).collect(),
            can_act: user
                .permissions()
                .allows(Module::Reconciliation, Level::Act),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Closes an open exception: `accept` sets the payment to the gateway's state, `resolve`
/// leaves it as it is; either way the note says why. `attach` gives a subscription whose
/// series id never arrived the id `series_id`, which the gateway must confirm.
#[server(endpoint = "admin/reconciliation/close")]
pub async fn close_exception(
    id: String,
    resolution: String,
    #[server(default)] note: String,
    #[server(default)] series_id: String,
) -> Result<(), AppError> {
    use platform::payments::reconciliation::{self, Resolution};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<CloseException>()
            .await?
            .staff()?;
        let id = crate::payments::ssr::id(&id)?;
        let facts = crate::request::facts().await;
        if resolution == "attach" {
            platform::subscriptions::series::attach(&platform, &scope, id, &series_id, &facts)
                .await?;
            return Ok(());
        }
        let resolution = match resolution.as_str() {
            "accept" => Resolution::AcceptGateway,
            "resolve" => Resolution::Resolve,
            _ => {
                return Err(AppError::validation(
                    "resolution",
                    "Accept the gateway's state or mark it resolved.",
                ));
            }
        };
        reconciliation::close(&platform, &scope, id, resolution, &note, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Payments and refunds of `day` (`YYYY-MM-DD`, UTC; empty is today) per merchant.
#[server(endpoint = "admin/reconciliation/report")]
pub async fn daily_report(#[server(default)] day: String) -> Result<ReportView, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<DailyReport>()
            .await?
            .staff()?;
        let day = ssr::day(&day)?;
        let lines = platform::payments::daily_report::of_day(&platform.pool, &scope, day).await?;
        Ok(ReportView {
            day: day.to_string(),
            lines: lines.into_iter().map(ssr::line).collect(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// The daily report as CSV. The export is audited, like the audit trail's own.
#[server(endpoint = "admin/reconciliation/export")]
pub async fn export_daily_report(#[server(default)] day: String) -> Result<ReportFile, AppError> {
    use crate::error::internal;
    use platform::audit::{self, Actor, ActorKind, Event, Outcome};
    use platform::payments::daily_report;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ExportDailyReport>()
            .await?
            .staff()?;
        let day = ssr::day(&day)?;
        let lines = daily_report::of_day(&platform.pool, &scope, day).await?;
        let event = Event::new(
            "reconciliation.report_exported",
            Actor {
                kind: ActorKind::Staff,
                id: Some(scope.user_id()),
            },
            Outcome::Success,
        )
        .detail(serde_json::json!({ "day": day.to_string(), "lines": lines.len() }));
        audit::record_alone(&platform.pool, &event, &crate::request::facts().await)
            .await
            .map_err(internal)?;
        Ok(ReportFile {
            file_name: format!("saleonix-reconciliation-{day}.csv"),
            csv: daily_report::csv(day, &lines),
        })
    }
    .await
    .map_err(AppError::respond)
}
