//! The console's KYC review: the queue, the applications by status, and one application
//! as staff read it (this module); the decisions on it are in `decisions`. Staff with
//! merchants `view` read, with `act` decide; each function starts with its `require`, and
//! the platform (`platform::kyc::review`) checks the application's state again.

mod decisions;
#[cfg(feature = "ssr")]
mod views;

pub use decisions::*;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An application waiting for review, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub merchant_id: String,
    pub business_name: String,
    pub submitted: String,
    /// How long it has waited, `2 days 3 h`.
    pub waiting: String,
}

/// Any application, for the list by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRow {
    pub merchant_id: String,
    pub business_name: String,
    /// The status slug: `submitted`, `changes_requested`, `draft`, `approved`, `rejected`.
    pub status: String,
    pub updated: String,
    /// A pending re-verification or a restriction, in words.
    pub note: Option<String>,
}

/// One labelled value of the business details or of a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    /// The item's slug, what the decision forms post.
    pub item: String,
    pub label: String,
    /// `missing`, `submitted`, `accepted` or `changes_requested`.
    pub state: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    /// "Legal representative", "Beneficial owner (40 %)".
    pub heading: String,
    pub facts: Vec<Fact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: String,
    pub kind: String,
    pub person: Option<String>,
    pub content_type: String,
    pub size: String,
    pub uploaded: String,
    /// The staff download route (audited there).
    pub href: String,
}

/// One application as the review page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub merchant_id: String,
    pub business_name: String,
    pub status: String,
    pub submitted: Option<String>,
    pub decided: Option<String>,
    pub decided_by: Option<String>,
    pub rejection_reason: Option<String>,
    pub reverification_due: Option<String>,
    pub restricted: Option<String>,
    pub changes_requested_by: Option<String>,
    pub items: Vec<ItemView>,
    pub business: Vec<Fact>,
    pub people: Vec<PersonView>,
    pub documents: Vec<DocumentView>,
    pub open_hits: i64,
    pub verified: bool,
    pub suspended: bool,
    /// The viewer may decide (merchants `act`); the server checks again on every decision.
    pub can_act: bool,
    /// Why approval is not open to this viewer now, if it is not; the server checks again.
    pub approve_blocked: Option<String>,
}

/// The application status as staff read it, from its slug (`none`: not started).
pub fn status_label(slug: &str) -> &'static str {
    match slug {
        "draft" => "Application in progress",
        "submitted" => "Awaiting review",
        "changes_requested" => "Changes requested",
        "approved" => "Approved",
        "rejected" => "Rejected",
        _ => "Not started",
    }
}

/// A checklist item's state in words.
pub fn item_state_label(slug: &str) -> &'static str {
    match slug {
        "submitted" => "Sent, to review",
        "accepted" => "Accepted",
        "changes_requested" => "Needs changes",
        _ => "Missing",
    }
}

/// How long something has waited, from seconds: `12 min`, `3 h 5 min`, `1 day 4 h`, `6 days`.
pub fn waiting(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (days, hours, minutes) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{minutes} min"),
        (0, _) => format!("{hours} h {minutes} min"),
        (1, _) => format!("1 day {hours} h"),
        _ => format!("{days} days"),
    }
}

/// The review queue: submitted applications, oldest first, with the time waiting.
#[server(endpoint = "admin/kyc/queue")]
pub async fn kyc_queue() -> Result<Vec<QueueRow>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<KycQueue>().await?;
        let queue = platform::kyc::review::queue(&platform.pool)
            .await
            .map_err(crate::error::internal)?;
        Ok(queue.into_iter().map(views::queue_row).collect())
    }
    .await
    .map_err(AppError::respond)
}

/// Every application, those with staff first.
#[server(endpoint = "admin/kyc/applications")]
pub async fn kyc_applications() -> Result<Vec<ApplicationRow>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<KycApplications>().await?;
        let list = platform::kyc::review::applications(&platform.pool)
            .await
            .map_err(crate::error::internal)?;
        Ok(list.into_iter().map(views::application_row).collect())
    }
    .await
    .map_err(AppError::respond)
}

/// One merchant's application for review: checklist, business details, people (personal
/// numbers masked), current documents, and what the viewer may decide.
#[server(endpoint = "admin/kyc/application")]
pub async fn kyc_application(merchant_id: String) -> Result<ReviewView, AppError> {
    use platform::identity::roles::{Level, Module};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<KycApplication>()
            .await?
            .parts();
        let merchant_id = crate::team::ssr::id(&merchant_id)?;
        let application = platform::kyc::review::application(&platform, merchant_id)
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound)?;
        let can_act = user.permissions().allows(Module::Merchants, Level::Act);
        Ok(views::review(
            application,
            user.id(),
            can_act,
            platform.config.settings.kyc.single_reviewer,
        ))
    }
    .await
    .map_err(AppError::respond)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_time_reads_in_the_largest_units_that_matter() {
        assert_eq!(waiting(59), "0 min");
        assert_eq!(waiting(12 * 60), "12 min");
        assert_eq!(waiting(3 * 3600 + 5 * 60), "3 h 5 min");
        assert_eq!(waiting(28 * 3600), "1 day 4 h");
        assert_eq!(waiting(6 * 86400 + 7200), "6 days");
        assert_eq!(
            waiting(-5),
            "0 min",
            "a clock step back shows no negative time"
        );
    }
}
