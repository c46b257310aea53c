//! The route layer of the access guards, run before any page or server-function code:
//! - every page's policy is declared in `app::policy::PAGES`; a visitor it does not admit
//!   is sent to the page that completes their session (sign-in, the second factor, or
//!   two-factor enrolment), or gets a 403 page when their role lacks the right;
//! - every `/api/` call must have a declared policy (`app::policy::SERVER_FUNCTIONS`)
//!   that admits the session, or it is refused; an undeclared function is refused outright.
//!
//! - a function whose row asks for a second factor (`app::policy::Proof`: two-factor on, or
//!   a fresh step-up) is refused without it, with the error the function itself would give.
//!
//! A 403 is recorded in the audit trail with the actor. Server functions apply the same row
//! again themselves (`app::auth::session::require_declared`), and merchant queries take the
//! merchant scope of the session's own user.

use std::net::SocketAddr;

use app::auth::session::{self, SessionState};
use app::error::AppError;
use app::policy::{self, Policy, Proof};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use http::{HeaderValue, StatusCode, header};
use platform::Platform;
use platform::audit::{self, RequestFacts};
use tower_sessions::Session;

const SIGN_IN_PAGE: &str = "/sign-in";
const SECOND_FACTOR_PAGE: &str = "/sign-in/two-factor";
const ENROLMENT_PAGE: &str = "/account/two-factor";

pub async fn guard(
    State(platform): State<Platform>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let (policy, proof) = if path.starts_with(app::SERVER_FN_PREFIX) {
        match policy::of(path) {
            Some(row) => row,
            None => {
                tracing::warn!(
                    path,
                    "refused a call to a server function without a declared policy"
                );
                return refusal(&request, AppError::NotFound);
            }
        }
    } else {
        (policy::page(path).unwrap_or(Policy::Public), Proof::None)
    };
    if policy == Policy::Public {
        return next.run(request).await;
    }
    let state = match session::resolve(&platform, &session).await {
        Ok(state) => state,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    // Whether the refusal is worth recording: a role or permission missing, or a second
    // factor the row asks for (not a session that simply has not finished signing in).
    let (admitted, notable) = match (state.admits(policy, &platform), &state) {
        (Ok(()), SessionState::SignedIn(user)) => (
            session::proves(&platform, &session, user, proof).await,
            true,
        ),
        (result, _) => {
            let notable = result == Err(AppError::Forbidden);
            (result, notable)
        }
    };
    match admitted {
        Ok(()) => {
            // The page's header shows who is signed in: resolved once, here.
            request.extensions_mut().insert(state);
            next.run(request).await
        }
        Err(error) => {
            if notable {
                // Read from the request first: a borrowed request cannot cross an await.
                let peer = request
                    .extensions()
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|info| info.0.ip());
                let facts =
                    app::request::facts_from(&platform.config.settings, request.headers(), peer);
                let path = request.uri().path().chars().take(200).collect();
                record_denial(&platform, &state, &error, facts, path).await;
            }
            refusal(&request, error)
        }
    }
}

/// A signed-in user refused for lack of a role, a permission or a second factor: recorded,
/// since it is either a stale link, a session gone cold, or someone probing. (Anonymous
/// refusals are not: anyone can make them.)
async fn record_denial(
    platform: &Platform,
    state: &SessionState,
    error: &AppError,
    facts: RequestFacts,
    path: String,
) {
    let SessionState::SignedIn(user) = state else {
        return;
    };
    let event = session::denial(user, error, serde_json::json!({ "path": path }));
    if let Err(error) = audit::record_alone(&platform.pool, &event, &facts).await {
        tracing::error!(%error, "recording a denied request failed");
    }
}

/// The refusal as the caller reads it. A page request, or a plain form post (no WASM), is
/// sent to the page that completes its session, or gets the 403 page; the app's client
/// gets the error as JSON, the way it decodes a server function's own errors.
fn refusal(request: &Request, error: AppError) -> Response {
    let is_api = request.uri().path().starts_with(app::SERVER_FN_PREFIX);
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
    if let Some(page) = page
        && (!is_api || wants_html)
    {
        return Redirect::to(page).into_response();
    }
    if !is_api {
        return forbidden_page(&error);
    }
    let mut response = (error.status(), axum::Json(&error)).into_response();
    let headers = response.headers_mut();
    if let Ok(path) = HeaderValue::from_str(request.uri().path()) {
        headers.insert("serverfnerror", path);
    }
    response
}

/// A page the visitor's role may not open. Plain HTML: no page code runs for them.
fn forbidden_page(error: &AppError) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>No access · Saleonix</title></head>\
         <body><main><h1>No access</h1><p>{error}</p><p><a href=\"/\">Saleonix home</a></p></main></body></html>"
    );
    (error.status(), Html(body)).into_response()
}
