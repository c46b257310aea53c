//! The buyer's side of checkout, as plain server-rendered pages (see [`pages`]):
//! - `GET /pay/{token}`: a checkout session (`cs_…`) or payment link (`pl_…`);
//! - `POST /pay/{token}`: Pay. Rate-limited (`pay_limits`: per client, checkout and link);
//!   makes the attempt and answers with the form that posts the buyer's browser to the gateway;
//! - `GET|POST /pay/return`: the buyer's browser back from the gateway;
//! - `POST /pay/callback`: the gateway's server-to-server notification. A verified one is
//!   never rate-limited, so no notification is dropped; it answers `Approved` once handled;
//! - refused returns and callbacks are counted per client address (`GATEWAY_REFUSALS_PER_IP`)
//!   and answered 429 past the limit; only the first of a window and the window's count are
//!   audited (`platform::payments::refusals`);
//! - `GET /pay/result/{order}` and `GET /pay/receipt/{order}`;
//! - the buyer's subscription portal under `/portal` ([`portal`]);
//! - `GET /accessibility`: the accessibility statement, in the buyer's language.
//!
//! The return and the callback come from the gateway's origin, so the CSRF layer lets
//! these two paths through: their ver3 hash, checked with the payment's own account, is
//! what authenticates them.

mod language;
pub mod pages;
mod portal;

use app::error::{AppError, internal};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use platform::Platform;
use platform::audit::RequestFacts;
use platform::payments::gateway_results::{self, Channel, Handled};
use platform::payments::{PaymentError, attempts, pay_limits, receipts, sessions};
use serde::Deserialize;

use crate::facts::Facts;
use crate::security_headers::CspNonce;
use pages::Message;

/// Paths the CSRF layer lets through from other origins (see the module documentation).
pub const GATEWAY_PATHS: [&str; 2] = [attempts::RETURN_PATH, attempts::CALLBACK_PATH];

/// The buyer's routes, each answered in the buyer's language ([`language`]); `secure`
/// makes the language cookie `Secure` (an HTTPS public URL).
pub fn routes(secure: bool) -> Router<Platform> {
    Router::new()
        .route(
            "/pay/return",
            get(browser_return_get).post(browser_return_post),
        )
        .route("/pay/callback", post(callback))
        .route("/pay/result/{order_id}", get(result))
        .route("/pay/receipt/{order_id}", get(receipt))
        .route("/pay/{token}", get(checkout).post(pay))
        .route("/portal", get(portal::request_form).post(portal::request))
        .route("/portal/{token}", get(portal::show))
        .route("/portal/{token}/cancel", post(portal::cancel))
        .route("/portal/{token}/renew", post(portal::renew))
        .route(pages::ACCESSIBILITY_PATH, get(accessibility))
        .layer(axum::middleware::from_fn_with_state(
            language::CookiePolicy { secure },
            language::remember,
        ))
}

fn page(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

fn not_found() -> Response {
    error_page(AppError::NotFound)
}

/// An error as a buyer page, with the status a server function would answer for it
/// (`AppError::status`). Faults reach here through `app::error::internal`, the one mapping
/// that logs them, so the page names nothing but what the buyer may know.
fn error_page(error: AppError) -> Response {
    let status = error.status();
    let html = match error {
        AppError::NotFound => pages::message(Message::NotFound),
        _ => pages::message(Message::WentWrong),
    };
    page(status, html)
}

/// Tokens are short ASCII; anything else names nothing and costs no query.
fn plausible_token(token: &str) -> bool {
    (token.starts_with("cs_") || token.starts_with("pl_"))
        && token.len() == 25
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

async fn checkout(State(platform): State<Platform>, Path(token): Path<String>) -> Response {
    render_checkout(&platform, &token, "", None, StatusCode::OK).await
}

async fn render_checkout(
    platform: &Platform,
    token: &str,
    email: &str,
    error: Option<pages::FieldError<'_>>,
    status: StatusCode,
) -> Response {
    if !plausible_token(token) {
        return not_found();
    }
    let mut conn = match platform.pool.acquire().await {
        Ok(conn) => conn,
        Err(error) => return error_page(internal(error)),
    };
    match sessions::buyer_page(&mut conn, token).await {
        Ok(Some(buyer_page)) => {
            let email = if email.is_empty() {
                buyer_page.buyer_email.clone().unwrap_or_default()
            } else {
                email.to_owned()
            };
            let mor = &platform.config.settings.merchant_of_record;
            page(
                status,
                pages::checkout(token, &buyer_page, mor, &email, error),
            )
        }
        Ok(None) => not_found(),
        Err(error) => error_page(internal(error)),
    }
}

#[derive(Deserialize)]
struct PayForm {
    #[serde(default)]
    email: String,
    /// `yes` when the buyer ticked the consent to a plan's repeated payments.
    #[serde(default)]
    consent: Option<String>,
}

async fn pay(
    State(platform): State<Platform>,
    Path(token): Path<String>,
    nonce: Option<Extension<CspNonce>>,
    Facts(facts): Facts,
    Form(form): Form<PayForm>,
) -> Response {
    if !plausible_token(&token) {
        return not_found();
    }
    match pay_limits::enforce(&platform, &token, &form.email, &facts).await {
        Ok(()) => {}
        Err(Some(wait)) => {
            let mut response = page(
                StatusCode::TOO_MANY_REQUESTS,
                pages::message(Message::TooManyAttempts),
            );
            response
                .headers_mut()
                .insert("retry-after", wait.as_secs().into());
            return response;
        }
        Err(None) => return error_page(internal("checking the pay limits failed")),
    }
    let consent = form.consent.as_deref() == Some("yes");
    let locale = language::locale();
    match attempts::start(&platform, &token, &form.email, consent, locale, &facts).await {
        Ok(started) => {
            let nonce = nonce
                .map(|Extension(CspNonce(n))| n.to_string())
                .unwrap_or_default();
            page(StatusCode::OK, pages::to_gateway(&started.form, &nonce))
        }
        Err(PaymentError::Invalid { field, message }) => {
            render_checkout(
                &platform,
                &token,
                &form.email,
                Some(pages::FieldError { field, message }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(PaymentError::NotFound) => not_found(),
        Err(
            PaymentError::SessionPaid
            | PaymentError::SessionExpired
            | PaymentError::LinkUnavailable,
        ) => render_checkout(&platform, &token, &form.email, None, StatusCode::CONFLICT).await,
        Err(PaymentError::RiskBlocked) => {
            page(StatusCode::FORBIDDEN, pages::message(Message::RiskBlocked))
        }
        Err(PaymentError::MerchantClosed) => page(
            StatusCode::FORBIDDEN,
            pages::message(Message::MerchantClosed),
        ),
        Err(PaymentError::LiveNotAllowed) => page(
            StatusCode::FORBIDDEN,
            pages::message(Message::PaymentsPaused),
        ),
        Err(error) => error_page(internal(error)),
    }
}

async fn browser_return(
    platform: Platform,
    fields: Vec<(String, String)>,
    facts: RequestFacts,
) -> Response {
    match gateway_results::handle(&platform, fields, Channel::Return, &facts).await {
        // See Other: reloading the result page never re-posts the gateway's fields.
        Ok(Handled::Applied { order_id, .. }) => {
            Redirect::to(&format!("/pay/result/{order_id}")).into_response()
        }
        Ok(Handled::Rejected(_)) => {
            page(StatusCode::BAD_REQUEST, pages::message(Message::Unverified))
        }
        Ok(Handled::Throttled { retry_after }) => {
            let mut response = page(
                StatusCode::TOO_MANY_REQUESTS,
                pages::message(Message::TooManyUnverified),
            );
            response
                .headers_mut()
                .insert("retry-after", retry_after.as_secs().into());
            response
        }
        Err(error) => error_page(internal(error)),
    }
}

async fn browser_return_get(
    State(platform): State<Platform>,
    Facts(facts): Facts,
    Query(fields): Query<Vec<(String, String)>>,
) -> Response {
    browser_return(platform, fields, facts).await
}

async fn browser_return_post(
    State(platform): State<Platform>,
    Facts(facts): Facts,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    browser_return(platform, fields, facts).await
}

async fn callback(
    State(platform): State<Platform>,
    Facts(facts): Facts,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    match gateway_results::handle(&platform, fields, Channel::Callback, &facts).await {
        Ok(Handled::Applied { .. }) => (StatusCode::OK, "Approved").into_response(),
        Ok(Handled::Rejected(rejection)) => {
            (StatusCode::BAD_REQUEST, rejection.as_str()).into_response()
        }
        Ok(Handled::Throttled { retry_after }) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", retry_after.as_secs().to_string())],
            "too many refused answers",
        )
            .into_response(),
        // The gateway retries a callback that did not get `Approved`.
        Err(error) => {
            tracing::error!(%error, "callback failed; the gateway will retry");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn plausible_order_id(order_id: &str) -> bool {
    order_id.len() <= 20
        && order_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn result(State(platform): State<Platform>, Path(order_id): Path<String>) -> Response {
    if !plausible_order_id(&order_id) {
        return not_found();
    }
    match attempts::outcome(&platform.pool, &order_id).await {
        Ok(Some(outcome)) => page(StatusCode::OK, pages::result(&order_id, &outcome)),
        Ok(None) => not_found(),
        Err(error) => error_page(internal(error)),
    }
}

async fn accessibility(State(platform): State<Platform>) -> Response {
    page(
        StatusCode::OK,
        pages::accessibility(&platform.config.settings.merchant_of_record),
    )
}

async fn receipt(State(platform): State<Platform>, Path(order_id): Path<String>) -> Response {
    if !plausible_order_id(&order_id) {
        return not_found();
    }
    let mut conn = match platform.pool.acquire().await {
        Ok(conn) => conn,
        Err(error) => return error_page(internal(error)),
    };
    match receipts::load(&mut conn, &order_id).await {
        Ok(Some(receipt)) => page(
            StatusCode::OK,
            pages::receipt(&receipt, &platform.config.settings.merchant_of_record),
        ),
        Ok(None) => not_found(),
        Err(error) => error_page(internal(error)),
    }
}
