//! The books against the real server, the Payten sandbox and Postgres, in one test binary:
//! what the database itself refuses (`schema`), payments from before the books (`opening`),
//! what each payment's life posts (`payments`), the nightly check of every balance
//! (`checks`) and random sequences of sales, refunds, releases and adjustments
//! (`sequences`).

#[path = "../support/mod.rs"]
mod support;

mod books;
mod checks;
mod opening;
mod payments;
mod schema;
mod sequences;
