//! Stores (merchant accounts) the sandbox knows, and its switches.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// Client id of the built-in development store. Sandbox-only value.
pub const DEV_CLIENT_ID: &str = "520000001";
/// Store key of the built-in development store. Sandbox-only value, never a real key.
pub const DEV_STORE_KEY: &str = "SANDBOX-STORE-KEY-TEST";
/// API user of the built-in development store. Sandbox-only value.
pub const DEV_API_USER: &str = "saleonix-api";
/// API password of the built-in development store. Sandbox-only value, never a real password.
pub const DEV_API_PASSWORD: &str = "SANDBOX-API-PASSWORD";

/// One merchant account, as the bank would set it up.
#[derive(Clone, Deserialize)]
pub struct StoreConfig {
    pub client_id: String,
    pub store_key: String,
    pub api_user: String,
    pub api_password: String,
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreConfig")
            .field("client_id", &self.client_id)
            .field("api_user", &self.api_user)
            .finish_non_exhaustive()
    }
}

impl StoreConfig {
    /// The built-in development store used when nothing is configured.
    pub fn development() -> StoreConfig {
        StoreConfig {
            client_id: DEV_CLIENT_ID.into(),
            store_key: DEV_STORE_KEY.into(),
            api_user: DEV_API_USER.into(),
            api_password: DEV_API_PASSWORD.into(),
        }
    }
}

/// Why a stores file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("stores configuration is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("stores configuration lists no store")]
    Empty,
    #[error("client id {0} is configured twice")]
    Duplicate(String),
}

#[derive(Deserialize)]
struct StoresFile {
    #[serde(default)]
    stores: Vec<StoreConfig>,
    #[serde(default)]
    refuse_same_day_refunds: bool,
}

/// Everything the sandbox needs to run.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub stores: Vec<StoreConfig>,
    /// Refuse a Credit on a capture not yet settled (same sandbox day), telling
    /// the caller to use Void, as some acquirers do. Off by default.
    pub refuse_same_day_refunds: bool,
    /// Attempts to deliver a server callback before giving up.
    pub callback_attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub callback_backoff: Duration,
    /// The client that sends callbacks. `None`: one that reaches the merchant's callback
    /// address through public DNS and trusts the public certificate authorities, as the
    /// real gateway does. A test behind a proxy with a throwaway certificate passes one
    /// that resolves its test domain and trusts that certificate.
    pub callback_client: Option<reqwest::Client>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            stores: vec![StoreConfig::development()],
            refuse_same_day_refunds: false,
            callback_attempts: 4,
            callback_backoff: Duration::from_millis(250),
            callback_client: None,
        }
    }
}

impl SandboxConfig {
    /// Reads stores from TOML, e.g.
    /// `stores = [{ client_id = "1", store_key = "k", api_user = "u", api_password = "p" }]`
    /// (an inline array fits in one environment variable) or `[[stores]]` tables.
    pub fn from_toml(text: &str) -> Result<SandboxConfig, ConfigError> {
        let file: StoresFile = toml::from_str(text)?;
        if file.stores.is_empty() {
            return Err(ConfigError::Empty);
        }
        for (i, s) in file.stores.iter().enumerate() {
            if file.stores[..i].iter().any(|o| o.client_id == s.client_id) {
                return Err(ConfigError::Duplicate(s.client_id.clone()));
            }
        }
        Ok(SandboxConfig {
            stores: file.stores,
            refuse_same_day_refunds: file.refuse_same_day_refunds,
            ..SandboxConfig::default()
        })
    }

    pub fn store(&self, client_id: &str) -> Option<&StoreConfig> {
        self.stores.iter().find(|s| s.client_id == client_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inline_and_table_forms() {
        let inline = r#"stores = [{ client_id = "1", store_key = "k", api_user = "u", api_password = "p" }]"#;
        assert_eq!(
            SandboxConfig::from_toml(inline)
                .map(|c| c.stores.len())
                .ok(),
            Some(1)
        );
        let tables = "refuse_same_day_refunds = true\n[[stores]]\nclient_id = \"1\"\nstore_key = \"k\"\napi_user = \"u\"\napi_password = \"p\"\n";
        let c = SandboxConfig::from_toml(tables).expect("valid");
        assert!(c.refuse_same_day_refunds);
        assert!(!format!("{c:?}").contains("\"k\""));
        assert!(matches!(
            SandboxConfig::from_toml(""),
            Err(ConfigError::Empty)
        ));
    }
}
