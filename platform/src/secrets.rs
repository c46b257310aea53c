//! The platform's own secrets: field-encryption keys, the session key and the SMTP URL.
//!
//! Production reads them only from the environment and refuses to start without them.
//! Development generates the keys that are missing, once, into a git-ignored file readable
//! by its owner only, so a fresh clone runs with no set-up and restarts keep their data.
//! The SMTP URL is never generated: without it, development mail goes to a local mailbox.

use std::fmt;
use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::{Deserialize, Serialize};

use crate::config::Environment;
use crate::field_crypto::KeyRing;

pub const FIELD_KEYS_VAR: &str = "SALEONIX_FIELD_KEYS";
pub const SESSION_KEY_VAR: &str = "SALEONIX_SESSION_KEY";
pub const SMTP_URL_VAR: &str = "SALEONIX_SMTP_URL";

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("{0} is not set; production needs it (see README, \"Secrets\")")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("cannot use the development secrets file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

pub struct Secrets {
    pub field_keys: KeyRing,
    /// 64 bytes for signing session cookies.
    pub session_key: SecretBox<[u8; 64]>,
    /// `smtp://` or `smtps://` URL of the mail server, with its credentials.
    pub smtp_url: Option<SecretString>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("field_keys", &self.field_keys)
            .field("session_key", &"[REDACTED]")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// The development file's shape: the same text the environment variables take.
#[derive(Serialize, Deserialize, Default)]
struct DevFile {
    field_keys: Option<String>,
    session_key: Option<String>,
}

impl Secrets {
    pub fn load(env: Environment, dev_file: &Path) -> Result<Self, SecretsError> {
        Self::load_from(env, dev_file, |name| std::env::var(name).ok())
    }

    /// [`Secrets::load`] with the environment passed in, so tests need not change the
    /// process's own, which parallel tests share.
    fn load_from(
        env: Environment,
        dev_file: &Path,
        var: impl Fn(&'static str) -> Option<String>,
    ) -> Result<Self, SecretsError> {
        let from_env = |name: &'static str| var(name).map(SecretString::from);
        // An empty value is how a shell unsets it for one command.
        let smtp_url = var(SMTP_URL_VAR)
            .filter(|url| !url.trim().is_empty())
            .map(SecretString::from);
        let field = from_env(FIELD_KEYS_VAR);
        let session = from_env(SESSION_KEY_VAR);
        let (field, session) = match (env, field, session) {
            (_, Some(field), Some(session)) => (field, session),
            (Environment::Production, None, _) => {
                return Err(SecretsError::Missing(FIELD_KEYS_VAR));
            }
            (Environment::Production, _, None) => {
                return Err(SecretsError::Missing(SESSION_KEY_VAR));
            }
            (Environment::Development, field, session) => {
                let file = load_or_create_dev_file(dev_file)?;
                (
                    field.unwrap_or_else(|| file.field_keys.clone()),
                    session.unwrap_or_else(|| file.session_key.clone()),
                )
            }
        };
        // Production mail must reach people: the development mailbox is never an option there.
        if env == Environment::Production && smtp_url.is_none() {
            return Err(SecretsError::Missing(SMTP_URL_VAR));
        }
        Ok(Self {
            field_keys: parse_field_keys(&field)?,
            session_key: parse_session_key(&session)?,
            smtp_url,
        })
    }
}

struct DevSecrets {
    field_keys: SecretString,
    session_key: SecretString,
}

fn load_or_create_dev_file(path: &Path) -> Result<DevSecrets, SecretsError> {
    let io = |source| SecretsError::File {
        path: path.display().to_string(),
        source,
    };
    let mut file: DevFile = match std::fs::read_to_string(path) {
        Ok(text) => toml_from_str(&text).map_err(|reason| SecretsError::Invalid {
            name: "the development secrets file",
            reason,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DevFile::default(),
        Err(e) => return Err(io(e)),
    };
    let mut changed = false;
    let field_keys = file
        .field_keys
        .get_or_insert_with(|| {
            changed = true;
            format!("1:{}", random_b64(32))
        })
        .clone();
    let session_key = file
        .session_key
        .get_or_insert_with(|| {
            changed = true;
            random_b64(64)
        })
        .clone();
    if changed {
        write_private(path, &toml_to_string(&file)).map_err(io)?;
        tracing::info!(path = %path.display(), "generated development secrets");
    }
    Ok(DevSecrets {
        field_keys: field_keys.into(),
        session_key: session_key.into(),
    })
}

fn toml_from_str(text: &str) -> Result<DevFile, String> {
    use figment::providers::{Format, Toml};
    figment::Figment::from(Toml::string(text))
        .extract()
        .map_err(|e| e.to_string())
}

fn toml_to_string(file: &DevFile) -> String {
    let mut out = String::from(
        "# Development secrets, generated by Saleonix. Never commit; never use in production.\n",
    );
    if let Some(v) = &file.field_keys {
        out.push_str(&format!("field_keys = \"{v}\"\n"));
    }
    if let Some(v) = &file.session_key {
        out.push_str(&format!("session_key = \"{v}\"\n"));
    }
    out
}

/// Writes through a temporary file created with mode 0600, then renames, so the secret is
/// never readable by others, not even for a moment, and never half written.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

fn random_b64(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    B64.encode(bytes)
}

/// `ID:BASE64[,ID:BASE64...]`; the first key is the active one.
fn parse_field_keys(text: &SecretString) -> Result<KeyRing, SecretsError> {
    let invalid = |reason: String| SecretsError::Invalid {
        name: FIELD_KEYS_VAR,
        reason,
    };
    let mut keys = Vec::new();
    for entry in text
        .expose_secret()
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let (id, b64) = entry
            .split_once(':')
            .ok_or_else(|| invalid("expected ID:BASE64 entries".into()))?;
        let id: u32 = id
            .parse()
            .map_err(|_| invalid(format!("key id {id:?} is not a number")))?;
        let bytes = B64
            .decode(b64)
            .map_err(|_| invalid(format!("key {id} is not base64")))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| invalid(format!("key {id} must be 32 bytes (AES-256)")))?;
        keys.push((id, SecretBox::new(Box::new(key))));
    }
    let active = keys
        .first()
        .map(|(id, _)| *id)
        .ok_or_else(|| invalid("no key given".into()))?;
    KeyRing::new(active, keys).map_err(|e| invalid(e.to_string()))
}

fn parse_session_key(text: &SecretString) -> Result<SecretBox<[u8; 64]>, SecretsError> {
    let invalid = |reason: &str| SecretsError::Invalid {
        name: SESSION_KEY_VAR,
        reason: reason.into(),
    };
    let bytes = B64
        .decode(text.expose_secret().trim())
        .map_err(|_| invalid("not base64"))?;
    let key: [u8; 64] = bytes.try_into().map_err(|_| invalid("must be 64 bytes"))?;
    Ok(SecretBox::new(Box::new(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn temp_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("saleonix-secrets-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    // These tests rely on SALEONIX_FIELD_KEYS and SALEONIX_SESSION_KEY being unset, as they
    // are in the test command; the process environment is not touched here because tests
    // run in parallel threads.

    #[test]
    fn development_generates_secrets_once_with_owner_only_permissions() {
        let path = temp_dir().join("nested/secrets.toml");
        let first = Secrets::load(Environment::Development, &path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        let second = Secrets::load(Environment::Development, &path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "loaded, not regenerated"
        );
        assert_eq!(
            first.session_key.expose_secret(),
            second.session_key.expose_secret()
        );
        // A value encrypted with the first load decrypts with the second: same keys.
        let slot = crate::field_crypto::FieldSlot {
            table: "t",
            column: "c",
            row: "1",
        };
        let stored = first
            .field_keys
            .encrypt(slot, b"kept across restarts")
            .unwrap();
        assert!(second.field_keys.decrypt(slot, &stored).is_ok());
    }

    #[test]
    fn production_names_the_missing_setting_and_never_writes_a_file() {
        let path = temp_dir().join("secrets.toml");
        let err = Secrets::load(Environment::Production, &path).unwrap_err();
        assert!(err.to_string().contains(FIELD_KEYS_VAR), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn production_refuses_to_start_without_an_smtp_url() {
        let path = temp_dir().join("secrets.toml");
        let keys = [
            (FIELD_KEYS_VAR, format!("1:{}", B64.encode([1u8; 32]))),
            (SESSION_KEY_VAR, B64.encode([2u8; 64])),
        ];
        let with = |smtp: Option<&'static str>| {
            let keys = keys.clone();
            move |name: &'static str| {
                keys.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
                    .or_else(|| {
                        (name == SMTP_URL_VAR)
                            .then_some(smtp)
                            .flatten()
                            .map(String::from)
                    })
            }
        };
        for missing in [None, Some(""), Some("  ")] {
            let err =
                Secrets::load_from(Environment::Production, &path, with(missing)).unwrap_err();
            assert!(err.to_string().contains(SMTP_URL_VAR), "{err}");
        }
        let url = "smtps://mailer:hunter2@smtp.example.com";
        let secrets = Secrets::load_from(Environment::Production, &path, with(Some(url))).unwrap();
        assert_eq!(
            secrets.smtp_url.as_ref().map(|u| u.expose_secret()),
            Some(url)
        );
        assert!(
            !format!("{secrets:?}").contains("hunter2"),
            "Debug redacts the SMTP URL"
        );
        assert!(!path.exists());
        let dev = Secrets::load_from(Environment::Development, &path, with(None)).unwrap();
        assert!(dev.smtp_url.is_none(), "development runs without one");
    }

    #[test]
    fn debug_output_has_no_secret() {
        let path = temp_dir().join("secrets.toml");
        let secrets = Secrets::load(Environment::Development, &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let debug = format!("{secrets:?}");
        for line in text.lines().filter_map(|l| l.split_once('"')) {
            let value = line.1.trim_end_matches('"');
            let b64 = value.rsplit(':').next().unwrap();
            assert!(!debug.contains(b64), "Debug leaked a secret: {debug}");
        }
        assert!(debug.contains("REDACTED"));
    }

    #[test]
    fn field_keys_are_parsed_with_the_first_active() {
        let a = B64.encode([1u8; 32]);
        let b = B64.encode([2u8; 32]);
        let ring = parse_field_keys(&format!("7:{a}, 3:{b}").into()).unwrap();
        assert_eq!(ring.active_key_id(), 7);
        for bad in ["", "7", "x:abc", &format!("1:{}", B64.encode([0u8; 16]))] {
            let err = parse_field_keys(&bad.to_string().into()).unwrap_err();
            assert!(err.to_string().contains(FIELD_KEYS_VAR));
        }
    }

    #[test]
    fn a_short_session_key_is_refused() {
        assert!(parse_session_key(&B64.encode([0u8; 32]).into()).is_err());
        assert!(parse_session_key(&B64.encode([0u8; 64]).into()).is_ok());
    }
}
