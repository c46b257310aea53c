//! The merchant REST API under `/v1` (issue 21): JSON, authenticated by a secret key per
//! merchant and mode, with one error shape, idempotent POSTs, per-key rate limits and an
//! OpenAPI 3.1 description generated from these handlers. The handlers act through the
//! same platform functions as the dashboard.
//!
//! Layers, outermost first: [`error::render`] (the error shape with the request id,
//! `no-store`), [`auth::authenticate`] (the key, its rate limit), [`idempotency::layer`].

pub mod auth;
pub mod balance;
pub mod checkout_sessions;
pub mod docs;
pub mod dunning_schedule;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod json;
pub mod payment_links;
pub mod payments;
pub mod payouts;
pub mod plans;
pub mod products;
pub mod refunds;
pub mod subscriptions;
pub mod webhook_endpoints;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use platform::Platform;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The currency a body names (`param` is where), `EUR` when it names none. Any ISO code
/// is read; the platform's own checks then say which it takes.
pub(crate) fn currency(
    param: &'static str,
    code: Option<&str>,
) -> Result<domain::Currency, error::ApiError> {
    match code {
        None => Ok(domain::Currency::Eur),
        Some(code) => domain::Currency::from_alpha(code)
            .ok_or_else(|| error::ApiError::invalid(param, "Only EUR is accepted.")),
    }
}

/// The routes and their description, from the same list.
pub fn described() -> (Router<Platform>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(docs::openapi_json))
        .routes(routes!(checkout_sessions::create, checkout_sessions::list))
        .routes(routes!(checkout_sessions::retrieve))
        .routes(routes!(checkout_sessions::expire))
        .routes(routes!(payments::list))
        .routes(routes!(payments::retrieve))
        .routes(routes!(refunds::create, refunds::list))
        .routes(routes!(refunds::retrieve))
        .routes(routes!(products::create, products::list))
        .routes(routes!(products::retrieve))
        .routes(routes!(products::archive))
        .routes(routes!(payment_links::create, payment_links::list))
        .routes(routes!(payment_links::retrieve))
        .routes(routes!(payment_links::archive))
        .routes(routes!(balance::retrieve))
        .routes(routes!(payouts::list))
        .routes(routes!(payouts::retrieve))
        .routes(routes!(plans::create, plans::list))
        .routes(routes!(plans::retrieve))
        .routes(routes!(subscriptions::list))
        .routes(routes!(subscriptions::retrieve, subscriptions::update))
        .routes(routes!(subscriptions::cancel))
        .routes(routes!(
            dunning_schedule::retrieve,
            dunning_schedule::update
        ))
        .routes(routes!(events::list))
        .routes(routes!(events::retrieve))
        .routes(routes!(webhook_endpoints::create, webhook_endpoints::list))
        .routes(routes!(
            webhook_endpoints::retrieve,
            webhook_endpoints::update,
            webhook_endpoints::delete
        ))
        .routes(routes!(webhook_endpoints::rotate_secret))
        .fallback(|| async { error::ApiError::not_found().into_response() });
    // The document's own parts (title, description, security) are the outer router's: a
    // nested router gives only its paths and schemas.
    OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .nest("/v1", v1)
        .split_for_parts()
}

/// The API, ready to merge into the application (whatever state the rest of it uses).
pub fn routes<S: Clone + Send + Sync + 'static>(platform: Platform) -> Router<S> {
    let (router, document) = described();
    let document = serde_json::to_value(&document).unwrap_or_default();
    router
        .layer(axum::middleware::from_fn_with_state(
            platform.clone(),
            idempotency::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            platform.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn(error::render))
        .layer(DefaultBodyLimit::max(idempotency::MAX_BODY))
        .layer(axum::Extension(docs::Document(Arc::new(document))))
        .with_state(platform)
}
