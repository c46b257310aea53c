//! The audit trail: append-only, tamper-evident records of security-relevant events, in
//! the `audit` schema (migration `20261124000006_audit.sql`).
//!
//! Every row carries `row_hash = SHA-256(prev_hash || content || personal_digest)`, where
//! `content` is a length-prefixed encoding of every non-personal column and `prev_hash` is
//! the previous row's `row_hash` (32 zero bytes for the first row). [`verify_chain`]
//! recomputes the chain and names the first row that does not fit.
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

    pub fn merchant(mut self, merchant_id: Uuid) -> Self {
        self.merchant_id = Some(merchant_id);
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

/// The newest row of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    pub id: i64,
    pub hash: ChainHash,
}

/// What [`verify_chain`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub rows_checked: i64,
    pub head: Option<ChainHead>,
    /// The first row whose content, link or digest does not match, or the head recorded by
    /// the previous check when that row is gone.
    pub first_broken: Option<i64>,
}

/// A past run of [`verify_chain`], for the admin console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    pub checked_at: OffsetDateTime,
    pub rows_checked: i64,
    pub head: Option<ChainHead>,
    pub first_broken: Option<i64>,
}

/// Serialises writers of the chain: the head read, the id drawn and the insert happen
/// under it, so chain order is id order. Any constant would do; this one spells "AUDIT".
const CHAIN_LOCK: i64 = 0x0041_5544_4954;

/// Records `event` on `conn`, which must be inside the transaction of the action being
/// audited, so that the action and its row commit or roll back together. Returns the id.
///
/// It takes a transaction-scoped advisory lock that every audit writer shares and that is
/// held **until the caller's transaction ends**: call it as the last step before
/// committing, never before slow work such as a gateway request, or every audited action
/// on the platform waits. The caller's transaction must be READ COMMITTED (Postgres's
/// default); under REPEATABLE READ a row committed by another writer since the snapshot is
/// invisible, and the unique `prev_hash` index then refuses the insert rather than let the
/// chain fork.
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

    // Postgres's own text of the jsonb is what the chain hashes, here and when verifying,
    // so key order, spacing and number formatting are whatever it stores.
    let (detail,): (String,) =
        sqlx::query_as("SELECT $2::jsonb::text FROM pg_advisory_xact_lock($1)")
            .bind(CHAIN_LOCK)
            .bind(detail)
            .fetch_one(&mut *conn)
            .await?;
    // A statement of its own, after the lock: its snapshot then includes the row of the
    // writer that held the lock before.
    let (prev, id, occurred_at): (Option<Vec<u8>>, i64, OffsetDateTime) = sqlx::query_as(
        "SELECT (SELECT row_hash FROM audit.events ORDER BY id DESC LIMIT 1),
                nextval('audit.events_id_seq'), clock_timestamp()",
    )
    .fetch_one(&mut *conn)
    .await?;
    let prev = prev
        .map(ChainHash::from_db)
        .transpose()?
        .unwrap_or(ChainHash::GENESIS);

    let content = Content {
        id,
        occurred_at,
        event_type: event.event_type,
        actor_kind: event.actor.kind.as_str(),
        actor_id: event.actor.id,
        merchant_id: event.merchant_id,
        target_type: event.target.as_ref().map(|t| t.kind),
        target_id: event.target.as_ref().map(|t| t.id.as_str()),
        outcome: event.outcome.as_str(),
        reason: event.reason.as_deref(),
        detail: &detail,
        request_id: facts.request_id.as_deref(),
    };
    let row_hash = content.row_hash(&prev, &personal_digest);

    sqlx::query(
        "INSERT INTO audit.events (id, occurred_at, event_type, actor_kind, actor_id, merchant_id,
             target_type, target_id, outcome, reason, detail, request_id,
             ip, user_agent, subject_email, personal_salt, personal_digest, prev_hash, row_hash)
         VALUES ($1, $2, $3, $4::audit.actor_kind, $5, $6, $7, $8, $9::audit.outcome, $10, $11::jsonb, $12,
             $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(id)
    .bind(occurred_at)
    .bind(content.event_type)
    .bind(content.actor_kind)
    .bind(content.actor_id)
    .bind(content.merchant_id)
    .bind(content.target_type)
    .bind(content.target_id)
    .bind(content.outcome)
    .bind(content.reason)
    .bind(content.detail)
    .bind(content.request_id)
    .bind(personal.ip)
    .bind(personal.user_agent)
    .bind(personal.subject_email)
    .bind(&salt[..])
    .bind(&personal_digest[..])
    .bind(&prev.0[..])
    .bind(&row_hash.0[..])
    .execute(&mut *conn)
    .await?;
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

/// Rows are read in pages of this many (by id, not by offset), so verifying never holds
/// the whole table in memory nor one long-running query.
const VERIFY_PAGE: i64 = 1000;

/// Recomputes the whole chain in id order and records the result in `audit.chain_checks`.
///
/// A row is broken when its `prev_hash` is not the previous row's hash, its `row_hash`
/// does not match its content, or its personal fields do not match its digest (a redacted
/// row, without salt, must have no personal fields left). The head of the previous check
/// must still be there with the same hash, which catches rows removed from the end. After
/// a retention purge ([`purge_expired`]) the chain starts from the purge's anchor: the first
/// remaining row must link to the last purged one.
pub async fn verify_chain(pool: &PgPool) -> Result<ChainReport, sqlx::Error> {
    let purged: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT last_id, last_hash FROM audit.purges ORDER BY id DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    let purged_through = purged.as_ref().map_or(0, |(id, _)| *id);
    let anchor = last_check(pool)
        .await?
        .and_then(|check| check.head)
        .filter(|head| head.id > purged_through);
    let mut anchor_seen = false;
    let mut report = ChainReport {
        rows_checked: 0,
        head: None,
        first_broken: None,
    };
    let mut expected_prev = match purged {
        Some((_, hash)) => ChainHash::from_db(hash).unwrap_or(ChainHash::GENESIS),
        None => ChainHash::GENESIS,
    };
    let mut after = 0i64;
    loop {
        let rows = sqlx::query_as::<_, StoredRow>(
            "SELECT id, occurred_at, event_type, actor_kind::text AS actor_kind, actor_id, merchant_id,
                    target_type, target_id, outcome::text AS outcome, reason, detail::text AS detail,
                    request_id, ip, user_agent, subject_email, personal_salt, personal_digest,
                    prev_hash, row_hash
             FROM audit.events WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(VERIFY_PAGE)
        .fetch_all(pool)
        .await?;
        let last_page = (rows.len() as i64) < VERIFY_PAGE;
        for row in rows {
            after = row.id;
            report.rows_checked += 1;
            let mut broken = !row.is_intact(&expected_prev);
            if let Some(anchor) = anchor
                && !anchor_seen
                && row.id >= anchor.id
            {
                anchor_seen = true;
                // Past the previous head without meeting it: that row is gone.
                if row.id > anchor.id {
                    report.first_broken.get_or_insert(anchor.id);
                }
                broken |= row.id == anchor.id && row.row_hash[..] != anchor.hash.0[..];
            }
            // The next row must link to what this row claims, so that one changed row is
            // reported alone rather than with every row after it. A hash of the wrong
            // length (only possible with the table's checks dropped) is itself a break.
            let claimed = ChainHash::from_db(row.row_hash).ok();
            if broken || claimed.is_none() {
                report.first_broken.get_or_insert(row.id);
            }
            expected_prev = claimed.unwrap_or(ChainHash::GENESIS);
            report.head = Some(ChainHead {
                id: row.id,
                hash: expected_prev,
            });
        }
        if last_page {
            break;
        }
    }
    if let Some(anchor) = anchor
        && !anchor_seen
    {
        report.first_broken.get_or_insert(anchor.id);
    }
    sqlx::query(
        "INSERT INTO audit.chain_checks (rows_checked, head_id, head_hash, first_broken_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(report.rows_checked)
    .bind(report.head.map(|head| head.id))
    .bind(report.head.map(|head| head.hash.0.to_vec()))
    .bind(report.first_broken)
    .execute(pool)
    .await?;
    Ok(report)
}

/// Purges audit rows older than `keep_days` (at least five years; the database refuses
/// less), leaving an anchor the chain check starts from, and records the purge. Returns how
/// many rows went.
pub async fn purge_expired(pool: &PgPool, keep_days: u32) -> Result<i64, AuditError> {
    let keep_days = i32::try_from(keep_days).unwrap_or(i32::MAX);
    let mut tx = pool.begin().await?;
    let purged: i64 = sqlx::query_scalar("SELECT audit.purge($1)")
        .bind(keep_days)
        .fetch_one(&mut *tx)
        .await?;
    if purged > 0 {
        let event = Event::new(
            "audit.purged",
            Actor {
                kind: ActorKind::System,
                id: None,
            },
            Outcome::Success,
        )
        .detail(serde_json::json!({ "rows": purged, "keep_days": keep_days }));
        record(&mut tx, &event, &RequestFacts::default()).await?;
    }
    tx.commit().await?;
    Ok(purged)
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

/// The newest row, or none while the trail is empty.
pub async fn head(pool: &PgPool) -> Result<Option<ChainHead>, sqlx::Error> {
    let row: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, row_hash FROM audit.events ORDER BY id DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    row.map(|(id, hash)| {
        Ok(ChainHead {
            id,
            hash: ChainHash::from_db(hash)?,
        })
    })
    .transpose()
}

/// The most recent [`verify_chain`] run, or none if the chain was never verified.
pub async fn last_check(pool: &PgPool) -> Result<Option<ChainCheck>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        checked_at: OffsetDateTime,
        rows_checked: i64,
        head_id: Option<i64>,
        head_hash: Option<Vec<u8>>,
        first_broken_id: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT checked_at, rows_checked, head_id, head_hash, first_broken_id
         FROM audit.chain_checks ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let Some(Row {
        checked_at,
        rows_checked,
        head_id,
        head_hash,
        first_broken_id: first_broken,
    }) = row
    else {
        return Ok(None);
    };
    let head = match (head_id, head_hash) {
        (Some(id), Some(hash)) => Some(ChainHead {
            id,
            hash: ChainHash::from_db(hash)?,
        }),
        _ => None,
    };
    Ok(Some(ChainCheck {
        checked_at,
        rows_checked,
        head,
        first_broken,
    }))
}

/// Refuses a detail that is not a small object or has a key naming a secret, and returns
/// its JSON text.
fn checked_detail(detail: &serde_json::Value) -> Result<String, AuditError> {
    if !detail.is_object() {
        return Err(AuditError::DetailNotAnObject);
    }
    if let Some(key) = sensitive_key(detail) {
        return Err(AuditError::SensitiveDetail(key.to_owned()));
    }
    let text = detail.to_string();
    if text.len() > MAX_DETAIL_BYTES {
        return Err(AuditError::DetailTooLarge(text.len()));
    }
    Ok(text)
}

/// The first key, at any depth, that names a secret or card data. Keys are split into
/// words (`cardNumber`, `card_number`, `card-number` alike) so that short words such as
/// `pan` match whole words only, not `company`.
fn sensitive_key(value: &serde_json::Value) -> Option<&str> {
    match value {
        serde_json::Value::Object(map) => map.iter().find_map(|(key, value)| {
            if names_a_secret(key) {
                Some(key.as_str())
            } else {
                sensitive_key(value)
            }
        }),
        serde_json::Value::Array(items) => items.iter().find_map(sensitive_key),
        _ => None,
    }
}

fn names_a_secret(key: &str) -> bool {
    const WHOLE_WORDS: [&str; 7] = ["pan", "pin", "pwd", "cvv", "cvv2", "cvc", "cvc2"];
    const WITHIN_WORDS: [&str; 6] = [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "cardnumber",
    ];
    let words = words(key);
    words.iter().any(|word| {
        WHOLE_WORDS.contains(&word.as_str()) || WITHIN_WORDS.iter().any(|w| word.contains(w))
    }) || words
        .windows(2)
        .any(|pair| pair[0] == "card" && pair[1] == "number")
}

/// Lower-case words of an identifier, split at non-alphanumerics and lower-to-upper steps.
fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        let boundary = !c.is_alphanumeric() || (c.is_uppercase() && previous_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

fn truncate(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The length-prefixed encodings the chain hashes. A tag byte tells an absent value from
/// an empty one, and lengths keep ("ab", "c") apart from ("a", "bc").
struct Encoder(Sha256);

impl Encoder {
    /// Starts with `prefix` as it is (a salt, a previous hash), then `tag`, which keeps a
    /// row encoding from ever being read as a personal one or as a later version.
    fn new(prefix: &[u8], tag: &[u8]) -> Self {
        let mut encoder = Encoder(Sha256::new());
        encoder.0.update(prefix);
        encoder.bytes(tag);
        encoder
    }

    fn bytes(&mut self, bytes: &[u8]) {
        // Every field is far below 4 GiB: detail is capped, and text columns are checked.
        self.0.update((bytes.len() as u32).to_be_bytes());
        self.0.update(bytes);
    }

    fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn optional_text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => {
                self.0.update([1]);
                self.text(text);
            }
            None => self.0.update([0]),
        }
    }

    fn optional_uuid(&mut self, id: Option<Uuid>) {
        match id {
            Some(id) => {
                self.0.update([1]);
                self.0.update(id.as_bytes());
            }
            None => self.0.update([0]),
        }
    }

    fn finish(self) -> ChainHash {
        ChainHash(self.0.finalize().into())
    }
}

/// The personal fields of a row, hashed apart so that they can be erased.
struct Personal<'a> {
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    subject_email: Option<&'a str>,
}

impl Personal<'_> {
    fn is_empty(&self) -> bool {
        self.ip.is_none() && self.user_agent.is_none() && self.subject_email.is_none()
    }

    /// SHA-256(salt || encoding of the fields).
    fn digest(&self, salt: &[u8]) -> [u8; 32] {
        let mut encoder = Encoder::new(salt, b"saleonix-audit-personal-v1");
        encoder.optional_text(self.ip);
        encoder.optional_text(self.user_agent);
        encoder.optional_text(self.subject_email);
        encoder.finish().0
    }
}

/// Every non-personal column of a row, as the chain hashes it.
struct Content<'a> {
    id: i64,
    occurred_at: OffsetDateTime,
    event_type: &'a str,
    actor_kind: &'a str,
    actor_id: Option<Uuid>,
    merchant_id: Option<Uuid>,
    target_type: Option<&'a str>,
    target_id: Option<&'a str>,
    outcome: &'a str,
    reason: Option<&'a str>,
    /// Postgres's text of the jsonb.
    detail: &'a str,
    request_id: Option<&'a str>,
}

impl Content<'_> {
    /// SHA-256(prev_hash || encoding of the columns || personal_digest).
    fn row_hash(&self, prev: &ChainHash, personal_digest: &[u8]) -> ChainHash {
        let mut encoder = Encoder::new(&prev.0, b"saleonix-audit-row-v1");
        encoder.0.update(self.id.to_be_bytes());
        // Postgres keeps microseconds, so that is the precision that survives a round trip;
        // hashed as the 128-bit count `time` gives, which no cast can truncate.
        let micros = self.occurred_at.unix_timestamp_nanos().div_euclid(1000);
        encoder.0.update(micros.to_be_bytes());
        encoder.text(self.event_type);
        encoder.text(self.actor_kind);
        encoder.optional_uuid(self.actor_id);
        encoder.optional_uuid(self.merchant_id);
        encoder.optional_text(self.target_type);
        encoder.optional_text(self.target_id);
        encoder.text(self.outcome);
        encoder.optional_text(self.reason);
        encoder.text(self.detail);
        encoder.optional_text(self.request_id);
        encoder.bytes(personal_digest);
        encoder.finish()
    }
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    id: i64,
    occurred_at: OffsetDateTime,
    event_type: String,
    actor_kind: String,
    actor_id: Option<Uuid>,
    merchant_id: Option<Uuid>,
    target_type: Option<String>,
    target_id: Option<String>,
    outcome: String,
    reason: Option<String>,
    detail: String,
    request_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    subject_email: Option<String>,
    personal_salt: Option<Vec<u8>>,
    personal_digest: Vec<u8>,
    prev_hash: Vec<u8>,
    row_hash: Vec<u8>,
}

impl StoredRow {
    fn is_intact(&self, expected_prev: &ChainHash) -> bool {
        let personal = Personal {
            ip: self.ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
            subject_email: self.subject_email.as_deref(),
        };
        let personal_intact = match &self.personal_salt {
            Some(salt) => personal.digest(salt)[..] == self.personal_digest[..],
            // Redacted: nothing personal may be left, and the stored digest stands in.
            None => personal.is_empty(),
        };
        let content = Content {
            id: self.id,
            occurred_at: self.occurred_at,
            event_type: &self.event_type,
            actor_kind: &self.actor_kind,
            actor_id: self.actor_id,
            merchant_id: self.merchant_id,
            target_type: self.target_type.as_deref(),
            target_id: self.target_id.as_deref(),
            outcome: &self.outcome,
            reason: self.reason.as_deref(),
            detail: &self.detail,
            request_id: self.request_id.as_deref(),
        };
        personal_intact
            && self.prev_hash[..] == expected_prev.0[..]
            && content.row_hash(expected_prev, &self.personal_digest).0[..] == self.row_hash[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sqlx::Connection;

    fn alice() -> Actor {
        Actor {
            kind: ActorKind::User,
            id: Some(Uuid::from_u128(0xA11CE)),
        }
    }

    fn facts() -> RequestFacts {
        RequestFacts {
            ip: Some("203.0.113.7".into()),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64)".into()),
            request_id: Some("req-1".into()),
        }
    }

    fn sign_in(actor: Actor) -> Event {
        Event::new("auth.sign_in", actor, Outcome::Success)
            .detail(json!({"mfa": "totp", "remember": false}))
    }

    /// Five events of different shapes: in one transaction, alone, denied, from the system.
    async fn record_five(pool: &PgPool) -> Vec<i64> {
        let merchant = Uuid::from_u128(0xD4);
        let mut ids = vec![
            record_alone(pool, &sign_in(alice()), &facts())
                .await
                .unwrap(),
        ];
        let mut tx = pool.begin().await.unwrap();
        let link = Event::new("payment_link.create", alice(), Outcome::Success)
            .merchant(merchant)
            .target("payment_link", "pl_1")
            .detail(json!({"amount_minor": 1250, "currency": "EUR", "mode": "test", "ratio": 0.1}));
        ids.push(record(&mut tx, &link, &facts()).await.unwrap());
        ids.push(
            record(
                &mut tx,
                &link.clone().target("payment_link", "pl_2"),
                &facts(),
            )
            .await
            .unwrap(),
        );
        tx.commit().await.unwrap();
        let denied = Event::new(
            "auth.sign_in",
            Actor {
                kind: ActorKind::Anonymous,
                id: None,
            },
            Outcome::Denied,
        )
        .reason("unknown_email")
        .subject_email("Mallory@Example.com");
        ids.push(
            record_alone(pool, &denied, &RequestFacts::default())
                .await
                .unwrap(),
        );
        let system = Event::new(
            "audit.chain_verified",
            Actor {
                kind: ActorKind::System,
                id: None,
            },
            Outcome::Success,
        );
        ids.push(
            record_alone(pool, &system, &RequestFacts::default())
                .await
                .unwrap(),
        );
        ids
    }

    async fn count(pool: &PgPool) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM audit.events")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    /// Runs `sql` on audit.events with its triggers off, as only a superuser could.
    async fn tamper(pool: &PgPool, sql: &str) {
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("ALTER TABLE audit.events DISABLE TRIGGER ALL")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
        sqlx::query("ALTER TABLE audit.events ENABLE TRIGGER ALL")
            .execute(&mut *conn)
            .await
            .unwrap();
    }

    fn sql_state(error: &sqlx::Error) -> String {
        error
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.into_owned())
            .unwrap_or_default()
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_chain_of_events_verifies_and_the_check_is_recorded(pool: PgPool) {
        assert_eq!(
            verify_chain(&pool).await.unwrap(),
            ChainReport {
                rows_checked: 0,
                head: None,
                first_broken: None
            }
        );
        let ids = record_five(&pool).await;
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");

        let report = verify_chain(&pool).await.unwrap();
        assert_eq!(report.rows_checked, 5);
        assert_eq!(report.first_broken, None);
        let head = head(&pool).await.unwrap().unwrap();
        assert_eq!(report.head, Some(head));
        assert_eq!(head.id, ids[4]);

        let check = last_check(&pool).await.unwrap().unwrap();
        assert_eq!(
            (check.rows_checked, check.head, check.first_broken),
            (5, Some(head), None)
        );
        assert!(check.checked_at <= OffsetDateTime::now_utc());

        // The first row links to zeros, and every other to its predecessor.
        let links: Vec<(Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT prev_hash, row_hash FROM audit.events ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(links[0].0, vec![0; 32]);
        assert!(links.windows(2).all(|pair| pair[1].0 == pair[0].1));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_row_changed_by_a_superuser_is_detected_at_that_row(pool: PgPool) {
        let ids = record_five(&pool).await;
        let third = ids[2];
        tamper(
            &pool,
            &format!("UPDATE audit.events SET reason = 'looks innocent' WHERE id = {third}"),
        )
        .await;
        assert_eq!(verify_chain(&pool).await.unwrap().first_broken, Some(third));

        // Put back, the chain verifies again: the check pins the change, not the table.
        tamper(
            &pool,
            &format!("UPDATE audit.events SET reason = NULL WHERE id = {third}"),
        )
        .await;
        assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);

        // A personal field is covered through the digest.
        let second = ids[1];
        tamper(
            &pool,
            &format!("UPDATE audit.events SET ip = '198.51.100.1' WHERE id = {second}"),
        )
        .await;
        assert_eq!(
            verify_chain(&pool).await.unwrap().first_broken,
            Some(second)
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn rows_removed_from_the_middle_or_the_end_are_detected(pool: PgPool) {
        let ids = record_five(&pool).await;
        assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);
        // The remaining links are intact; only the head of the previous check shows it.
        tamper(
            &pool,
            &format!("DELETE FROM audit.events WHERE id = {}", ids[4]),
        )
        .await;
        let report = verify_chain(&pool).await.unwrap();
        assert_eq!(
            (report.rows_checked, report.first_broken),
            (4, Some(ids[4]))
        );

        tamper(
            &pool,
            &format!("DELETE FROM audit.events WHERE id = {}", ids[1]),
        )
        .await;
        assert_eq!(
            verify_chain(&pool).await.unwrap().first_broken,
            Some(ids[2]),
            "the row after the gap"
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn redaction_nulls_a_users_personal_fields_and_keeps_the_chain_valid(pool: PgPool) {
        let ids = record_five(&pool).await;
        let bob = Actor {
            kind: ActorKind::User,
            id: Some(Uuid::from_u128(0xB0B)),
        };
        let bobs = record_alone(&pool, &sign_in(bob), &facts()).await.unwrap();
        let digests_before: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT personal_digest FROM audit.events ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();

        let mut tx = pool.begin().await.unwrap();
        // Alice's three rows, and the denied attempt whose subject is the email, given here
        // in another case.
        let redacted = redact_personal(&mut tx, alice().id.unwrap(), "mallory@example.com")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(redacted, 4);

        type Personal = (
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<Vec<u8>>,
        );
        let rows: Vec<Personal> = sqlx::query_as(
            "SELECT id, ip, user_agent, subject_email, personal_salt FROM audit.events ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for (id, ip, user_agent, email, salt) in &rows {
            if ids[..4].contains(id) {
                assert_eq!(
                    (ip, user_agent, email, salt),
                    (&None, &None, &None, &None),
                    "row {id}"
                );
            }
        }
        let bobs_row = rows.iter().find(|row| row.0 == bobs).unwrap();
        assert_eq!(
            bobs_row.1.as_deref(),
            Some("203.0.113.7"),
            "another user's row is untouched"
        );
        assert!(bobs_row.4.is_some());

        let digests_after: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT personal_digest FROM audit.events ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(digests_before, digests_after);
        let report = verify_chain(&pool).await.unwrap();
        assert_eq!((report.rows_checked, report.first_broken), (6, None));

        let mut conn = pool.acquire().await.unwrap();
        assert_eq!(
            redact_personal(&mut conn, alice().id.unwrap(), "mallory@example.com")
                .await
                .unwrap(),
            0
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_purged_prefix_keeps_the_chain_verifiable_and_later_deletions_still_show(
        pool: PgPool,
    ) {
        let ids = record_five(&pool).await;
        assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);
        // As a retention run five years on would: the two oldest rows go, leaving an anchor.
        let purged: i64 = sqlx::query_scalar("SELECT audit.purge_through($1, now())")
            .bind(ids[1])
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(purged, 2);
        let report = verify_chain(&pool).await.unwrap();
        assert_eq!((report.rows_checked, report.first_broken), (3, None));
        // A row removed by hand after the anchor still breaks the chain.
        tamper(
            &pool,
            &format!("DELETE FROM audit.events WHERE id = {}", ids[2]),
        )
        .await;
        assert_eq!(
            verify_chain(&pool).await.unwrap().first_broken,
            Some(ids[3])
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_application_may_purge_only_rows_past_five_years(pool: PgPool) {
        record_five(&pool).await;
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("SET ROLE saleonix_app")
            .execute(&mut *conn)
            .await
            .unwrap();
        let short = sqlx::query("SELECT audit.purge(30)")
            .execute(&mut *conn)
            .await
            .unwrap_err();
        assert!(short.to_string().contains("at least 1825 days"), "{short}");
        let direct = sqlx::query("SELECT audit.purge_through(9999, now())")
            .execute(&mut *conn)
            .await
            .unwrap_err();
        assert_eq!(
            sql_state(&direct),
            "42501",
            "only the five-year purge is the application's"
        );
        drop(conn);
        assert_eq!(
            purge_expired(&pool, 1825).await.unwrap(),
            0,
            "nothing here is five years old"
        );
        assert_eq!(count(&pool).await, 5);
        assert!(
            include_str!("../../../migrations/20261126000012_audit_retention.sql")
                .contains(&format!("pg_advisory_xact_lock({CHAIN_LOCK})")),
            "the purge takes the writers' lock"
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_trigger_refuses_changes_and_deletes_even_for_a_superuser(pool: PgPool) {
        let ids = record_five(&pool).await;
        let first = ids[0];
        for sql in [
            format!("UPDATE audit.events SET reason = 'x' WHERE id = {first}"),
            format!("UPDATE audit.events SET ip = '198.51.100.1' WHERE id = {first}"),
            // Redaction is all or nothing: a salt left beside a changed field is refused.
            format!("UPDATE audit.events SET ip = NULL WHERE id = {first}"),
            format!(
                "UPDATE audit.events SET ip = NULL, user_agent = NULL, subject_email = NULL, personal_salt = NULL, reason = 'x' WHERE id = {first}"
            ),
            format!("DELETE FROM audit.events WHERE id = {first}"),
            "DELETE FROM audit.events WHERE false".into(),
            "TRUNCATE audit.events".into(),
            "UPDATE audit.chain_checks SET rows_checked = 0".into(),
            "DELETE FROM audit.chain_checks".into(),
        ] {
            let error = sqlx::query(&sql).execute(&pool).await.unwrap_err();
            assert!(error.to_string().contains("append-only"), "{sql}: {error}");
        }
        assert_eq!(count(&pool).await, 5);
        // The one change it allows.
        sqlx::query(&format!(
            "UPDATE audit.events SET ip = NULL, user_agent = NULL, subject_email = NULL, personal_salt = NULL WHERE id = {first}"
        ))
        .execute(&pool)
        .await
        .unwrap();
        assert_eq!(verify_chain(&pool).await.unwrap().first_broken, None);
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_application_role_may_insert_read_and_redact_but_not_change_or_delete(
        pool: PgPool,
    ) {
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("SET ROLE saleonix_app")
            .execute(&mut *conn)
            .await
            .unwrap();

        let mut tx = conn.begin().await.unwrap();
        let id = record(&mut tx, &sign_in(alice()), &facts()).await.unwrap();
        tx.commit().await.unwrap();
        let reason: Option<String> =
            sqlx::query_scalar("SELECT reason FROM audit.events WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(reason, None);

        for sql in [
            "UPDATE audit.events SET reason = 'x'",
            "UPDATE audit.events SET row_hash = prev_hash",
            "DELETE FROM audit.events",
            "TRUNCATE audit.events",
            "UPDATE audit.chain_checks SET rows_checked = 0",
        ] {
            let error = sqlx::query(sql).execute(&mut *conn).await.unwrap_err();
            assert_eq!(
                sql_state(&error),
                "42501",
                "{sql} must be denied by the grants: {error}"
            );
        }
        assert_eq!(
            redact_personal(&mut conn, alice().id.unwrap(), "alice@example.com")
                .await
                .unwrap(),
            1
        );
        drop(conn);

        // Verifying, which records its check, works as the application too.
        let app_pool = sqlx::postgres::PgPoolOptions::new()
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("SET ROLE saleonix_app")
                        .execute(conn)
                        .await
                        .map(drop)
                })
            })
            .connect_with((*pool.connect_options()).clone())
            .await
            .unwrap();
        let report = verify_chain(&app_pool).await.unwrap();
        assert_eq!((report.rows_checked, report.first_broken), (1, None));
        assert_eq!(
            last_check(&app_pool).await.unwrap().unwrap().rows_checked,
            1
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn an_action_rolled_back_leaves_no_audit_row(pool: PgPool) {
        let mut tx = pool.begin().await.unwrap();
        record(&mut tx, &sign_in(alice()), &facts()).await.unwrap();
        assert_eq!(
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit.events")
                .fetch_one(&mut *tx)
                .await
                .unwrap(),
            1,
            "visible inside its transaction"
        );
        tx.rollback().await.unwrap();
        assert_eq!(count(&pool).await, 0);

        // The id it drew is a gap, which the chain does not mind.
        let id = record_alone(&pool, &sign_in(alice()), &facts())
            .await
            .unwrap();
        assert_eq!(count(&pool).await, 1);
        let report = verify_chain(&pool).await.unwrap();
        assert_eq!(
            (
                report.rows_checked,
                report.first_broken,
                report.head.map(|h| h.id)
            ),
            (1, None, Some(id))
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn concurrent_writers_form_one_valid_chain(pool: PgPool) {
        let mut tasks = tokio::task::JoinSet::new();
        for task in 0..16 {
            let pool = pool.clone();
            tasks.spawn(async move {
                for n in 0..4 {
                    let event = sign_in(alice()).detail(json!({"task": task, "n": n}));
                    record_alone(&pool, &event, &facts()).await.unwrap();
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
        let report = verify_chain(&pool).await.unwrap();
        assert_eq!((report.rows_checked, report.first_broken), (64, None));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_detail_naming_a_secret_is_refused_and_nothing_is_written(pool: PgPool) {
        for detail in [
            json!({"password": "hunter2"}),
            json!({"new_password": "x"}),
            json!({"resetToken": "x"}),
            json!({"card": {"pan": "4355084355084358"}}),
            json!({"cards": [{"CVV": "123"}]}),
            json!({"client_secret": "x"}),
            json!({"card_number": "x"}),
        ] {
            let error = record_alone(&pool, &sign_in(alice()).detail(detail.clone()), &facts())
                .await
                .unwrap_err();
            assert!(
                matches!(error, AuditError::SensitiveDetail(_)),
                "{detail}: {error}"
            );
            assert!(
                !error.to_string().contains("hunter2") && !error.to_string().contains("4355"),
                "{error}"
            );
        }
        let error = record_alone(&pool, &sign_in(alice()).detail(json!(["a"])), &facts())
            .await
            .unwrap_err();
        assert!(matches!(error, AuditError::DetailNotAnObject), "{error}");
        let big = json!({"note": "x".repeat(MAX_DETAIL_BYTES)});
        let error = record_alone(&pool, &sign_in(alice()).detail(big), &facts())
            .await
            .unwrap_err();
        assert!(matches!(error, AuditError::DetailTooLarge(_)), "{error}");
        assert_eq!(count(&pool).await, 0);
    }

    #[test]
    fn only_whole_words_match_short_sensitive_names() {
        for key in [
            "company_id",
            "span",
            "expand",
            "pinned",
            "mode",
            "cardholder_country",
            "number",
        ] {
            assert!(!names_a_secret(key), "{key}");
        }
        for key in [
            "pan",
            "card_pan",
            "cardPan",
            "PIN",
            "cvc2",
            "apiToken",
            "Password",
            "cardNumber",
        ] {
            assert!(names_a_secret(key), "{key}");
        }
    }

    #[test]
    fn the_personal_digest_depends_on_salt_and_every_field_unambiguously() {
        let salt = [7u8; 16];
        let base = Personal {
            ip: Some("ab"),
            user_agent: Some("c"),
            subject_email: None,
        };
        let digest = base.digest(&salt);
        assert_ne!(digest, base.digest(&[8u8; 16]));
        for other in [
            Personal {
                ip: Some("a"),
                user_agent: Some("bc"),
                subject_email: None,
            },
            Personal {
                ip: Some("ab"),
                user_agent: Some("c"),
                subject_email: Some(""),
            },
            Personal {
                ip: Some("ab"),
                user_agent: None,
                subject_email: Some("c"),
            },
        ] {
            assert_ne!(digest, other.digest(&salt));
        }
    }

    #[test]
    fn user_agents_are_cut_at_a_character_boundary() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("aé", 2), "a");
    }

    #[test]
    fn hashes_show_as_hex() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0xAB;
        bytes[31] = 0x01;
        let text = ChainHash(bytes).to_string();
        assert_eq!(text.len(), 64);
        assert!(text.starts_with("ab00") && text.ends_with("01"), "{text}");
    }
}
