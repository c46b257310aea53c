//! Payouts (migration `20261129000021_payouts.sql`): Saleonix pays each merchant's
//! available Live Mode balance to its verified bank account.
//!
//! - [`run`] creates one payout per due merchant and currency (its whole available
//!   balance, at least its minimum) and groups them into one batch per currency;
//! - [`transition::apply`] is the one way a payout or batch moves: approved (four eyes,
//!   no money moves), sent, paid or returned, each step posting its ledger entry in the
//!   same transaction, idempotent on its cause;
//! - [`pain001`] writes an approved batch's ISO 20022 credit-transfer file; [`import`]
//!   reads the bank statement's CSV and marks the payouts it shows paid;
//! - [`statement`] tells a merchant what one payout covers; [`schedule`] is the
//!   merchant's choice of when and from what amount it is paid; [`reading`] lists for
//!   the screens.

// Money code: a silent `as` cast can wrap or truncate an amount; conversions here are
// checked (`try_from`) or lossless (`from`).
#![warn(clippy::as_conversions)]

pub mod import;
pub mod pain001;
pub mod reading;
pub mod run;
pub mod schedule;
pub mod statement;
pub mod transition;

use crate::audit::AuditError;
use crate::identity::roles::ScopeRefused;
use crate::ledger::LedgerError;

#[derive(Debug, thiserror::Error)]
pub enum PayoutError {
    /// A field staff or the merchant typed is wrong: `(field, message)`, shown as is.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The batch or payout is not in a state that allows this step.
    #[error("{0}")]
    NotAllowed(&'static str),
    /// Four eyes: the batch's creator asked to approve it.
    #[error("the batch's creator cannot approve it")]
    OwnBatch,
    /// No such batch, payout or statement, or another merchant's.
    #[error("not found")]
    NotFound,
    /// The staff scope does not hold payouts at the level the step needs.
    #[error(transparent)]
    Forbidden(#[from] ScopeRefused),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] AuditError),
}

impl PayoutError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        PayoutError::Invalid {
            field,
            message: message.into(),
        }
    }
}
