//! The route layer of the access guards, run before any page or server-function code:
//! - pages for signed-in users send a visitor without a full session to the page that
//!   completes it (sign-in, the second factor, or two-factor enrolment);
//! - every `/api/` call must have a declared policy (`app::policy`) that admits the
//!   session, or it is refused; an undeclared function is refused outright.
//!
//! Server functions check again themselves (`app::auth::session::require_*`), and their
//! queries are scoped to the session's own account.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use app::auth::session::{self, SessionState};
use app::error::AppError;
use app::policy::{self, Policy};
use http::{HeaderValue, StatusCode, header};
use platform::Platform;
use tower_sessions::Session;

/// Path prefixes that need a signed-in user.
const SIGNED_IN: &[&str] = &["/dashboard", "/account", "/admin"];
const SIGN_IN_PAGE: &str = "/sign-in";
const SECOND_FACTOR_PAGE: &str = "/sign-in/two-factor";
const ENROLMENT_PAGE: &str = "/account/two-factor";

fn under(path: &str, prefix: &str) -> bool {
    path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

fn needs_sign_in(path: &str) -> bool {
    SIGNED_IN.iter().any(|prefix| under(path, prefix))
}

pub async fn guard(State(platform): State<Platform>, session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") {
        return server_function(&platform, &session, request, next).await;
    }
    if !needs_sign_in(path) {
        return next.run(request).await;
    }
    let state = match session::resolve(&platform, &session).await {
        Ok(state) => state,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match state {
        SessionState::Anonymous => Redirect::to(SIGN_IN_PAGE).into_response(),
        SessionState::AwaitingSecondFactor(_) => Redirect::to(SECOND_FACTOR_PAGE).into_response(),
        SessionState::SignedIn(user)
            if user.owes_mfa_enrolment(&platform.config.settings.identity) && path != ENROLMENT_PAGE =>
        {
            Redirect::to(ENROLMENT_PAGE).into_response()
        }
        SessionState::SignedIn(_) => next.run(request).await,
    }
}

async fn server_function(platform: &Platform, session: &Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let Some(policy) = policy::of(path) else {
        tracing::warn!(path, "refused a call to a server function without a declared policy");
        return refusal(&request, AppError::NotFound);
    };
    if policy != Policy::Public {
        let admitted = match session::resolve(platform, session).await {
            Ok(state) => state.admits(policy, platform),
            Err(error) => Err(error),
        };
        if let Err(error) = admitted {
            return refusal(&request, error);
        }
    }
    next.run(request).await
}

/// The refusal as the caller reads it: a plain form post (no WASM) is sent to the page
/// that completes its session; the app's client gets the error as JSON, the way it
/// decodes a server function's own errors.
fn refusal(request: &Request, error: AppError) -> Response {
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let page = match error {
        AppError::Unauthenticated => Some(SIGN_IN_PAGE),
        AppError::SecondFactorRequired => Some(SECOND_FACTOR_PAGE),
        AppError::EnrolmentRequired => Some(ENROLMENT_PAGE),
        _ => None,
    };
    if wants_html && let Some(page) = page {
        return Redirect::to(page).into_response();
    }
    let body = serde_json::to_vec(&error).expect("an AppError always serialises");
    let mut response = (error.status(), body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(path) = HeaderValue::from_str(request.uri().path()) {
        headers.insert("serverfnerror", path);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::needs_sign_in;

    #[test]
    fn prefixes_match_whole_segments() {
        for path in ["/dashboard", "/dashboard/payments", "/account", "/account/two-factor", "/admin/staff"] {
            assert!(needs_sign_in(path), "{path}");
        }
        for path in ["/", "/dashboards", "/accounts", "/administrator", "/sign-in", "/api/account/me"] {
            assert!(!needs_sign_in(path), "{path}");
        }
    }
}
