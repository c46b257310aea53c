//! Seller verification (KYC) against the real server and Postgres, in one test binary:
//! the merchant's application (`application`), the payout account (`bank_account`),
//! sanctions screening (`sanctions`) and the staff review (`review`).

#[path = "../support/mod.rs"]
mod support;

mod application;
mod bank_account;
mod review;
mod sanctions;
