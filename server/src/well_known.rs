use axum::extract::State;
use axum::response::IntoResponse;
use http::header::CONTENT_TYPE;

use crate::AppState;

const TEXT: [(http::HeaderName, &str); 1] = [(CONTENT_TYPE, "text/plain; charset=utf-8")];

/// RFC 9116. The contact and expiry come from configuration so that an expired file is a
/// configuration change, not a release.
pub async fn security_txt(State(state): State<AppState>) -> impl IntoResponse {
    let settings = &state.platform.config.settings;
    let origin = settings.public_origin();
    let body = format!(
        "Contact: {}\nExpires: {}T00:00:00.000Z\nPreferred-Languages: en, sq\nCanonical: {origin}/.well-known/security.txt\nPolicy: {origin}/security\n",
        settings.security_txt.contact, settings.security_txt.expires,
    );
    (TEXT, body)
}

/// Signed-in surfaces and the API are kept out of search engines (they also send
/// `X-Robots-Tag`, for crawlers that ignore this file).
pub async fn robots_txt() -> impl IntoResponse {
    (
        TEXT,
        "User-agent: *\nDisallow: /admin\nDisallow: /dashboard\nDisallow: /api/\n",
    )
}
