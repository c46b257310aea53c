//! KYC documents: uploads judged by their content, stored encrypted, read back audited.
//!
//! A file is a PDF, JPEG or PNG by its first bytes (its magic number), whatever its name
//! or the browser's content type say; at most [`MAX_BYTES`]; both checked before anything
//! is stored. The content is encrypted with AES-256-GCM (field_crypto, slot
//! `kyc_documents.content_enc.<merchant id>/<document id>`), so a ciphertext copied to
//! another row or merchant does not decrypt. A new upload of the same kind (and person)
//! replaces the previous one, which is kept as evidence. Reading a document back is
//! audited (`kyc.document.view`) in the same transaction; another merchant's document
//! answers exactly like a missing one.

use domain::MerchantId;
use secrecy::{ExposeSecret, SecretBox};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::application::{begin, refresh};
use super::{DocumentKind, Item, KycError};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::field_crypto::FieldSlot;
use crate::identity::roles::{Level, MerchantScope, Module, StaffScope};

/// The largest file taken: 10 MB (10 × 1024 × 1024 bytes, the schema's limit).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// A file type the platform takes, known by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
        }
    }

    fn from_content_type(content_type: &str) -> Self {
        match content_type {
            "image/jpeg" => FileType::Jpeg,
            "image/png" => FileType::Png,
            _ => FileType::Pdf,
        }
    }
}

/// The file's type by its magic number: `%PDF-`, JPEG's SOI marker `FF D8 FF`, PNG's
/// eight-byte signature. Anything else (HTML, an executable, a zip) is none.
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(b"%PDF-") {
        Some(FileType::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileType::Jpeg)
    } else if bytes.starts_with(PNG) {
        Some(FileType::Png)
    } else {
        None
    }
}

/// The file's type when it may be stored, or its refusal: checked before anything is stored.
pub fn check_file(bytes: &[u8]) -> Result<FileType, KycError> {
    if bytes.is_empty() {
        return Err(KycError::invalid("file", "Choose a file to upload."));
    }
    if bytes.len() > MAX_BYTES {
        return Err(KycError::invalid(
            "file",
            "The file is larger than 10 MB. Upload a smaller scan or photo.",
        ));
    }
    sniff(bytes).ok_or_else(|| KycError::invalid("file", "Upload a PDF, JPEG or PNG file."))
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::RegistrationCertificate,
        DocumentKind::IdentityFront,
        DocumentKind::IdentityBack,
        DocumentKind::BankProof,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            DocumentKind::RegistrationCertificate => "registration_certificate",
            DocumentKind::IdentityFront => "identity_front",
            DocumentKind::IdentityBack => "identity_back",
            DocumentKind::BankProof => "bank_proof",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::RegistrationCertificate => "Business registration certificate",
            DocumentKind::IdentityFront => {
                "Identity document (front, or the passport's photo page)"
            }
            DocumentKind::IdentityBack => "Identity document (back)",
            DocumentKind::BankProof => "Bank letter or statement",
        }
    }

    fn per_person(self) -> bool {
        matches!(
            self,
            DocumentKind::IdentityFront | DocumentKind::IdentityBack
        )
    }
}

fn slot(row: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "kyc_documents",
        column: "content_enc",
        row,
    }
}

fn row(merchant_id: MerchantId, document_id: Uuid) -> String {
    format!("{merchant_id}/{document_id}")
}

/// Stores an uploaded file for the merchant: refused, with nothing stored, when it is too
/// large, empty or not a PDF, JPEG or PNG, or when the person is not one of the
/// merchant's current people. Answers the new document's id.
#[tracing::instrument(skip(platform, bytes, facts), fields(%merchant_id, kind = kind.slug(), size = bytes.len()))]
pub async fn upload(
    platform: &Platform,
    user_id: Uuid,
    merchant_id: MerchantId,
    kind: DocumentKind,
    person_id: Option<Uuid>,
    bytes: &[u8],
    facts: &RequestFacts,
) -> Result<Uuid, KycError> {
    let file_type = check_file(bytes)?;
    let (mut tx, checklist) = begin(platform, merchant_id, kind.item()).await?;
    match (kind.per_person(), person_id) {
        (true, Some(person)) => {
            let document: Option<String> = sqlx::query_scalar(
                "SELECT identity_document FROM kyc_people WHERE id = $1 AND merchant_id = $2 AND removed_at IS NULL",
            )
            .bind(person)
            .bind(merchant_id)
            .fetch_optional(&mut *tx)
            .await?;
            match document.as_deref() {
                None => return Err(KycError::NotFound),
                Some("passport") if kind == DocumentKind::IdentityBack => {
                    return Err(KycError::invalid(
                        "kind",
                        "A passport has one page to upload: upload it as the front.",
                    ));
                }
                Some(_) => {}
            }
        }
        (true, None) => {
            return Err(KycError::invalid(
                "person_id",
                "Choose whose identity document this is.",
            ));
        }
        (false, Some(_)) => {
            return Err(KycError::invalid(
                "person_id",
                "This document belongs to the business, not a person.",
            ));
        }
        (false, None) => {}
    }
    let size = i32::try_from(bytes.len())
        .map_err(|_| KycError::invalid("file", "The file is larger than 10 MB."))?;
    let id = Uuid::new_v4();
    sqlx::query(
        "UPDATE kyc_documents SET replaced_at = now()
         WHERE merchant_id = $1 AND kind = $2 AND person_id IS NOT DISTINCT FROM $3 AND replaced_at IS NULL",
    )
    .bind(merchant_id)
    .bind(kind)
    .bind(person_id)
    .execute(&mut *tx)
    .await?;
    let sealed = platform
        .config
        .secrets
        .field_keys
        .encrypt(slot(&row(merchant_id, id)), bytes)
        .map_err(sqlx::Error::from)?;
    sqlx::query(
        "INSERT INTO kyc_documents (id, merchant_id, kind, person_id, content_type, size_bytes, content_enc, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(kind)
    .bind(person_id)
    .bind(file_type.content_type())
    .bind(size)
    .bind(sealed)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    let complete = match kind.item() {
        Item::IdentityDocuments => identity_complete(&mut tx, merchant_id).await?,
        _ => true,
    };
    refresh(&mut tx, &checklist, kind.item(), complete, complete).await?;
    let event = Event::new("kyc.document.upload", Actor::user(user_id), Outcome::Success)
        .merchant(merchant_id)
        .target("kyc_document", id.to_string())
        .detail(serde_json::json!({ "kind": kind.slug(), "content_type": file_type.content_type(), "size_bytes": size }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

/// Whether every current person has a current front and, for an ID card, a back; and
/// there is at least one person.
pub async fn identity_complete(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<bool, sqlx::Error> {
    let (people, lacking): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE
                NOT EXISTS (SELECT 1 FROM kyc_documents d WHERE d.person_id = p.id AND d.kind = 'identity_front' AND d.replaced_at IS NULL)
             OR (p.identity_document = 'id_card' AND
                NOT EXISTS (SELECT 1 FROM kyc_documents d WHERE d.person_id = p.id AND d.kind = 'identity_back' AND d.replaced_at IS NULL)))
         FROM kyc_people p WHERE p.merchant_id = $1 AND p.removed_at IS NULL",
    )
    .bind(merchant_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(people > 0 && lacking == 0)
}

/// A current document as the lists show it (no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSummary {
    pub id: Uuid,
    pub kind: DocumentKind,
    pub person_id: Option<Uuid>,
    pub content_type: String,
    pub size_bytes: i32,
    pub uploaded_at: OffsetDateTime,
}

/// The merchant's current documents (not replaced), in kind order. Staff's review page
/// reads the same list.
pub async fn current(
    platform: &Platform,
    merchant_id: MerchantId,
) -> Result<Vec<DocumentSummary>, KycError> {
    let rows: Vec<(
        Uuid,
        DocumentKind,
        Option<Uuid>,
        String,
        i32,
        OffsetDateTime,
    )> = sqlx::query_as(
        "SELECT id, kind, person_id, content_type, size_bytes, uploaded_at FROM kyc_documents
         WHERE merchant_id = $1 AND replaced_at IS NULL ORDER BY kind, uploaded_at",
    )
    .bind(merchant_id)
    .fetch_all(&platform.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, person_id, content_type, size_bytes, uploaded_at)| DocumentSummary {
                id,
                kind,
                person_id,
                content_type,
                size_bytes,
                uploaded_at,
            },
        )
        .collect())
}

/// A document's content, decrypted, to hand to whoever may read it.
pub struct Document {
    pub id: Uuid,
    pub merchant_id: MerchantId,
    pub kind: DocumentKind,
    pub file_type: FileType,
    pub content: SecretBox<Vec<u8>>,
}

impl Document {
    /// The name a download is saved under: the kind and id, never the uploaded name.
    pub fn file_name(&self) -> String {
        format!(
            "{}-{}.{}",
            self.kind.slug(),
            self.id,
            self.file_type.extension()
        )
    }

    pub fn bytes(&self) -> &[u8] {
        self.content.expose_secret()
    }
}

impl Document {
    /// A stored document decrypted (the row's key binds it to its merchant and id), for a
    /// reader that found the row itself: an access request's archive hands a person the
    /// copies of their own identity document (`privacy::requests::kyc_people`).
    pub(crate) fn open(
        keys: &crate::field_crypto::KeyRing,
        id: Uuid,
        merchant_id: MerchantId,
        kind: DocumentKind,
        content_type: &str,
        sealed: &[u8],
    ) -> Result<Self, crate::field_crypto::FieldCryptoError> {
        Ok(Document {
            id,
            merchant_id,
            kind,
            file_type: FileType::from_content_type(content_type),
            content: keys.decrypt(slot(&row(merchant_id, id)), sealed)?,
        })
    }
}

/// Who reads a document: a member of its merchant, or staff holding merchants at `view`
/// (checked here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Member(MerchantScope),
    Staff(StaffScope),
}

/// Reads a document back, decrypted, and audits `kyc.document.view` in the same
/// transaction. A member asking for another merchant's document id is told it does not
/// exist, exactly as for an unknown id.
#[tracing::instrument(skip(platform, facts))]
pub async fn read(
    platform: &Platform,
    reader: Reader,
    document_id: Uuid,
    facts: &RequestFacts,
) -> Result<Document, KycError> {
    let scope = match reader {
        Reader::Member(member) => Some(member.merchant_id()),
        Reader::Staff(staff) => {
            staff.holds(Module::Merchants, Level::View)?;
            None
        }
    };
    let mut tx = platform.pool.begin().await?;
    let found: Option<(MerchantId, DocumentKind, String, Vec<u8>)> = sqlx::query_as(
        "SELECT merchant_id, kind, content_type, content_enc FROM kyc_documents
         WHERE id = $1 AND ($2::uuid IS NULL OR merchant_id = $2)",
    )
    .bind(document_id)
    .bind(scope)
    .fetch_optional(&mut *tx)
    .await?;
    let (merchant_id, kind, content_type, sealed) = found.ok_or(KycError::NotFound)?;
    let content = platform
        .config
        .secrets
        .field_keys
        .decrypt(slot(&row(merchant_id, document_id)), &sealed)
        .map_err(|error| {
            tracing::error!(%error, %document_id, "a stored document does not decrypt");
            KycError::NotFound
        })?;
    let actor = match reader {
        Reader::Member(scope) => scope.actor(),
        Reader::Staff(staff) => Actor {
            kind: ActorKind::Staff,
            id: Some(staff.user_id()),
        },
    };
    let event = Event::new("kyc.document.view", actor, Outcome::Success)
        .merchant(merchant_id)
        .target("kyc_document", document_id.to_string())
        .detail(serde_json::json!({ "kind": kind.slug() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(Document {
        id: document_id,
        merchant_id,
        kind,
        file_type: FileType::from_content_type(&content_type),
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileType::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileType::Png));
        for other in [
            &b"<!DOCTYPE html><script>alert(1)</script>"[..],
            b"MZ\x90\0\x03\0\0\0",
            b"PK\x03\x04\x14\0",
            b" %PDF-1.7",
            b"\x89PNG",
            b"GIF89a",
            b"",
        ] {
            assert_eq!(sniff(other), None, "{other:?}");
        }
    }

    #[test]
    fn files_are_refused_when_empty_too_large_or_of_another_type() {
        let field = |r: Result<FileType, KycError>| match r {
            Err(KycError::Invalid { field, message }) => (field, message),
            other => panic!("{other:?}"),
        };
        assert!(field(check_file(b"")).1.contains("Choose a file"));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_BYTES + 1, b' ');
        assert!(field(check_file(&big)).1.contains("10 MB"));
        big.truncate(MAX_BYTES);
        assert_eq!(check_file(&big).unwrap(), FileType::Pdf);
        assert!(field(check_file(b"<html>")).1.contains("PDF, JPEG or PNG"));
    }

    #[test]
    fn kinds_round_trip_and_count_towards_their_item() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(kind.slug()), Some(kind));
        }
        assert_eq!(DocumentKind::IdentityBack.item(), Item::IdentityDocuments);
    }
}
