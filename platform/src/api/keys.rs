//! Secret keys for the merchant API (migration `20261130002100_api_keys.sql`).
//!
//! A key is `sk_test_` or `sk_live_` and 40 random letters and digits (about 238 bits),
//! shown once when it is made. Only its SHA-256 is stored, with the first four letters as
//! the prefix people recognise it by: a leaked table holds nothing that signs in, and a
//! slow hash buys nothing against a secret that cannot be guessed. A key acts for its
//! merchant in its own mode only, with the permissions it was given; [`authenticate`] is
//! the only way to a [`AuthenticatedKey`], and so to a [`MerchantScope::of_key`].
//!
//! Making, rolling and revoking a key is for owners, admins and developers (checked here
//! too, behind the server function's policy and its fresh two-factor check), audited and
//! mailed to the merchant's owners.

use std::collections::BTreeMap;

use domain::{MerchantId, MerchantRole, Mode};
use rand::Rng as _;
use rand::distributions::Alphanumeric;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::Platform;
use crate::audit::{self, Event, Outcome, RequestFacts};
use crate::identity::roles::MerchantScope;
use crate::mail::{self, OutgoingMail};

/// Who may make, roll and revoke keys.
pub const KEY_MANAGERS: &[MerchantRole] = &[
    MerchantRole::Owner,
    MerchantRole::Admin,
    MerchantRole::Developer,
];
/// The longest a rolled key keeps working beside its successor.
pub const MAX_ROLL_OVERLAP: Duration = Duration::days(7);
const SECRET_LETTERS: usize = 40;
const PREFIX_LETTERS: usize = 4;

/// What a key can reach. Each resource of the API belongs to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    CheckoutSessions,
    Payments,
    Refunds,
    Products,
    PaymentLinks,
    Events,
    WebhookEndpoints,
    Balance,
    Payouts,
    /// Plans and the subscriptions signed up for them.
    Subscriptions,
}

impl Resource {
    pub const ALL: [Resource; 10] = [
        Resource::CheckoutSessions,
        Resource::Payments,
        Resource::Refunds,
        Resource::Products,
        Resource::PaymentLinks,
        Resource::Events,
        Resource::WebhookEndpoints,
        Resource::Balance,
        Resource::Payouts,
        Resource::Subscriptions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::CheckoutSessions => "checkout_sessions",
            Resource::Payments => "payments",
            Resource::Refunds => "refunds",
            Resource::Products => "products",
            Resource::PaymentLinks => "payment_links",
            Resource::Events => "events",
            Resource::WebhookEndpoints => "webhook_endpoints",
            Resource::Balance => "balance",
            Resource::Payouts => "payouts",
            Resource::Subscriptions => "subscriptions",
        }
    }

    /// Whether the API can change anything of this resource. The balance and payouts
    /// move only by the books and staff, so a key is never given more than reading them.
    pub fn writable(self) -> bool {
        !matches!(self, Resource::Balance | Resource::Payouts)
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// `Write` includes `Read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// A key's permissions: everything, or the listed resources at a level each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    Full,
    Restricted(BTreeMap<Resource, Access>),
}

impl Permissions {
    /// Refuses a write level on a resource the API only reads: granted, it would promise
    /// something no request can do.
    fn check(&self) -> Result<(), KeyError> {
        match self {
            Permissions::Restricted(grants)
                if grants
                    .iter()
                    .any(|(resource, access)| *access == Access::Write && !resource.writable()) =>
            {
                Err(KeyError::Invalid {
                    field: "access",
                    message: "balance and payouts are read only: give them read or none",
                })
            }
            _ => Ok(()),
        }
    }

    pub fn allows(&self, resource: Resource, access: Access) -> bool {
        match self {
            Permissions::Full => true,
            Permissions::Restricted(grants) => grants.get(&resource).is_some_and(|g| *g >= access),
        }
    }

    fn to_json(&self) -> Option<serde_json::Value> {
        match self {
            Permissions::Full => None,
            Permissions::Restricted(grants) => Some(serde_json::json!(
                grants
                    .iter()
                    .map(|(r, a)| (r.as_str(), a.as_str()))
                    .collect::<BTreeMap<_, _>>()
            )),
        }
    }

    /// As stored (`jsonb`, read and written as text); a stored value this version cannot
    /// read grants nothing.
    fn from_column(text: Option<String>) -> Self {
        match text {
            None => Permissions::Full,
            Some(text) => Permissions::Restricted(
                serde_json::from_str(&text).unwrap_or_else(|_| BTreeMap::new()),
            ),
        }
    }

    fn to_column(&self) -> Option<String> {
        self.to_json().map(|value| value.to_string())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not found")]
    NotFound,
    #[error("only the owner, an admin or a developer can manage API keys")]
    NotAllowed,
    #[error("Live keys are open only to merchants verified for Live Mode")]
    LiveNotAllowed,
    #[error(
        "a key cannot do more than its maker: only owners, admins and finance may make or roll keys that refund"
    )]
    BeyondRole,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] audit::AuditError),
}

/// A key as the keys page lists it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyView {
    pub id: Uuid,
    pub name: String,
    pub mode: Mode,
    pub prefix: String,
    pub permissions: Permissions,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
    pub last_used_ip: Option<String>,
}

impl KeyView {
    pub fn usable(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

/// A new key and its secret, which is shown once and never again.
pub struct Created {
    pub key: KeyView,
    pub secret: SecretString,
}

#[derive(Debug, Clone)]
pub struct NewKey {
    pub name: String,
    pub mode: Mode,
    pub permissions: Permissions,
}

fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn mode_word(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => "test",
        Mode::Live => "live",
    }
}

/// A fresh secret for `mode` and its recognisable prefix.
fn fresh_secret(mode: Mode) -> (SecretString, String) {
    let body: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(SECRET_LETTERS)
        .map(char::from)
        .collect();
    let prefix = format!("sk_{}_{}", mode_word(mode), &body[..PREFIX_LETTERS]);
    (
        SecretString::from(format!("sk_{}_{body}", mode_word(mode))),
        prefix,
    )
}

fn allowed(scope: &MerchantScope) -> Result<(), KeyError> {
    if scope.has_role(KEY_MANAGERS) {
        Ok(())
    } else {
        Err(KeyError::NotAllowed)
    }
}

fn name(value: &str) -> Result<String, KeyError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 100 || value.chars().any(char::is_control) {
        return Err(KeyError::Invalid {
            field: "name",
            message: "name the key in 1 to 100 characters",
        });
    }
    Ok(value.to_owned())
}

const VIEW: &str = "SELECT k.id, k.name, k.mode, k.prefix, k.permissions::text AS permissions, u.full_name, k.created_at,
        k.expires_at, k.revoked_at, k.last_used_at, k.last_used_ip
    FROM api_keys k JOIN users u ON u.id = k.created_by";

#[derive(sqlx::FromRow)]
struct ViewRow {
    id: Uuid,
    name: String,
    mode: Mode,
    prefix: String,
    permissions: Option<String>,
    full_name: String,
    created_at: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
    last_used_at: Option<OffsetDateTime>,
    last_used_ip: Option<String>,
}

fn view(row: ViewRow) -> KeyView {
    KeyView {
        id: row.id,
        name: row.name,
        mode: row.mode,
        prefix: row.prefix,
        permissions: Permissions::from_column(row.permissions),
        created_by: row.full_name,
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        last_used_at: row.last_used_at,
        last_used_ip: row.last_used_ip,
    }
}

/// The merchant's keys, newest first, revoked and expired ones included (they explain the
/// audit trail's actors).
pub async fn list(pool: &PgPool, scope: &MerchantScope) -> Result<Vec<KeyView>, KeyError> {
    let rows: Vec<ViewRow> = sqlx::query_as(&format!(
        "{VIEW} WHERE k.merchant_id = $1 ORDER BY k.created_at DESC, k.id"
    ))
    .bind(scope.merchant_id())
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(view).collect())
}

async fn one(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    id: Uuid,
) -> Result<KeyView, KeyError> {
    let row: Option<ViewRow> =
        sqlx::query_as(&format!("{VIEW} WHERE k.id = $1 AND k.merchant_id = $2"))
            .bind(id)
            .bind(scope.merchant_id())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(view).ok_or(KeyError::NotFound)
}

async fn insert(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    user_id: Uuid,
    new: &NewKey,
    rolled_from: Option<Uuid>,
) -> Result<Created, KeyError> {
    let (secret, prefix) = fresh_secret(new.mode);
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO api_keys (id, merchant_id, mode, name, prefix, digest, permissions, created_by, rolled_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)",
    )
    .bind(id)
    .bind(scope.merchant_id())
    .bind(new.mode)
    .bind(&new.name)
    .bind(&prefix)
    .bind(digest(secret.expose_secret()))
    .bind(new.permissions.to_column())
    .bind(user_id)
    .bind(rolled_from)
    .execute(&mut *conn)
    .await?;
    Ok(Created {
        key: one(conn, scope, id).await?,
        secret,
    })
}

/// The acting member; keys cannot manage keys.
fn member(scope: &MerchantScope) -> Result<Uuid, KeyError> {
    allowed(scope)?;
    scope.user_id().ok_or(KeyError::NotAllowed)
}

/// No key reaches further than the member who makes or rolls it: a developer, who may not
/// refund in the dashboard, cannot hand a key that refunds.
fn within_role(scope: &MerchantScope, permissions: &Permissions) -> Result<(), KeyError> {
    let refunds = permissions.allows(Resource::Refunds, Access::Write);
    if refunds && !scope.has_role(crate::payments::refunds::REFUNDERS) {
        return Err(KeyError::BeyondRole);
    }
    Ok(())
}

fn permissions_detail(permissions: &Permissions) -> serde_json::Value {
    permissions
        .to_json()
        .unwrap_or_else(|| serde_json::json!("full"))
}

/// Makes a key, audited as `api_key.create` and mailed to the owners.
pub async fn create(
    platform: &Platform,
    scope: &MerchantScope,
    new: NewKey,
    facts: &RequestFacts,
) -> Result<Created, KeyError> {
    let user_id = member(scope)?;
    new.permissions.check()?;
    within_role(scope, &new.permissions)?;
    let new = NewKey {
        name: name(&new.name)?,
        ..new
    };
    let mut tx = platform.pool.begin().await?;
    if new.mode == Mode::Live
        && !crate::payments::live_allowed(&mut tx, scope.merchant_id()).await?
    {
        return Err(KeyError::LiveNotAllowed);
    }
    let created = insert(&mut tx, scope, user_id, &new, None).await?;
    let event = Event::new("api_key.create", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("api_key", created.key.id.to_string())
        .detail(serde_json::json!({
            "mode": mode_word(new.mode),
            "prefix": created.key.prefix,
            "permissions": permissions_detail(&new.permissions),
        }));
    audit::record(&mut tx, &event, facts).await?;
    notify_owners(
        &mut tx,
        platform,
        scope.merchant_id(),
        &created.key,
        "created",
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Replaces a key with a new one of the same name, mode and permissions; the old one keeps
/// working for `overlap` (at most seven days; zero ends it now). Audited as `api_key.roll`.
pub async fn roll(
    platform: &Platform,
    scope: &MerchantScope,
    id: Uuid,
    overlap: Duration,
    facts: &RequestFacts,
) -> Result<Created, KeyError> {
    let user_id = member(scope)?;
    if overlap.is_negative() || overlap > MAX_ROLL_OVERLAP {
        return Err(KeyError::Invalid {
            field: "overlap",
            message: "the old key can keep working for at most seven days",
        });
    }
    let mut tx = platform.pool.begin().await?;
    // Locked, so two rolls of one key cannot both succeed; a key rolled once is not rolled
    // again (roll its successor).
    let live: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM api_keys WHERE id = $1 AND merchant_id = $2 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > now()) AND NOT EXISTS (SELECT 1 FROM api_keys r WHERE r.rolled_from = $1)
         FOR UPDATE",
    )
    .bind(id)
    .bind(scope.merchant_id())
    .fetch_optional(&mut *tx)
    .await?;
    if live.is_none() {
        return Err(KeyError::NotFound);
    }
    let old = one(&mut tx, scope, id).await?;
    within_role(scope, &old.permissions)?;
    sqlx::query("UPDATE api_keys SET expires_at = now() + $2 WHERE id = $1")
        .bind(id)
        .bind(overlap)
        .execute(&mut *tx)
        .await?;
    let new = NewKey {
        name: old.name.clone(),
        mode: old.mode,
        permissions: old.permissions.clone(),
    };
    let created = insert(&mut tx, scope, user_id, &new, Some(id)).await?;
    let event = Event::new("api_key.roll", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("api_key", id.to_string())
        .detail(serde_json::json!({
            "new_key": created.key.id,
            "prefix": created.key.prefix,
            "old_key_works_for_hours": overlap.whole_hours(),
        }));
    audit::record(&mut tx, &event, facts).await?;
    notify_owners(&mut tx, platform, scope.merchant_id(), &old, "rolled").await?;
    tx.commit().await?;
    Ok(created)
}

/// Ends a key now, audited as `api_key.revoke`.
pub async fn revoke(
    platform: &Platform,
    scope: &MerchantScope,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<(), KeyError> {
    let user_id = member(scope)?;
    let mut tx = platform.pool.begin().await?;
    let revoked = sqlx::query(
        "UPDATE api_keys SET revoked_at = now(), revoked_by = $3
         WHERE id = $1 AND merchant_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(scope.merchant_id())
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if revoked.rows_affected() == 0 {
        return Err(KeyError::NotFound);
    }
    let key = one(&mut tx, scope, id).await?;
    let event = Event::new("api_key.revoke", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("api_key", id.to_string())
        .detail(serde_json::json!({ "prefix": key.prefix }));
    audit::record(&mut tx, &event, facts).await?;
    notify_owners(&mut tx, platform, scope.merchant_id(), &key, "revoked").await?;
    tx.commit().await?;
    Ok(())
}

/// Tells every owner what happened to a key: a key made or changed by someone else is how
/// a stolen session turns into lasting access.
async fn notify_owners(
    conn: &mut PgConnection,
    platform: &Platform,
    merchant_id: MerchantId,
    key: &KeyView,
    what: &str,
) -> Result<(), sqlx::Error> {
    let owners: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, u.full_name FROM merchant_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.merchant_id = $1 AND mm.role = 'owner' AND u.disabled_at IS NULL
           AND u.email_verified_at IS NOT NULL
         ORDER BY u.email",
    )
    .bind(merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    let origin = platform.config.settings.public_origin();
    for (email, full_name) in owners {
        let body = format!(
            "Hello {full_name},\n\nThe {mode} API key \"{name}\" ({prefix}…) of your Saleonix account was just {what}.\n\n\
             If you or a colleague did not do this, sign in at {origin}/dashboard/developers, revoke the key, \
             change your password and write to us right away.\n\n- Saleonix\n",
            mode = mode_word(key.mode),
            name = key.name,
            prefix = key.prefix,
        );
        let notice = OutgoingMail {
            to: email,
            subject: format!("An API key of your Saleonix account was {what}"),
            body: SecretString::from(body),
        };
        mail::enqueue(conn, &platform.config.secrets.field_keys, &notice).await?;
    }
    Ok(())
}

/// A key that [`authenticate`] found usable: its merchant, mode and permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedKey {
    id: Uuid,
    merchant_id: MerchantId,
    mode: Mode,
    permissions: Permissions,
}

impl AuthenticatedKey {
    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn merchant_id(&self) -> MerchantId {
        self.merchant_id
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    pub fn scope(&self) -> MerchantScope {
        MerchantScope::of_key(self)
    }
}

/// Why a presented key does not sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a key of this platform at all.
    Unknown,
    /// Revoked, or a rolled key past its overlap: the merchant is known and is told in the
    /// audit trail.
    Ended {
        key_id: Uuid,
        merchant_id: MerchantId,
    },
    /// A Live key of a merchant no longer allowed Live Mode (suspended, or its verification
    /// lapsed): it falls back to nothing, as the dashboard falls back to Test Mode.
    LiveNotAllowed {
        key_id: Uuid,
        merchant_id: MerchantId,
    },
}

/// The key `presented` names, if it is usable now; its last use (time and address) is
/// noted at most once a minute per address.
pub async fn authenticate(
    pool: &PgPool,
    presented: &str,
    ip: Option<&str>,
) -> Result<Result<AuthenticatedKey, Refused>, sqlx::Error> {
    if !(presented.starts_with("sk_test_") || presented.starts_with("sk_live_"))
        || presented.len() > 64
    {
        return Ok(Err(Refused::Unknown));
    }
    let row: Option<(Uuid, MerchantId, Mode, Option<String>, bool, bool)> = sqlx::query_as(
        "SELECT k.id, k.merchant_id, k.mode, k.permissions::text,
                    k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()),
                    k.mode = 'test' OR (m.verified_at IS NOT NULL AND m.suspended_at IS NULL)
             FROM api_keys k JOIN merchants m ON m.id = k.merchant_id WHERE k.digest = $1",
    )
    .bind(digest(presented))
    .fetch_optional(pool)
    .await?;
    let Some((id, merchant_id, mode, permissions, usable, mode_open)) = row else {
        return Ok(Err(Refused::Unknown));
    };
    if !usable {
        return Ok(Err(Refused::Ended {
            key_id: id,
            merchant_id,
        }));
    }
    if !mode_open {
        return Ok(Err(Refused::LiveNotAllowed {
            key_id: id,
            merchant_id,
        }));
    }
    sqlx::query(
        "UPDATE api_keys SET last_used_at = now(), last_used_ip = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute'
                            OR last_used_ip IS DISTINCT FROM $2)",
    )
    .bind(id)
    .bind(ip)
    .execute(pool)
    .await?;
    Ok(Ok(AuthenticatedKey {
        id,
        merchant_id,
        mode,
        permissions: Permissions::from_column(permissions),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_prefixed_by_their_mode() {
        let (secret, prefix) = fresh_secret(Mode::Live);
        let secret = secret.expose_secret();
        assert!(secret.starts_with("sk_live_") && secret.starts_with(&prefix));
        assert_eq!(secret.len(), "sk_live_".len() + SECRET_LETTERS);
        // 40 letters of 62: log2(62) * 40 > 238 bits, past the 192 the issue asks.
        assert!((SECRET_LETTERS as f64) * 62f64.log2() >= 192.0);
        assert_ne!(fresh_secret(Mode::Live).0.expose_secret(), secret);
    }

    #[test]
    fn write_includes_read_and_restricted_keys_reach_only_their_grants() {
        let restricted = Permissions::Restricted(BTreeMap::from([
            (Resource::Payments, Access::Read),
            (Resource::CheckoutSessions, Access::Write),
        ]));
        assert!(restricted.allows(Resource::Payments, Access::Read));
        assert!(!restricted.allows(Resource::Payments, Access::Write));
        assert!(restricted.allows(Resource::CheckoutSessions, Access::Read));
        assert!(!restricted.allows(Resource::Refunds, Access::Read));
        assert!(Permissions::Full.allows(Resource::Refunds, Access::Write));
        let stored = restricted.to_column();
        assert_eq!(Permissions::from_column(stored), restricted);
        assert_eq!(Permissions::from_column(None), Permissions::Full);
    }

    #[test]
    fn balance_and_payouts_are_granted_at_read_at_most() {
        let read = Permissions::Restricted(BTreeMap::from([
            (Resource::Balance, Access::Read),
            (Resource::Payouts, Access::Read),
            (Resource::Refunds, Access::Write),
        ]));
        assert!(read.check().is_ok());
        assert!(Permissions::Full.check().is_ok());
        for resource in [Resource::Balance, Resource::Payouts] {
            let write = Permissions::Restricted(BTreeMap::from([(resource, Access::Write)]));
            assert!(matches!(
                write.check(),
                Err(KeyError::Invalid {
                    field: "access",
                    ..
                })
            ));
        }
    }
}
