//! The buyer's subscription portal (`platform::subscriptions::portal`), as plain
//! server-rendered pages like the rest of checkout:
//! - `GET /portal/{token}`: the buyer's subscriptions with one merchant; an expired link
//!   offers a fresh one by email;
//! - `POST /portal/{token}/cancel`: cancels one of them, then back to the page (303);
//! - `POST /portal/{token}/renew`: mails a fresh link to the address the link was sent to;
//! - `GET|POST /portal`: asks for links by typing an address, answered the same, and no
//!   sooner than the identity forms' floor, whether or not it has subscriptions.

use app::error::internal;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use platform::Platform;
use platform::payments::PaymentError;
use platform::subscriptions::portal::{self, Opened};
use serde::Deserialize;
use uuid::Uuid;

use super::language;
use super::pages::PortalError;
use super::{error_page, not_found, page, pages};
use crate::facts::Facts;

pub async fn show(State(platform): State<Platform>, Path(token): Path<String>) -> Response {
    match portal::open(&platform.pool, &token).await {
        Ok(Opened::Open(view)) => page(StatusCode::OK, pages::portal(&token, &view, None)),
        Ok(Opened::Expired) => page(StatusCode::GONE, pages::portal_expired(&token)),
        Ok(Opened::NotFound) => not_found(),
        Err(error) => error_page(internal(error)),
    }
}

#[derive(Deserialize)]
pub struct CancelForm {
    subscription: String,
}

pub async fn cancel(
    State(platform): State<Platform>,
    Path(token): Path<String>,
    Facts(facts): Facts,
    Form(form): Form<CancelForm>,
) -> Response {
    let Ok(id) = form.subscription.parse::<Uuid>() else {
        return not_found();
    };
    let failed = match portal::cancel(&platform, &token, id, &facts).await {
        // Back to the page, which shows the subscription cancelled (or being cancelled).
        Ok(_) => return Redirect::to(&format!("/portal/{token}")).into_response(),
        Err(PaymentError::NotFound) => return not_found(),
        Err(PaymentError::SubscriptionOver) => PortalError::AlreadyOver,
        Err(PaymentError::SeriesUnknown | PaymentError::Gateway(_)) => PortalError::NoAnswer,
        Err(error) => return error_page(internal(error)),
    };
    match portal::open(&platform.pool, &token).await {
        Ok(Opened::Open(view)) => page(
            StatusCode::CONFLICT,
            pages::portal(&token, &view, Some(failed)),
        ),
        Ok(_) => not_found(),
        Err(error) => error_page(internal(error)),
    }
}

pub async fn renew(State(platform): State<Platform>, Path(token): Path<String>) -> Response {
    match portal::renew(&platform, &token, language::locale()).await {
        Ok(()) => page(StatusCode::OK, pages::portal_link_sent()),
        Err(error) => error_page(internal(error)),
    }
}

pub async fn request_form() -> Response {
    page(StatusCode::OK, pages::portal_request(false))
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

pub async fn request(
    State(platform): State<Platform>,
    Facts(facts): Facts,
    Form(form): Form<RequestForm>,
) -> Response {
    // Answered no sooner than the identity forms' floor, so that the time taken does not
    // tell an address with subscriptions (links mailed) from one without.
    let floor =
        std::time::Duration::from_millis(platform.config.settings.identity.uniform_answer_ms);
    let deadline = tokio::time::Instant::now() + floor;
    let asked = portal::request(&platform, &form.email, language::locale(), &facts).await;
    tokio::time::sleep_until(deadline).await;
    match asked {
        Ok(()) => page(StatusCode::OK, pages::portal_link_sent()),
        Err(PaymentError::Invalid { .. }) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::portal_request(true),
        ),
        Err(error) => error_page(internal(error)),
    }
}
