//! Payouts against the real server and Postgres, in one test binary: the run and who it
//! pays (`run`), the staff steps with four eyes and step-up, the pain.001 file against
//! the ISO 20022 schema, statement imports and returns (`bank`), the merchant's statement
//! and schedule (`merchant`), and a refund racing a run (`concurrency`).

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

// The payable merchants and book readers, shared with the API and webhook tests.
use support::books;

mod bank;
mod concurrency;
mod merchant;
mod run;
