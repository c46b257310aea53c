//! Where the gateway lives and the secrets of one gateway account.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;

/// The two URLs of one NestPay environment (live, stage, test or the sandbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayEndpoints {
    /// The 3D gate the buyer's browser posts to, e.g. `https://pgw.bkt-ks.com/fim/est3Dgate`.
    pub gate_url: String,
    /// The CC5 XML API, e.g. `https://pgw.bkt-ks.com/fim/api`.
    pub api_url: String,
}

impl GatewayEndpoints {
    /// Both URLs on the standard paths below `base` (e.g. `http://127.0.0.1:8600`).
    pub fn from_base(base: &str) -> GatewayEndpoints {
        let base = base.trim_end_matches('/');
        GatewayEndpoints {
            gate_url: format!("{base}/fim/est3Dgate"),
            api_url: format!("{base}/fim/api"),
        }
    }
}

/// One merchant account at the bank. The store key signs hosted-page traffic;
/// the API user and password authenticate XML API calls. They are different
/// secrets and neither ever appears in `Debug` output.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    pub store_key: SecretString,
    pub api_user: String,
    pub api_password: SecretString,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("store_key", &"[REDACTED]")
            .field("api_user", &self.api_user)
            .field("api_password", &"[REDACTED]")
            .finish()
    }
}

/// Timeouts for XML API calls. Real integrations see answers take 10 s to 70 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP and TLS connection. Nothing has been sent if this expires.
    pub connect: Duration,
    /// The whole request, from sending to the last byte of the answer.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(75),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let c = Credentials {
            client_id: "520000001".into(),
            store_key: SecretString::from("STORE-KEY-VALUE"),
            api_user: "api".into(),
            api_password: SecretString::from("API-PASSWORD-VALUE"),
        };
        let d = format!("{c:?}");
        assert!(d.contains("520000001"));
        assert!(!d.contains("STORE-KEY-VALUE"));
        assert!(!d.contains("API-PASSWORD-VALUE"));
    }

    #[test]
    fn endpoints_from_base() {
        let e = GatewayEndpoints::from_base("http://127.0.0.1:8600/");
        assert_eq!(e.gate_url, "http://127.0.0.1:8600/fim/est3Dgate");
        assert_eq!(e.api_url, "http://127.0.0.1:8600/fim/api");
    }
}
