//! Chargebacks (migration `20261129000023_chargebacks.sql`): a buyer's bank took a payment
//! back through the acquirer, which reports it to Saleonix.
//!
//! - [`record`] (staff holding `payments` at `act`): the chargeback and its ledger entry
//!   (`chargeback:<id>`: the merchant debited, what the payment still holds first, then
//!   `available`; gateway clearing credited, as the acquirer has taken the money) in one
//!   transaction, with a mail to the merchant's owners, admins and finance members that
//!   names the evidence deadline.
//! - [`evidence`]: the merchant's answer, text and files stored encrypted like KYC
//!   documents, taken until the deadline.
//! - [`transition::apply`]: the one way a chargeback's status moves (evidence submitted,
//!   won, lost); a win puts the money back in the merchant's `available` balance.
//! - [`reading`]: the lists and the detail with what is already on file (the payment's
//!   3-D Secure result and receipt).

// Money code: a silent `as` cast can wrap or truncate an amount; conversions here are
// checked (`try_from`) or lossless (`from`).
#![warn(clippy::as_conversions)]

pub mod evidence;
mod mails;
pub mod reading;
pub mod record;
pub mod transition;

use domain::Money;

use crate::audit::AuditError;
use crate::identity::roles::ScopeRefused;
use crate::ledger::LedgerError;

#[derive(Debug, thiserror::Error)]
pub enum ChargebackError {
    /// Bad input or a state the person can act on; `field` names the form field.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// More than the payment has left to charge back.
    #[error("at most {remaining} can be charged back")]
    Exceeds { remaining: Money },
    /// No such chargeback (or payment) for this reader: another merchant's answers alike.
    #[error("not found")]
    NotFound,
    /// A staff scope for another module or a lower level.
    #[error(transparent)]
    Forbidden(#[from] ScopeRefused),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl ChargebackError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ChargebackError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// The database refused it by the named constraint (a race the code's own check lost).
    pub(crate) fn constraint(error: &sqlx::Error) -> Option<&str> {
        error.as_database_error().and_then(|e| e.constraint())
    }
}
