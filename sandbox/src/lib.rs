//! A local HTTP peer that speaks the Payten NestPay protocol on the same paths
//! as the real gateway: the 3D gate and hosted card pages, signed returns and
//! callbacks, and the CC5 XML API. Plus admin endpoints for tests.
//!
//! It never stores or logs a full card number or CVV: the card step keeps only
//! the masked PAN, the brand and the outcome decided from the number.

pub mod admin;
pub mod api;
pub mod buyer;
pub mod callback;
pub mod cards;
pub mod clock;
pub mod config;
pub mod faults;
pub mod hosted;
pub mod html;
pub mod ledger;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::trace::TraceLayer;

use crate::clock::{SandboxClock, lock};
pub use crate::config::{SandboxConfig, StoreConfig};
use crate::faults::Faults;
use crate::hosted::Pending;
use crate::ledger::Ledger;

/// Everything the sandbox holds, in memory only.
pub struct SandboxState {
    pub config: SandboxConfig,
    pub clock: SandboxClock,
    ledger: Mutex<Ledger>,
    pending: Mutex<HashMap<String, Pending>>,
    faults: Mutex<Faults>,
    http: reqwest::Client,
}

impl SandboxState {
    pub fn new(config: SandboxConfig) -> Arc<SandboxState> {
        let http = config.callback_client.clone().unwrap_or_else(|| {
            reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new())
        });
        Arc::new(SandboxState {
            config,
            clock: SandboxClock::default(),
            ledger: Mutex::default(),
            pending: Mutex::default(),
            faults: Mutex::default(),
            http,
        })
    }

    /// Clears orders, pending payments, faults and the clock offset.
    pub fn reset(&self) {
        lock(&self.ledger).clear();
        lock(&self.pending).clear();
        lock(&self.faults).clear();
        self.clock.reset();
    }

    /// Debug dump of the stored state, for tests that check what is kept.
    pub fn dump(&self) -> String {
        format!(
            "ledger: {:?}\npending: {:?}\nfaults: {:?}",
            *lock(&self.ledger),
            *lock(&self.pending),
            *lock(&self.faults)
        )
    }
}

/// All routes. Serve with connect info
/// (`into_make_service_with_connect_info::<SocketAddr>()`): the 3-D Secure
/// step reports the buyer's IP and the admin routes check for loopback peers.
pub fn router(state: Arc<SandboxState>) -> Router {
    let admin = Router::new()
        .route(
            "/sandbox/faults",
            post(admin::add_fault)
                .get(admin::list_faults)
                .delete(admin::clear_faults),
        )
        .route(
            "/sandbox/clock",
            post(admin::advance_clock).get(admin::get_clock),
        )
        .route("/sandbox/series/{id}", post(admin::change_series))
        .route("/sandbox/reset", post(admin::reset))
        .layer(axum::middleware::from_fn(admin::loopback_only));
    Router::new()
        .route("/fim/est3Dgate", post(hosted::gate))
        .route("/fim/hosted/{id}/card", post(hosted::card))
        .route("/fim/hosted/{id}/3ds", post(hosted::three_ds))
        .route("/fim/api", post(api::fim_api))
        .merge(admin)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    state: Arc<SandboxState>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Binds `addr` (port 0 for any free port) and serves in the background.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = SandboxState::new(config);
        let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        Ok(Sandbox { addr, state, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn state(&self) -> &Arc<SandboxState> {
        &self.state
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}
