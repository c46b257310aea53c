//! `/v1/webhook_endpoints`: where the merchant's events are posted, per mode; the signing
//! secret is answered once, when it is made or rotated.

use axum::Json;
use axum::extract::{Extension, Path, State};
use domain::EventType;
use domain::public_id::Kind;
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::{List, ReadError};
use platform::webhooks::WebhookError;
use platform::webhooks::endpoints::{self, Change, Endpoint, NewEndpoint};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;
use super::json::ApiJson;

const TAG: &str = "Webhook endpoints";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = WebhookEndpoint)]
pub struct WebhookEndpointObject {
    /// `we_…`
    pub id: String,
    /// Always `webhook_endpoint`.
    pub object: &'static str,
    pub livemode: bool,
    pub url: String,
    pub description: String,
    /// The event types posted to it; `["*"]` for all.
    pub enabled_events: Vec<String>,
    /// `enabled` or `disabled`.
    pub status: &'static str,
    /// Why it is disabled: `failing` (deliveries failed for days) or `merchant`.
    pub disabled_reason: Option<String>,
    /// `whsec_…`: only in the answer that made or rotated it.
    pub secret: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
}

fn object(endpoint: Endpoint, secret: Option<String>) -> WebhookEndpointObject {
    WebhookEndpointObject {
        id: endpoint.public_id(),
        object: "webhook_endpoint",
        livemode: endpoint.mode == domain::Mode::Live,
        url: endpoint.url,
        description: endpoint.description,
        enabled_events: match endpoint.event_types {
            None => vec!["*".to_owned()],
            Some(types) => types.iter().map(|t| t.as_str().to_owned()).collect(),
        },
        status: if endpoint.enabled {
            "enabled"
        } else {
            "disabled"
        },
        disabled_reason: endpoint.disabled_reason,
        secret,
        created: endpoint.created_at,
    }
}

/// `["*"]` or a list of event types, as the body gives them.
fn event_types(types: Option<Vec<String>>) -> Result<Option<Vec<EventType>>, ApiError> {
    match types {
        None => Ok(None),
        Some(types) if types.iter().any(|t| t == "*") => Ok(None),
        Some(types) => types
            .iter()
            .map(|t| t.parse::<EventType>())
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
            .map_err(|_| ApiError::invalid("enabled_events", "No such event type.")),
    }
}

impl From<WebhookError> for ApiError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::NotFound => ApiError::not_found(),
            WebhookError::Invalid { field, message } => ApiError::invalid(
                if field == "event_types" {
                    "enabled_events"
                } else {
                    field
                },
                message,
            ),
            WebhookError::Refused(_) => ApiError::invalid(
                "url",
                "The address resolves to a private, local or reserved network; endpoints must be public.",
            ),
            WebhookError::LiveNotAllowed => ApiError::new(
                http::StatusCode::FORBIDDEN,
                super::error::ErrorType::PermissionError,
                "live_mode_not_allowed",
                "Live Mode is open only to verified merchants that are not suspended.",
            ),
            WebhookError::Disabled => {
                ApiError::invalid("status", "The endpoint is disabled; enable it first.")
            }
            error => {
                tracing::error!(%error, "merchant API: webhook endpoint operation failed");
                ApiError::internal()
            }
        }
    }
}

/// A read's not-found as the API's objects read.
fn read<T>(result: Result<T, WebhookError>) -> Result<Result<T, ReadError>, ApiError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(WebhookError::NotFound) => Ok(Err(ReadError::NotFound)),
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpoint {
    /// https:// (any http(s) address in Test Mode); it must resolve to public addresses.
    pub url: String,
    /// Event types, or `["*"]` (the default) for all.
    pub enabled_events: Option<Vec<String>>,
    pub description: Option<String>,
}

#[utoipa::path(post, path = "/webhook_endpoints", tag = TAG,
    request_body = CreateWebhookEndpoint,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses(
        (status = 200, description = "The endpoint, with its `secret` (shown this once).", body = WebhookEndpointObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<CreateWebhookEndpoint>,
) -> Result<Json<WebhookEndpointObject>, ApiError> {
    caller
        .require(&platform, Resource::WebhookEndpoints, Access::Write)
        .await?;
    let new = NewEndpoint {
        url: body.url,
        event_types: event_types(body.enabled_events)?,
        description: body.description.unwrap_or_default(),
    };
    let created = endpoints::create(
        &platform,
        &caller.scope(),
        caller.mode(),
        &new,
        &caller.facts,
    )
    .await?;
    let secret = created.secret.expose_secret().to_owned();
    Ok(Json(object(created.endpoint, Some(secret))))
}

#[utoipa::path(get, path = "/webhook_endpoints", tag = TAG,
    responses(
        (status = 200, description = "Every endpoint of the key's mode, oldest first.", body = List<WebhookEndpointObject>),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<List<WebhookEndpointObject>>, ApiError> {
    caller
        .require(&platform, Resource::WebhookEndpoints, Access::Read)
        .await?;
    let all = endpoints::list(&platform.pool, &caller.scope(), caller.mode()).await?;
    Ok(Json(List {
        object: "list",
        data: all.into_iter().map(|e| object(e, None)).collect(),
        has_more: false,
        url: "/v1/webhook_endpoints".to_owned(),
    }))
}

#[utoipa::path(get, path = "/webhook_endpoints/{id}", tag = TAG,
    params(("id" = String, Path, description = "`we_…`")),
    responses(
        (status = 200, description = "The endpoint.", body = WebhookEndpointObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<WebhookEndpointObject>, ApiError> {
    caller
        .require(&platform, Resource::WebhookEndpoints, Access::Read)
        .await?;
    let found = read(endpoints::get(&platform.pool, &caller.scope(), caller.mode(), &id).await)?;
    let endpoint = caller
        .found(&platform, Kind::WebhookEndpoint, &id, found)
        .await?;
    Ok(Json(object(endpoint, None)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookEndpoint {
    pub url: Option<String>,
    pub enabled_events: Option<Vec<String>>,
    pub description: Option<String>,
    /// `false` stops deliveries; `true` starts them again (after the worker disabled it too).
    pub enabled: Option<bool>,
}

#[utoipa::path(post, path = "/webhook_endpoints/{id}", tag = TAG,
    request_body = UpdateWebhookEndpoint,
    params(("id" = String, Path, description = "`we_…`")),
    responses(
        (status = 200, description = "The endpoint as changed.", body = WebhookEndpointObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateWebhookEndpoint>,
) -> Result<Json<WebhookEndpointObject>, ApiError> {
    caller
        .require(&platform, Resource::WebhookEndpoints, Access::Write)
        .await?;
    let change = Change {
        url: body.url,
        event_types: body
            .enabled_events
            .map(|t| event_types(Some(t)))
            .transpose()?,
        description: body.description,
        enabled: body.enabled,
    };
    let scope = caller.scope();
    let found = read(
        endpoints::update(
            &platform,
            &scope,
            caller.mode(),
            &id,
            &change,
            &caller.facts,
        )
        .await,
    )?;
    let endpoint = caller
        .found(&platform, Kind::WebhookEndpoint, &id, found)
        .await?;
    Ok(Json(object(endpoint, None)))
}

#[utoipa::path(delete, path = "/webhook_endpoints/{id}", tag = TAG,
    params(("id" = String, Path, description = "`we_…`")),
    responses(
        (status = 200, description = "Deleted: `{\"id\": …, \"object\": \"webhook_endpoint\", \"deleted\": true}`."),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn delete(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller
        .require(&platform, Resource::WebhookEndpoints, Access::Write)
        .await?;
    let scope = caller.scope();
    let found =
        read(endpoints::delete(&platform, &scope, caller.mode(), &id, &caller.facts).await)?;
    caller
        .found(&platform, Kind::WebhookEndpoint, &id, found)
        .await?;
    Ok(Json(
        serde_json::json!({ "id": id, "object": "webhook_endpoint", "deleted": true }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// Hours the old secret keeps signing beside the new one: 0 to 168, 24 when left out.
    pub overlap_hours: Option<u32>,
}

#[utoipa::path(post, path = "/webhook_endpoints/{id}/rotate_secret", tag = TAG,
    request_body = RotateSecret,
    params(("id" = String, Path, description = "`we_…`")),
    responses(
        (status = 200, description = "The endpoint with its new `secret` (shown this once).", body = WebhookEndpointObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn rotate_secret(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RotateSecret>,
) -> Result<Json<WebhookEndpointObject>, ApiError> {
    caller
        .require(&platform, Resource::WebhookEndpoints, Access::Write)
        .await?;
    let overlap = body.overlap_hours.map_or(endpoints::DEFAULT_OVERLAP, |h| {
        Duration::hours(i64::from(h))
    });
    let scope = caller.scope();
    let rotated = endpoints::rotate_secret(
        &platform,
        &scope,
        caller.mode(),
        &id,
        overlap,
        &caller.facts,
    )
    .await;
    let secret = caller
        .found(&platform, Kind::WebhookEndpoint, &id, read(rotated)?)
        .await?;
    let endpoint = endpoints::get(&platform.pool, &scope, caller.mode(), &id).await?;
    Ok(Json(object(
        endpoint,
        Some(secret.expose_secret().to_owned()),
    )))
}
