//! The request's facts for the audit trail and the limits, as an axum extractor for the
//! plain routes (the buyer's checkout pages, KYC files): the client's address (through
//! trusted proxies), user agent and request id. Server functions read the same facts
//! through `app::request::facts`.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use platform::Platform;
use platform::audit::RequestFacts;

pub struct Facts(pub RequestFacts);

impl FromRequestParts<Platform> for Facts {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        platform: &Platform,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(Facts(app::request::facts_from(
            &platform.config.settings,
            &parts.headers,
            peer,
        )))
    }
}
