//! One HTTP attempt at a delivery: POST the signed body to the endpoint through a client
//! that resolves (and checks) its host itself, and keep the status and the first 2 KB of
//! the answer. Redirects are not followed: a 3xx is a failed attempt, or a redirect to an
//! internal address would undo the address check.

use std::error::Error as _;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use reqwest::dns::Resolve;
use reqwest::redirect::Policy;
use url::Url;

use super::ssrf::{self, CheckedNames, Refusal, SystemNames};

/// How much of a response body the delivery log keeps.
pub const BODY_KEPT: usize = 2048;

/// Why an attempt failed, as the delivery log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    InvalidUrl,
    Unresolvable,
    /// The host resolved to an address an endpoint may not reach.
    RefusedAddress,
    Timeout,
    Connect,
    /// The endpoint answered, but not with a 2xx.
    HttpStatus,
    Other,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::InvalidUrl => "invalid_url",
            ErrorClass::Unresolvable => "unresolvable",
            ErrorClass::RefusedAddress => "refused_address",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Connect => "connect",
            ErrorClass::HttpStatus => "http_status",
            ErrorClass::Other => "other",
        }
    }
}

/// What came of one attempt.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Option<u16>,
    pub body: Option<String>,
    pub duration: Duration,
    /// `None`: a 2xx, the delivery succeeded.
    pub error: Option<ErrorClass>,
}

/// The request's headers and body.
pub struct Signed<'a> {
    pub attempt_id: String,
    pub webhook_id: &'a str,
    pub timestamp: i64,
    pub signature: String,
    pub body: Vec<u8>,
}

/// The HTTP clients deliveries go out on: one that reaches only public addresses and one
/// that reaches any, both resolving names through `names` and checking the answers
/// ([`CheckedNames`]). Each is made on first use and then shared by every worker, so
/// connections to an endpoint are kept alive from one delivery to the next.
#[derive(Clone)]
pub struct Clients {
    names: Arc<dyn Resolve>,
    public_only: Arc<OnceLock<reqwest::Client>>,
    anywhere: Arc<OnceLock<reqwest::Client>>,
}

impl Default for Clients {
    fn default() -> Self {
        Clients::resolving_with(Arc::new(SystemNames))
    }
}

impl Clients {
    /// Clients that look names up with `names` (the system's, or a test's table).
    pub fn resolving_with(names: Arc<dyn Resolve>) -> Self {
        Clients {
            names,
            public_only: Arc::default(),
            anywhere: Arc::default(),
        }
    }

    /// The resolver registration checks endpoints' hosts with.
    pub fn names(&self) -> &dyn Resolve {
        self.names.as_ref()
    }

    fn client(&self, public_only: bool) -> Result<&reqwest::Client, reqwest::Error> {
        let cell = if public_only {
            &self.public_only
        } else {
            &self.anywhere
        };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let checked = CheckedNames {
            names: Arc::clone(&self.names),
            public_only,
        };
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            // A proxy from the environment would resolve the name again, unchecked.
            .no_proxy()
            .dns_resolver(Arc::new(checked))
            .user_agent("Saleonix-Webhooks/1")
            .build()?;
        // Two workers may build one at once; the first kept is used by both.
        Ok(cell.get_or_init(|| client))
    }
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clients")
    }
}

/// POSTs `signed` to `url`, reaching only public addresses when `public_only`.
pub async fn post(
    clients: &Clients,
    url: &str,
    public_only: bool,
    timeout: Duration,
    signed: Signed<'_>,
) -> Outcome {
    let started = Instant::now();
    let failed = |error: ErrorClass| Outcome {
        status: None,
        body: None,
        duration: started.elapsed(),
        error: Some(error),
    };
    let Ok(url) = Url::parse(url) else {
        return failed(ErrorClass::InvalidUrl);
    };
    if let Err(refusal) = ssrf::check_literal(&url, public_only) {
        return failed(refused(&refusal));
    }
    let Ok(client) = clients.client(public_only) else {
        return failed(ErrorClass::Other);
    };
    let sent = client
        .post(url)
        .timeout(timeout)
        .header("content-type", "application/json")
        .header("webhook-id", signed.webhook_id)
        .header("webhook-timestamp", signed.timestamp.to_string())
        .header("webhook-signature", signed.signature)
        .header("saleonix-request-id", signed.attempt_id)
        .body(signed.body)
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(error) => return failed(classify(&error)),
    };
    let status = response.status();
    let mut kept = Vec::new();
    let mut body_error = None;
    // Only the first 2 KB are read: an endpoint answering with a stream of gigabytes
    // costs no more than one answering "ok".
    while kept.len() < BODY_KEPT {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(error) => {
                body_error = Some(classify(&error));
                break;
            }
        }
    }
    let error = if status.is_success() {
        body_error
    } else {
        Some(ErrorClass::HttpStatus)
    };
    Outcome {
        status: Some(status.as_u16()),
        body: Some(truncated(&kept)),
        duration: started.elapsed(),
        error,
    }
}

fn refused(refusal: &Refusal) -> ErrorClass {
    match refusal {
        Refusal::NotPublic(ip) => {
            tracing::warn!(%ip, "webhook endpoint resolves to a refused address; not sent");
            ErrorClass::RefusedAddress
        }
        Refusal::Unresolvable | Refusal::NoHost => ErrorClass::Unresolvable,
    }
}

fn classify(error: &reqwest::Error) -> ErrorClass {
    // The resolver's refusal comes back wrapped in the client's connect errors.
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(refusal) = cause.downcast_ref::<Refusal>() {
            return refused(refusal);
        }
        source = cause.source();
    }
    if error.is_timeout() {
        ErrorClass::Timeout
    } else if error.is_connect() {
        ErrorClass::Connect
    } else {
        ErrorClass::Other
    }
}

/// At most [`BODY_KEPT`] bytes of `bytes` as text, cut on a character boundary.
fn truncated(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(BODY_KEPT)]).into_owned();
    let mut end = text.len().min(BODY_KEPT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_bodies_stay_within_two_kilobytes_on_a_character_boundary() {
        let long = "é".repeat(3000);
        let kept = truncated(long.as_bytes());
        assert!(kept.len() <= BODY_KEPT);
        assert!(kept.len() > BODY_KEPT - 4);
        assert!(kept.chars().all(|c| c == 'é'));
        assert_eq!(truncated(b"ok"), "ok");
    }
}
