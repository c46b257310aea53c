//! Client of the CC5 XML API at `<base>/fim/api` (protocol note, section 4).
//!
//! Requests are sent as the form field `DATA=<xml>`
//! (`application/x-www-form-urlencoded`), the way Payten's own samples post them.
//!
//! # No retries, and unknown outcomes
//!
//! The gateway has no idempotency key. This client never retries anything. When a
//! money-moving operation (Credit, Void, PostAuth) was sent but no readable
//! answer came back (timeout, connection lost, HTTP 5xx, unreadable body), it
//! returns [`ApiError::OutcomeUnknown`]: the gateway may or may not have done it.
//! Query [`ApiClient::order_history`] before deciding anything, because a blind
//! retry can refund twice. Only a failure to connect ([`ApiError::Connect`])
//! proves nothing was sent.

mod parse;
mod types;

use std::fmt;

use secrecy::ExposeSecret as _;

pub use types::{
    ChargeType, Decline, FinancialResponse, HistoryEntry, Installment, OrderHistory, OrderStatus,
    RecurringStatus,
};

use crate::cc5::{Cc5Document, XmlEncoding};
use crate::config::{Credentials, GatewayEndpoints, Timeouts};
use crate::money::Money;

/// Longest order or recurring id accepted in an API request.
const MAX_ID_LEN: usize = 64;

/// The API operations, for errors and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Credit,
    Void,
    PostAuth,
    OrderStatus,
    OrderHistory,
    RecurringStatus,
    CancelRecurring,
}

impl Operation {
    /// Operations that move money and therefore must never be retried blindly.
    pub fn moves_money(self) -> bool {
        matches!(
            self,
            Operation::Credit | Operation::Void | Operation::PostAuth
        )
    }

    /// The operation's name in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Credit => "credit",
            Operation::Void => "void",
            Operation::PostAuth => "post_auth",
            Operation::OrderStatus => "order_status",
            Operation::OrderHistory => "order_history",
            Operation::RecurringStatus => "recurring_status",
            Operation::CancelRecurring => "cancel_recurring",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Refused before sending: an id or amount the gateway cannot take.
    #[error("invalid request: {0}")]
    InvalidRequest(&'static str),
    /// Could not connect; nothing was sent, so a retry is safe.
    #[error("could not connect to the gateway: {0}")]
    Connect(String),
    /// A query did not answer in time.
    #[error("gateway did not answer in time")]
    Timeout,
    /// A query failed in transport after connecting.
    #[error("transport error: {0}")]
    Transport(String),
    /// A query got a non-success HTTP status.
    #[error("gateway answered HTTP {0}")]
    HttpStatus(u16),
    /// A query got an answer that is not a CC5 response.
    #[error("malformed gateway response: {0}")]
    MalformedResponse(String),
    /// The gateway answered and refused.
    #[error("gateway refused: Response={:?} ProcReturnCode={:?} ERRORCODE={:?} ErrMsg={:?}",
        .0.response, .0.proc_return_code, .0.error_code, .0.err_msg)]
    Declined(Decline),
    /// `ProcReturnCode=99`, `No record found for <id>`.
    #[error("no record found for {0}")]
    NotFound(String),
    /// A money-moving request was sent and its result is unknown. Never retry
    /// blindly: query the order history first.
    #[error(
        "outcome of {operation} on {order_id} is unknown ({cause}); query the order history before any retry"
    )]
    OutcomeUnknown {
        operation: Operation,
        order_id: String,
        cause: String,
    },
}

impl ApiError {
    /// The failure's kind in metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::Connect(_) => "connect",
            ApiError::Timeout => "timeout",
            ApiError::Transport(_) => "transport",
            ApiError::HttpStatus(_) => "http_status",
            ApiError::MalformedResponse(_) => "malformed_response",
            ApiError::Declined(_) => "declined",
            ApiError::NotFound(_) => "not_found",
            ApiError::OutcomeUnknown { .. } => "outcome_unknown",
        }
    }
}

/// Seconds each API call took, by operation, answered or not.
pub const REQUEST_SECONDS: &str = "saleonix_gateway_request_duration_seconds";
/// API calls that got no usable answer (transport, HTTP or format), by operation and kind.
/// The gateway's refusals and "no record" answers are answers, counted by the callers' outcomes.
pub const ERRORS: &str = "saleonix_gateway_errors_total";

/// A CC5 XML API client for one gateway account.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    api_url: String,
    credentials: Credentials,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("api_url", &self.api_url)
            .field("credentials", &self.credentials)
            .finish()
    }
}

impl ApiClient {
    pub fn new(
        endpoints: &GatewayEndpoints,
        credentials: Credentials,
        timeouts: Timeouts,
    ) -> Result<ApiClient, ApiError> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            // A redirected POST would be re-sent somewhere else: refuse.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Connect(e.to_string()))?;
        Ok(ApiClient {
            http,
            api_url: endpoints.api_url.clone(),
            credentials,
        })
    }

    /// Refunds `amount` (full or partial) of a captured order.
    pub async fn credit(
        &self,
        order_id: &str,
        amount: Money,
    ) -> Result<FinancialResponse, ApiError> {
        self.with_amount(Operation::Credit, "Credit", order_id, amount)
            .await
    }

    /// Voids the last transaction of an order (same day, before settlement).
    pub async fn void(&self, order_id: &str) -> Result<FinancialResponse, ApiError> {
        check_id(order_id)?;
        let doc = self
            .request()
            .element("Type", "Void")
            .element("OrderId", order_id);
        let answer = self.send(Operation::Void, order_id, doc).await?;
        parse::financial(Operation::Void, order_id, &answer)
    }

    /// Captures `amount` of a pre-authorised order.
    pub async fn post_auth(
        &self,
        order_id: &str,
        amount: Money,
    ) -> Result<FinancialResponse, ApiError> {
        self.with_amount(Operation::PostAuth, "PostAuth", order_id, amount)
            .await
    }

    /// The financial operations that carry an amount (Credit, PostAuth).
    async fn with_amount(
        &self,
        operation: Operation,
        kind: &str,
        order_id: &str,
        amount: Money,
    ) -> Result<FinancialResponse, ApiError> {
        check_id(order_id)?;
        check_amount(amount)?;
        let doc = self
            .request()
            .element("Type", kind)
            .element("OrderId", order_id)
            .element("Total", &amount.to_decimal_string())
            .element("Currency", amount.currency().numeric());
        let answer = self.send(operation, order_id, doc).await?;
        parse::financial(operation, order_id, &answer)
    }

    /// The order's status; [`ApiError::NotFound`] if the gateway has no such order.
    pub async fn order_status(&self, order_id: &str) -> Result<OrderStatus, ApiError> {
        check_id(order_id)?;
        let doc = self
            .request()
            .element("OrderId", order_id)
            .extra_element("ORDERSTATUS", "QUERY");
        let answer = self.send(Operation::OrderStatus, order_id, doc).await?;
        parse::order_status(order_id, &answer)
    }

    /// Every transaction of the order (sale, captures, refunds, voids).
    pub async fn order_history(&self, order_id: &str) -> Result<OrderHistory, ApiError> {
        check_id(order_id)?;
        let doc = self
            .request()
            .element("OrderId", order_id)
            .extra_element("ORDERHISTORY", "QUERY");
        let answer = self.send(Operation::OrderHistory, order_id, doc).await?;
        parse::order_history(order_id, &answer)
    }

    /// The installments of a recurring series.
    pub async fn recurring_status(&self, recurring_id: &str) -> Result<RecurringStatus, ApiError> {
        check_id(recurring_id)?;
        let doc = self
            .request()
            .extra_element("RECURRINGID", recurring_id)
            .extra_element("ORDERSTATUS", "QUERY");
        let answer = self
            .send(Operation::RecurringStatus, recurring_id, doc)
            .await?;
        parse::recurring_status(recurring_id, &answer)
    }

    /// Cancels the installments of a recurring series not yet charged.
    pub async fn cancel_recurring(&self, recurring_id: &str) -> Result<(), ApiError> {
        check_id(recurring_id)?;
        let doc = self
            .request()
            .extra_element("RECURRINGOPERATION", "Cancel")
            .extra_element("RECORDTYPE", "Recurring")
            .extra_element("RECORDID", recurring_id);
        let answer = self
            .send(Operation::CancelRecurring, recurring_id, doc)
            .await?;
        parse::approved(recurring_id, &answer)
    }

    fn request(&self) -> Cc5Document {
        Cc5Document::new("CC5Request")
            .element("Name", &self.credentials.api_user)
            .element("Password", self.credentials.api_password.expose_secret())
            .element("ClientId", &self.credentials.client_id)
    }

    /// Sends one request and reads the answer, classifying every failure by
    /// whether the request may have taken effect. Its span names the operation and the
    /// order; the document (API password) and the answer are never recorded.
    #[tracing::instrument(name = "payten_api", skip_all, fields(%operation, order_id = id))]
    async fn send(
        &self,
        operation: Operation,
        id: &str,
        doc: Cc5Document,
    ) -> Result<Cc5Document, ApiError> {
        let started = std::time::Instant::now();
        let answer = self.exchange(operation, id, doc).await;
        metrics::histogram!(REQUEST_SECONDS, "operation" => operation.as_str())
            .record(started.elapsed().as_secs_f64());
        if let Err(error) = &answer {
            metrics::counter!(ERRORS, "operation" => operation.as_str(), "error" => error.kind())
                .increment(1);
        }
        answer
    }

    async fn exchange(
        &self,
        operation: Operation,
        id: &str,
        doc: Cc5Document,
    ) -> Result<Cc5Document, ApiError> {
        let xml = String::from_utf8_lossy(&doc.to_bytes(XmlEncoding::Utf8)).into_owned();
        let unknown = |cause: String| ApiError::OutcomeUnknown {
            operation,
            order_id: id.to_owned(),
            cause,
        };
        tracing::debug!(%operation, id, "CC5 API request");

        let response = match self
            .http
            .post(&self.api_url)
            .form(&[("DATA", xml)])
            .send()
            .await
        {
            Ok(r) => r,
            // Connection never established: nothing was sent.
            Err(e) if e.is_connect() => return Err(ApiError::Connect(e.without_url().to_string())),
            Err(e) if operation.moves_money() => {
                let cause = if e.is_timeout() {
                    "timeout".to_owned()
                } else {
                    e.without_url().to_string()
                };
                return Err(unknown(cause));
            }
            Err(e) if e.is_timeout() => return Err(ApiError::Timeout),
            Err(e) => return Err(ApiError::Transport(e.without_url().to_string())),
        };

        let status = response.status();
        if !status.is_success() {
            // A 5xx (from the gateway or a proxy in front of it) does not prove
            // the request was not processed.
            if operation.moves_money() && status.is_server_error() {
                return Err(unknown(format!("HTTP {}", status.as_u16())));
            }
            return Err(ApiError::HttpStatus(status.as_u16()));
        }

        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) if operation.moves_money() => {
                let cause = if e.is_timeout() {
                    "timeout".to_owned()
                } else {
                    e.without_url().to_string()
                };
                return Err(unknown(cause));
            }
            Err(e) if e.is_timeout() => return Err(ApiError::Timeout),
            Err(e) => return Err(ApiError::Transport(e.without_url().to_string())),
        };

        match Cc5Document::parse(&body) {
            Ok(doc) if doc.root == "CC5Response" => Ok(doc),
            Ok(_) if operation.moves_money() => Err(unknown("answer is not a CC5Response".into())),
            Ok(_) => Err(ApiError::MalformedResponse(
                "answer is not a CC5Response".into(),
            )),
            Err(e) if operation.moves_money() => Err(unknown(format!("unreadable answer: {e}"))),
            Err(e) => Err(ApiError::MalformedResponse(e.to_string())),
        }
    }
}

fn check_id(id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty() && id.len() <= MAX_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(ApiError::InvalidRequest(
            "id must be 1 to 64 printable ASCII characters",
        ))
    }
}

fn check_amount(amount: Money) -> Result<(), ApiError> {
    if !amount.is_positive() {
        Err(ApiError::InvalidRequest("amount must be positive"))
    } else {
        Ok(())
    }
}
