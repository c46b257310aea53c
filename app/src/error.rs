//! The one error type every server function returns. It crosses the wire as JSON, so it
//! carries only what a user may see; internal details are logged on the server instead.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input; `field` names the form field so the UI can show the message beside it.
    #[error("{message}")]
    Validation { field: String, message: String },
    #[error("Too many attempts. Please try again in {} minute(s).", retry_after_secs.div_ceil(60))]
    RateLimited { retry_after_secs: u64 },
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// One answer for an unknown email, a wrong password, and an unverified or disabled
    /// account, so that sign-in reveals nothing about which accounts exist.
    #[error(
        "We could not sign you in with that email and password. If you have just signed up, \
         please confirm your email address first."
    )]
    InvalidCredentials,
    /// The session's password step is done; the second factor is still due.
    #[error("Enter the code from your authenticator app to finish signing in.")]
    SecondFactorRequired,
    /// The account must turn on two-factor authentication before anything else.
    #[error("Set up two-factor authentication to continue.")]
    EnrolmentRequired,
    /// A sensitive action needs a fresh second-factor check; the UI asks for a code and
    /// then repeats the action.
    #[error("Confirm it is you: enter a code from your authenticator app.")]
    StepUpRequired,
    #[error("You do not have access to this.")]
    Forbidden,
    /// Refused with a reason the caller can act on (an API key that would reach further
    /// than its maker's role): forbidden, but saying why.
    #[error("{message}")]
    Denied { message: String },
    #[error("Not found.")]
    NotFound,
    /// The request never reached the function (network, or arguments that do not decode).
    #[error("The request could not be completed: {0}")]
    Request(String),
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
}

impl AppError {
    pub fn validation(field: &str, message: &str) -> Self {
        AppError::Validation {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }

    /// The message for `field`, if this error is about it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation { field: f, message } if f == field => Some(message.clone()),
            _ => None,
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        match self {
            AppError::Validation { .. } => http::StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited { .. } => http::StatusCode::TOO_MANY_REQUESTS,
            AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::SecondFactorRequired => http::StatusCode::UNAUTHORIZED,
            AppError::EnrolmentRequired
            | AppError::StepUpRequired
            | AppError::Forbidden
            | AppError::Denied { .. } => http::StatusCode::FORBIDDEN,
            AppError::NotFound => http::StatusCode::NOT_FOUND,
            AppError::Request(_) => http::StatusCode::BAD_REQUEST,
            AppError::Internal => http::StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets the HTTP status (and `Retry-After`) of the current server-function response to
    /// match this error (server functions answer 500 for every error otherwise). Only a
    /// server-function call (`/api/…`) is answered so: a page that runs the same function
    /// while it renders has already streamed its head (and status) or not, depending on
    /// timing, so its status is the route guard's alone. A plain HTML form post (no WASM
    /// yet) keeps the redirect back to its page, which carries the error and shows it beside
    /// the field; an error status would stop the browser there.
    #[cfg(feature = "ssr")]
    pub fn respond(self) -> Self {
        use leptos::prelude::use_context;
        let Some(parts) = use_context::<http::request::Parts>() else {
            return self;
        };
        if !parts.uri.path().starts_with(crate::SERVER_FN_PREFIX) {
            return self;
        }
        let accepts_html = parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            if !accepts_html {
                response.set_status(self.status());
            }
            if let AppError::RateLimited { retry_after_secs } = &self {
                response.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(*retry_after_secs),
                );
            }
        }
        self
    }
}

/// The one way a fault the user cannot act on (a database, session, gateway setup or
/// audit failure) becomes an answer, for server functions and the buyer pages alike. The
/// error and its chain of sources are logged here and nowhere else; the log line sits in
/// the request's span, which carries the request id (`server::telemetry`), so support can
/// find it from the id the user quotes. The user gets [`AppError::Internal`], whose text
/// names nothing: the source may name a table, a column or a query.
#[cfg(feature = "ssr")]
pub fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> AppError {
    let error = error.into();
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        // Wrappers often repeat their source's text (sqlx does); say it once.
        let text = cause.to_string();
        if !chain.contains(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        source = cause.source();
    }
    tracing::error!(error = %chain, "internal error, answered with the generic message");
    AppError::Internal.respond()
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = AppError::Request(value.to_string());
        // On the server this is a request whose arguments did not decode: the caller's
        // mistake, so 400 rather than the framework's 500.
        #[cfg(feature = "ssr")]
        let error = error.respond();
        error
    }
}

/// A payment operation's refusal as the dashboard shows it. The platform's field messages
/// are phrases ("the amount must be more than zero"); here they become sentences.
#[cfg(feature = "ssr")]
impl From<platform::payments::PaymentError> for AppError {
    fn from(error: platform::payments::PaymentError) -> Self {
        use platform::payments::PaymentError;
        let sentence = |phrase: &str| {
            let mut chars = phrase.chars();
            let first = chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>())
                .unwrap_or_default();
            format!("{first}{}.", chars.as_str())
        };
        match error {
            PaymentError::Invalid { field, message } => {
                AppError::validation(field, &sentence(message))
            }
            PaymentError::NotFound => AppError::NotFound,
            PaymentError::LiveNotAllowed => AppError::validation(
                "mode",
                "Live Mode is open only to verified merchants that are not suspended. You are working in Test Mode.",
            ),
            PaymentError::MerchantClosed => AppError::validation(
                "mode",
                "This merchant account is closed and takes no payments.",
            ),
            // What a buyer may meet; each is a state of the checkout, not a fault.
            error @ (PaymentError::SessionExpired
            | PaymentError::SessionPaid
            | PaymentError::LinkUnavailable) => {
                AppError::validation("checkout", &sentence(&error.to_string()))
            }
            // A refund's refusals, each a state of the payment the refuser can act on. The
            // amount was typed in euro (`parse_euro`), so the limit is told in euro.
            PaymentError::RefundExceeds { remaining } => {
                AppError::validation("amount", &format!("At most {remaining} can be refunded."))
            }
            PaymentError::Forbidden(_) => AppError::Forbidden,
            PaymentError::NotRefundable => {
                AppError::validation("refund", "Only a paid payment can be refunded.")
            }
            PaymentError::RefundInProgress => AppError::validation(
                "refund",
                "Another refund of this payment is still waiting for the bank's answer. Try again once it is settled.",
            ),
            PaymentError::SubscriptionOver => AppError::validation(
                "subscription",
                "This subscription is already cancelled or ended.",
            ),
            PaymentError::SeriesUnknown => AppError::validation(
                "subscription",
                "The bank's payment service has not yet confirmed this subscription. Try again in a few minutes.",
            ),
            // The gateway refused or did not answer: nothing changed, and trying again is safe.
            PaymentError::Gateway(error) => {
                tracing::warn!(%error, "the gateway did not do what was asked");
                AppError::validation(
                    "subscription",
                    "The bank's payment service did not answer, so nothing was changed. Try again in a few minutes.",
                )
            }
            PaymentError::RequestReused => AppError::validation(
                "refund",
                "This form already asked for a refund of another amount. Reload the page to start a new refund.",
            ),
            // Gateway configuration, database and audit failures: their text names the
            // mode, the column or the query, never a key, a password or card data.
            other => internal(other),
        }
    }
}

/// A refused change to the books' terms (fee schedules, settlement terms, adjustments).
#[cfg(feature = "ssr")]
impl From<platform::ledger::change::ChangeError> for AppError {
    fn from(error: platform::ledger::change::ChangeError) -> Self {
        use platform::ledger::change::ChangeError;
        match error {
            ChangeError::Invalid { field, message } => AppError::validation(field, &message),
            ChangeError::NotAllowed(message) => AppError::validation("decision", message),
            ChangeError::NotFound => AppError::NotFound,
            ChangeError::Forbidden(refused) => {
                tracing::warn!(%refused, "a change to the books with the wrong staff scope");
                AppError::Forbidden
            }
            // Database, ledger and audit failures: their text names a query or a
            // constraint, nothing a staff member can act on.
            other => internal(other),
        }
    }
}
