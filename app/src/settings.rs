//! The console's Settings module: each mode's Payten gateway account. Staff holding
//! settings `view` see its non-secret part; only a platform administrator changes it, with
//! a fresh second-factor check. The URLs come from the configuration and are only shown.
//! The store key and API password are write-only: no answer carries them, only when each
//! was set and by whom.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::payments::Mode;

/// One mode's account as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayAccountView {
    pub mode: Mode,
    /// The gate and API configured for the mode; an account saved here uses these.
    pub gate_url: String,
    pub api_url: String,
    /// `None` while the mode has no account yet.
    pub account: Option<StoredAccountView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAccountView {
    pub client_id: String,
    pub api_user: String,
    /// "set on <date> by <who>", never the secret.
    pub store_key_set: String,
    pub api_password_set: String,
    /// The stored URLs are the configured ones; payments of the mode are refused otherwise.
    pub uses_configured_urls: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewaySettingsView {
    /// Test first, then Live.
    pub accounts: Vec<GatewayAccountView>,
    /// The viewer is a platform administrator and may change the accounts.
    pub can_edit: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::gateway_accounts::{AccountSummary, Mode, SecretStamp};
    use platform::payments::gateways;

    use super::{GatewayAccountView, StoredAccountView};
    use crate::payments::ssr::{mode_view, when};

    fn stamp(stamp: &SecretStamp) -> String {
        let who = stamp
            .by
            .as_deref()
            .unwrap_or("an operator, outside the console");
        format!("set on {} by {who}", when(stamp.at))
    }

    pub fn view(
        gates: &platform::config::PaytenGates,
        mode: Mode,
        stored: Option<&AccountSummary>,
    ) -> GatewayAccountView {
        let configured = gateways::configured(gates, mode);
        GatewayAccountView {
            mode: mode_view(mode),
            account: stored.map(|s| StoredAccountView {
                client_id: s.client_id.clone(),
                api_user: s.api_user.clone(),
                store_key_set: stamp(&s.store_key),
                api_password_set: stamp(&s.api_password),
                uses_configured_urls: gateways::uses_configured(gates, mode, &s.endpoints),
            }),
            gate_url: configured.gate_url,
            api_url: configured.api_url,
        }
    }
}

/// Both modes' accounts without their secrets, and whether the viewer may change them.
#[server(endpoint = "admin/settings/gateway")]
pub async fn gateway_settings() -> Result<GatewaySettingsView, AppError> {
    use platform::gateway_accounts::{self, Mode};

    use platform::identity::users::UserKind;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<GatewaySettings>()
            .await?
            .parts();
        let stored = gateway_accounts::summaries(&platform.pool)
            .await
            .map_err(crate::error::internal)?;
        let gates = &platform.config.settings.payten;
        let accounts = [Mode::Test, Mode::Live]
            .into_iter()
            .map(|mode| ssr::view(gates, mode, stored.iter().find(|s| s.mode == mode)))
            .collect();
        Ok(GatewaySettingsView {
            accounts,
            can_edit: user.kind() == UserKind::PlatformAdmin,
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Sets `mode`'s account (`test` or `live`) with that mode's configured URLs: a platform
/// administrator's action, after a fresh second-factor check. A blank secret keeps the
/// stored one. Answers nothing; the page reloads the account without its secrets.
#[server(endpoint = "admin/settings/gateway/save")]
pub async fn save_gateway_account(
    mode: String,
    client_id: String,
    api_user: String,
    #[server(default)] store_key: String,
    #[server(default)] api_password: String,
) -> Result<(), AppError> {
    use platform::gateway_accounts::Mode;
    use platform::payments::gateway_setup::{self, AccountChange};
    let platform = expect_context::<platform::Platform>();
    async {
        let (admin, _) = crate::auth::session::require_declared::<SaveGatewayAccount>()
            .await?
            .admin()?;
        let facts = crate::request::facts().await;
        let mode = Mode::parse(mode.trim())
            .ok_or_else(|| AppError::validation("mode", "Choose Test or Live."))?;
        let change = AccountChange::from_form(mode, &client_id, &api_user, store_key, api_password);
        gateway_setup::update(&platform, &admin, &change, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
