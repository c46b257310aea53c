//! Facts about the current request, for server functions.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;

/// The peer's IP address as the key for per-client limits. The peer address is used as
/// it is: a deployment behind a proxy must pass the client address through to it (no
/// `X-Forwarded-For` is trusted here, since anyone can send one).
pub async fn client_ip() -> String {
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        // Only a server started without connect info gets here; all such clients share one key.
        Err(_) => "unknown".to_owned(),
    }
}

/// The browser's own description, shortened, for the list of active sessions.
pub async fn user_agent() -> String {
    let agent = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| headers.get(axum::http::header::USER_AGENT)?.to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    agent.chars().take(200).collect()
}

/// What the audit trail records about the request: peer IP, user agent and request id.
pub async fn facts() -> platform::audit::RequestFacts {
    let request_id = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| headers.get("x-request-id")?.to_str().ok().map(str::to_owned));
    platform::audit::RequestFacts {
        ip: Some(client_ip().await),
        user_agent: Some(user_agent().await).filter(|agent| !agent.is_empty()),
        request_id,
    }
}
