//! The gateway account of each mode, as payments use it. Every lookup starts from an
//! object's own mode ([`for_mode`]), and each account must use the gate and the API
//! configured for its mode, so a Test object cannot reach the Live bank nor a Live object
//! (and its API password) the sandbox or any other host. The database backs this: a
//! payment references its account by `(mode, client_id)`.

use std::time::Duration;

use payten::{GatewayEndpoints, NestPay, Timeouts};

use super::{Mode, PaymentError};
use crate::Platform;
use crate::config::PaytenGates;
use crate::gateway_accounts::{self, GatewayAccount};

/// The gate and API configured for `mode`: the only ones an account of that mode may use.
pub fn configured(gates: &PaytenGates, mode: Mode) -> GatewayEndpoints {
    let (gate_url, api_url) = match mode {
        Mode::Test => (&gates.test_gate_url, &gates.test_api_url),
        Mode::Live => (&gates.live_gate_url, &gates.live_api_url),
    };
    GatewayEndpoints {
        gate_url: gate_url.clone(),
        api_url: api_url.clone(),
    }
}

/// Whether a stored account of `mode` uses exactly its mode's configured endpoints.
pub fn uses_configured(gates: &PaytenGates, mode: Mode, endpoints: &GatewayEndpoints) -> bool {
    *endpoints == configured(gates, mode)
}

/// The account payments of `mode` go to.
pub async fn for_mode(platform: &Platform, mode: Mode) -> Result<GatewayAccount, PaymentError> {
    let account = gateway_accounts::load(&platform.pool, &platform.config.secrets.field_keys, mode)
        .await?
        .ok_or(PaymentError::NoGatewayAccount(mode))?;
    if account.mode != mode
        || !uses_configured(&platform.config.settings.payten, mode, &account.endpoints)
    {
        return Err(PaymentError::GatewayMisconfigured(mode));
    }
    Ok(account)
}

/// The XML API client of an account for queries, with the configured status-query timeout.
pub fn status_client(
    platform: &Platform,
    account: &GatewayAccount,
) -> Result<NestPay, payten::ApiError> {
    client(
        account,
        platform.config.settings.payten.status_query_timeout_secs,
    )
}

/// The XML API client of an account for Credit and Void, with the refund timeout: past it
/// the outcome is unknown and only the order history can tell.
pub fn refund_client(
    platform: &Platform,
    account: &GatewayAccount,
) -> Result<NestPay, payten::ApiError> {
    client(
        account,
        platform.config.settings.refunds.gateway_timeout_secs,
    )
}

fn client(account: &GatewayAccount, timeout_secs: u64) -> Result<NestPay, payten::ApiError> {
    let timeout = Duration::from_secs(timeout_secs);
    let timeouts = Timeouts {
        connect: timeout.min(Timeouts::default().connect),
        request: timeout,
    };
    NestPay::new(
        account.endpoints.clone(),
        account.credentials.clone(),
        timeouts,
    )
}
