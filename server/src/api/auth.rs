//! Who calls the merchant API: a secret key in `Authorization: Bearer`, checked before any
//! handler runs, and counted against the key's rate limits.
//!
//! A key in the query string is refused (it would be in every proxy's and browser's
//! history); a revoked or expired key, a Live key of a merchant no longer allowed Live
//! Mode, and a missing permission are refused and audited with the key as actor.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use platform::Platform;
use platform::api::keys::{self, Access, AuthenticatedKey, Refused, Resource};
use platform::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use platform::config::LimitRule;
use platform::identity::roles::MerchantScope;
use platform::payments::Mode;
use platform::rate_limit::{self, Limit};

use super::error::{ApiError, ErrorType};

/// The key that authenticated the request and the request's facts, for the handlers.
#[derive(Debug, Clone)]
pub struct Caller {
    key: AuthenticatedKey,
    pub facts: RequestFacts,
}

impl Caller {
    pub fn scope(&self) -> MerchantScope {
        self.key.scope()
    }

    pub fn mode(&self) -> Mode {
        self.key.mode()
    }

    pub fn key_id(&self) -> uuid::Uuid {
        self.key.id()
    }

    fn actor(&self) -> Actor {
        self.scope().actor()
    }

    /// `Ok` when the key's permissions reach `resource` at `access`; otherwise a 403,
    /// recorded in the audit trail.
    pub async fn require(
        &self,
        platform: &Platform,
        resource: Resource,
        access: Access,
    ) -> Result<(), ApiError> {
        if self.key.permissions().allows(resource, access) {
            return Ok(());
        }
        let event = Event::new("api.permission_denied", self.actor(), Outcome::Denied)
            .merchant(self.key.merchant_id())
            .detail(serde_json::json!({
                "resource": resource.as_str(),
                "access": access.as_str(),
            }));
        record(platform, &event, &self.facts).await;
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorType::PermissionError,
            "permission_denied",
            format!(
                "This key cannot {} {}.",
                match access {
                    Access::Read => "read",
                    Access::Write => "write",
                },
                resource.as_str()
            ),
        ))
    }

    /// The object a read found, or the not-found answer for `id`; when the id is the
    /// merchant's own object in the other mode, the attempt is audited (a Test key
    /// reaching for Live objects).
    pub async fn found<T>(
        &self,
        platform: &Platform,
        kind: domain::public_id::Kind,
        id: &str,
        read: Result<T, platform::api::ReadError>,
    ) -> Result<T, ApiError> {
        match read {
            Ok(object) => Ok(object),
            Err(platform::api::ReadError::NotFound) => Err(self.missing(platform, kind, id).await),
            Err(error) => Err(error.into()),
        }
    }

    /// The not-found answer for an id of `kind`, audited as [`Caller::found`] says.
    pub async fn missing(
        &self,
        platform: &Platform,
        kind: domain::public_id::Kind,
        id: &str,
    ) -> ApiError {
        let scope = self.scope();
        match platform::api::in_other_mode(&platform.pool, &scope, self.mode(), kind, id).await {
            Ok(true) => {
                let event = Event::new("api.wrong_mode", self.actor(), Outcome::Denied)
                    .merchant(self.key.merchant_id())
                    .target(kind.prefix(), id.chars().take(80).collect::<String>());
                record(platform, &event, &self.facts).await;
                ApiError::not_found()
            }
            Ok(false) => ApiError::not_found(),
            Err(error) => error.into(),
        }
    }
}

async fn record(platform: &Platform, event: &Event, facts: &RequestFacts) {
    if let Err(error) = audit::record_alone(&platform.pool, event, facts).await {
        tracing::error!(%error, "recording a refused API request failed");
    }
}

fn unauthenticated(code: &'static str, message: &'static str) -> Response {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorType::AuthenticationError,
        code,
        message,
    )
    .into_response()
}

/// Paths anyone may read: the API's own description.
const OPEN_PATHS: &[&str] = &["/v1/openapi.json"];

pub async fn authenticate(
    State(platform): State<Platform>,
    mut request: Request,
    next: Next,
) -> Response {
    if OPEN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let facts = app::request::facts_from(&platform.config.settings, request.headers(), peer);
    let query = request.uri().query().unwrap_or_default();
    if query.contains("sk_test_") || query.contains("sk_live_") {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequestError,
            "api_key_in_query",
            "API keys are refused in the query string: send the key as `Authorization: Bearer sk_…`, and roll it, since it may now be in logs.",
        )
        .into_response();
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(presented) = presented else {
        return unauthenticated(
            "api_key_missing",
            "No API key: send it as `Authorization: Bearer sk_…`.",
        );
    };
    let key = match keys::authenticate(&platform.pool, presented, facts.ip.as_deref()).await {
        Ok(Ok(key)) => key,
        Ok(Err(Refused::Unknown)) => {
            return unauthenticated("api_key_invalid", "This is not a valid Saleonix API key.");
        }
        Ok(Err(Refused::Ended {
            key_id,
            merchant_id,
        })) => {
            refused(&platform, "api.key_expired", key_id, merchant_id, &facts).await;
            return unauthenticated(
                "api_key_expired",
                "This API key was revoked or has expired.",
            );
        }
        Ok(Err(Refused::LiveNotAllowed {
            key_id,
            merchant_id,
        })) => {
            refused(
                &platform,
                "api.live_not_allowed",
                key_id,
                merchant_id,
                &facts,
            )
            .await;
            return ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorType::PermissionError,
                "live_mode_not_allowed",
                "Live Mode is open only to verified merchants that are not suspended.",
            )
            .into_response();
        }
        Err(error) => return ApiError::from(error).into_response(),
    };
    let write = !matches!(*request.method(), Method::GET | Method::HEAD);
    let (bucket, rule) = limit(&platform.config.settings.rate_limits, key.mode(), write);
    let counted = rate_limit::count(
        &platform.pool,
        Limit::new(bucket, rule),
        &key.id().to_string(),
    )
    .await;
    let count = match counted {
        Ok(count) => count,
        Err(error) => return ApiError::from(error).into_response(),
    };
    let remaining = rule.max.saturating_sub(count.hits);
    let reset = count.window_left.as_secs().max(1);
    let mut response = if count.hits > rule.max {
        ApiError::rate_limited(count.window_left).into_response()
    } else {
        request.extensions_mut().insert(Caller { key, facts });
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert("ratelimit-limit", HeaderValue::from(rule.max));
    headers.insert("ratelimit-remaining", HeaderValue::from(remaining));
    headers.insert("ratelimit-reset", HeaderValue::from(reset));
    response
}

/// The key's limit for a read or a write in its mode.
fn limit(
    limits: &platform::config::RateLimits,
    mode: Mode,
    write: bool,
) -> (&'static str, LimitRule) {
    match (mode, write) {
        (Mode::Test, false) => ("api-read-test", limits.api_read_test),
        (Mode::Test, true) => ("api-write-test", limits.api_write_test),
        (Mode::Live, false) => ("api-read-live", limits.api_read_live),
        (Mode::Live, true) => ("api-write-live", limits.api_write_live),
    }
}

async fn refused(
    platform: &Platform,
    event_type: &'static str,
    key_id: uuid::Uuid,
    merchant_id: domain::MerchantId,
    facts: &RequestFacts,
) {
    let actor = Actor {
        kind: ActorKind::ApiKey,
        id: Some(key_id),
    };
    let event = Event::new(event_type, actor, Outcome::Denied).merchant(merchant_id);
    record(platform, &event, facts).await;
}
