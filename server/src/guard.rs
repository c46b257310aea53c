//! The route layer of the access guards: pages for signed-in users answer a redirect to
//! the sign-in page before any of their code runs. Server functions check again
//! themselves (`app::auth::session::require_user`), and their queries are scoped to the
//! session's own account.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use platform::Platform;
use tower_sessions::Session;

/// Path prefixes that need a signed-in user.
const SIGNED_IN: &[&str] = &["/dashboard", "/account"];

fn needs_sign_in(path: &str) -> bool {
    SIGNED_IN.iter().any(|prefix| path == *prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/')))
}

pub async fn require_sign_in(State(platform): State<Platform>, session: Session, request: Request, next: Next) -> Response {
    if !needs_sign_in(request.uri().path()) {
        return next.run(request).await;
    }
    match app::auth::session::resolve(&platform, &session).await {
        Ok(Some(_)) => next.run(request).await,
        Ok(None) => Redirect::to("/sign-in").into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::needs_sign_in;

    #[test]
    fn prefixes_match_whole_segments() {
        for path in ["/dashboard", "/dashboard/payments", "/account"] {
            assert!(needs_sign_in(path), "{path}");
        }
        for path in ["/", "/dashboards", "/accounts", "/sign-in", "/api/account/me"] {
            assert!(!needs_sign_in(path), "{path}");
        }
    }
}
