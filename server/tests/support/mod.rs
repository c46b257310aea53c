//! Starts the real router on 127.0.0.1:0 against the test's own database. Shared by
//! several test crates, each of which uses only a part.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use platform::Platform;
use platform::config::{Config, Environment, Settings};
use platform::secrets::Secrets;
use sqlx::PgPool;

pub mod accounts;
pub mod applications;
pub mod books;
pub mod business;
pub mod checkout;
pub mod kyc;
pub mod logs;
pub mod receiver;
pub mod world;

/// A pool like `pool` whose every connection acts as `saleonix_app`, the role production
/// connects as: a test on it fails where a grant is missing (the test role owns the schema).
pub async fn as_app_role(pool: &PgPool) -> PgPool {
    use sqlx::Executor as _;
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(5)
        .after_connect(|conn, _| {
            Box::pin(async move { conn.execute("SET ROLE saleonix_app").await.map(drop) })
        })
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap()
}

/// A loopback port free now, for a process the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until the `saleonix-server` process started at `base` answers `/readyz`; fails
/// the test with its log (`log`) if it exits first or is not ready within two minutes.
pub async fn wait_until_serving(
    base: &str,
    server: &mut tokio::process::Child,
    log: &std::path::Path,
) {
    let started = std::time::Instant::now();
    loop {
        let ready = reqwest::get(format!("{base}/readyz"))
            .await
            .is_ok_and(|response| response.status().is_success());
        if ready {
            return;
        }
        let exited = server.try_wait().unwrap();
        assert!(
            exited.is_none() && started.elapsed() < std::time::Duration::from_secs(120),
            "the server at {base} did not start ({exited:?}):\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The URL of `pool`'s database (a `sqlx::test` one), for a server process the test starts.
pub async fn database_url(pool: &PgPool) -> String {
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base.rsplit_once('/').expect("a database URL with a path");
    format!("{server}/{database}")
}

#[derive(Clone)]
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub platform: Platform,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub async fn start(pool: PgPool) -> TestServer {
    start_with(pool, |_| {}).await
}

/// The platform as the server would build it, with `public_url` and test defaults: no
/// uniform answer delay (the enumeration tests set it back) and one hash at a time.
pub fn platform(pool: PgPool, public_url: String, adjust: impl FnOnce(&mut Settings)) -> Platform {
    let mut settings = Settings {
        public_url,
        site_root: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site")),
        ..Settings::default()
    };
    settings.identity.uniform_answer_ms = 0;
    adjust(&mut settings);
    let secrets_file = std::env::temp_dir().join(format!(
        "saleonix-test-{}/secrets.toml",
        uuid::Uuid::new_v4()
    ));
    let secrets = Secrets::load(Environment::Development, &secrets_file).unwrap();
    Platform::new(pool, Arc::new(Config { settings, secrets }))
}

pub async fn start_with(pool: PgPool, adjust: impl FnOnce(&mut Settings)) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    serve(listener, platform(pool, format!("http://{addr}"), adjust))
}

/// The server without its route guard, to prove each server function refuses wrong actors
/// by itself (issue 17 item 5).
pub async fn start_without_route_guard(pool: PgPool) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let platform = platform(pool, format!("http://{addr}"), |_| {});
    let app = server::router_without_route_guard(platform.clone()).unwrap();
    serve_app(listener, platform, app)
}

/// Serves `platform` (built for this listener's address) on the listener.
pub fn serve(listener: tokio::net::TcpListener, platform: Platform) -> TestServer {
    let app = server::router(platform.clone()).unwrap();
    serve_app(listener, platform, app)
}

fn serve_app(
    listener: tokio::net::TcpListener,
    platform: Platform,
    app: axum::Router,
) -> TestServer {
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = app.layer(axum::middleware::map_response(listed_cookies_only));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(english_browser())
        .build()
        .unwrap();
    TestServer {
        base,
        client,
        platform,
    }
}

/// The headers of a browser set to English: the tests read the English words of the
/// buyer's pages, which otherwise answer in Albanian; the language tests ask for each.
pub fn english_browser() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        reqwest::header::HeaderValue::from_static("en"),
    );
    headers
}

/// Turns a response that sets a cookie the privacy policy does not list
/// (`domain::privacy::cookies`) into a 500 naming it, so that every integration test
/// fails on such a cookie wherever it first appears.
pub async fn listed_cookies_only(response: axum::response::Response) -> axum::response::Response {
    let unlisted: Vec<String> = response
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|set| set.to_str().ok()?.split('=').next())
        .map(str::trim)
        .filter(|name| !domain::privacy::cookies::is_listed(name))
        .map(str::to_owned)
        .collect();
    if unlisted.is_empty() {
        return response;
    }
    let refusal = format!("test check: cookies the privacy policy does not list: {unlisted:?}");
    axum::response::IntoResponse::into_response((http::StatusCode::INTERNAL_SERVER_ERROR, refusal))
}

/// The middle of timing samples: the timing comparisons read it, as one slow moment of the
/// machine moves a mean but not a median.
pub fn median(mut samples: Vec<std::time::Duration>) -> std::time::Duration {
    samples.sort();
    samples[samples.len() / 2]
}
