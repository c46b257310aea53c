//! Prometheus metrics, served on a listener of their own (`metrics_listen`, loopback by
//! default) so nothing public answers `/metrics`.
//!
//! Counters and histograms are recorded where things happen: HTTP requests here
//! ([`track`]), payments, refused gateway answers and audit rows in
//! `platform::metrics`, gateway calls in `payten::api`. The work queues, which every
//! instance shares, are read from the database at each scrape, so they are current and
//! the same whichever instance is asked.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::Mode;
use http::{HeaderValue, Method, header};
use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use platform::Platform;
use platform::metrics as names;

use crate::shutdown::Stop;

const HTTP_REQUESTS: &str = "saleonix_http_requests_total";
const HTTP_SECONDS: &str = "saleonix_http_request_duration_seconds";
/// 1 when the last scrape could read the work queues from the database, else 0 (the
/// queue figures are then those of the scrape before).
const DATABASE_UP: &str = "saleonix_metrics_database_up";
const POOL_CONNECTIONS: &str = "saleonix_db_pool_connections";
const POOL_IDLE: &str = "saleonix_db_pool_idle_connections";
const POOL_MAX: &str = "saleonix_db_pool_max_connections";

/// From 5 ms (a page from memory) to 10 s (a gateway call at its timeout).
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A scrape that cannot read the queues within this answers with what it has.
const QUEUES_TIMEOUT: Duration = Duration::from_secs(5);

/// Installs the process's recorder: once, before anything is recorded.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_SECONDS.into()), LATENCY_BUCKETS)?
        .set_buckets_for_metric(
            Matcher::Full(payten::api::REQUEST_SECONDS.into()),
            LATENCY_BUCKETS,
        )?
        .install_recorder()?;
    describe();
    Ok(handle)
}

fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by route template, method and status"
    );
    describe_histogram!(
        HTTP_SECONDS,
        Unit::Seconds,
        "Time to the response's head, by route template and method"
    );
    describe_counter!(
        names::PAYMENTS,
        "Payments by the state they entered and mode"
    );
    describe_counter!(
        names::ANSWERS_REFUSED,
        "Gateway returns and callbacks refused, by channel and reason"
    );
    describe_counter!(names::AUDIT_ROWS, "Audit rows written, by outcome");
    describe_histogram!(
        payten::api::REQUEST_SECONDS,
        Unit::Seconds,
        "Gateway API call time, by operation"
    );
    describe_counter!(
        payten::api::ERRORS,
        "Gateway API calls without a usable answer, by operation and kind"
    );
    describe_gauge!(
        names::RECONCILIATION_DUE,
        "Payments due for reconciliation, by mode"
    );
    describe_gauge!(
        names::RECONCILIATION_OLDEST_DUE,
        Unit::Seconds,
        "How long the oldest due reconciliation has waited, by mode"
    );
    describe_gauge!(
        names::OPEN_EXCEPTIONS,
        "Unresolved reconciliation exceptions, by mode"
    );
    describe_gauge!(names::OUTBOX_DEPTH, "Mail waiting to be sent");
    describe_gauge!(
        names::OUTBOX_OLDEST,
        Unit::Seconds,
        "Age of the oldest mail waiting"
    );
    describe_gauge!(
        names::AUDIT_UNSEALED,
        "Audit rows not yet chained by the sealer"
    );
    describe_gauge!(
        names::CHAIN_CHECK_AGE,
        Unit::Seconds,
        "Time since the last audit chain check"
    );
    describe_gauge!(
        names::CHAIN_CHECK_BROKEN,
        "1 when the last audit chain check found the chain broken"
    );
    describe_gauge!(
        names::WAL_ARCHIVING_FAILING,
        "1 while the database's last WAL archiving attempt failed"
    );
    describe_gauge!(
        DATABASE_UP,
        "1 when the last scrape read the queues from the database"
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        "Database connections open in this instance"
    );
    describe_gauge!(POOL_IDLE, "Open database connections not in use");
    describe_gauge!(POOL_MAX, "The database pool's size limit");
}

/// Counts each request and times it to its response's head. The route is the matched
/// template (`/pay/{token}`, never the token), `fallback` for static files and unknown
/// paths, so no label takes a value a client chose.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "fallback".to_owned(), |path| path.as_str().to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(HTTP_SECONDS, "route" => route.clone(), "method" => method)
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(HTTP_REQUESTS, "route" => route, "method" => method, "status" => status)
        .increment(1);
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    platform: Platform,
}

/// The metrics listener's routes: `GET /metrics` only.
pub fn router(handle: PrometheusHandle, platform: Platform) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape { handle, platform })
}

/// Serves [`router`] on `listener` until `stop`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    handle: PrometheusHandle,
    platform: Platform,
    stop: Stop,
) -> std::io::Result<()> {
    tracing::info!(listen = %listener.local_addr()?, "serving metrics");
    axum::serve(
        listener,
        router(handle, platform).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop.requested())
    .await
}

async fn scrape(State(scrape): State<Scrape>) -> Response {
    let pool = &scrape.platform.pool;
    let queues = tokio::time::timeout(QUEUES_TIMEOUT, names::queues(pool)).await;
    match queues {
        Ok(Ok(queues)) => {
            metrics::gauge!(DATABASE_UP).set(1.0);
            record_queues(&queues);
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "metrics: could not read the work queues");
            metrics::gauge!(DATABASE_UP).set(0.0);
        }
        Err(_) => {
            tracing::warn!("metrics: reading the work queues timed out");
            metrics::gauge!(DATABASE_UP).set(0.0);
        }
    }
    metrics::gauge!(POOL_CONNECTIONS).set(pool.size());
    metrics::gauge!(POOL_IDLE).set(u32::try_from(pool.num_idle()).unwrap_or(u32::MAX));
    metrics::gauge!(POOL_MAX).set(scrape.platform.config.settings.database_max_connections);
    scrape.handle.run_upkeep();
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        scrape.handle.render(),
    )
        .into_response()
}

fn record_queues(queues: &names::Queues) {
    for mode in [Mode::Test, Mode::Live] {
        let queue = queues.mode(mode);
        let label = mode.as_str();
        metrics::gauge!(names::RECONCILIATION_DUE, "mode" => label).set(queue.due as f64);
        metrics::gauge!(names::RECONCILIATION_OLDEST_DUE, "mode" => label)
            .set(queue.oldest_due_secs);
        metrics::gauge!(names::OPEN_EXCEPTIONS, "mode" => label).set(queue.open_exceptions as f64);
    }
    metrics::gauge!(names::OUTBOX_DEPTH).set(queues.outbox_depth as f64);
    metrics::gauge!(names::OUTBOX_OLDEST).set(queues.outbox_oldest_secs);
    metrics::gauge!(names::AUDIT_UNSEALED).set(queues.audit_unsealed as f64);
    metrics::gauge!(names::WAL_ARCHIVING_FAILING)
        .set(f64::from(u8::from(queues.wal_archiving_failing)));
    if let Some((age, broken)) = queues.chain_check {
        metrics::gauge!(names::CHAIN_CHECK_AGE).set(age);
        metrics::gauge!(names::CHAIN_CHECK_BROKEN).set(f64::from(u8::from(broken)));
    }
}
