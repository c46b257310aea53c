//! The one shape of every failure of the merchant API:
//! `{"error": {"type", "code", "message", "param", "request_id"}}`, with the HTTP status
//! its type implies. Handlers and layers return an [`ApiError`]; [`render`] (the API's
//! outermost layer) writes it with the request's id, and turns axum's own refusals (an
//! unknown route, a wrong method, an oversized body) into the same shape. Codes are stable
//! and documented ([`CODES`]); messages never carry an internal detail.

use std::borrow::Cow;
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

/// The kinds of failure, as Stripe's developers know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// No key, an unknown key, or one revoked or expired: 401.
    AuthenticationError,
    /// The key may not do this: 403.
    PermissionError,
    /// The request is wrong: 400, 404 or 409, `param` names the field when there is one.
    InvalidRequestError,
    /// An `Idempotency-Key` reused with another request (422) or still running (409).
    IdempotencyError,
    /// Too many requests for this key: 429 with `Retry-After`.
    RateLimitError,
    /// Saleonix or the gateway failed: 500 or 502; safe to retry with the same idempotency key.
    ApiError,
}

/// Every code the API answers with, and what it means: the reference page and the
/// README list these.
pub const CODES: &[(&str, &str)] = &[
    (
        "api_key_missing",
        "No key: send it as `Authorization: Bearer sk_…`.",
    ),
    ("api_key_invalid", "The key is not a Saleonix key."),
    (
        "api_key_expired",
        "The key was revoked, or rolled and its overlap is over.",
    ),
    (
        "api_key_in_query",
        "A key was sent in the query string; it is refused there, send it in the Authorization header and roll it.",
    ),
    (
        "live_mode_not_allowed",
        "The merchant is not allowed Live Mode now (not verified, or suspended).",
    ),
    (
        "merchant_closed",
        "The merchant has closed its account and takes no payments.",
    ),
    (
        "permission_denied",
        "The key's permissions do not reach this resource at this level.",
    ),
    (
        "resource_missing",
        "No such object for this key's merchant and mode, or no such route.",
    ),
    ("method_not_allowed", "The route does not take this method."),
    (
        "parameter_invalid",
        "A parameter is malformed or out of range; `param` names it.",
    ),
    (
        "body_invalid",
        "The body is not the JSON object this route takes (malformed, or with unknown fields).",
    ),
    (
        "checkout_session_paid",
        "The checkout session is already paid.",
    ),
    (
        "checkout_session_expired",
        "The checkout session has expired.",
    ),
    (
        "payment_not_refundable",
        "Only a paid payment can be refunded.",
    ),
    (
        "refund_exceeds_remaining",
        "The refund is more than what is left to refund.",
    ),
    (
        "refund_in_progress",
        "Another refund of this payment is waiting for the gateway's answer; try again later.",
    ),
    (
        "subscription_not_running",
        "The subscription is already cancelled or ended.",
    ),
    (
        "subscription_series_unknown",
        "The gateway has not yet confirmed the subscription's series; try again in a few minutes.",
    ),
    (
        "idempotency_key_reused",
        "The Idempotency-Key was used with a different request.",
    ),
    (
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still running; retry later.",
    ),
    (
        "rate_limited",
        "Too many requests for this key; wait `Retry-After` seconds.",
    ),
    (
        "gateway_unavailable",
        "The payment gateway is not reachable now; retry later.",
    ),
    (
        "internal_error",
        "Saleonix failed; retry later with the same Idempotency-Key.",
    ),
];

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: ErrorType,
    code: &'static str,
    message: Cow<'static, str>,
    param: Option<Cow<'static, str>>,
    retry_after: Option<Duration>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: ErrorType,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            kind,
            code,
            message: message.into(),
            param: None,
            retry_after: None,
        }
    }

    pub fn with_param(mut self, param: impl Into<Cow<'static, str>>) -> Self {
        self.param = Some(param.into());
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn invalid(
        param: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorType::InvalidRequestError,
            "parameter_invalid",
            message,
        )
        .with_param(param)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorType::InvalidRequestError,
            "resource_missing",
            "No such object.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorType::ApiError,
            "internal_error",
            "Saleonix could not complete the request. Retry later with the same Idempotency-Key.",
        )
    }

    pub fn rate_limited(retry_after: Duration) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorType::RateLimitError,
                "rate_limited",
                "Too many requests for this key. Wait before retrying.",
            )
        }
    }

    /// The JSON body, with the request's id.
    pub fn body(&self, request_id: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "type": self.kind,
                "code": self.code,
                "message": self.message,
                "param": self.param,
                "request_id": request_id,
            }
        })
    }
}

/// The error travels to [`render`] in the response's extensions.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// A database failure is logged with its cause and answered without it.
impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "merchant API: database error");
        ApiError::internal()
    }
}

impl From<platform::api::ReadError> for ApiError {
    fn from(error: platform::api::ReadError) -> Self {
        use platform::api::ReadError;
        match error {
            ReadError::Invalid { param, message } => ApiError::invalid(param, message),
            ReadError::NotFound => ApiError::not_found(),
            ReadError::Database(error) => error.into(),
        }
    }
}

impl From<platform::payments::PaymentError> for ApiError {
    fn from(error: platform::payments::PaymentError) -> Self {
        use platform::payments::PaymentError;
        let conflict = |code, message: String| {
            ApiError::new(
                StatusCode::CONFLICT,
                ErrorType::InvalidRequestError,
                code,
                message,
            )
        };
        match error {
            PaymentError::NotFound => ApiError::not_found(),
            PaymentError::Invalid { field, message } => ApiError::invalid(field, message),
            PaymentError::LiveNotAllowed => ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorType::PermissionError,
                "live_mode_not_allowed",
                error.to_string(),
            ),
            PaymentError::MerchantClosed => ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorType::PermissionError,
                "merchant_closed",
                error.to_string(),
            ),
            PaymentError::SessionPaid => conflict("checkout_session_paid", error.to_string()),
            PaymentError::SessionExpired => conflict("checkout_session_expired", error.to_string()),
            PaymentError::NotRefundable => conflict("payment_not_refundable", error.to_string()),
            PaymentError::RefundExceeds { .. } => ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorType::InvalidRequestError,
                "refund_exceeds_remaining",
                error.to_string(),
            )
            .with_param("amount"),
            PaymentError::RefundInProgress => conflict("refund_in_progress", error.to_string()),
            PaymentError::SubscriptionOver => {
                conflict("subscription_not_running", error.to_string())
            }
            PaymentError::SeriesUnknown => {
                conflict("subscription_series_unknown", error.to_string())
            }
            // The gateway refused or did not answer; nothing changed, and a retry is safe.
            PaymentError::Gateway(error) => {
                tracing::warn!(%error, "merchant API: the gateway did not do it");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    ErrorType::ApiError,
                    "gateway_unavailable",
                    "The payment gateway did not answer or refused; nothing was changed. Retry later.",
                )
            }
            PaymentError::NoGatewayAccount(_) | PaymentError::GatewayMisconfigured(_) => {
                tracing::error!(%error, "merchant API: gateway not set up");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    ErrorType::ApiError,
                    "gateway_unavailable",
                    "The payment gateway is not reachable now. Retry later.",
                )
            }
            error => {
                tracing::error!(%error, "merchant API: payment operation failed");
                ApiError::internal()
            }
        }
    }
}

/// The API's outermost layer: every failure leaves in the one shape, with the request's id,
/// and every answer is `no-store` (the security headers layer says so too; an API answer
/// must never be cached even if that layer changes).
pub async fn render(request: Request, next: Next) -> Response {
    let request_id = request_id(&request);
    let mut response = finish(next.run(request).await, request_id.as_deref());
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub fn request_id(request: &Request) -> Option<String> {
    request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The response with its failure written out: an [`ApiError`] in its extensions, or a
/// refusal of axum's own (an unknown route, a wrong method, an unreadable body) before any
/// handler ran. A JSON answer is left as it is (a stored answer replayed among them).
pub fn finish(mut response: Response, request_id: Option<&str>) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let error = response.extensions_mut().remove::<ApiError>().or_else(|| {
        let refused = (status.is_client_error() || status.is_server_error()) && !is_json;
        refused.then(|| match status {
            StatusCode::NOT_FOUND => ApiError::new(
                status,
                ErrorType::InvalidRequestError,
                "resource_missing",
                "No such route. See /v1/openapi.json.",
            ),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                ErrorType::InvalidRequestError,
                "method_not_allowed",
                "This route does not take this method.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                status,
                ErrorType::InvalidRequestError,
                "body_invalid",
                "The body is too large.",
            ),
            status if status.is_client_error() => ApiError::new(
                status,
                ErrorType::InvalidRequestError,
                "body_invalid",
                "The request could not be read.",
            ),
            _ => ApiError::internal(),
        })
    });
    let Some(error) = error else {
        return response;
    };
    let mut rendered = (error.status, axum::Json(error.body(request_id))).into_response();
    if let Some(wait) = error.retry_after {
        rendered.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(wait.as_secs().max(1)),
        );
    }
    // Headers set on the way (the rate limits) stay.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}
