//! The rate limits on pressing Pay, each press making a gateway order: per client network,
//! per checkout, and on a payment link's checkouts per link and network and per link and
//! buyer email. A link gives every buyer a checkout of their own, so a limit per checkout
//! alone would cost a client nothing to escape: open the link again for a fresh one.

use std::time::Duration;

use crate::Platform;
use crate::audit::RequestFacts;
use crate::rate_limit::{self, account_key, client_key};

/// Counts a press of Pay on `token` (a checkout or a link) by `email` from the client of
/// `facts` against every limit that applies: `Err(Some(wait))` is a refusal, `Err(None)` a
/// database failure (as `rate_limit::enforce`).
pub async fn enforce(
    platform: &Platform,
    token: &str,
    email: &str,
    facts: &RequestFacts,
) -> Result<(), Option<Duration>> {
    let limits = &platform.config.settings.rate_limits;
    let client = client_key(facts);
    let mut checks = vec![("pay-ip", limits.pay_per_ip, client.clone())];
    if token.starts_with("cs_") {
        checks.push(("pay-checkout", limits.pay_per_checkout, token.to_owned()));
    }
    match link_of(platform, token).await {
        Ok(None) => {}
        Ok(Some(link)) => {
            checks.push((
                "pay-link-ip",
                limits.pay_per_link,
                format!("{link}|{client}"),
            ));
            checks.push((
                "pay-link-email",
                limits.pay_per_link,
                format!("{link}|{}", account_key(email)),
            ));
        }
        Err(error) => {
            tracing::error!(%error, "finding the payment link of a checkout failed");
            return Err(None);
        }
    }
    let checks: Vec<_> = checks
        .iter()
        .map(|(bucket, rule, key)| (*bucket, *rule, key.as_str()))
        .collect();
    rate_limit::enforce(&platform.pool, &checks, facts).await
}

/// The payment link `token` names, or that opened the checkout `token` names (a buyer back
/// on their checkout to try another card is still on the link).
async fn link_of(platform: &Platform, token: &str) -> Result<Option<uuid::Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM payment_links WHERE token = $1
         UNION ALL
         SELECT link_id FROM checkout_sessions WHERE token = $1 AND link_id IS NOT NULL",
    )
    .bind(token)
    .fetch_optional(&platform.pool)
    .await
}
