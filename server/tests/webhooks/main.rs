//! Webhooks end to end: endpoints, events recorded in the caller's transaction, and the
//! delivery worker posting to a local receiver that verifies every request with the
//! `standardwebhooks` crate, an implementation of the specification independent of ours.
//! Time moves by passing `now` to the worker, never by sleeping.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod names;
mod world;

mod concurrency;
mod disabling;
mod endpoints;
mod events;
mod leases;
mod ordering;
mod payout_and_account_events;
mod resend;
mod retries;
mod signing;
mod ssrf;
mod ssrf_by_name;
mod workers;
