//! The Payten gateway account of each mode, with its store key and API password
//! encrypted at rest. A value is bound to its mode's row, so a Live secret copied into the
//! Test row (or the reverse) does not decrypt.

use payten::{Credentials, GatewayEndpoints};
use secrecy::{ExposeSecret, SecretString};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::field_crypto::{FieldCryptoError, FieldSlot, KeyRing};

pub use domain::Mode;

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
    Decrypt {
        mode: Mode,
        column: &'static str,
        source: FieldCryptoError,
    },
}

const TABLE: &str = "gateway_accounts";

fn slot(mode: Mode, column: &'static str) -> FieldSlot<'static> {
    FieldSlot {
        table: TABLE,
        column,
        row: mode.as_str(),
    }
}

/// What one write of a mode's account holds. A secret left `None` keeps the stored one (the
/// console's blank field); creating the row needs both, which the caller checks.
pub struct AccountWrite<'a> {
    pub mode: Mode,
    pub endpoints: &'a GatewayEndpoints,
    pub client_id: &'a str,
    pub api_user: &'a str,
    pub store_key: Option<&'a SecretString>,
    pub api_password: Option<&'a SecretString>,
    /// The administrator who saved it in the console; `None` for the seed and operators.
    pub by: Option<Uuid>,
}

/// Creates or replaces the account of `account.mode`, both secrets included.
pub async fn save(
    conn: &mut PgConnection,
    keys: &KeyRing,
    account: &GatewayAccount,
) -> Result<(), sqlx::Error> {
    let creds = &account.credentials;
    let write = AccountWrite {
        mode: account.mode,
        endpoints: &account.endpoints,
        client_id: &creds.client_id,
        api_user: &creds.api_user,
        store_key: Some(&creds.store_key),
        api_password: Some(&creds.api_password),
        by: None,
    };
    write_account(conn, keys, &write).await
}

/// Creates or updates the account of `write.mode`; each secret given is encrypted for its
/// row and stamped with when and by whom it was set.
pub async fn write_account(
    conn: &mut PgConnection,
    keys: &KeyRing,
    write: &AccountWrite<'_>,
) -> Result<(), sqlx::Error> {
    let mode = write.mode;
    let seal = |column: &'static str, secret: Option<&SecretString>| {
        secret
            .map(|secret| keys.encrypt(slot(mode, column), secret.expose_secret().as_bytes()))
            .transpose()
    };
    let store_key = seal("store_key_enc", write.store_key)?;
    let api_password = seal("api_password_enc", write.api_password)?;
    // Updated in place when the row exists, so that a secret not given keeps its ciphertext;
    // an INSERT … ON CONFLICT would check the new row's NOT NULL secrets first.
    let updated = sqlx::query(
        "UPDATE gateway_accounts SET gate_url = $2, api_url = $3, client_id = $4, api_user = $5,
             store_key_enc = COALESCE($6, store_key_enc),
             store_key_set_at = CASE WHEN $6 IS NULL THEN store_key_set_at ELSE now() END,
             store_key_set_by = CASE WHEN $6 IS NULL THEN store_key_set_by ELSE $8 END,
             api_password_enc = COALESCE($7, api_password_enc),
             api_password_set_at = CASE WHEN $7 IS NULL THEN api_password_set_at ELSE now() END,
             api_password_set_by = CASE WHEN $7 IS NULL THEN api_password_set_by ELSE $8 END,
             updated_at = now(), updated_by = $8
         WHERE mode = $1",
    )
    .bind(mode)
    .bind(&write.endpoints.gate_url)
    .bind(&write.endpoints.api_url)
    .bind(write.client_id)
    .bind(write.api_user)
    .bind(&store_key)
    .bind(&api_password)
    .bind(write.by)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        sqlx::query(
            "INSERT INTO gateway_accounts (mode, gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc,
                 store_key_set_by, api_password_set_by, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)",
        )
        .bind(mode)
        .bind(&write.endpoints.gate_url)
        .bind(&write.endpoints.api_url)
        .bind(write.client_id)
        .bind(write.api_user)
        .bind(store_key)
        .bind(api_password)
        .bind(write.by)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// When a secret was last set, and the name of who set it (`None`: outside the console).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretStamp {
    pub at: OffsetDateTime,
    pub by: Option<String>,
}

/// The part of an account that may be shown: everything but the secrets themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub mode: Mode,
    pub endpoints: GatewayEndpoints,
    pub client_id: String,
    pub api_user: String,
    pub store_key: SecretStamp,
    pub api_password: SecretStamp,
    pub updated_at: OffsetDateTime,
    pub updated_by: Option<String>,
}

type SummaryRow = (
    Mode,
    String,
    String,
    String,
    String,
    OffsetDateTime,
    Option<String>,
    OffsetDateTime,
    Option<String>,
    OffsetDateTime,
    Option<String>,
);

/// Every configured account's showable part, Test first. Never selects a ciphertext.
pub async fn summaries(pool: &PgPool) -> Result<Vec<AccountSummary>, sqlx::Error> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT g.mode, g.gate_url, g.api_url, g.client_id, g.api_user,
                g.store_key_set_at, sk.full_name, g.api_password_set_at, ap.full_name, g.updated_at, up.full_name
         FROM gateway_accounts g
         LEFT JOIN users sk ON sk.id = g.store_key_set_by
         LEFT JOIN users ap ON ap.id = g.api_password_set_by
         LEFT JOIN users up ON up.id = g.updated_by
         ORDER BY g.mode",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                mode,
                gate_url,
                api_url,
                client_id,
                api_user,
                sk_at,
                sk_by,
                ap_at,
                ap_by,
                updated_at,
                updated_by,
            )| AccountSummary {
                mode,
                endpoints: GatewayEndpoints { gate_url, api_url },
                client_id,
                api_user,
                store_key: SecretStamp {
                    at: sk_at,
                    by: sk_by,
                },
                api_password: SecretStamp {
                    at: ap_at,
                    by: ap_by,
                },
                updated_at,
                updated_by,
            },
        )
        .collect())
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
pub async fn load(
    pool: &PgPool,
    keys: &KeyRing,
    mode: Mode,
) -> Result<Option<GatewayAccount>, GatewayAccountError> {
    let row: Option<StoredAccount> = sqlx::query_as(
        "SELECT gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc
         FROM gateway_accounts WHERE mode = $1",
    )
    .bind(mode)
    .fetch_optional(pool)
    .await?;
    let Some(StoredAccount {
        gate_url,
        api_url,
        client_id,
        api_user,
        store_key_enc,
        api_password_enc,
    }) = row
    else {
        return Ok(None);
    };
    let decrypt =
        |column: &'static str, stored: &[u8]| -> Result<SecretString, GatewayAccountError> {
            let plain = keys.decrypt(slot(mode, column), stored).map_err(|source| {
                GatewayAccountError::Decrypt {
                    mode,
                    column,
                    source,
                }
            })?;
            let text = String::from_utf8(plain.expose_secret().clone()).map_err(|_| {
                GatewayAccountError::Decrypt {
                    mode,
                    column,
                    source: FieldCryptoError::Malformed,
                }
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
        save(
            &mut pool.acquire().await.unwrap(),
            &keys,
            &account(Mode::Test, "TEST"),
        )
        .await
        .unwrap();
        save(
            &mut pool.acquire().await.unwrap(),
            &keys,
            &account(Mode::Live, "LIVE"),
        )
        .await
        .unwrap();
        let test = load(&pool, &keys, Mode::Test).await.unwrap().unwrap();
        let live = load(&pool, &keys, Mode::Live).await.unwrap().unwrap();
        assert_eq!(test.credentials.store_key.expose_secret(), "TEST-STORE-KEY");
        assert_eq!(
            live.credentials.api_password.expose_secret(),
            "LIVE-API-PASSWORD"
        );
        assert!(
            !format!("{live:?}").contains("LIVE-"),
            "Debug shows no secret"
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn secrets_are_ciphertext_at_rest(pool: PgPool) {
        save(
            &mut pool.acquire().await.unwrap(),
            &keys(),
            &account(Mode::Test, "TEST"),
        )
        .await
        .unwrap();
        let dump: String =
            sqlx::query_scalar("SELECT gateway_accounts::text FROM gateway_accounts")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(
            !dump.contains("STORE-KEY") && !dump.contains("API-PASSWORD"),
            "{dump}"
        );
        let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
        assert!(
            !dump.contains(&hex("TEST-STORE-KEY")),
            "not even hex-encoded"
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_live_secret_copied_into_the_test_row_does_not_decrypt(pool: PgPool) {
        let keys = keys();
        save(
            &mut pool.acquire().await.unwrap(),
            &keys,
            &account(Mode::Test, "TEST"),
        )
        .await
        .unwrap();
        save(
            &mut pool.acquire().await.unwrap(),
            &keys,
            &account(Mode::Live, "LIVE"),
        )
        .await
        .unwrap();
        sqlx::query(
            "UPDATE gateway_accounts SET store_key_enc = (SELECT store_key_enc FROM gateway_accounts WHERE mode = 'live')
             WHERE mode = 'test'",
        )
        .execute(&pool)
        .await
        .unwrap();
        match load(&pool, &keys, Mode::Test).await {
            Err(GatewayAccountError::Decrypt {
                mode: Mode::Test,
                column: "store_key_enc",
                ..
            }) => {}
            other => panic!("expected a decryption failure, got {other:?}"),
        }
        assert!(
            load(&pool, &keys, Mode::Live).await.is_ok(),
            "the live row itself is intact"
        );
    }
}
