//! Facts about the current request, for server functions.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;

/// The client's IP address (the key for per-client limits): the peer, or what the trusted
/// proxies in front say it is (`platform::client_ip`, `trusted_proxies` setting).
pub async fn client_ip() -> String {
    let platform = leptos::prelude::expect_context::<platform::Platform>();
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.unwrap_or_default();
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => {
            let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
            platform::client_ip::client_ip(addr.ip(), forwarded, &platform.config.settings.trusted_proxies).to_string()
        }
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
