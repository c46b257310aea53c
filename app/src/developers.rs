//! The merchant's API keys as the Developers page shows them: the list (never a secret),
//! and making, rolling and revoking a key. The platform (`platform::api::keys`) checks the
//! role again, keeps no key beyond its maker's role, audits and mails the owners; these
//! functions add the session, the fresh two-factor check their policy rows ask for, and the
//! words the page shows.

use std::collections::BTreeMap;

use domain::Mode;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Every resource a key can be given, as the API names it and as the page says it, and
/// whether it can be written (the balance and payouts are read only). The platform's
/// `Resource::ALL` and `Resource::writable` are the source; a test keeps the two the same,
/// and this copy exists because the browser build has no platform crate.
pub const RESOURCES: &[(&str, &str, bool)] = &[
    ("checkout_sessions", "Checkout sessions", true),
    ("payments", "Payments", true),
    ("refunds", "Refunds", true),
    ("products", "Products", true),
    ("payment_links", "Payment links", true),
    ("events", "Events", true),
    ("webhook_endpoints", "Webhook endpoints", true),
    ("balance", "Balance", false),
    ("payouts", "Payouts", false),
    ("subscriptions", "Plans and subscriptions", true),
];

/// How long a rolled key keeps working beside its successor, in hours, with the words the
/// form offers: the platform allows anything up to seven days, the page offers these.
pub const ROLL_OVERLAPS: &[(u16, &str)] = &[
    (0, "End the old key now"),
    (1, "Keep the old key for 1 hour"),
    (24, "Keep the old key for 24 hours"),
    (168, "Keep the old key for 7 days"),
];

/// Where a key stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    /// Rolled: works until `at`, beside its successor.
    Expires {
        at: String,
    },
    /// Rolled, and its overlap is over.
    Expired {
        at: String,
    },
    Revoked {
        at: String,
    },
}

/// A key as the list shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub mode: Mode,
    /// `sk_test_AbCd`: what the key starts with, to recognise it.
    pub prefix: String,
    /// "Full access", or each resource with its level.
    pub permissions: String,
    pub created_by: String,
    pub created_at: String,
    /// When and from where the key was last used, if ever.
    pub last_used: Option<String>,
    pub status: KeyStatus,
    /// Still usable and not rolled yet (a rolled key's successor is the one to roll).
    pub can_roll: bool,
    pub can_revoke: bool,
}

/// The keys page: the keys and the origin the API answers on (for the examples).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeveloperKeys {
    pub keys: Vec<KeyRow>,
    /// `https://pay.example`: the platform's public origin, as the API's callers reach it.
    pub origin: String,
}

/// A key just made or rolled, with its secret: the only answer that ever carries one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    pub name: String,
    pub mode: Mode,
    pub secret: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::collections::BTreeMap;

    use platform::api::keys::{Access, KeyError, KeyView, Permissions, Resource};
    use time::OffsetDateTime;

    use super::{KeyRow, KeyStatus, RESOURCES};
    use crate::error::AppError;
    use crate::payments::ssr::when;

    impl From<KeyError> for AppError {
        fn from(error: KeyError) -> Self {
            match error {
                KeyError::NotFound => AppError::NotFound,
                KeyError::NotAllowed => AppError::Denied {
                    message: "Only the owner, an admin or a developer can manage API keys."
                        .into(),
                },
                KeyError::BeyondRole => AppError::Denied {
                    message: "A key cannot do more than the member who makes it: only owners, admins and finance \
                              may make or roll a key that can refund. Choose \u{201c}Restricted\u{201d} and give \
                              refunds \u{201c}Read\u{201d} or \u{201c}None\u{201d}."
                        .into(),
                },
                KeyError::LiveNotAllowed => AppError::validation(
                    "mode",
                    "Live keys open once Saleonix has verified your business, while it is not suspended. Make a Test key meanwhile.",
                ),
                KeyError::Invalid { field, message } => {
                    AppError::validation(field, &sentence(message))
                }
                other @ (KeyError::Database(_) | KeyError::Audit(_)) => {
                    crate::error::internal(other)
                }
            }
        }
    }

    /// The platform's field messages are phrases ("name the key in 1 to 100 characters");
    /// the page shows sentences.
    fn sentence(phrase: &str) -> String {
        let mut chars = phrase.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        format!("{first}{}.", chars.as_str())
    }

    fn label(resource: Resource) -> &'static str {
        RESOURCES
            .iter()
            .find(|(name, _, _)| *name == resource.as_str())
            .map_or(resource.as_str(), |(_, label, _)| label)
    }

    pub fn permissions_in_words(permissions: &Permissions) -> String {
        match permissions {
            Permissions::Full => "Full access".into(),
            Permissions::Restricted(grants) if grants.is_empty() => "No access".into(),
            Permissions::Restricted(grants) => grants
                .iter()
                .map(|(resource, access)| {
                    let level = match access {
                        Access::Read => "read",
                        Access::Write => "write",
                    };
                    format!("{}: {level}", label(*resource))
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    /// The form's choice: `full`, or `restricted` with a level per resource (`none`,
    /// `read`, `write`; a resource left out is none).
    pub fn permissions(
        access: &str,
        grants: Option<BTreeMap<String, String>>,
    ) -> Result<Permissions, AppError> {
        let invalid = || AppError::validation("access", "Choose full access or restricted.");
        match access.trim() {
            "full" => Ok(Permissions::Full),
            "restricted" => {
                let mut chosen = BTreeMap::new();
                for (resource, level) in grants.unwrap_or_default() {
                    let resource = Resource::parse(&resource).ok_or_else(invalid)?;
                    let level = match level.trim() {
                        "none" => continue,
                        "read" => Access::Read,
                        "write" => Access::Write,
                        _ => return Err(invalid()),
                    };
                    chosen.insert(resource, level);
                }
                Ok(Permissions::Restricted(chosen))
            }
            _ => Err(invalid()),
        }
    }

    pub fn row(key: KeyView, now: OffsetDateTime) -> KeyRow {
        let usable = key.usable(now);
        let status = match (key.revoked_at, key.expires_at) {
            (Some(at), _) => KeyStatus::Revoked { at: when(at) },
            (None, Some(at)) if at > now => KeyStatus::Expires { at: when(at) },
            (None, Some(at)) => KeyStatus::Expired { at: when(at) },
            (None, None) => KeyStatus::Active,
        };
        let last_used = key.last_used_at.map(|at| match &key.last_used_ip {
            Some(ip) => format!("{} from {ip}", when(at)),
            None => when(at),
        });
        KeyRow {
            id: key.id.to_string(),
            permissions: permissions_in_words(&key.permissions),
            name: key.name,
            mode: key.mode,
            prefix: key.prefix,
            created_by: key.created_by,
            created_at: when(key.created_at),
            last_used,
            // Only a roll sets an end, and a key is rolled once.
            can_roll: usable && key.expires_at.is_none(),
            can_revoke: usable,
            status,
        }
    }

    /// A form posted without WASM is answered with a redirect back to the page, which
    /// cannot carry the secret (it must never reach a URL): such a post makes no secret at
    /// all rather than one nobody can see. `field` and `message` say so on the form.
    pub fn refuse_without_script(field: &str, message: &str) -> Result<(), AppError> {
        let plain_form =
            leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
                parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
            });
        if plain_form {
            return Err(AppError::validation(field, message));
        }
        Ok(())
    }
}

/// Why a key is not made or rolled from a form posted without WASM.
#[cfg(feature = "ssr")]
const NO_SCRIPT: &str = "Showing the new key needs JavaScript, which is off in this browser: no key was made. Turn it on and try again.";

/// The merchant's keys, newest first, with revoked and expired ones (they explain the
/// audit trail).
#[server(endpoint = "developers/keys")]
pub async fn api_keys() -> Result<DeveloperKeys, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ApiKeys>()
            .await?
            .merchant()?;
        let keys = platform::api::keys::list(&platform.pool, &scope).await?;
        let now = time::OffsetDateTime::now_utc();
        Ok(DeveloperKeys {
            keys: keys.into_iter().map(|key| ssr::row(key, now)).collect(),
            origin: platform.config.settings.public_origin().to_string(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Makes a key: `mode` `test` or `live`, `access` `full` or `restricted` with `grants`
/// (resource to `none`, `read` or `write`). A fresh two-factor check first; the secret is
/// in this answer and nowhere else, ever.
#[server(endpoint = "developers/keys/create")]
pub async fn create_api_key(
    name: String,
    mode: String,
    access: String,
    grants: Option<BTreeMap<String, String>>,
) -> Result<NewSecret, AppError> {
    use platform::api::keys::{self, NewKey};
    use secrecy::ExposeSecret;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<CreateApiKey>()
            .await?
            .merchant()?;
        ssr::refuse_without_script("name", NO_SCRIPT)?;
        let mode = Mode::parse(mode.trim())
            .ok_or_else(|| AppError::validation("mode", "Choose Test or Live."))?;
        let new = NewKey {
            name,
            mode,
            permissions: ssr::permissions(&access, grants)?,
        };
        let facts = crate::request::facts().await;
        let created = keys::create(&platform, &scope, new, &facts).await?;
        Ok(NewSecret {
            name: created.key.name,
            mode: created.key.mode,
            secret: created.secret.expose_secret().to_owned(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Replaces a key with a new one of the same name, mode and permissions; the old one keeps
/// working for `overlap_hours` (one of [`ROLL_OVERLAPS`]). A fresh two-factor check first.
#[server(endpoint = "developers/keys/roll")]
pub async fn roll_api_key(key_id: String, overlap_hours: String) -> Result<NewSecret, AppError> {
    use secrecy::ExposeSecret;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<RollApiKey>()
            .await?
            .merchant()?;
        ssr::refuse_without_script("name", NO_SCRIPT)?;
        let id = crate::team::ssr::id(&key_id)?;
        let hours = overlap_hours
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|hours| ROLL_OVERLAPS.iter().any(|(h, _)| h == hours))
            .ok_or_else(|| {
                AppError::validation(
                    "overlap_hours",
                    "Choose how long the old key keeps working.",
                )
            })?;
        let overlap = time::Duration::hours(i64::from(hours));
        let facts = crate::request::facts().await;
        let created = platform::api::keys::roll(&platform, &scope, id, overlap, &facts).await?;
        Ok(NewSecret {
            name: created.key.name,
            mode: created.key.mode,
            secret: created.secret.expose_secret().to_owned(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Ends a key now. A fresh two-factor check first.
#[server(endpoint = "developers/keys/revoke")]
pub async fn revoke_api_key(key_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<RevokeApiKey>()
            .await?
            .merchant()?;
        let id = crate::team::ssr::id(&key_id)?;
        let facts = crate::request::facts().await;
        platform::api::keys::revoke(&platform, &scope, id, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use std::collections::BTreeMap;

    use platform::api::keys::{Access, Permissions, Resource};

    use super::RESOURCES;
    use super::ssr::{permissions, permissions_in_words};

    #[test]
    fn the_page_offers_exactly_the_platforms_resources_in_its_order() {
        let page: Vec<(&str, bool)> = RESOURCES
            .iter()
            .map(|(name, _, writable)| (*name, *writable))
            .collect();
        let platform = Resource::ALL.map(|r| (r.as_str(), r.writable()));
        assert_eq!(page, platform);
    }

    #[test]
    fn the_form_reads_full_restricted_and_none_and_refuses_anything_else() {
        assert_eq!(permissions("full", None), Ok(Permissions::Full));
        let grants = BTreeMap::from([
            ("payments".to_owned(), "read".to_owned()),
            ("refunds".to_owned(), "none".to_owned()),
            ("checkout_sessions".to_owned(), "write".to_owned()),
        ]);
        let restricted = permissions("restricted", Some(grants)).unwrap();
        assert_eq!(
            restricted,
            Permissions::Restricted(BTreeMap::from([
                (Resource::Payments, Access::Read),
                (Resource::CheckoutSessions, Access::Write),
            ]))
        );
        assert_eq!(
            permissions_in_words(&restricted),
            "Checkout sessions: write; Payments: read"
        );
        assert_eq!(
            permissions_in_words(&Permissions::Restricted(BTreeMap::new())),
            "No access"
        );
        let unknown = BTreeMap::from([("ledger".to_owned(), "read".to_owned())]);
        assert!(permissions("restricted", Some(unknown)).is_err());
        let admin = BTreeMap::from([("payments".to_owned(), "admin".to_owned())]);
        assert!(permissions("restricted", Some(admin)).is_err());
        assert!(permissions("everything", None).is_err());
    }
}
