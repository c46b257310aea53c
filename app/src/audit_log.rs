//! Reading the audit trail: the admin console's Audit module (filtered search, one row's
//! detail, CSV export, the chain's head and last check) and a merchant's own security
//! events. Exports are themselves audited.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The filter form as posted (`filter[event_type]=auth.` …); empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    pub actor: String,
    pub merchant: String,
    /// An exact type, or a family ending in a dot (`auth.`).
    pub event_type: String,
    pub outcome: String,
    /// `YYYY-MM-DD`, from the start of that day (UTC).
    pub from: String,
    /// `YYYY-MM-DD`, through the end of that day (UTC).
    pub until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRowView {
    pub id: i64,
    pub occurred_at: String,
    pub event_type: String,
    pub actor: String,
    pub merchant_id: Option<String>,
    pub target: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    pub detail: String,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub subject_email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPageView {
    pub rows: Vec<AuditRowView>,
    /// Pass as `before` for the next, older page; none on the last page.
    pub next_before: Option<i64>,
    /// The chain's newest row and hash, and when the chain was last verified.
    pub head: Option<String>,
    pub last_check: Option<String>,
}

/// Rows per page of the Audit module.
pub const PAGE_SIZE: i64 = 50;

#[cfg(feature = "ssr")]
mod ssr {
    use platform::audit::search::{Filter, Row};
    use time::macros::format_description;
    use time::{Date, OffsetDateTime, Time};

    use super::{AuditFilter, AuditRowView};
    use crate::error::AppError;

    /// Rows one export may hold; a wider export should be narrowed by date.
    pub const EXPORT_LIMIT: i64 = 10_000;

    fn day(field: &str, value: &str) -> Result<Option<OffsetDateTime>, AppError> {
        match value.trim() {
            "" => Ok(None),
            text => Date::parse(text, format_description!("[year]-[month]-[day]"))
                .map(|date| Some(date.with_time(Time::MIDNIGHT).assume_utc()))
                .map_err(|_| AppError::validation(field, "Use a date like 2026-11-24.")),
        }
    }

    fn uuid<T: std::str::FromStr>(field: &str, value: &str) -> Result<Option<T>, AppError> {
        match value.trim() {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| AppError::validation(field, "Paste a whole id.")),
        }
    }

    impl AuditFilter {
        pub fn parsed(&self) -> Result<Filter, AppError> {
            let event_type = self.event_type.trim();
            if !event_type
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
            {
                return Err(AppError::validation(
                    "event_type",
                    "Event types are lower case, like auth.sign_in or auth.",
                ));
            }
            let outcome = self.outcome.trim();
            if !["", "success", "failure", "denied"].contains(&outcome) {
                return Err(AppError::validation(
                    "outcome",
                    "Choose success, failure or denied.",
                ));
            }
            Ok(Filter {
                actor_id: uuid("actor", &self.actor)?,
                merchant_id: uuid("merchant", &self.merchant)?,
                event_type: (!event_type.is_empty()).then(|| event_type.to_owned()),
                outcome: (!outcome.is_empty()).then(|| outcome.to_owned()),
                from: day("from", &self.from)?,
                until: day("until", &self.until)?.map(|end| end + time::Duration::DAY),
            })
        }
    }

    pub fn view(row: Row) -> AuditRowView {
        AuditRowView {
            id: row.id,
            occurred_at: row
                .occurred_at
                .format(format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
                ))
                .unwrap_or_default(),
            event_type: row.event_type,
            actor: match (row.actor_id, row.actor_kind.as_str()) {
                (Some(id), _) => format!("{} {id}", row.actor_kind),
                // A staff row without its id is one a merchant reads (`as_merchant_sees`).
                (None, "staff") => "Saleonix staff".to_owned(),
                (None, _) => row.actor_kind,
            },
            merchant_id: row.merchant_id.map(|id| id.to_string()),
            target: row
                .target_type
                .map(|kind| format!("{kind} {}", row.target_id.unwrap_or_default())),
            outcome: row.outcome,
            reason: row.reason,
            detail: row.detail.to_string(),
            request_id: row.request_id,
            ip: row.ip,
            user_agent: row.user_agent,
            subject_email: row.subject_email,
        }
    }
}

#[server(endpoint = "admin/audit/search")]
pub async fn audit_search(filter: AuditFilter, before: String) -> Result<AuditPageView, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<AuditSearch>().await?;
        let parsed = filter.parsed()?;
        let before = before.trim().parse::<i64>().ok();
        let rows = platform::audit::search::search(&platform.pool, &parsed, before, PAGE_SIZE + 1)
            .await
            .map_err(crate::error::internal)?;
        let more = rows.len() as i64 > PAGE_SIZE;
        let rows: Vec<AuditRowView> = rows
            .into_iter()
            .take(PAGE_SIZE as usize)
            .map(ssr::view)
            .collect();
        let head = platform::audit::head(&platform.pool)
            .await
            .map_err(crate::error::internal)?;
        let last_check = platform::audit::last_check(&platform.pool)
            .await
            .map_err(crate::error::internal)?;
        Ok(AuditPageView {
            next_before: if more {
                rows.last().map(|row| row.id)
            } else {
                None
            },
            rows,
            head: head.map(|head| format!("#{} {}", head.id, head.hash)),
            last_check: last_check.map(|check| {
                let verdict = match check.first_broken {
                    Some(id) => format!("BROKEN at #{id}"),
                    None => format!("ok, {} rows", check.rows_checked),
                };
                format!("{} ({verdict})", check.checked_at.date())
            }),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// The filtered view as CSV (newest first, at most 10 000 rows). The export is audited.
#[server(endpoint = "admin/audit/export")]
pub async fn audit_export(filter: AuditFilter) -> Result<String, AppError> {
    use platform::audit::{self, Actor, ActorKind, Event, Outcome};

    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<AuditExport>().await?.parts();
        let parsed = filter.parsed()?;
        let rows = audit::search::search(&platform.pool, &parsed, None, ssr::EXPORT_LIMIT).await.map_err(crate::error::internal)?;
        let event = Event::new("audit.exported", Actor { kind: ActorKind::Staff, id: Some(user.id()) }, Outcome::Success).detail(
            serde_json::json!({
                "rows": rows.len(),
                "filter": {
                    "actor": filter.actor.trim(), "merchant": filter.merchant.trim(), "event_type": filter.event_type.trim(),
                    "outcome": filter.outcome.trim(), "from": filter.from.trim(), "until": filter.until.trim(),
                },
            }),
        );
        audit::record_alone(&platform.pool, &event, &crate::request::facts().await).await.map_err(crate::error::internal)?;
        Ok(audit::search::to_csv(&rows))
    }
    .await
    .map_err(AppError::respond)
}

/// The merchant's own security events (sign-ins, two-factor, team changes), newest first.
#[server(endpoint = "account/security-events")]
pub async fn security_events() -> Result<Vec<AuditRowView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<SecurityEvents>()
            .await?
            .merchant()?;
        let rows = platform::audit::search::merchant_security_events(
            &platform.pool,
            scope.merchant_id(),
            200,
        )
        .await
        .map_err(crate::error::internal)?;
        Ok(rows.into_iter().map(ssr::view).collect())
    }
    .await
    .map_err(AppError::respond)
}
