//! Admin endpoints under `/sandbox/`: fault injection, the clock, reset. They
//! share the port with the gateway paths but accept loopback peers only (a
//! reverse proxy on the same host would make every peer loopback: do not put
//! one in front of the sandbox).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::SandboxState;
use crate::clock::{gateway_time, lock};
use crate::faults::FaultRule;

/// Refuses any peer that is not loopback, or whose address is unknown.
pub async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    match peer {
        Some(addr) if addr.ip().is_loopback() => next.run(request).await,
        _ => {
            tracing::warn!(?peer, "admin request from a non-loopback peer refused");
            (
                StatusCode::FORBIDDEN,
                "admin endpoints accept loopback peers only",
            )
                .into_response()
        }
    }
}

pub async fn add_fault(
    State(state): State<Arc<SandboxState>>,
    Json(rule): Json<FaultRule>,
) -> StatusCode {
    tracing::info!(?rule, "fault added");
    lock(&state.faults).add(rule);
    StatusCode::NO_CONTENT
}

pub async fn list_faults(State(state): State<Arc<SandboxState>>) -> Json<Vec<FaultRule>> {
    Json(lock(&state.faults).list())
}

pub async fn clear_faults(State(state): State<Arc<SandboxState>>) -> StatusCode {
    lock(&state.faults).clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
pub struct Advance {
    #[serde(default)]
    pub days: u64,
    #[serde(default)]
    pub seconds: u64,
}

#[derive(Debug, Serialize)]
pub struct ClockState {
    /// The sandbox's current time, `yyyyMMdd HH:mm:ss` UTC.
    pub now: String,
}

/// Advances the clock and charges any recurring installment now due.
pub async fn advance_clock(
    State(state): State<Arc<SandboxState>>,
    Json(advance): Json<Advance>,
) -> Json<ClockState> {
    let by = Duration::from_secs(
        advance
            .days
            .saturating_mul(86_400)
            .saturating_add(advance.seconds),
    );
    let now = state.clock.advance(by);
    lock(&state.ledger).run_due(now);
    tracing::info!(now = gateway_time(now), "clock advanced");
    Json(ClockState {
        now: gateway_time(now),
    })
}

#[derive(Debug, Deserialize)]
pub struct SeriesChange {
    /// Decline this installment (2 or later) when it comes due.
    #[serde(default)]
    pub decline: Option<u16>,
    /// Cancel the series from the gateway's side, as its back office can.
    #[serde(default)]
    pub cancel: bool,
}

/// Changes a recurring series the way the issuer or the gateway's back office would.
pub async fn change_series(
    State(state): State<Arc<SandboxState>>,
    axum::extract::Path(id): axum::extract::Path<String>,
    Json(change): Json<SeriesChange>,
) -> StatusCode {
    let mut ledger = lock(&state.ledger);
    let Some(series) = ledger.series_mut(&id) else {
        return StatusCode::NOT_FOUND;
    };
    if let Some(n) = change.decline {
        series.declines.insert(n);
    }
    if change.cancel {
        series.cancelled = true;
    }
    tracing::info!(series = %id, ?change, "series changed");
    StatusCode::NO_CONTENT
}

pub async fn get_clock(State(state): State<Arc<SandboxState>>) -> Json<ClockState> {
    Json(ClockState {
        now: gateway_time(state.clock.now()),
    })
}

pub async fn reset(State(state): State<Arc<SandboxState>>) -> StatusCode {
    state.reset();
    tracing::info!("sandbox reset");
    StatusCode::NO_CONTENT
}
