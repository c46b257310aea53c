//! The API's JSON body: read whole (within the size limit), parsed strictly (unknown fields
//! are refused), and any failure answered in the API's error shape, naming the field when
//! serde does.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::{ApiError, ErrorType};
use super::idempotency::MAX_BODY;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let body = axum::body::to_bytes(request.into_body(), MAX_BODY)
            .await
            .map_err(|_| body_invalid("The body is too large or could not be read.".into()))?;
        serde_json::from_slice(&body).map(ApiJson).map_err(|error| {
            let message = error.to_string();
            let param = unknown_field(&message);
            let refusal = body_invalid(format!("The body is not valid: {message}."));
            match param {
                Some(param) => refusal.with_param(param),
                None => refusal,
            }
        })
    }
}

fn body_invalid(message: String) -> ApiError {
    ApiError::new(
        http::StatusCode::BAD_REQUEST,
        ErrorType::InvalidRequestError,
        "body_invalid",
        message,
    )
}

/// The field serde named as unknown: "unknown field `foo`, expected …".
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_unknown_field() {
        assert_eq!(
            unknown_field("unknown field `amount_eur`, expected one of `amount`"),
            Some("amount_eur".to_owned())
        );
        assert_eq!(unknown_field("expected value at line 1 column 1"), None);
    }
}
