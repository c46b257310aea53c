//! The gateway account of each mode, as payments use it. Every lookup starts from an
//! object's own mode ([`for_mode`]), and each account must use the gate configured for its
//! mode, so a Test object cannot reach the Live gate nor a Live object the sandbox. The
//! database backs this: a payment references its account by `(mode, client_id)`.

use std::time::Duration;

use payten::{NestPay, Timeouts};

use super::{Mode, PaymentError};
use crate::Platform;
use crate::gateway_accounts::{self, GatewayAccount};

fn configured_gate(platform: &Platform, mode: Mode) -> &str {
    let gates = &platform.config.settings.payten;
    match mode {
        Mode::Test => &gates.test_gate_url,
        Mode::Live => &gates.live_gate_url,
    }
}

/// The account payments of `mode` go to.
pub async fn for_mode(platform: &Platform, mode: Mode) -> Result<GatewayAccount, PaymentError> {
    let account = gateway_accounts::load(&platform.pool, &platform.config.secrets.field_keys, mode)
        .await?
        .ok_or(PaymentError::NoGatewayAccount(mode))?;
    if account.mode != mode || account.endpoints.gate_url != configured_gate(platform, mode) {
        return Err(PaymentError::GatewayMisconfigured(mode));
    }
    Ok(account)
}

/// The XML API client of an account for queries, with the configured status-query timeout.
pub fn status_client(platform: &Platform, account: &GatewayAccount) -> Result<NestPay, payten::ApiError> {
    client(account, platform.config.settings.payten.status_query_timeout_secs)
}

/// The XML API client of an account for Credit and Void, with the refund timeout: past it
/// the outcome is unknown and only the order history can tell.
pub fn refund_client(platform: &Platform, account: &GatewayAccount) -> Result<NestPay, payten::ApiError> {
    client(account, platform.config.settings.refunds.gateway_timeout_secs)
}

fn client(account: &GatewayAccount, timeout_secs: u64) -> Result<NestPay, payten::ApiError> {
    let timeout = Duration::from_secs(timeout_secs);
    let timeouts = Timeouts { connect: timeout.min(Timeouts::default().connect), request: timeout };
    NestPay::new(account.endpoints.clone(), account.credentials.clone(), timeouts)
}
