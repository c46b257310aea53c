//! One HTTP attempt at a delivery: resolve (and check) the endpoint's host, connect to the
//! address that was checked, POST the signed body, and keep the status and the first
//! 2 KB of the answer. Redirects are not followed: a 3xx is a failed attempt, or a
//! redirect to an internal address would undo the address check.

use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use url::Url;

use super::ssrf::{self, Refusal};

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

/// POSTs `signed` to `url`, reaching only public addresses when `public_only`.
pub async fn post(url: &str, public_only: bool, timeout: Duration, signed: Signed<'_>) -> Outcome {
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
    let target = match ssrf::resolve(&url, public_only).await {
        Ok(target) => target,
        Err(Refusal::NotPublic(ip)) => {
            tracing::warn!(%ip, "webhook endpoint resolves to a refused address; not sent");
            return failed(ErrorClass::RefusedAddress);
        }
        Err(Refusal::Unresolvable | Refusal::NoHost) => return failed(ErrorClass::Unresolvable),
    };
    let mut builder = reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(timeout)
        // A proxy from the environment would resolve the name again, unchecked.
        .no_proxy()
        .user_agent("Saleonix-Webhooks/1");
    if let Some(domain) = &target.domain {
        builder = builder.resolve_to_addrs(domain, &target.addrs);
    }
    let Ok(client) = builder.build() else {
        return failed(ErrorClass::Other);
    };
    let sent = client
        .post(url)
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

fn classify(error: &reqwest::Error) -> ErrorClass {
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
