//! Setting up a mode's gateway account from the console's Settings module. A platform
//! administrator types the client id, the API user and the two secrets; the URLs are the
//! ones configured for the mode ([`gateways::configured`]), never typed. The secrets are
//! write-only: a blank field keeps the stored one, and nothing here returns them.
//!
//! A payment references its account by `(mode, client_id)` (a foreign key), and refunds and
//! reconciliation of old payments use the account of their mode, so the client id of an
//! account that payments were made with cannot change: that would leave those payments
//! pointing at a store whose secrets are gone. Rotating the secrets of the same store is
//! always allowed; a payment in flight is then settled by the status query if its return
//! was signed with the old store key.

use secrecy::{ExposeSecret, SecretString};

use super::gateways;
use super::{Mode, PaymentError, invalid};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::gateway_accounts::{self, AccountWrite};
use crate::identity::roles::AdminScope;

/// An administrator's change to one mode's account, as typed. A `None` secret keeps the
/// stored one.
pub struct AccountChange {
    pub mode: Mode,
    pub client_id: String,
    pub api_user: String,
    pub store_key: Option<SecretString>,
    pub api_password: Option<SecretString>,
}

impl AccountChange {
    /// The form's fields: surrounding blanks are trimmed from the names, never from the
    /// secrets (a blank secret field means "keep the stored one").
    pub fn from_form(
        mode: Mode,
        client_id: &str,
        api_user: &str,
        store_key: String,
        api_password: String,
    ) -> Self {
        let secret = |text: String| (!text.is_empty()).then(|| SecretString::from(text));
        AccountChange {
            mode,
            client_id: client_id.trim().to_owned(),
            api_user: api_user.trim().to_owned(),
            store_key: secret(store_key),
            api_password: secret(api_password),
        }
    }

    fn validate(&self) -> Result<(), PaymentError> {
        // NestPay client ids are the merchant numbers the bank issues: digits only.
        if !(5..=15).contains(&self.client_id.len())
            || !self.client_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid(
                "client_id",
                "the client id is the 5 to 15 digit merchant number the bank issued",
            ));
        }
        let user_chars = |c: char| c.is_ascii_alphanumeric() || "._-@".contains(c);
        if self.api_user.is_empty()
            || self.api_user.len() > 64
            || !self.api_user.chars().all(user_chars)
        {
            return Err(invalid(
                "api_user",
                "the API user is 1 to 64 letters, digits, dots, dashes, underscores or @",
            ));
        }
        check_secret("store_key", self.store_key.as_ref())?;
        check_secret("api_password", self.api_password.as_ref())
    }

    fn replaced(&self) -> Vec<&'static str> {
        [
            ("store_key", self.store_key.is_some()),
            ("api_password", self.api_password.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

/// A secret given is 8 to 128 printable characters without blanks at either end (a pasted
/// space would otherwise become part of the key and fail every hash).
fn check_secret(field: &'static str, secret: Option<&SecretString>) -> Result<(), PaymentError> {
    let Some(secret) = secret else { return Ok(()) };
    let text = secret.expose_secret();
    let length = text.chars().count();
    if !(8..=128).contains(&length) || text.chars().any(char::is_control) || text.trim() != text {
        let message = match field {
            "store_key" => "the store key is 8 to 128 characters, without spaces at either end",
            _ => "the API password is 8 to 128 characters, without spaces at either end",
        };
        return Err(invalid(field, message));
    }
    Ok(())
}

fn admin_actor(admin: &AdminScope) -> Actor {
    Actor {
        kind: ActorKind::Staff,
        id: Some(admin.user_id()),
    }
}

/// Saves `change` as its mode's account with the mode's configured URLs, audited as
/// `gateway_account.update` (mode, client ids, API user and which secrets were replaced;
/// never a secret). Bad input changes nothing.
pub async fn update(
    platform: &Platform,
    admin: &AdminScope,
    change: &AccountChange,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    change.validate()?;
    let mode = change.mode;
    let mut tx = platform.pool.begin().await?;
    // Locks the row; a payment being made meanwhile waits on its foreign key's lock.
    let current: Option<String> =
        sqlx::query_scalar("SELECT client_id FROM gateway_accounts WHERE mode = $1 FOR UPDATE")
            .bind(mode)
            .fetch_optional(&mut *tx)
            .await?;
    let new_store = current.as_deref() != Some(change.client_id.as_str());
    if new_store {
        // Another store has its own secrets: none of the stored ones may carry over.
        if change.store_key.is_none() {
            return Err(invalid(
                "store_key",
                "enter the store key of this client id",
            ));
        }
        if change.api_password.is_none() {
            return Err(invalid(
                "api_password",
                "enter the API password of this client id",
            ));
        }
    }
    if let Some(current) = &current
        && new_store
    {
        let used: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM payments WHERE mode = $1 AND gateway_client_id = $2)",
        )
        .bind(mode)
        .bind(current)
        .fetch_one(&mut *tx)
        .await?;
        if used {
            return Err(invalid(
                "client_id",
                "payments were made with the current client id, so it cannot change; replace its secrets instead",
            ));
        }
    }
    let endpoints = gateways::configured(&platform.config.settings.payten, mode);
    let write = AccountWrite {
        mode,
        endpoints: &endpoints,
        client_id: &change.client_id,
        api_user: &change.api_user,
        store_key: change.store_key.as_ref(),
        api_password: change.api_password.as_ref(),
        by: Some(admin.user_id()),
    };
    gateway_accounts::write_account(&mut tx, &platform.config.secrets.field_keys, &write).await?;
    let event = Event::new(
        "gateway_account.update",
        admin_actor(admin),
        Outcome::Success,
    )
    .target("gateway_account", mode.as_str())
    .detail(serde_json::json!({
        "mode": mode.as_str(),
        "client_id": change.client_id,
        "previous_client_id": current,
        "api_user": change.api_user,
        "replaced": change.replaced(),
    }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        client_id: &str,
        api_user: &str,
        store_key: &str,
        api_password: &str,
    ) -> AccountChange {
        AccountChange::from_form(
            Mode::Live,
            client_id,
            api_user,
            store_key.into(),
            api_password.into(),
        )
    }

    fn field(result: Result<(), PaymentError>) -> &'static str {
        match result {
            Err(PaymentError::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn each_field_is_checked_and_blank_secrets_mean_keep() {
        assert!(
            change(
                " 520000777 ",
                "live-api",
                "LIVE-STORE-KEY",
                "LIVE-API-PASSWORD"
            )
            .validate()
            .is_ok()
        );
        assert!(
            change("520000777", "live-api", "", "").validate().is_ok(),
            "blank keeps the stored secrets"
        );
        assert_eq!(
            change("520000777", "live-api", "", "").replaced(),
            Vec::<&str>::new()
        );
        assert_eq!(
            field(change("52000O777", "live-api", "", "").validate()),
            "client_id"
        );
        assert_eq!(
            field(change("1234", "live-api", "", "").validate()),
            "client_id"
        );
        assert_eq!(
            field(change("520000777", "live api", "", "").validate()),
            "api_user"
        );
        assert_eq!(
            field(change("520000777", "", "", "").validate()),
            "api_user"
        );
        assert_eq!(
            field(change("520000777", "live-api", "short", "").validate()),
            "store_key"
        );
        assert_eq!(
            field(change("520000777", "live-api", " LIVE-STORE-KEY", "").validate()),
            "store_key"
        );
        assert_eq!(
            field(change("520000777", "live-api", "", &"x".repeat(129)).validate()),
            "api_password"
        );
        assert_eq!(
            field(change("520000777", "live-api", "", "LIVE\nPASSWORD").validate()),
            "api_password"
        );
    }
}
