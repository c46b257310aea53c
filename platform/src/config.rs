//! One typed configuration: built-in defaults, then an optional TOML file, then
//! environment variables. Every setting and its default is listed in the README.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::secrets::{Secrets, SecretsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

/// TLS termination inside the server itself (optional; a proxy in front is the other way).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TlsConfig {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    /// Plain-HTTP listener that only redirects to HTTPS.
    pub redirect_listen: Option<SocketAddr>,
}

/// The Payten 3-D gate URLs the checkout form may post to; they also feed the CSP's
/// `form-action`, which is why they live here and not only in the gateway accounts.
/// `test_api_url` is where the development seed points the Test Mode account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PaytenGates {
    pub test_gate_url: String,
    pub test_api_url: String,
    pub live_gate_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SecurityTxt {
    pub contact: String,
    pub expires: Date,
}

/// Non-secret settings. Secrets are read separately into [`Secrets`] so that this struct
/// can be logged and printed freely.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    pub env: Environment,
    pub listen: SocketAddr,
    /// The origin buyers and users see; used for CSRF origin checks and absolute links.
    pub public_url: String,
    pub database_url: String,
    pub database_max_connections: u32,
    /// Where development secrets are generated; never read in production.
    pub secrets_file: PathBuf,
    /// The built site (`cargo leptos build` output): `pkg/` with the WASM, JS and CSS.
    pub site_root: PathBuf,
    pub tls: Option<TlsConfig>,
    /// Trust `X-Forwarded-Proto: https` from a proxy in front (sends HSTS then).
    pub trust_forwarded_proto: bool,
    pub security_txt: SecurityTxt,
    pub payten: PaytenGates,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    pub rate_limits: RateLimits,
    pub audit: AuditSettings,
}

/// Per-client limits on public endpoints, counted in Postgres across instances.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RateLimits {
    /// "Talk to us" requests per IP address per hour.
    pub contact_per_ip_per_hour: u32,
}

/// How long audit rows are kept. Purging rows past this age is not implemented yet; until
/// it is, every row is kept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditSettings {
    /// At least [`AuditSettings::MIN_RETENTION_DAYS`]: payment records are kept five years
    /// for anti-money-laundering record keeping.
    pub retention_days: u32,
}

impl AuditSettings {
    pub const MIN_RETENTION_DAYS: u32 = 1825;
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            env: Environment::Development,
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            public_url: "http://127.0.0.1:3000".into(),
            database_url: "postgres://postgres@127.0.0.1:5432/saleonix".into(),
            database_max_connections: 20,
            secrets_file: PathBuf::from(".local/secrets.toml"),
            site_root: PathBuf::from("target/site"),
            tls: None,
            trust_forwarded_proto: false,
            security_txt: SecurityTxt {
                contact: "mailto:security@saleonix.example".into(),
                expires: time::macros::date!(2027 - 11 - 24),
            },
            payten: PaytenGates {
                test_gate_url: "http://127.0.0.1:8600/fim/est3Dgate".into(),
                test_api_url: "http://127.0.0.1:8600/fim/api".into(),
                live_gate_url: "https://pgw.bkt-ks.com/fim/est3Dgate".into(),
            },
            log_format: LogFormat::Pretty,
            rate_limits: RateLimits { contact_per_ip_per_hour: 5 },
            audit: AuditSettings { retention_days: AuditSettings::MIN_RETENTION_DAYS },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
}

/// Everything the server needs to start.
#[derive(Debug)]
pub struct Config {
    pub settings: Settings,
    pub secrets: Secrets,
}

impl Settings {
    /// Defaults, then `saleonix.toml` (or the file named by `SALEONIX_CONFIG`), then
    /// `SALEONIX_*` variables (`__` separates nested keys, e.g. `SALEONIX_TLS__CERT_PATH`),
    /// then `DATABASE_URL`, the conventional name every Postgres tool reads.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var("SALEONIX_CONFIG").unwrap_or_else(|_| "saleonix.toml".into());
        Self::from_figment(
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(Toml::file(file))
                .merge(Env::prefixed("SALEONIX_").split("__").ignore(&[
                    "config",
                    "field_keys",
                    "session_key",
                ]))
                .merge(Env::raw().only(&["database_url"])),
        )
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid(
                "SALEONIX_PUBLIC_URL must start with http:// or https://".into(),
            ));
        }
        if self.env == Environment::Production && !self.public_url.starts_with("https://") {
            return Err(ConfigError::Invalid(
                "SALEONIX_PUBLIC_URL must be https:// in production".into(),
            ));
        }
        if self.audit.retention_days < AuditSettings::MIN_RETENTION_DAYS {
            return Err(ConfigError::Invalid(format!(
                "SALEONIX_AUDIT__RETENTION_DAYS must be at least {} (five years, for AML record keeping)",
                AuditSettings::MIN_RETENTION_DAYS
            )));
        }
        Ok(())
    }

    /// The public origin (scheme, host, port) without a trailing slash.
    pub fn public_origin(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}

impl Config {
    pub fn load() -> Result<Self, ConfigError> {
        let settings = Settings::load()?;
        let secrets = Secrets::load(settings.env, &settings.secrets_file)?;
        Ok(Self { settings, secrets })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        for (key, value) in pairs {
            figment = figment.merge((*key, *value));
        }
        Settings::from_figment(figment)
    }

    #[test]
    fn defaults_point_at_the_local_postgres_and_port_3000() {
        let settings = with(&[]).unwrap();
        assert_eq!(settings.database_url, "postgres://postgres@127.0.0.1:5432/saleonix");
        assert_eq!(settings.listen.port(), 3000);
        assert_eq!(settings.env, Environment::Development);
    }

    #[test]
    fn production_refuses_a_plain_http_public_url() {
        let err = with(&[("env", "production")]).unwrap_err();
        assert!(err.to_string().contains("https:// in production"), "{err}");
        assert!(with(&[("env", "production"), ("public_url", "https://pay.example")]).is_ok());
    }

    #[test]
    fn audit_retention_defaults_to_five_years_and_refuses_less() {
        assert_eq!(with(&[]).unwrap().audit.retention_days, 1825);
        let retention = |days: u32| {
            Settings::from_figment(
                Figment::from(Serialized::defaults(Settings::default())).merge(("audit.retention_days", days)),
            )
        };
        let err = retention(1824).unwrap_err();
        assert!(err.to_string().contains("RETENTION_DAYS must be at least 1825"), "{err}");
        assert_eq!(retention(3650).unwrap().audit.retention_days, 3650);
    }

    #[test]
    fn a_public_url_without_a_scheme_is_refused() {
        assert!(with(&[("public_url", "pay.example")]).is_err());
    }
}
