//! Facts about the current request, for server functions and the server's guards.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use platform::audit::RequestFacts;
use platform::config::Settings;

/// What the audit trail and the session list record about a request: the client IP (the
/// peer, or what the trusted proxies in front say it is: `platform::client_ip`), the user
/// agent (shortened) and the request id. `peer` is missing only for a server started
/// without connect info; all its clients then share the key "unknown".
pub fn facts_from(settings: &Settings, headers: &HeaderMap, peer: Option<IpAddr>) -> RequestFacts {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let forwarded = header("x-forwarded-for");
    let ip = match peer {
        Some(peer) => platform::client_ip::client_ip(peer, forwarded.as_deref(), &settings.trusted_proxies).to_string(),
        None => "unknown".to_owned(),
    };
    RequestFacts {
        ip: Some(ip),
        user_agent: header("user-agent").map(|agent| agent.chars().take(200).collect()).filter(|a: &String| !a.is_empty()),
        request_id: header("x-request-id"),
    }
}

/// The current server function's request facts (see [`facts_from`]).
pub async fn facts() -> RequestFacts {
    let platform = leptos::prelude::expect_context::<platform::Platform>();
    let headers = leptos_axum::extract::<HeaderMap>().await.unwrap_or_default();
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await.ok().map(|ConnectInfo(addr)| addr.ip());
    facts_from(&platform.config.settings, &headers, peer)
}

/// The client's IP address, the key for per-client limits.
pub async fn client_ip() -> String {
    facts().await.ip.unwrap_or_default()
}
