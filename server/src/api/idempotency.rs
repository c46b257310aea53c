//! `Idempotency-Key` on every POST of the merchant API (persistence:
//! `platform::api::idempotency`): the first answer is kept and a repeat of the same request
//! gets it back with `Idempotent-Replayed: true`; the same key with another request is a
//! 422, and a repeat while the first still runs a 409. Keys are per API key, so per mode.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use platform::Platform;
use platform::api::idempotency::{self, Claim};

use super::auth::Caller;
use super::error::{self, ApiError, ErrorType};

/// The largest body the API reads.
pub const MAX_BODY: usize = 64 * 1024;
/// The largest answer kept (a page of a list is the largest the API makes).
const MAX_ANSWER: usize = 1024 * 1024;

pub async fn layer(State(platform): State<Platform>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get("idempotency-key") else {
        return next.run(request).await;
    };
    let key = match key.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            key.to_owned()
        }
        _ => {
            return ApiError::invalid(
                "Idempotency-Key",
                "An Idempotency-Key is 1 to 255 visible ASCII characters.",
            )
            .into_response();
        }
    };
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return ApiError::internal().into_response();
    };
    let request_id = error::request_id(&request);
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or("", |p| p.as_str())
        .to_owned();
    let digest = idempotency::request_digest(parts.method.as_str(), &path, &body);
    let pool = &platform.pool;
    let key_id = caller.key_id();
    match idempotency::claim(pool, key_id, &key, &digest).await {
        Err(error) => ApiError::from(error).into_response(),
        Ok(Claim::Replay { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = (status, body).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        Ok(Claim::Mismatch) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorType::IdempotencyError,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request.",
        )
        .with_param("Idempotency-Key")
        .into_response(),
        Ok(Claim::InProgress) => ApiError::new(
            StatusCode::CONFLICT,
            ErrorType::IdempotencyError,
            "idempotency_key_in_use",
            "A request with this Idempotency-Key is still running. Retry in a moment.",
        )
        .into_response(),
        Ok(Claim::Run) => {
            let request = Request::from_parts(parts, Body::from(body));
            let response = error::finish(next.run(request).await, request_id.as_deref());
            let status = response.status();
            let (parts, body) = response.into_parts();
            let Ok(body) = to_bytes(body, MAX_ANSWER).await else {
                release(&platform, key_id, &key).await;
                return ApiError::internal().into_response();
            };
            // Saleonix failing or a throttled request is no answer to keep: the retry runs.
            let kept = !(status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS);
            match std::str::from_utf8(&body) {
                Ok(text) if kept => {
                    if let Err(error) =
                        idempotency::complete(pool, key_id, &key, status.as_u16(), text).await
                    {
                        tracing::error!(%error, "storing an idempotent answer failed");
                    }
                }
                _ => release(&platform, key_id, &key).await,
            }
            Response::from_parts(parts, Body::from(body))
        }
    }
}

async fn release(platform: &Platform, key_id: uuid::Uuid, key: &str) {
    if let Err(error) = idempotency::release(&platform.pool, key_id, key).await {
        tracing::error!(%error, "releasing an idempotency key failed");
    }
}
