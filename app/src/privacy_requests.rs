//! Data-subject requests: the public form and its confirmation link, and the console's
//! Support module, where staff see each confirmed request's deadline and take its steps.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::privacy_kyc_people::LinkedKycPersonView;

/// A confirmed request as the Support module lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyRequestView {
    pub id: String,
    pub email: String,
    /// `access`, `correction`, `erasure` or `restriction`.
    pub kind: String,
    /// `open`, `fulfilled` or `rejected`.
    pub status: String,
    pub details: Option<String>,
    pub verified_at: String,
    /// ISO date; `None` once closed.
    pub due_on: Option<String>,
    /// Days left until the deadline (negative: overdue), for open requests.
    pub days_left: Option<i64>,
    pub extended_reason: Option<String>,
    pub assignee: Option<String>,
    pub closed_at: Option<String>,
    pub outcome: Option<String>,
    /// People of merchants' verifications staff linked to it (access and erasure only).
    pub kyc_people: Vec<LinkedKycPersonView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyRequestsView {
    pub requests: Vec<PrivacyRequestView>,
    /// The viewer holds support `act` and may take steps.
    pub can_act: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::privacy::requests::{LinkError, RequestError, Status, staff::Request};

    use super::PrivacyRequestView;
    use crate::error::AppError;
    use crate::payments::ssr::when;

    impl From<RequestError> for AppError {
        fn from(error: RequestError) -> Self {
            match error {
                RequestError::Invalid { field, message } => AppError::validation(field, &message),
                RequestError::NotAllowed(message) => AppError::validation("request", message),
                RequestError::NotFound => AppError::NotFound,
                RequestError::Forbidden(refused) => {
                    tracing::warn!(%refused, "a privacy request step with the wrong staff scope");
                    AppError::Forbidden
                }
                other => crate::error::internal(other),
            }
        }
    }

    impl From<LinkError> for AppError {
        fn from(error: LinkError) -> Self {
            match error {
                LinkError::Unknown | LinkError::Used | LinkError::Expired => {
                    AppError::validation("token", &error.to_string())
                }
                other => crate::error::internal(other),
            }
        }
    }

    pub fn view(request: Request) -> PrivacyRequestView {
        let open = request.status == Status::Open;
        PrivacyRequestView {
            id: request.id.to_string(),
            email: request.email,
            kind: request.kind.slug().to_owned(),
            status: request.status.slug().to_owned(),
            details: request.details,
            verified_at: request.verified_at.map(when).unwrap_or_default(),
            days_left: request.days_left.filter(|_| open).map(i64::from),
            due_on: request.due_on.map(|d| d.to_string()),
            extended_reason: request.extended_reason,
            assignee: request.assignee,
            closed_at: request.closed_at.map(when),
            outcome: request.outcome,
            kyc_people: Vec::new(),
        }
    }
}

/// Public: anyone may ask, a few times an hour from one network and a few times a day for
/// one address. Every valid request gets the same answer, a redirect to the page saying a
/// link is on its way, whatever the address.
#[server(endpoint = "public/privacy-request")]
pub async fn submit_privacy_request(
    email: String,
    kind: String,
    details: String,
) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let limits = &platform.config.settings.rate_limits;
        let ip = crate::request::client_key().await;
        let address = platform::rate_limit::account_key(&email);
        crate::limits::enforce(
            &platform,
            &[
                ("privacy-request-ip", limits.privacy_request_per_ip, &ip),
                (
                    "privacy-request-address",
                    limits.privacy_request_per_address,
                    &address,
                ),
            ],
        )
        .await?;
        let facts = crate::request::facts().await;
        platform::privacy::requests::submit(&platform, &email, &kind, &details, &facts).await?;
        leptos_axum::redirect("/privacy/request-sent");
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Public: the holder of a confirmation link opens its request; then the page says when
/// the answer is due.
#[server(endpoint = "public/privacy-request/confirm")]
pub async fn confirm_privacy_request(token: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let facts = crate::request::facts().await;
        let token = secrecy::SecretString::from(token.trim().to_owned());
        let confirmed = platform::privacy::requests::confirm(&platform, &token, &facts).await?;
        leptos_axum::redirect(&format!("/privacy/confirmed?due={}", confirmed.due_on));
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Confirmed requests, the most urgent first (support `view`).
#[server(endpoint = "admin/support/requests")]
pub async fn privacy_requests() -> Result<PrivacyRequestsView, AppError> {
    use platform::identity::roles::{Level, Module};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, staff, _) = crate::auth::session::require_declared::<PrivacyRequests>()
            .await?
            .staff()?;
        let requests = platform::privacy::requests::staff::list(&platform, &staff).await?;
        let ids: Vec<uuid::Uuid> = requests.iter().map(|r| r.id).collect();
        let linked =
            platform::privacy::requests::kyc_people::linked(&platform, &staff, &ids).await?;
        let requests = requests
            .into_iter()
            .map(|request| {
                let id = request.id;
                let mut view = ssr::view(request);
                view.kyc_people = linked
                    .iter()
                    .filter(|person| person.request_id == id)
                    .map(crate::privacy_kyc_people::ssr::linked_view)
                    .collect();
                view
            })
            .collect();
        Ok(PrivacyRequestsView {
            requests,
            can_act: user.permissions().allows(Module::Support, Level::Act),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Answers an open access request with the archive of the requester's data, mailed as a
/// single-use link (support `act` and a fresh two-factor check: it gathers a person's
/// data). Audited as `data_subject.export`.
#[server(endpoint = "admin/support/requests/export")]
pub async fn export_privacy_request(request_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ExportPrivacyRequest>()
            .await?
            .staff()?;
        let id = crate::team::ssr::id(&request_id)?;
        let facts = crate::request::facts().await;
        platform::privacy::requests::export::prepare(&platform, &scope, id, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Answers an open erasure request: erases the address's data wherever the law allows and
/// keeps the records AML law requires without it (support `act` and a fresh two-factor
/// check). Refused with the reason while an obligation is open. Audited as
/// `data_subject.erase`.
#[server(endpoint = "admin/support/requests/erase")]
pub async fn erase_privacy_request(request_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ErasePrivacyRequest>()
            .await?
            .staff()?;
        let id = crate::team::ssr::id(&request_id)?;
        let facts = crate::request::facts().await;
        platform::privacy::requests::erasure::erase(&platform, &scope, id, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// One staff step on a request (support `act`), by `step`: `assign`, `extend` (with a
/// reason), `reject` (with a reason) or `fulfil` (with what was done). Audited as
/// `data_subject.<step>`.
#[server(endpoint = "admin/support/requests/step")]
pub async fn privacy_request_step(
    request_id: String,
    step: String,
    text: String,
) -> Result<(), AppError> {
    use platform::privacy::requests::staff;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<PrivacyRequestStep>()
            .await?
            .staff()?;
        let id = crate::team::ssr::id(&request_id)?;
        let facts = crate::request::facts().await;
        match step.as_str() {
            "assign" => staff::assign_to_self(&platform, &scope, id, &facts).await?,
            "extend" => {
                staff::extend(&platform, &scope, id, &text, &facts).await?;
            }
            "reject" => staff::reject(&platform, &scope, id, &text, &facts).await?,
            "fulfil" => staff::fulfil(&platform, &scope, id, &text, &facts).await?,
            _ => return Err(AppError::validation("step", "Choose a step.")),
        }
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
