use axum::extract::State;
use http::StatusCode;
use platform::db::NotReady;

use crate::AppState;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers and its schema is this build's. A load
/// balancer takes an instance out while this fails and puts it back when it passes.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match platform::db::readiness(&state.platform.pool).await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(NotReady::Unreachable) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
        Err(NotReady::SchemaBehind) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database schema behind this build",
        ),
    }
}
