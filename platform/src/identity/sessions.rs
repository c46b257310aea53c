//! Server-side sessions: a tower-sessions store on Postgres, so every server instance
//! sees the same sessions, and the per-account queries behind "active sessions" and
//! "sign out everywhere".
//!
//! Ours rather than `tower-sessions-sqlx-store` because that store keys rows by the raw
//! session id (a database reader could replay cookies) and keeps the data opaque (an
//! account's sessions could not be listed or revoked together).

use std::collections::HashMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use uuid::Uuid;

/// The session key under which a signed-in session keeps [`SessionAuth`]; the `sessions`
/// table derives its `user_id` column from it.
pub const AUTH_KEY: &str = "auth";

/// Who a session belongs to and where it came from. Timestamps are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: Uuid,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    pub ip: String,
    pub user_agent: String,
    /// The password was accepted and a second factor is still due: until it is given, the
    /// session may do nothing but submit a code.
    #[serde(default)]
    pub awaiting_second_factor: bool,
    /// When this session last passed a second-factor check (sign-in or step-up).
    #[serde(default)]
    pub second_factor_at: Option<i64>,
}

/// The stored key of a session id.
pub fn id_hash(id: &Id) -> Vec<u8> {
    Sha256::digest(id.0.to_le_bytes()).to_vec()
}

fn backend(error: sqlx::Error) -> session_store::Error {
    tracing::error!(%error, "session store query failed");
    session_store::Error::Backend("session store unavailable".into())
}

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(id_hash(&record.id))
            .bind(Json(&record.data))
            .bind(record.expiry_date)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            // A 128-bit collision: astronomically rare, but never share a row.
            record.id = Id::default();
        }
    }

    /// Updates only: a session revoked while one of its requests was running must not
    /// come back when that request saves it.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query("UPDATE sessions SET data = $2, expires_at = $3 WHERE id_hash = $1")
            .bind(id_hash(&record.id))
            .bind(Json(&record.data))
            .bind(record.expiry_date)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(Json<HashMap<String, serde_json::Value>>, OffsetDateTime)> =
            sqlx::query_as(
                "SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > now()",
            )
            .bind(id_hash(id))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        Ok(row.map(|(Json(data), expiry_date)| Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash(id))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// One of an account's sessions, as its owner sees it. `handle` names it for "sign out
/// this session": the hex digest, which cannot be turned back into a cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveSession {
    pub handle: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    pub ip: String,
    pub user_agent: String,
    pub current: bool,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The account's live sessions, most recently used first.
pub async fn list(
    pool: &PgPool,
    user_id: Uuid,
    current: Option<&Id>,
) -> Result<Vec<ActiveSession>, sqlx::Error> {
    let current = current.map(id_hash);
    let rows: Vec<(Vec<u8>, Json<SessionAuth>)> = sqlx::query_as(
        "SELECT id_hash, data -> 'auth' FROM sessions WHERE user_id = $1 AND expires_at > now()
         ORDER BY (data -> 'auth' ->> 'last_seen_at')::bigint DESC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(hash, Json(auth))| ActiveSession {
            current: current.as_deref() == Some(hash.as_slice()),
            handle: hex(&hash),
            signed_in_at: auth.signed_in_at,
            last_seen_at: auth.last_seen_at,
            ip: auth.ip,
            user_agent: auth.user_agent,
        })
        .collect())
}

/// Ends one session of the account; `false` if the handle names none of its sessions
/// (another account's session included).
pub async fn revoke(pool: &PgPool, user_id: Uuid, handle: &str) -> Result<bool, sqlx::Error> {
    let Some(hash) = unhex(handle) else {
        return Ok(false);
    };
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2")
        .bind(user_id)
        .bind(hash)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of the account except `keep` (the one making the change).
pub async fn revoke_all(
    conn: &mut PgConnection,
    user_id: Uuid,
    keep: Option<&Id>,
) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash IS DISTINCT FROM $2")
            .bind(user_id)
            .bind(keep.map(id_hash))
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// For the cleanup job: expired rows are already invisible to `load`.
pub async fn delete_expired(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE expires_at <= now()")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(user_id: Uuid, ip: &str) -> Record {
        let auth = SessionAuth {
            user_id,
            signed_in_at: 1,
            last_seen_at: 2,
            ip: ip.into(),
            user_agent: "test".into(),
            awaiting_second_factor: false,
            second_factor_at: None,
        };
        let data = HashMap::from([(AUTH_KEY.to_owned(), serde_json::to_value(auth).unwrap())]);
        Record {
            id: Id::default(),
            data,
            expiry_date: OffsetDateTime::now_utc() + time::Duration::hours(1),
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn sessions_are_keyed_by_digest_and_listed_and_revoked_per_account(pool: PgPool) {
        let store = PgSessionStore::new(pool.clone());
        let (alice, bob) = (
            crate::identity::test_user(&pool).await,
            crate::identity::test_user(&pool).await,
        );
        let mut a1 = record(alice, "10.0.0.1");
        let mut a2 = record(alice, "10.0.0.2");
        let mut b1 = record(bob, "10.0.0.3");
        for r in [&mut a1, &mut a2, &mut b1] {
            store.create(r).await.unwrap();
        }
        let raw = a1.id.0.to_le_bytes().to_vec();
        let leaked: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE id_hash = $1")
            .bind(raw)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(leaked, 0, "the raw id is not a key");
        assert_eq!(store.load(&a1.id).await.unwrap().unwrap().data, a1.data);

        let listed = list(&pool, alice, Some(&a1.id)).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed.iter().filter(|s| s.current).count(), 1);

        let bobs = list(&pool, bob, None).await.unwrap();
        assert!(
            !revoke(&pool, alice, &bobs[0].handle).await.unwrap(),
            "not another account's session"
        );
        assert!(store.load(&b1.id).await.unwrap().is_some());

        let mut conn = pool.acquire().await.unwrap();
        assert_eq!(revoke_all(&mut conn, alice, Some(&a1.id)).await.unwrap(), 1);
        assert!(store.load(&a2.id).await.unwrap().is_none());
        assert!(store.load(&a1.id).await.unwrap().is_some());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_revoked_session_is_not_resurrected_by_a_late_save(pool: PgPool) {
        let store = PgSessionStore::new(pool.clone());
        let alice = crate::identity::test_user(&pool).await;
        let mut session = record(alice, "10.0.0.1");
        store.create(&mut session).await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        revoke_all(&mut conn, alice, None).await.unwrap();
        store.save(&session).await.unwrap();
        assert!(store.load(&session.id).await.unwrap().is_none());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn expired_sessions_do_not_load(pool: PgPool) {
        let store = PgSessionStore::new(pool.clone());
        let mut session = record(crate::identity::test_user(&pool).await, "10.0.0.1");
        session.expiry_date = OffsetDateTime::now_utc() - time::Duration::seconds(1);
        store.create(&mut session).await.unwrap();
        assert!(store.load(&session.id).await.unwrap().is_none());
        assert_eq!(delete_expired(&pool).await.unwrap(), 1);
    }
}
