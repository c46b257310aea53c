//! Seller verification (KYC) against the real server and Postgres, in one test binary:
//! the merchant's application (`application`), the payout account (`bank_account`),
//! sanctions screening (`sanctions`) and the staff review (`review`).

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod application;
mod bank_account;
mod review;
mod sanctions;
