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

/// What the audit trail and the session list record about the request: the peer IP
/// (as [`client_ip`]), the user agent (shortened) and the request id.
pub async fn facts() -> platform::audit::RequestFacts {
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.unwrap_or_default();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    platform::audit::RequestFacts {
        ip: Some(client_ip().await),
        user_agent: header("user-agent").map(|agent| agent.chars().take(200).collect()).filter(|a: &String| !a.is_empty()),
        request_id: header("x-request-id"),
    }
}
