//! The `payten` client against the sandbox over real HTTP.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

use std::time::Duration;

use common::*;
use payten::api::ChargeType;
use payten::{
    ApiError, Currency, ErrorCode, FrequencyUnit, MdStatus, Money, NestPay, Operation,
    PaymentGateway as _, ProcReturnCode, Recurring, ResponseStatus, ReturnError, Timeouts,
    TransStat,
};
use payten_sandbox::cards::{CardOutcome, TEST_CARDS};

mod api;
mod faults;
mod payments;

fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::Eur)
}

fn card_for(outcome: CardOutcome) -> &'static str {
    TEST_CARDS
        .iter()
        .find(|c| c.outcome == outcome)
        .map(|c| c.number)
        .expect("test card")
}

/// Pays with an approving card and checks the return; gives the verified return.
async fn approved_payment(
    gw: &NestPay,
    browser: &Browser,
    merchant: &mut Merchant,
    oid: &str,
    minor: i64,
) -> payten::GatewayReturn {
    let forms = browser
        .pay(gw, &request(merchant, oid, minor), APPROVE_MC, "a")
        .await;
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].action, format!("{}/ok", merchant.base));
    gw.verify_return(forms[0].fields.clone())
        .expect("verified return")
}
