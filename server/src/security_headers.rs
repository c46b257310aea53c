//! The headers every response carries, set in this one place.
//!
//! The CSP nonce is minted here per request and handed to Leptos through the request's
//! extensions (see [`adopt_request_nonce`]), so the header and the hydration scripts can
//! never disagree.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, VARY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderValue, StatusCode};
use platform::config::Settings;
use rand::RngCore;

use crate::site::{self, Site};

#[derive(Clone)]
pub struct CspNonce(pub Arc<str>);

pub const HSTS: &str = "max-age=63072000; includeSubDomains";
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), \
     hid=(), midi=(), accelerometer=(), gyroscope=(), magnetometer=(), browsing-topics=()";

/// Paths that must never be indexed: the admin console, merchant dashboards and the API.
const UNINDEXED_PREFIXES: [&str; 3] = ["/admin", "/dashboard", app::SERVER_FN_PREFIX];

pub struct HeaderPolicy {
    /// `form-action` sources: ourselves plus the configured Payten gates.
    form_action: String,
    tls: bool,
    trust_forwarded_proto: bool,
    site: Arc<Site>,
}

impl HeaderPolicy {
    pub fn from_settings(settings: &Settings, site: Arc<Site>) -> Self {
        Self {
            form_action: format!(
                "'self' {} {}",
                settings.payten.test_gate_url, settings.payten.live_gate_url
            ),
            tls: settings.tls.is_some() || settings.public_url.starts_with("https://"),
            trust_forwarded_proto: settings.trust_forwarded_proto,
            site,
        }
    }

    /// A file whose name carries its content's hash never changes: browsers keep it a year
    /// without asking again. Other public application files may be cached but must be
    /// revalidated; everything else, pages and API answers alike, is `no-store`. A hashed
    /// name answered with an error (a release later, say) is never kept.
    fn cache_control(&self, path: &str, status: StatusCode) -> &'static str {
        let found = status.is_success() || status == StatusCode::NOT_MODIFIED;
        if found && self.site.is_immutable(path) {
            "public, max-age=31536000, immutable"
        } else if site::is_site_file(path) {
            "no-cache"
        } else {
            "no-store"
        }
    }

    fn csp(&self, nonce: &str, https: bool) -> String {
        let mut csp = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             frame-ancestors 'none'; form-action {}",
            self.form_action
        );
        if https {
            csp.push_str("; upgrade-insecure-requests");
        }
        csp
    }
}

fn new_nonce() -> Arc<str> {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes).into()
}

pub async fn apply(
    State(policy): State<Arc<HeaderPolicy>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = request.uri().path().to_owned();
    let https = policy.tls
        || (policy.trust_forwarded_proto
            && request
                .headers()
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes() == b"https"));

    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    // The policy is built from ASCII parts; were it ever not, the page gets the strictest one.
    let csp = HeaderValue::from_str(&policy.csp(&nonce, https))
        .unwrap_or(HeaderValue::from_static("default-src 'none'"));
    headers.insert(CONTENT_SECURITY_POLICY, csp);
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(policy.cache_control(&path, status)),
    );
    // Application files are answered brotli, gzip or plain as the browser accepts (made at
    // build time, see `crate::site`), so a cache must key them on that header too. Pages
    // and API answers are never compressed (README, "Security in the HTTP layer").
    if site::is_site_file(&path) || headers.contains_key(CONTENT_ENCODING) {
        headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    if https {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if UNINDEXED_PREFIXES.iter().any(|p| path.starts_with(p)) {
        headers.insert(
            "x-robots-tag",
            HeaderValue::from_static("noindex, nofollow"),
        );
    }
    response
}

/// Called inside Leptos's request context: replaces the nonce Leptos generated with the
/// one [`apply`] put in the CSP header.
pub fn adopt_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}
