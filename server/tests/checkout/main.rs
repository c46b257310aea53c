//! The buyer's checkout end to end over HTTP: Saleonix's pages, the Payten sandbox's card
//! and 3-D Secure pages, the browser return and the server callback, in every order.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use payten_sandbox::buyer::HtmlForm;
use platform::gateway_accounts::Mode;
use sqlx::PgPool;
use support::accounts::mails_to;
use support::checkout::{APPROVE, LIVE_CLIENT_ID, Shop, field, merchant, shop, shop_with};

mod fraud;
mod languages;
mod metrics;
mod payment;
mod sessions;
