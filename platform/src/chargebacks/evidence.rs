//! The merchant's evidence against a chargeback: statements and files, taken until the
//! deadline (the last day, in Kosovo) and while the chargeback is undecided, the database
//! checking both again.
//!
//! Stored like KYC documents ([`crate::kyc::documents`]): a file is a PDF, JPEG or PNG by
//! its first bytes, at most 10 MB, checked before anything is stored; statements are
//! `text/plain`. Both are encrypted (field_crypto, slot
//! `chargeback_evidence.content_enc.<merchant id>/<evidence id>`), so a ciphertext moved to
//! another row or merchant does not decrypt. Adding is audited
//! (`chargeback.evidence.add`), and so is reading a file back (`chargeback.evidence.view`);
//! another merchant's evidence answers exactly like a missing one.

use domain::MerchantId;
use secrecy::{ExposeSecret, SecretBox};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::ChargebackError;
use super::transition::{self, Move};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::field_crypto::{FieldSlot, KeyRing};
use crate::identity::roles::{Level, Module};
use crate::kyc::documents::{FileType, MAX_BYTES, Reader, sniff};

/// The longest statement, in characters.
pub const MAX_TEXT_CHARS: usize = 5000;

const TEXT: &str = "text/plain";

/// What a member sends.
#[derive(Debug, Clone, Copy)]
pub enum Submission<'a> {
    Text(&'a str),
    File(&'a [u8]),
}

/// The content type and bytes to store, or the refusal, before anything is stored.
fn check(submission: Submission<'_>) -> Result<(&'static str, &[u8]), ChargebackError> {
    match submission {
        Submission::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Err(ChargebackError::invalid(
                    "text",
                    "Write what answers the chargeback.",
                ));
            }
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(ChargebackError::invalid(
                    "text",
                    "Keep a statement under 5000 characters; add more as another.",
                ));
            }
            Ok((TEXT, text.as_bytes()))
        }
        Submission::File(bytes) => {
            if bytes.is_empty() {
                return Err(ChargebackError::invalid("file", "Choose a file to upload."));
            }
            if bytes.len() > MAX_BYTES {
                return Err(ChargebackError::invalid(
                    "file",
                    "The file is larger than 10 MB. Upload a smaller one.",
                ));
            }
            let file_type = sniff(bytes).ok_or_else(|| {
                ChargebackError::invalid("file", "Upload a PDF, JPEG or PNG file.")
            })?;
            Ok((file_type.content_type(), bytes))
        }
    }
}

fn slot(row: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "chargeback_evidence",
        column: "content_enc",
        row,
    }
}

fn row(merchant_id: Uuid, evidence_id: Uuid) -> String {
    format!("{merchant_id}/{evidence_id}")
}

/// Adds evidence to the merchant's chargeback: refused with nothing stored after the
/// deadline, once decided, or for a file that is empty, too large or of another type.
/// The first evidence moves the chargeback to `evidence_submitted`. Answers its id.
#[tracing::instrument(skip(platform, submission, facts))]
pub async fn add(
    platform: &Platform,
    user_id: Uuid,
    merchant_id: MerchantId,
    chargeback_id: Uuid,
    submission: Submission<'_>,
    facts: &RequestFacts,
) -> Result<Uuid, ChargebackError> {
    let (content_type, bytes) = check(submission)?;
    let size = i32::try_from(bytes.len())
        .map_err(|_| ChargebackError::invalid("file", "The file is larger than 10 MB."))?;
    let mut tx = platform.pool.begin().await?;
    let found: Option<(time::Date, bool)> = sqlx::query_as(
        "SELECT evidence_due_on, (now() AT TIME ZONE 'Europe/Belgrade')::date > evidence_due_on
         FROM chargebacks WHERE id = $1 AND merchant_id = $2",
    )
    .bind(chargeback_id)
    .bind(merchant_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (due, past) = found.ok_or(ChargebackError::NotFound)?;
    let late = || {
        ChargebackError::invalid(
            "evidence",
            format!("The deadline for evidence was {due}; it has passed."),
        )
    };
    if past {
        return Err(late());
    }
    // Locks the chargeback (so a decision waits for this evidence, or refuses it) and
    // refuses a decided one.
    transition::apply(
        &mut tx,
        chargeback_id,
        Move::EvidenceAdded { merchant_id },
        facts,
    )
    .await?;
    let id = Uuid::new_v4();
    let sealed = platform
        .config
        .secrets
        .field_keys
        .encrypt(slot(&row(merchant_id.as_uuid(), id)), bytes)
        .map_err(sqlx::Error::from)?;
    sqlx::query(
        "INSERT INTO chargeback_evidence (id, chargeback_id, merchant_id, content_type, size_bytes, content_enc, added_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(chargeback_id)
    .bind(merchant_id)
    .bind(content_type)
    .bind(size)
    .bind(sealed)
    .bind(user_id)
    .execute(&mut *tx)
    .await
    .map_err(|error| match ChargebackError::constraint(&error) {
        // The day ended between the check above and the insert.
        Some("chargeback_evidence_before_deadline") => late(),
        _ => ChargebackError::from(error),
    })?;
    let event = Event::new(
        "chargeback.evidence.add",
        Actor::user(user_id),
        Outcome::Success,
    )
    .merchant(merchant_id)
    .target("chargeback", chargeback_id.to_string())
    .detail(
        serde_json::json!({ "evidence_id": id, "content_type": content_type, "size_bytes": size }),
    );
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

/// One piece of evidence as the detail pages show it: a statement's text, or a file's
/// type and size (its content comes through the guarded download).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub id: Uuid,
    pub content_type: String,
    pub size_bytes: i32,
    pub text: Option<String>,
    pub added_at: OffsetDateTime,
}

/// The chargeback's evidence, oldest first, statements decrypted.
pub(super) async fn of_chargeback(
    conn: &mut PgConnection,
    keys: &KeyRing,
    chargeback_id: Uuid,
) -> Result<Vec<Evidence>, sqlx::Error> {
    let rows: Vec<(Uuid, Uuid, String, i32, Option<Vec<u8>>, OffsetDateTime)> = sqlx::query_as(
        "SELECT id, merchant_id, content_type, size_bytes,
                CASE WHEN content_type = 'text/plain' THEN content_enc END, added_at
         FROM chargeback_evidence WHERE chargeback_id = $1 ORDER BY added_at, id",
    )
    .bind(chargeback_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, merchant_id, content_type, size_bytes, sealed, added_at)| {
            let text = sealed.and_then(|sealed| match keys.decrypt(slot(&row(merchant_id, id)), &sealed) {
                Ok(plain) => Some(String::from_utf8_lossy(plain.expose_secret()).into_owned()),
                Err(error) => {
                    tracing::error!(%error, evidence_id = %id, "stored evidence does not decrypt");
                    None
                }
            });
            Evidence { id, content_type, size_bytes, text, added_at }
        })
        .collect())
}

/// A file of evidence, decrypted, for whoever may read it.
pub struct EvidenceFile {
    pub id: Uuid,
    pub file_type: FileType,
    pub content: SecretBox<Vec<u8>>,
}

impl EvidenceFile {
    /// The name a download is saved under: never the uploaded name.
    pub fn file_name(&self) -> String {
        format!(
            "chargeback-evidence-{}.{}",
            self.id,
            self.file_type.extension()
        )
    }

    pub fn bytes(&self) -> &[u8] {
        self.content.expose_secret()
    }
}

/// Reads a file of evidence back and audits `chargeback.evidence.view` in the same
/// transaction. A member asking for another merchant's evidence is told it does not exist.
#[tracing::instrument(skip(platform, facts))]
pub async fn read(
    platform: &Platform,
    reader: Reader,
    evidence_id: Uuid,
    facts: &RequestFacts,
) -> Result<EvidenceFile, ChargebackError> {
    let (scope, actor) = match reader {
        Reader::Member(member_scope) => (
            Some(member_scope.merchant_id().as_uuid()),
            member_scope.actor(),
        ),
        Reader::Staff(staff) => {
            staff.holds(Module::Payments, Level::View)?;
            (
                None,
                Actor {
                    kind: ActorKind::Staff,
                    id: Some(staff.user_id()),
                },
            )
        }
    };
    let mut tx = platform.pool.begin().await?;
    let found: Option<(Uuid, Uuid, String, Vec<u8>)> = sqlx::query_as(
        "SELECT merchant_id, chargeback_id, content_type, content_enc FROM chargeback_evidence
         WHERE id = $1 AND ($2::uuid IS NULL OR merchant_id = $2) AND content_type <> 'text/plain'",
    )
    .bind(evidence_id)
    .bind(scope)
    .fetch_optional(&mut *tx)
    .await?;
    let (merchant_id, chargeback_id, content_type, sealed) =
        found.ok_or(ChargebackError::NotFound)?;
    let content = platform
        .config
        .secrets
        .field_keys
        .decrypt(slot(&row(merchant_id, evidence_id)), &sealed)
        .map_err(|error| {
            tracing::error!(%error, %evidence_id, "stored evidence does not decrypt");
            ChargebackError::NotFound
        })?;
    let file_type = sniff(content.expose_secret()).ok_or(ChargebackError::NotFound)?;
    let event = Event::new("chargeback.evidence.view", actor, Outcome::Success)
        .merchant(merchant_id)
        .target("chargeback", chargeback_id.to_string())
        .detail(serde_json::json!({ "evidence_id": evidence_id, "content_type": content_type }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(EvidenceFile {
        id: evidence_id,
        file_type,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<(&'static str, &[u8]), ChargebackError>) -> &'static str {
        match result {
            Err(ChargebackError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn statements_and_files_are_checked_before_anything_is_stored() {
        let statement = check(Submission::Text("  Delivered on 3 Nov, signed.  ")).unwrap();
        assert_eq!(statement, (TEXT, &b"Delivered on 3 Nov, signed."[..]));
        assert_eq!(field(check(Submission::Text("   "))), "text");
        assert_eq!(
            field(check(Submission::Text(&"a".repeat(MAX_TEXT_CHARS + 1)))),
            "text"
        );
        assert_eq!(
            check(Submission::File(b"%PDF-1.7 proof")).unwrap().0,
            "application/pdf"
        );
        assert_eq!(field(check(Submission::File(b""))), "file");
        assert_eq!(field(check(Submission::File(b"<html><script>"))), "file");
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_BYTES + 1, b' ');
        assert_eq!(field(check(Submission::File(&big))), "file");
    }
}
