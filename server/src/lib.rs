//! The Saleonix HTTP server: the Leptos app (pages and server functions) behind the
//! platform's hardening layers. `router` is library code so tests run the real thing.

pub mod api;
pub mod chargeback_files;
pub mod checkout;
pub mod csrf;
pub mod dev_mailbox;
pub mod facts;
pub mod files;
pub mod guard;
pub mod health;
pub mod jobs;
pub mod kyc_files;
pub mod ledger_export;
pub mod listen;
pub mod metrics;
pub mod page_viewer;
pub mod payout_files;
pub mod privacy_files;
pub mod security_headers;
pub mod shutdown;
pub mod site;
pub mod telemetry;
pub mod tls;
pub mod well_known;

use std::sync::Arc;

use app::{App, shell};
use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::routing::get;
use http::Uri;
use leptos::prelude::*;
use leptos_axum::{
    LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
    render_app_to_stream_with_context,
};
use platform::Platform;
use platform::identity::sessions::PgSessionStore;
use secrecy::ExposeSecret;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::service::SignedCookie;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::security_headers::HeaderPolicy;
use crate::site::{Site, SiteError};

/// Axum state: Leptos needs its options through `FromRef`.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub platform: Platform,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Leptos options from the platform's own settings rather than cargo-leptos's variables,
/// so the server starts the same way from `./dev`, a test or a container.
pub fn leptos_options(platform: &Platform, site: &Site) -> LeptosOptions {
    let settings = &platform.config.settings;
    let options = LeptosOptions::builder()
        .output_name("saleonix")
        .site_root(site.root().to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(settings.listen);
    match site.hash_file() {
        // Leptos joins this to the executable's directory; an absolute path replaces it.
        Some(file) => options
            .hash_files(true)
            .hash_file(file.to_string_lossy().as_ref().into())
            .build(),
        None => options.build(),
    }
}

/// Server-side sessions in Postgres. The cookie is `HttpOnly`, `SameSite=Lax` and signed
/// with the session key; on an HTTPS public URL it is also `Secure` with the `__Host-`
/// prefix (no `Domain`, path `/`), which a plain-HTTP development server cannot set.
pub fn session_layer(platform: &Platform) -> SessionManagerLayer<PgSessionStore, SignedCookie> {
    let settings = &platform.config.settings;
    let https = settings.public_url.starts_with("https://");
    let idle = time::Duration::minutes(settings.identity.session_idle_minutes.into());
    SessionManagerLayer::new(PgSessionStore::new(platform.pool.clone()))
        .with_name(if https {
            "__Host-saleonix-session"
        } else {
            "saleonix-session"
        })
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
        .with_signed(Key::from(
            platform.config.secrets.session_key.expose_secret(),
        ))
}

/// The whole application. Layers run outermost first: metrics, request id, tracing, panic
/// catching, security headers (so even a panic's 500 carries them), CSRF, the session,
/// then the access guard (pages for signed-in users, and every server function's policy).
/// Fails when the site has a hash file it cannot read: its pages would link files that
/// are not there.
pub fn router(platform: Platform) -> Result<Router, SiteError> {
    build(platform, RouteGuard::On)
}

/// The application without its route guard, so a test can show that every server
/// function refuses a wrong actor by itself (issue 17 item 5: otherwise the guard refuses
/// first and the in-function check never runs under test). Nothing but tests call it and no
/// setting reaches it: the server's `main` builds with [`router`].
pub fn router_without_route_guard(platform: Platform) -> Result<Router, SiteError> {
    build(platform, RouteGuard::Off)
}

enum RouteGuard {
    On,
    Off,
}

fn build(platform: Platform, route_guard: RouteGuard) -> Result<Router, SiteError> {
    let site = Arc::new(Site::open(&platform.config.settings.site_root)?);
    let leptos = leptos_options(&platform, &site);
    let routes = generate_route_list(App);
    let settings = &platform.config.settings;
    let stylesheet: Arc<str> = site.stylesheet().into();
    let headers = Arc::new(HeaderPolicy::from_settings(settings, site));
    let origin: Arc<str> = settings.public_origin().into();

    // The API reference page reads the document the API serves, serialised once here.
    let reference = app::api_reference::ApiReference(Arc::new(
        serde_json::to_value(api::described().1).unwrap_or_default(),
    ));
    let context = {
        let platform = platform.clone();
        move || {
            provide_context(platform.clone());
            provide_context(reference.clone());
            security_headers::adopt_request_nonce();
        }
    };
    let sessions = session_layer(&platform);
    let guard = axum::middleware::from_fn_with_state(platform.clone(), guard::guard);
    let mut router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/robots.txt", get(well_known::robots_txt))
        .route("/.well-known/security.txt", get(well_known::security_txt));
    // Only where mail really goes to the mailbox; elsewhere the path is a plain 404.
    if platform::mail::dev_mailbox(&platform.config).is_some() {
        router = router.route("/dev/mailbox", get(dev_mailbox::page));
    }
    let router = router.merge(api::routes(platform.clone()));
    let https = settings.public_url.starts_with("https://");
    let router = router.merge(checkout::routes(https).with_state(platform.clone()).layer(
        axum::middleware::from_fn_with_state(stylesheet.clone(), site::provide_stylesheet),
    ));
    let router = router.merge(kyc_files::routes().with_state(platform.clone()));
    let router = router.merge(chargeback_files::routes().with_state(platform.clone()));
    let router = router.merge(ledger_export::routes().with_state(platform.clone()));
    let router = router.merge(payout_files::routes().with_state(platform.clone()));
    let router = router.merge(privacy_files::routes().with_state(platform.clone()));
    let state = AppState {
        leptos: leptos.clone(),
        platform,
    };

    let app_shell = {
        let leptos = leptos.clone();
        let stylesheet = stylesheet.clone();
        move || shell(leptos.clone(), stylesheet.clone())
    };
    // Only the site's own files are looked for on disk: trying every unknown address as a
    // file first cost each 404 a trip through the blocking thread pool (issue 24).
    let file_or_page =
        file_and_error_handler_with_context::<AppState, _>(context.clone(), move |options| {
            shell(options, stylesheet.clone())
        });
    let page = render_app_to_stream_with_context(context.clone(), app_shell.clone());
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context, app_shell)
        .fallback(move |uri: Uri, state: State<AppState>, request: Request| {
            if site::is_site_file(uri.path()) {
                file_or_page(uri, state, request)
            } else {
                page(request)
            }
        })
        .layer(axum::middleware::from_fn_with_state(
            state.platform.clone(),
            page_viewer::attach,
        ));
    let router = router.merge(pages).with_state(state);
    let router = match route_guard {
        RouteGuard::On => router.layer(guard),
        RouteGuard::Off => router,
    };
    Ok(router
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            origin,
            csrf::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn_with_state(
            headers,
            security_headers::apply,
        ))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(telemetry::http_trace_layer())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(
            telemetry::replace_unacceptable_request_id,
        ))
        .layer(axum::middleware::from_fn(metrics::track)))
}
