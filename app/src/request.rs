//! Facts about the current request, for server functions and the server's guards.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use platform::audit::RequestFacts;
use platform::config::Settings;

/// The longest request id kept. Ids are made by the server (a UUID, 36 characters) or by a
/// proxy in front; a longer one is a client's own invention.
pub const REQUEST_ID_MAX: usize = 64;

/// Whether a client-supplied `X-Request-Id` may be kept: at most [`REQUEST_ID_MAX`] of
/// `A-Z a-z 0-9 . _ -`. Anything else is replaced by a generated id (`server::router`):
/// the id goes into logs and audit rows, where an over-long one made the audit row fail
/// (so that client's probes went unrecorded) and odd characters could forge log lines.
pub fn acceptable_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= REQUEST_ID_MAX
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// What the audit trail and the session list record about a request: the client IP (the
/// peer, or what the trusted proxies in front say it is: `platform::client_ip`), the user
/// agent (shortened) and the request id (left out unless acceptable). `peer` is missing only
/// for a server started without connect info; all its clients then share the key "unknown".
pub fn facts_from(settings: &Settings, headers: &HeaderMap, peer: Option<IpAddr>) -> RequestFacts {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let forwarded: Vec<Option<&str>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|line| line.to_str().ok())
        .collect();
    let ip = match peer {
        Some(peer) => {
            platform::client_ip::client_ip(peer, &forwarded, &settings.trusted_proxies).to_string()
        }
        None => "unknown".to_owned(),
    };
    RequestFacts {
        ip: Some(ip),
        user_agent: header("user-agent")
            .map(|agent| agent.chars().take(200).collect())
            .filter(|a: &String| !a.is_empty()),
        request_id: header("x-request-id").filter(|id| acceptable_request_id(id)),
    }
}

/// The current server function's request facts (see [`facts_from`]).
pub async fn facts() -> RequestFacts {
    let platform = leptos::prelude::expect_context::<platform::Platform>();
    let headers = leptos_axum::extract::<HeaderMap>()
        .await
        .unwrap_or_default();
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip());
    facts_from(&platform.config.settings, &headers, peer)
}

/// The key the current client's per-client limits count under: its network
/// (`platform::rate_limit::client_key`).
pub async fn client_key() -> String {
    platform::rate_limit::client_key(&facts().await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_request_ids_are_kept() {
        assert!(acceptable_request_id(
            "0d6c3f7e-2b0e-4a51-9a7c-2f4c5e1d9b11"
        ));
        assert!(acceptable_request_id("lb.edge-7_abc"));
        assert!(acceptable_request_id(&"a".repeat(REQUEST_ID_MAX)));
        assert!(!acceptable_request_id(&"a".repeat(REQUEST_ID_MAX + 1)));
        assert!(!acceptable_request_id(""));
        assert!(!acceptable_request_id("id with spaces"));
        assert!(!acceptable_request_id("id\r\nfake: line"));
        assert!(!acceptable_request_id("ïd"));
    }
}
