//! The API's OpenAPI 3.1 description, generated from the handlers' own annotations (the
//! routes and the document come from the same `routes!` calls in [`super::routes`], so
//! neither can name a route the other lacks), served at `/v1/openapi.json`.

use std::sync::Arc;

use axum::Json;
use axum::extract::Extension;
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use super::error::{CODES, ErrorType};

/// `{"error": {...}}`: every failure.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// Stable; see the list in the API's description.
    pub code: String,
    /// For people; may change.
    pub message: String,
    /// The parameter or field at fault, when there is one.
    pub param: Option<String>,
    /// Quote it when you write to us.
    pub request_id: Option<String>,
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Saleonix API",
        version = "1",
        description = "Create checkout sessions, read payments, make refunds, and read your balance and payouts for your Saleonix account.\n\n\
            Authenticate with a secret key as `Authorization: Bearer sk_test_…` (Test Mode) or `sk_live_…` (Live Mode): \
            a key reaches only its own mode's objects. Amounts are integers in minor units (cents) with an ISO 4217 currency; \
            times are RFC 3339; ids carry their kind as a prefix (`cs_`, `pay_`, `re_`, `prod_`, `po_`). Every POST accepts an \
            `Idempotency-Key`. Lists are newest first and paged with `limit`, `starting_after` and `ending_before`. \
            Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`."
    ),
    modifiers(&Security),
    security(("secret_key" = [])),
    components(schemas(ErrorBody, ErrorDetail, ErrorType)),
)]
pub struct ApiDoc;

/// The bearer scheme, the error codes in the description, no licence.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // utoipa takes the licence from Cargo.toml, where it is `UNLICENSED`: no licence
        // the document could name.
        openapi.info.license = None;
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "secret_key",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
        let codes: String = CODES
            .iter()
            .map(|(code, meaning)| format!("\n- `{code}`: {meaning}"))
            .collect();
        if let Some(description) = openapi.info.description.as_mut() {
            description.push_str("\n\nError codes:");
            description.push_str(&codes);
        }
    }
}

/// The document as served; made once when the router is built.
#[derive(Clone)]
pub struct Document(pub Arc<serde_json::Value>);

#[utoipa::path(get, path = "/openapi.json", tag = "Reference", security(()),
    responses((status = 200, description = "This document.", content_type = "application/json")))]
pub async fn openapi_json(Extension(document): Extension<Document>) -> Json<serde_json::Value> {
    Json((*document.0).clone())
}
