//! The chain's hashing: a row's content and personal fields as length-prefixed encodings.

use super::*;

/// The length-prefixed encodings the chain hashes. A tag byte tells an absent value from
/// an empty one, and lengths keep ("ab", "c") apart from ("a", "bc").
pub(super) struct Encoder(Sha256);

impl Encoder {
    /// Starts with `prefix` as it is (a salt, a previous hash), then `tag`, which keeps a
    /// row encoding from ever being read as a personal one or as a later version.
    pub(super) fn new(prefix: &[u8], tag: &[u8]) -> Self {
        let mut encoder = Encoder(Sha256::new());
        encoder.0.update(prefix);
        encoder.bytes(tag);
        encoder
    }

    pub(super) fn bytes(&mut self, bytes: &[u8]) {
        // Every field is far below 4 GiB: detail is capped, and text columns are checked.
        self.0.update((bytes.len() as u32).to_be_bytes());
        self.0.update(bytes);
    }

    pub(super) fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    pub(super) fn optional_text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => {
                self.0.update([1]);
                self.text(text);
            }
            None => self.0.update([0]),
        }
    }

    pub(super) fn optional_uuid(&mut self, id: Option<Uuid>) {
        match id {
            Some(id) => {
                self.0.update([1]);
                self.0.update(id.as_bytes());
            }
            None => self.0.update([0]),
        }
    }

    pub(super) fn finish(self) -> ChainHash {
        ChainHash(self.0.finalize().into())
    }
}

/// The personal fields of a row, hashed apart so that they can be erased.
pub(super) struct Personal<'a> {
    pub(super) ip: Option<&'a str>,
    pub(super) user_agent: Option<&'a str>,
    pub(super) subject_email: Option<&'a str>,
}

impl Personal<'_> {
    pub(super) fn is_empty(&self) -> bool {
        self.ip.is_none() && self.user_agent.is_none() && self.subject_email.is_none()
    }

    /// SHA-256(salt || encoding of the fields).
    pub(super) fn digest(&self, salt: &[u8]) -> [u8; 32] {
        let mut encoder = Encoder::new(salt, b"saleonix-audit-personal-v1");
        encoder.optional_text(self.ip);
        encoder.optional_text(self.user_agent);
        encoder.optional_text(self.subject_email);
        encoder.finish().0
    }
}

/// Every non-personal column of a row, as the chain hashes it.
pub(super) struct Content<'a> {
    pub(super) id: i64,
    pub(super) occurred_at: OffsetDateTime,
    pub(super) event_type: &'a str,
    pub(super) actor_kind: &'a str,
    pub(super) actor_id: Option<Uuid>,
    pub(super) merchant_id: Option<Uuid>,
    pub(super) target_type: Option<&'a str>,
    pub(super) target_id: Option<&'a str>,
    pub(super) outcome: &'a str,
    pub(super) reason: Option<&'a str>,
    /// Postgres's text of the jsonb.
    pub(super) detail: &'a str,
    pub(super) request_id: Option<&'a str>,
}

impl Content<'_> {
    /// SHA-256(prev_hash || encoding of the columns || personal_digest).
    pub(super) fn row_hash(&self, prev: &ChainHash, personal_digest: &[u8]) -> ChainHash {
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

/// The columns a [`StoredRow`] reads, as Postgres's text where the chain hashes text.
pub(super) const STORED_COLUMNS: &str =
    "id, seq, occurred_at, event_type, actor_kind::text AS actor_kind, actor_id, merchant_id,
     target_type, target_id, outcome::text AS outcome, reason, detail::text AS detail,
     request_id, ip, user_agent, subject_email, personal_salt, personal_digest,
     prev_hash, row_hash";

/// A row as stored; `seq` and the hashes are none until it is sealed.
#[derive(sqlx::FromRow)]
pub(super) struct StoredRow {
    pub(super) id: i64,
    pub(super) seq: Option<i64>,
    pub(super) occurred_at: OffsetDateTime,
    pub(super) event_type: String,
    pub(super) actor_kind: String,
    pub(super) actor_id: Option<Uuid>,
    pub(super) merchant_id: Option<Uuid>,
    pub(super) target_type: Option<String>,
    pub(super) target_id: Option<String>,
    pub(super) outcome: String,
    pub(super) reason: Option<String>,
    pub(super) detail: String,
    pub(super) request_id: Option<String>,
    pub(super) ip: Option<String>,
    pub(super) user_agent: Option<String>,
    pub(super) subject_email: Option<String>,
    pub(super) personal_salt: Option<Vec<u8>>,
    pub(super) personal_digest: Vec<u8>,
    pub(super) prev_hash: Option<Vec<u8>>,
    pub(super) row_hash: Option<Vec<u8>>,
}

impl StoredRow {
    /// The hash this row has when it follows `prev`.
    pub(super) fn hash_after(&self, prev: &ChainHash) -> ChainHash {
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
        content.row_hash(prev, &self.personal_digest)
    }

    pub(super) fn is_intact(&self, expected_prev: &ChainHash) -> bool {
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
        personal_intact
            && self.prev_hash.as_deref() == Some(&expected_prev.0[..])
            && self.row_hash.as_deref() == Some(&self.hash_after(expected_prev).0[..])
    }
}
