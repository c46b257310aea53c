//! What every plain file route shares (KYC documents, chargeback evidence, payout files,
//! the ledger export): the in-handler policy check behind the route guard's, the refusal
//! as the app's client reads a server function's, and the one way a file is answered
//! (its type, its name, `no-store`), so no route can forget a header.

use app::auth::session::{self, SessionState};
use app::error::AppError;
use app::policy::{Policy, Proof};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use platform::Platform;
use platform::audit::{self, RequestFacts};
use platform::identity::roles::MerchantScope;
use platform::identity::users::{MerchantRole, User};
use tower_sessions::Session;

/// The refusal as the app's client reads a server function's: its status and the error
/// as JSON.
pub(crate) fn refusal(error: AppError) -> Response {
    let body = serde_json::to_vec(&error).unwrap_or_default();
    (
        error.status(),
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// The session's user if `policy` admits them: the in-handler check behind the guard's.
pub(crate) async fn admitted(
    platform: &Platform,
    session: &Session,
    policy: Policy,
) -> Result<User, AppError> {
    let state = session::resolve(platform, session).await?;
    state.admits(policy, platform)?;
    match state {
        SessionState::SignedIn(user) => Ok(user),
        _ => Err(AppError::Unauthenticated),
    }
}

/// A fresh step-up for a file route whose row in `app::policy::FILE_ROUTES` asks for one,
/// the in-handler check behind the guard's; a refusal audited as the guard audits it.
pub(crate) async fn stepped_up(
    platform: &Platform,
    session: &Session,
    user: &User,
    path: &str,
    facts: &RequestFacts,
) -> Result<(), AppError> {
    let Err(refused) = session::proves(platform, session, user, Proof::StepUp).await else {
        return Ok(());
    };
    let event = session::denial(user, &refused, serde_json::json!({ "path": path }));
    if let Err(error) = audit::record_alone(&platform.pool, &event, facts).await {
        tracing::error!(%error, "recording a denied request failed");
    }
    Err(refused)
}

/// The session's merchant member if their role is one of `roles`, with their scope.
pub(crate) async fn member(
    platform: &Platform,
    session: &Session,
    roles: &'static [MerchantRole],
) -> Result<(User, MerchantScope), AppError> {
    let user = admitted(platform, session, Policy::Merchant(roles)).await?;
    let scope = MerchantScope::of(&user).ok_or(AppError::Forbidden)?;
    Ok((user, scope))
}

/// How a file is answered: for download (`attachment`) or to show in the browser
/// (`inline`, a printable statement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disposition {
    Attachment,
    Inline,
}

/// A file's answer: its type, its name, and `no-store`, since every file here is a
/// merchant's or the platform's own data.
pub(crate) fn file(
    body: impl IntoResponse,
    content_type: &'static str,
    file_name: &str,
    disposition: Disposition,
) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let kind = match disposition {
        Disposition::Attachment => "attachment",
        Disposition::Inline => "inline",
    };
    if let Ok(value) = HeaderValue::from_str(&format!("{kind}; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
