//! The audit trail: append-only, tamper-evident records of security-relevant events, in
//! the `audit` schema (migration `20261124000006_audit.sql`).
//!
//! Every row carries `row_hash = SHA-256(prev_hash || content || personal_digest)`, where
//! `content` is a length-prefixed encoding of every non-personal column and `prev_hash` is
//! the previous row's `row_hash` (32 zero bytes for the first row). Writers insert rows
//! unchained; [`seal`] chains committed rows in batches, giving each its position `seq`
//! and its hashes. [`verify_chain`] recomputes the chain and names the first row that does
//! not fit.
//!
//! Personal fields (IP address, user agent, subject email) enter the chain only through
//! `personal_digest = SHA-256(personal_salt || their encoding)`. [`redact_personal`] nulls
//! them and the salt but keeps the digest, so erasing a person's data leaves the chain
//! verifiable. The salt is random per row and erased with the fields, so a digest of an
//! IPv4 address cannot be brute-forced back once the salt is gone.
//!
//! The database enforces the rest: a trigger refuses DELETE, TRUNCATE and every UPDATE
//! other than such a redaction, even for the table owner, and the application role
//! `saleonix_app` may only insert, read and redact.
//!
//! **Nothing secret goes in.** A reason or detail never holds a password, a token, a key,
//! card data, or personal data (which belongs in the personal fields, where it can be
//! erased). [`record`] refuses detail keys that name such things; reasons are fixed
//! phrases chosen by the code, never user input.

pub mod search;

// The chain's encodings, the detail checks and verifying the whole chain live apart from
// recording; the re-exports keep `audit::X` unchanged for callers.
mod chain;
mod detail;
mod seal;
mod verify;

use chain::{Personal, STORED_COLUMNS, StoredRow};
use detail::{checked_detail, truncate};
pub use seal::{SEAL_BATCH, seal};
pub use verify::{head, last_check, purge_expired, verify_chain};

use std::fmt;

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    User,
    Staff,
    ApiKey,
    Gateway,
    System,
    Anonymous,
}

impl ActorKind {
    /// The label of the `audit.actor_kind` enum, also what the chain hashes.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Staff => "staff",
            ActorKind::ApiKey => "api_key",
            ActorKind::Gateway => "gateway",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    /// The label of the `audit.outcome` enum, also what the chain hashes.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// The actor: a user's, staff member's or API key's id; none for the gateway, the system
/// or an anonymous visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<Uuid>,
}

impl Actor {
    /// A signed-in user acting on their own account or for their merchant.
    pub fn user(id: Uuid) -> Self {
        Actor {
            kind: ActorKind::User,
            id: Some(id),
        }
    }
}

/// What the request tells about where an event came from. The IP address and user agent
/// are personal data: they are erasable and enter the chain only through the digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFacts {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// The object an event acted on, such as `("payment_link", "<uuid>")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: &'static str,
    pub id: String,
}

/// One event to record. Neither `reason` nor `detail` may hold a secret, a token, card
/// data or personal data; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Dotted, lower case: `auth.sign_in`, `payment_link.create`.
    pub event_type: &'static str,
    pub actor: Actor,
    pub merchant_id: Option<Uuid>,
    pub target: Option<Target>,
    pub outcome: Outcome,
    /// Why it failed or was denied, as a fixed phrase: `wrong_password`, `not_a_member`.
    pub reason: Option<String>,
    /// A small JSON object (at most [`MAX_DETAIL_BYTES`]) of non-secret, non-personal facts.
    pub detail: serde_json::Value,
    /// The email address an event concerns when there is no account to name, such as a
    /// sign-in attempt for an unknown address. Personal: erasable.
    pub subject_email: Option<String>,
}

impl Event {
    pub fn new(event_type: &'static str, actor: Actor, outcome: Outcome) -> Self {
        Self {
            event_type,
            actor,
            merchant_id: None,
            target: None,
            outcome,
            reason: None,
            detail: serde_json::Value::Object(serde_json::Map::new()),
            subject_email: None,
        }
    }

    /// The merchant account the event concerns; a typed [`domain::MerchantId`] or, where
    /// a row was read untyped, its UUID.
    pub fn merchant(mut self, merchant_id: impl Into<Uuid>) -> Self {
        self.merchant_id = Some(merchant_id.into());
        self
    }

    pub fn target(mut self, kind: &'static str, id: impl Into<String>) -> Self {
        self.target = Some(Target {
            kind,
            id: id.into(),
        });
        self
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    pub fn subject_email(mut self, email: impl Into<String>) -> Self {
        self.subject_email = Some(email.into());
        self
    }
}

/// The largest detail kept, as compact JSON: an audit row records facts, not payloads.
pub const MAX_DETAIL_BYTES: usize = 4096;

/// User agents come from the client and can be arbitrarily long; this much identifies one.
const MAX_USER_AGENT_BYTES: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The key is named, never the value, which is what must not be stored or logged.
    #[error("audit detail key {0:?} looks like a secret or card data, which audit rows never hold")]
    SensitiveDetail(String),
    #[error("audit detail must be a JSON object")]
    DetailNotAnObject,
    #[error("audit detail is {0} bytes; at most {MAX_DETAIL_BYTES} are kept")]
    DetailTooLarge(usize),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A SHA-256 link of the chain; shown as lower-case hex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    const GENESIS: ChainHash = ChainHash([0; 32]);

    fn from_db(bytes: Vec<u8>) -> Result<Self, sqlx::Error> {
        let array: [u8; 32] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            sqlx::Error::Decode(format!("a chain hash of {} bytes", bytes.len()).into())
        })?;
        Ok(ChainHash(array))
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({self})")
    }
}

/// The newest row of the chain: its id, its position in the chain and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub id: i64,
    pub seq: i64,
    pub hash: ChainHash,
}

/// What [`verify_chain`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub rows_checked: i64,
    pub head: Option<ChainHead>,
    /// The id of the first row whose content, link or digest does not match, or of the
    /// head recorded by the previous check when that row is gone.
    pub first_broken: Option<i64>,
    /// Rows written but not chained yet: those whose transaction committed while the check
    /// sealed, or after.
    pub unsealed: i64,
}

/// A past run of [`verify_chain`], for the admin console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    pub checked_at: OffsetDateTime,
    pub rows_checked: i64,
    pub head: Option<ChainHead>,
    pub first_broken: Option<i64>,
}

/// Lets one sealer at a time chain rows, across instances; the retention purge takes it
/// too. Any constant would do; this one spells "AUDIT".
const CHAIN_LOCK: i64 = 0x0041_5544_4954;

/// Records `event` on `conn`, which must be inside the transaction of the action being
/// audited, so that the action and its row commit or roll back together. Returns the id.
///
/// The row is written unchained and takes no lock, so audited actions never wait for each
/// other here; [`seal`] chains it moments after it commits (the server's sealing job,
/// and [`verify_chain`] before it checks).
pub async fn record(
    conn: &mut PgConnection,
    event: &Event,
    facts: &RequestFacts,
) -> Result<i64, AuditError> {
    let detail = checked_detail(&event.detail)?;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let user_agent = facts
        .user_agent
        .as_deref()
        .map(|ua| truncate(ua, MAX_USER_AGENT_BYTES));
    let personal = Personal {
        ip: facts.ip.as_deref(),
        user_agent,
        subject_email: event.subject_email.as_deref(),
    };
    let personal_digest = personal.digest(&salt);

    let id = sqlx::query_scalar(
        "INSERT INTO audit.events (occurred_at, event_type, actor_kind, actor_id, merchant_id,
             target_type, target_id, outcome, reason, detail, request_id,
             ip, user_agent, subject_email, personal_salt, personal_digest)
         VALUES (clock_timestamp(), $1, $2::audit.actor_kind, $3, $4, $5, $6, $7::audit.outcome, $8, $9::jsonb, $10,
             $11, $12, $13, $14, $15)
         RETURNING id",
    )
    .bind(event.event_type)
    .bind(event.actor.kind.as_str())
    .bind(event.actor.id)
    .bind(event.merchant_id)
    .bind(event.target.as_ref().map(|t| t.kind))
    .bind(event.target.as_ref().map(|t| t.id.as_str()))
    .bind(event.outcome.as_str())
    .bind(event.reason.as_deref())
    .bind(detail)
    .bind(facts.request_id.as_deref())
    .bind(personal.ip)
    .bind(personal.user_agent)
    .bind(personal.subject_email)
    .bind(&salt[..])
    .bind(&personal_digest[..])
    .fetch_one(&mut *conn)
    .await?;
    crate::metrics::audit_row(event.outcome.as_str());
    Ok(id)
}

/// Records `event` in a transaction of its own: for denied and failed attempts, whose
/// action's transaction (if any) rolls back.
pub async fn record_alone(
    pool: &PgPool,
    event: &Event,
    facts: &RequestFacts,
) -> Result<i64, AuditError> {
    let mut tx = pool.begin().await?;
    let id = record(&mut tx, event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

/// Erases the personal fields (IP address, user agent, subject email) and their salt from
/// every row where `user_id` acted or `email` is the subject, keeping each row's digest so
/// the chain still verifies. Returns how many rows were redacted. Run it inside the
/// erasure's transaction, which records its own event.
pub async fn redact_personal(
    conn: &mut PgConnection,
    user_id: Uuid,
    email: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE audit.events SET ip = NULL, user_agent = NULL, subject_email = NULL, personal_salt = NULL
         WHERE (actor_id = $1 OR lower(subject_email) = lower($2)) AND personal_salt IS NOT NULL",
    )
    .bind(user_id)
    .bind(email)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests;
