//! The books against the real server, the Payten sandbox and Postgres, in one test binary:
//! what the database itself refuses (`schema`), payments from before the books (`opening`),
//! what each payment's life posts (`payments`), the nightly check of every balance
//! (`checks`) and random sequences of sales, refunds, releases and adjustments
//! (`sequences`).

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod books;
mod checks;
mod opening;
mod payments;
mod schema;
mod sequences;
