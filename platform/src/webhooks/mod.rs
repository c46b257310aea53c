//! Webhooks: merchants' endpoints, and the signed, retried, ordered delivery of their
//! events (issue 21).
//!
//! - [`endpoints`]: register, change, delete an endpoint and rotate its signing secret.
//! - [`signing`]: the Standard Webhooks signature over `id.timestamp.body`.
//! - [`ssrf`]: which addresses an endpoint may reach, checked at registration and again
//!   at each delivery, and the address the request then goes to.
//! - [`delivery`]: the outbox worker, which leases deliveries, sends them through
//!   [`request`] and records each `outcome`, with its retry [`schedule`] and
//!   [`disabling`] of an endpoint that keeps failing.
//! - [`log`]: the delivery log; [`resend`]: resends and the test event.

pub mod delivery;
pub mod disabling;
pub mod endpoints;
pub mod log;
mod outcome;
pub mod request;
pub mod resend;
pub mod schedule;
pub mod signing;
pub mod ssrf;

use crate::audit::AuditError;
use crate::field_crypto::FieldCryptoError;

/// How long attempts are kept in the delivery log.
pub const LOG_RETENTION_DAYS: i32 = 30;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Not the merchant's, not in this mode, or no such id: the same answer for all three.
    #[error("no such webhook endpoint or event")]
    NotFound,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    #[error("this merchant may not use Live Mode yet")]
    LiveNotAllowed,
    /// The URL's host resolves to an address an endpoint may not reach.
    #[error("the endpoint's address is not allowed: {0}")]
    Refused(#[from] ssrf::Refusal),
    #[error("the endpoint is disabled; enable it first")]
    Disabled,
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("the signing secret cannot be read: {0}")]
    Crypto(#[from] FieldCryptoError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

pub(crate) fn invalid(field: &'static str, message: &'static str) -> WebhookError {
    WebhookError::Invalid { field, message }
}
