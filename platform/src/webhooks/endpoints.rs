//! A merchant's webhook endpoints, per mode: the URL, the event types it wants (or all),
//! and its signing secret, shown once and stored encrypted. Every function takes the
//! merchant's scope and mode, so another merchant's endpoint, or another mode's, is not
//! found. Changes are audited in their own transaction.

use domain::public_id::{self, Kind};
use domain::{EventType, Mode};
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row as _};
use time::{Duration, OffsetDateTime};
use url::Url;
use uuid::Uuid;

use super::{WebhookError, invalid, signing, ssrf};
use crate::Platform;
use crate::audit::{self, Event as AuditEvent, Outcome, RequestFacts};
use crate::field_crypto::{FieldSlot, KeyRing};
use crate::identity::roles::MerchantScope;

/// How long the old secret signs beside the new one after a rotation, unless asked.
pub const DEFAULT_OVERLAP: Duration = Duration::hours(24);
pub const MAX_OVERLAP: Duration = Duration::days(7);
const MAX_URL: usize = 2048;
const MAX_DESCRIPTION: usize = 500;

/// An endpoint as the dashboard and the API show it (never its secret).
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub id: Uuid,
    pub mode: Mode,
    pub url: String,
    pub description: String,
    /// `None`: every event type.
    pub event_types: Option<Vec<EventType>>,
    pub enabled: bool,
    /// Why it is disabled: `failing` (by the worker) or `merchant`.
    pub disabled_reason: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Endpoint {
    /// `we_<hex>`.
    pub fn public_id(&self) -> String {
        public_id::encode(Kind::WebhookEndpoint, self.id)
    }
}

impl<'r> sqlx::FromRow<'r, PgRow> for Endpoint {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let types: Option<Vec<String>> = row.try_get("event_types")?;
        Ok(Endpoint {
            id: row.try_get("id")?,
            mode: row.try_get("mode")?,
            url: row.try_get("url")?,
            description: row.try_get("description")?,
            // A type this build does not know (written by a newer one) is left out.
            event_types: types.map(|types| types.iter().filter_map(|t| t.parse().ok()).collect()),
            enabled: row.try_get("enabled")?,
            disabled_reason: row.try_get("disabled_reason")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

const SELECT: &str =
    "SELECT id, mode, url, description, event_types, enabled, disabled_reason, created_at
    FROM webhook_endpoints";

#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    pub url: String,
    /// `None`: every event type.
    pub event_types: Option<Vec<EventType>>,
    pub description: String,
}

/// A new endpoint and its secret, which is never shown again.
#[derive(Debug)]
pub struct Created {
    pub endpoint: Endpoint,
    pub secret: SecretString,
}

/// What to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub url: Option<String>,
    /// `Some(None)`: every event type.
    pub event_types: Option<Option<Vec<EventType>>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

pub(crate) fn secret_slot<'a>(column: &'a str, row: &'a str) -> FieldSlot<'a> {
    FieldSlot {
        table: "webhook_endpoints",
        column,
        row,
    }
}

/// The URL, checked: http(s) with a host and no credentials; https in Live; and, where
/// [`ssrf::must_be_public`], resolving only to public addresses.
async fn checked_url(platform: &Platform, mode: Mode, text: &str) -> Result<String, WebhookError> {
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_URL {
        return Err(invalid("url", "enter the endpoint's full address"));
    }
    let url = Url::parse(text)
        .map_err(|_| invalid("url", "enter a full address starting with https://"))?;
    match (url.scheme(), mode) {
        ("https", _) | ("http", Mode::Test) => {}
        ("http", Mode::Live) => {
            return Err(invalid("url", "Live Mode endpoints must use https://"));
        }
        _ => {
            return Err(invalid(
                "url",
                "enter a full address starting with https://",
            ));
        }
    }
    // Credentials in the URL would sit in logs and in the dashboard for all to read.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "url",
            "the address must not hold a user name or password",
        ));
    }
    if url.fragment().is_some() {
        return Err(invalid("url", "the address must not have a #fragment"));
    }
    let public_only = ssrf::must_be_public(&platform.config.settings, mode);
    ssrf::check(platform.webhook_clients.names(), &url, public_only).await?;
    Ok(url.to_string())
}

fn checked_types(types: Option<&[EventType]>) -> Result<Option<Vec<String>>, WebhookError> {
    let Some(types) = types else {
        return Ok(None);
    };
    if types.is_empty() || types.iter().any(|t| !EventType::ALL.contains(t)) {
        return Err(invalid(
            "event_types",
            "choose at least one event type, or all of them",
        ));
    }
    let mut names: Vec<String> = types.iter().map(|t| t.as_str().to_owned()).collect();
    names.sort_unstable();
    names.dedup();
    Ok(Some(names))
}

fn checked_description(text: &str) -> Result<String, WebhookError> {
    let text = text.trim();
    if text.len() > MAX_DESCRIPTION || text.chars().any(char::is_control) {
        return Err(invalid(
            "description",
            "keep the description to one line of 500 characters",
        ));
    }
    Ok(text.to_owned())
}

fn seal(keys: &KeyRing, column: &str, id: Uuid, key: &[u8]) -> Result<Vec<u8>, WebhookError> {
    Ok(keys.encrypt(secret_slot(column, &id.to_string()), key)?)
}

/// Registers an endpoint; Live only for a merchant allowed Live Mode. Audited as
/// `webhook_endpoint.create`.
#[tracing::instrument(skip_all, fields(merchant_id = %scope.merchant_id(), mode = mode.as_str()))]
pub async fn create(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    new: &NewEndpoint,
    facts: &RequestFacts,
) -> Result<Created, WebhookError> {
    let url = checked_url(platform, mode, &new.url).await?;
    let types = checked_types(new.event_types.as_deref())?;
    let description = checked_description(&new.description)?;
    let id = Uuid::new_v4();
    let key = signing::new_key();
    let sealed = seal(
        &platform.config.secrets.field_keys,
        "secret",
        id,
        key.expose_secret(),
    )?;

    let mut tx = platform.pool.begin().await?;
    if mode == Mode::Live && !crate::payments::live_allowed(&mut tx, scope.merchant_id()).await? {
        return Err(WebhookError::LiveNotAllowed);
    }
    let endpoint: Endpoint = sqlx::query_as(
        "INSERT INTO webhook_endpoints (id, merchant_id, mode, url, description, event_types, secret)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, mode, url, description, event_types, enabled, disabled_reason, created_at",
    )
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(&url)
    .bind(&description)
    .bind(&types)
    .bind(sealed)
    .fetch_one(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "mode": mode.as_str(), "all_types": types.is_none() });
    audited(&mut tx, scope, "webhook_endpoint.create", id, detail, facts).await?;
    tx.commit().await?;
    Ok(Created {
        endpoint,
        secret: signing::render(key.expose_secret()),
    })
}

pub(crate) async fn audited(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    kind: &'static str,
    endpoint_id: Uuid,
    detail: serde_json::Value,
    facts: &RequestFacts,
) -> Result<(), WebhookError> {
    let event = AuditEvent::new(kind, scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("webhook_endpoint", endpoint_id.to_string())
        .detail(detail);
    audit::record(conn, &event, facts).await?;
    Ok(())
}

/// The merchant's endpoints in `mode`, oldest first.
pub async fn list(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
) -> Result<Vec<Endpoint>, WebhookError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE merchant_id = $1 AND mode = $2 ORDER BY created_at, id"
    ))
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_all(pool)
    .await?)
}

/// The merchant's endpoint `id` (`we_…`) in `mode`.
pub async fn get(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<Endpoint, WebhookError> {
    let id = decode(id)?;
    sqlx::query_as(&format!(
        "{SELECT} WHERE id = $1 AND merchant_id = $2 AND mode = $3"
    ))
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_optional(pool)
    .await?
    .ok_or(WebhookError::NotFound)
}

fn decode(id: &str) -> Result<Uuid, WebhookError> {
    public_id::decode(Kind::WebhookEndpoint, id).ok_or(WebhookError::NotFound)
}

/// Locks the merchant's endpoint `id` in `mode` for a change; returns its uuid and
/// whether it is enabled.
pub(crate) async fn lock(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<(Uuid, bool), WebhookError> {
    let id = decode(id)?;
    sqlx::query_as(
        "SELECT id, enabled FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 AND mode = $3 FOR UPDATE",
    )
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_optional(conn)
    .await?
    .ok_or(WebhookError::NotFound)
}

/// Changes the URL, types, description or state. Enabling clears the failure streak;
/// disabling gives up the endpoint's pending deliveries (they show as failed, for
/// "resend all failed since"). Audited as `webhook_endpoint.update`.
#[tracing::instrument(skip_all, fields(merchant_id = %scope.merchant_id(), endpoint = id))]
pub async fn update(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
    change: &Change,
    facts: &RequestFacts,
) -> Result<Endpoint, WebhookError> {
    let url = match &change.url {
        Some(url) => Some(checked_url(platform, mode, url).await?),
        None => None,
    };
    let types = change
        .event_types
        .as_ref()
        .map(|t| checked_types(t.as_deref()))
        .transpose()?;
    let description = change
        .description
        .as_deref()
        .map(checked_description)
        .transpose()?;

    let mut tx = platform.pool.begin().await?;
    let (uuid, was_enabled) = lock(&mut tx, scope, mode, id).await?;
    let endpoint: Endpoint = sqlx::query_as(
        "UPDATE webhook_endpoints SET
             url = COALESCE($2, url),
             event_types = CASE WHEN $3 THEN $4 ELSE event_types END,
             description = COALESCE($5, description),
             enabled = COALESCE($6, enabled),
             disabled_reason = CASE WHEN COALESCE($6, enabled) THEN NULL
                                    WHEN $6 = false THEN 'merchant' ELSE disabled_reason END,
             failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END,
             updated_at = now()
         WHERE id = $1
         RETURNING id, mode, url, description, event_types, enabled, disabled_reason, created_at",
    )
    .bind(uuid)
    .bind(&url)
    .bind(types.is_some())
    .bind(types.clone().flatten())
    .bind(&description)
    .bind(change.enabled)
    .fetch_one(&mut *tx)
    .await?;
    if was_enabled && !endpoint.enabled {
        super::disabling::give_up_pending(&mut tx, uuid).await?;
    }
    let detail = serde_json::json!({
        "url": url.is_some(),
        "event_types": types.is_some(),
        "description": description.is_some(),
        "enabled": change.enabled,
    });
    audited(
        &mut tx,
        scope,
        "webhook_endpoint.update",
        uuid,
        detail,
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(endpoint)
}

/// Deletes the endpoint with its outbox rows and delivery log. Audited as
/// `webhook_endpoint.delete`.
#[tracing::instrument(skip_all, fields(merchant_id = %scope.merchant_id(), endpoint = id))]
pub async fn delete(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
    facts: &RequestFacts,
) -> Result<(), WebhookError> {
    let mut tx = platform.pool.begin().await?;
    let (uuid, _) = lock(&mut tx, scope, mode, id).await?;
    sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
        .bind(uuid)
        .execute(&mut *tx)
        .await?;
    let detail = serde_json::json!({ "mode": mode.as_str() });
    audited(
        &mut tx,
        scope,
        "webhook_endpoint.delete",
        uuid,
        detail,
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new signing secret, returned once; the current one keeps signing beside it for
/// `overlap` (at most seven days; zero ends it at once) so receivers can switch without
/// refusing a delivery. Audited as `webhook_endpoint.rotate_secret`.
#[tracing::instrument(skip_all, fields(merchant_id = %scope.merchant_id(), endpoint = id))]
pub async fn rotate_secret(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
    overlap: Duration,
    facts: &RequestFacts,
) -> Result<SecretString, WebhookError> {
    if overlap.is_negative() || overlap > MAX_OVERLAP {
        return Err(invalid(
            "overlap",
            "the old secret may sign for up to seven days",
        ));
    }
    let keys = &platform.config.secrets.field_keys;
    let mut tx = platform.pool.begin().await?;
    let (uuid, _) = lock(&mut tx, scope, mode, id).await?;
    let (current,): (Vec<u8>,) =
        sqlx::query_as("SELECT secret FROM webhook_endpoints WHERE id = $1")
            .bind(uuid)
            .fetch_one(&mut *tx)
            .await?;
    let row = uuid.to_string();
    // Re-sealed for its new column: a value is bound to the column it was sealed for.
    let old = keys.decrypt(secret_slot("secret", &row), &current)?;
    let previous = (!overlap.is_zero())
        .then(|| seal(keys, "previous_secret", uuid, old.expose_secret()))
        .transpose()?;
    let key = signing::new_key();
    let sealed = seal(keys, "secret", uuid, key.expose_secret())?;
    sqlx::query(
        "UPDATE webhook_endpoints SET secret = $2, previous_secret = $3,
             previous_secret_expires_at = CASE WHEN $3::bytea IS NULL THEN NULL ELSE now() + $4 END,
             updated_at = now()
         WHERE id = $1",
    )
    .bind(uuid)
    .bind(sealed)
    .bind(previous)
    .bind(overlap)
    .execute(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "overlap_hours": overlap.whole_hours() });
    audited(
        &mut tx,
        scope,
        "webhook_endpoint.rotate_secret",
        uuid,
        detail,
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(signing::render(key.expose_secret()))
}
