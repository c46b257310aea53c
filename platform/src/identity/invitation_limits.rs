//! How many team invitations a merchant may send, and one address may receive. Each sends
//! mail to an address the inviter typed, so without limits anyone who signs up could mail
//! strangers through Saleonix. A merchant not yet verified (KYC) gets the lower limit, and
//! the per-address limit counts every merchant's invitations to that address together.

use domain::MerchantId;

use super::accounts::AccountError;
use crate::Platform;
use crate::audit::RequestFacts;
use crate::rate_limit::{self, account_key};

/// Counts one invitation (or re-sent invitation) from `merchant_id` to `email`; refused
/// with `RateLimited` past a limit.
pub async fn enforce(
    platform: &Platform,
    merchant_id: MerchantId,
    email: &str,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let limits = &platform.config.settings.rate_limits;
    let verified: bool =
        sqlx::query_scalar("SELECT verified_at IS NOT NULL FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_one(&platform.pool)
            .await?;
    let per_merchant = if verified {
        ("invitations-merchant", limits.invitations_per_merchant)
    } else {
        (
            "invitations-unverified-merchant",
            limits.invitations_per_unverified_merchant,
        )
    };
    let (merchant, address) = (merchant_id.to_string(), account_key(email));
    let checks = [
        (per_merchant.0, per_merchant.1, merchant.as_str()),
        (
            "invitations-address",
            limits.invitations_per_address,
            address.as_str(),
        ),
    ];
    rate_limit::enforce(&platform.pool, &checks, facts)
        .await
        .map_err(|refusal| match refusal {
            Some(retry_after) => AccountError::RateLimited { retry_after },
            None => AccountError::Database,
        })
}
