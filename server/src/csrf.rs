//! Cross-site request forgery defence for every state-changing request.
//!
//! Leptos server functions accept plain URL-encoded POSTs, which any other site's form can
//! send. Browsers label each request with `Sec-Fetch-Site` (and send `Origin` on POST);
//! a request that a browser marks as coming from another site is refused before it
//! reaches a handler. Requests with neither header come from non-browser clients, which
//! cannot carry a victim's cookies, so they are let through to the usual authentication.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode};

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Refuse(&'static str),
}

/// Decides from the method and the two headers; `origin` is the platform's public origin.
pub fn judge(
    method: &Method,
    sec_fetch_site: Option<&str>,
    origin_header: Option<&str>,
    origin: &str,
) -> Verdict {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Verdict::Allow;
    }
    match (sec_fetch_site, origin_header) {
        (Some("same-origin" | "none"), _) => Verdict::Allow,
        (Some(_), _) => Verdict::Refuse("Sec-Fetch-Site is not same-origin"),
        (None, Some(o)) if o == origin => Verdict::Allow,
        (None, Some(_)) => Verdict::Refuse("Origin is not this site"),
        (None, None) => Verdict::Allow,
    }
}

pub async fn refuse_cross_site(
    State(origin): State<Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    // The gateway's returns and callbacks come from its origin by design; their signature,
    // not their origin, authenticates them (server::checkout).
    if crate::checkout::GATEWAY_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    // The merchant API authenticates each request by a key in its Authorization header,
    // which a browser never adds on its own: another site cannot forge one.
    if request.uri().path().starts_with("/v1/") {
        return next.run(request).await;
    }
    let verdict = {
        let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
        judge(
            request.method(),
            header("sec-fetch-site"),
            header("origin"),
            &origin,
        )
    };
    match verdict {
        Verdict::Allow => next.run(request).await,
        Verdict::Refuse(reason) => {
            tracing::warn!(
                path = request.uri().path(),
                reason,
                "refused a cross-site request"
            );
            (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "https://saleonix.example";

    #[test]
    fn safe_methods_always_pass() {
        assert_eq!(
            judge(
                &Method::GET,
                Some("cross-site"),
                Some("https://evil.example"),
                ORIGIN
            ),
            Verdict::Allow
        );
    }

    #[test]
    fn posts_are_judged_by_fetch_metadata_first_then_origin() {
        let post = Method::POST;
        assert_eq!(
            judge(&post, Some("same-origin"), None, ORIGIN),
            Verdict::Allow
        );
        assert!(matches!(
            judge(&post, Some("cross-site"), Some(ORIGIN), ORIGIN),
            Verdict::Refuse(_)
        ));
        assert!(matches!(
            judge(&post, Some("same-site"), None, ORIGIN),
            Verdict::Refuse(_)
        ));
        assert_eq!(judge(&post, None, Some(ORIGIN), ORIGIN), Verdict::Allow);
        assert!(matches!(
            judge(&post, None, Some("https://evil.example"), ORIGIN),
            Verdict::Refuse(_)
        ));
        assert!(matches!(
            judge(&post, None, Some("null"), ORIGIN),
            Verdict::Refuse(_)
        ));
        assert_eq!(judge(&post, None, None, ORIGIN), Verdict::Allow);
        assert!(matches!(
            judge(&Method::DELETE, None, Some("https://evil.example"), ORIGIN),
            Verdict::Refuse(_)
        ));
    }
}
