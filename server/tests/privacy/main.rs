//! Issue 23's promises about personal data, checked against the real schema and real
//! responses: every column is classified in the inventory, and only listed cookies are set.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;
// In a directory of its own: a new file at the top of `tests/` would be a new binary.
mod cookies;
mod erasure;
mod export;
mod inventory;
mod kyc_answers;
mod kyc_people;
mod own_account;
mod pages;
mod requests;
