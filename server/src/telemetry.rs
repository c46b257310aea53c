//! Structured logs. Request spans carry the method, the path without its query string
//! (queries may one day hold tokens) and the request id; nothing else of the request.

use platform::config::LogFormat;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing_subscriber::EnvFilter;

pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Pretty => builder.compact().init(),
    }
}

type MakeSpan = fn(&http::Request<axum::body::Body>) -> tracing::Span;

pub fn http_trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan> {
    TraceLayer::new_for_http().make_span_with(|request: &http::Request<axum::body::Body>| {
        let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
        tracing::info_span!("http", method = %request.method(), path = request.uri().path(), request_id)
    })
}

/// Removes a client's `X-Request-Id` unless it is one plain id
/// (`app::request::acceptable_request_id`), so that `SetRequestIdLayer`, which runs next,
/// gives the request a fresh one. The id reaches logs and audit rows: an over-long one made
/// the audit row fail, and odd characters could forge log lines.
pub async fn replace_unacceptable_request_id(
    mut request: axum::extract::Request,
) -> axum::extract::Request {
    let mut ids = request.headers().get_all("x-request-id").iter();
    let acceptable = match (ids.next(), ids.next()) {
        (None, _) => true,
        (Some(id), None) => id.to_str().is_ok_and(app::request::acceptable_request_id),
        (Some(_), Some(_)) => false,
    };
    if !acceptable {
        request.headers_mut().remove("x-request-id");
    }
    request
}
