//! The Payten gateway account of each mode, with its store key and API password
//! encrypted at rest. A value is bound to its mode's row, so a Live secret copied into the
//! Test row (or the reverse) does not decrypt.

use payten::{Credentials, GatewayEndpoints};
use secrecy::{ExposeSecret, SecretString};
use sqlx::{PgConnection, PgPool};

use crate::field_crypto::{FieldCryptoError, FieldSlot, KeyRing};

/// Test and Live money never mix: every merchant object and gateway account has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "payment_mode", rename_all = "lowercase")]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "test" => Some(Mode::Test),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GatewayAccount {
    pub mode: Mode,
    pub endpoints: GatewayEndpoints,
    pub credentials: Credentials,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayAccountError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the {column} of the {mode:?} gateway account does not decrypt: {source}")]
    Decrypt { mode: Mode, column: &'static str, source: FieldCryptoError },
}

const TABLE: &str = "gateway_accounts";

fn slot(mode: Mode, column: &'static str) -> FieldSlot<'static> {
    FieldSlot { table: TABLE, column, row: mode.as_str() }
}

/// Creates or replaces the account of `account.mode`.
pub async fn save(conn: &mut PgConnection, keys: &KeyRing, account: &GatewayAccount) -> Result<(), sqlx::Error> {
    let mode = account.mode;
    let creds = &account.credentials;
    let store_key = keys.encrypt(slot(mode, "store_key_enc"), creds.store_key.expose_secret().as_bytes());
    let api_password = keys.encrypt(slot(mode, "api_password_enc"), creds.api_password.expose_secret().as_bytes());
    sqlx::query(
        "INSERT INTO gateway_accounts (mode, gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (mode) DO UPDATE SET gate_url = $2, api_url = $3, client_id = $4, api_user = $5,
             store_key_enc = $6, api_password_enc = $7, updated_at = now()",
    )
    .bind(mode)
    .bind(&account.endpoints.gate_url)
    .bind(&account.endpoints.api_url)
    .bind(&creds.client_id)
    .bind(&creds.api_user)
    .bind(store_key)
    .bind(api_password)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredAccount {
    gate_url: String,
    api_url: String,
    client_id: String,
    api_user: String,
    store_key_enc: Vec<u8>,
    api_password_enc: Vec<u8>,
}

/// The account of `mode`, decrypted, or `None` when none is configured.
pub async fn load(pool: &PgPool, keys: &KeyRing, mode: Mode) -> Result<Option<GatewayAccount>, GatewayAccountError> {
    let row: Option<StoredAccount> = sqlx::query_as(
        "SELECT gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc
         FROM gateway_accounts WHERE mode = $1",
    )
    .bind(mode)
    .fetch_optional(pool)
    .await?;
    let Some(StoredAccount { gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc }) = row else {
        return Ok(None);
    };
    let decrypt = |column: &'static str, stored: &[u8]| -> Result<SecretString, GatewayAccountError> {
        let plain = keys
            .decrypt(slot(mode, column), stored)
            .map_err(|source| GatewayAccountError::Decrypt { mode, column, source })?;
        let text = String::from_utf8(plain.expose_secret().clone()).map_err(|_| GatewayAccountError::Decrypt {
            mode,
            column,
            source: FieldCryptoError::Malformed,
        })?;
        Ok(SecretString::from(text))
    };
    Ok(Some(GatewayAccount {
        mode,
        endpoints: GatewayEndpoints { gate_url, api_url },
        credentials: Credentials {
            client_id,
            store_key: decrypt("store_key_enc", &store_key_enc)?,
            api_user,
            api_password: decrypt("api_password_enc", &api_password_enc)?,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretBox;

    fn keys() -> KeyRing {
        KeyRing::new(1, vec![(1, SecretBox::new(Box::new([3u8; 32])))]).unwrap()
    }

    fn account(mode: Mode, secret: &str) -> GatewayAccount {
        GatewayAccount {
            mode,
            endpoints: GatewayEndpoints::from_base("http://127.0.0.1:8600"),
            credentials: Credentials {
                client_id: "520000001".into(),
                store_key: SecretString::from(format!("{secret}-STORE-KEY")),
                api_user: "saleonix-api".into(),
                api_password: SecretString::from(format!("{secret}-API-PASSWORD")),
            },
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn accounts_round_trip_and_modes_stay_apart(pool: PgPool) {
        let keys = keys();
        assert!(load(&pool, &keys, Mode::Live).await.unwrap().is_none());
        save(&mut pool.acquire().await.unwrap(), &keys, &account(Mode::Test, "TEST")).await.unwrap();
        save(&mut pool.acquire().await.unwrap(), &keys, &account(Mode::Live, "LIVE")).await.unwrap();
        let test = load(&pool, &keys, Mode::Test).await.unwrap().unwrap();
        let live = load(&pool, &keys, Mode::Live).await.unwrap().unwrap();
        assert_eq!(test.credentials.store_key.expose_secret(), "TEST-STORE-KEY");
        assert_eq!(live.credentials.api_password.expose_secret(), "LIVE-API-PASSWORD");
        assert!(!format!("{live:?}").contains("LIVE-"), "Debug shows no secret");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn secrets_are_ciphertext_at_rest(pool: PgPool) {
        save(&mut pool.acquire().await.unwrap(), &keys(), &account(Mode::Test, "TEST")).await.unwrap();
        let dump: String = sqlx::query_scalar("SELECT gateway_accounts::text FROM gateway_accounts")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(!dump.contains("STORE-KEY") && !dump.contains("API-PASSWORD"), "{dump}");
        let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
        assert!(!dump.contains(&hex("TEST-STORE-KEY")), "not even hex-encoded");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_live_secret_copied_into_the_test_row_does_not_decrypt(pool: PgPool) {
        let keys = keys();
        save(&mut pool.acquire().await.unwrap(), &keys, &account(Mode::Test, "TEST")).await.unwrap();
        save(&mut pool.acquire().await.unwrap(), &keys, &account(Mode::Live, "LIVE")).await.unwrap();
        sqlx::query(
            "UPDATE gateway_accounts SET store_key_enc = (SELECT store_key_enc FROM gateway_accounts WHERE mode = 'live')
             WHERE mode = 'test'",
        )
        .execute(&pool)
        .await
        .unwrap();
        match load(&pool, &keys, Mode::Test).await {
            Err(GatewayAccountError::Decrypt { mode: Mode::Test, column: "store_key_enc", .. }) => {}
            other => panic!("expected a decryption failure, got {other:?}"),
        }
        assert!(load(&pool, &keys, Mode::Live).await.is_ok(), "the live row itself is intact");
    }
}
