//! People named in a merchant's verification (KYC: its legal representative and beneficial
//! owners, `kyc_people`) are on file without an email address, so a request cannot find
//! them by its address. On an open access or erasure request, Support staff (support `act`)
//! find them by full name and date of birth together, and link a match to the request; the
//! export then carries the record (`kyc.json`, the personal number decrypted) and the
//! erasure tells the requester it is kept, why and until when.
//!
//! The search answers "is the person this requester says they are on file?", not "who is
//! on file?": the name must match whole (only case and surrounding spaces are forgiven) and
//! the date of birth exactly, so a part of a name or a name alone finds nothing. Linking
//! checks the same two facts again, so no person can be linked by their id alone.

use domain::MerchantId;
use domain::privacy::Retention;
use secrecy::ExposeSecret;
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::staff::{Locked, Step};
use super::{Kind, RequestError};
use crate::Platform;
use crate::audit::RequestFacts;
use crate::field_crypto::KeyRing;
use crate::identity::roles::{Level, Module, StaffScope};
use crate::kyc::DocumentKind;
use crate::kyc::documents::Document;
use crate::kyc::fields::compact_number;

/// The longest name a KYC record holds (its CHECK): a longer one cannot match.
const NAME_MAX: usize = 200;
/// The merchant names an erasure's outcome lists before it gives a count instead: the
/// outcome is at most `staff::REASON_MAX` characters, and names are up to 200 each.
const OUTCOME_NAMES_MAX: usize = 600;

/// A person on file with the name and date of birth staff entered: only what tells the
/// records apart, never the personal number, address or nationality.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Match {
    pub id: Uuid,
    pub merchant: String,
    pub is_representative: bool,
    pub ownership_percent: Option<i16>,
    pub added_at: OffsetDateTime,
    /// Taken off the application; the record is kept as AML evidence.
    pub removed_at: Option<OffsetDateTime>,
    /// Already linked to this request.
    pub linked: bool,
}

/// A person linked to a request, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Linked {
    pub request_id: Uuid,
    pub person_id: Uuid,
    pub full_name: String,
    pub merchant: String,
    pub is_representative: bool,
    pub ownership_percent: Option<i16>,
    pub linked_at: OffsetDateTime,
}

/// A verification record an erasure keeps: whose merchant, and in which role.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Kept {
    pub merchant: String,
    pub is_representative: bool,
    pub ownership_percent: Option<i16>,
}

impl Kept {
    pub fn role(&self) -> String {
        role(
            &self.merchant,
            self.is_representative,
            self.ownership_percent,
        )
    }
}

/// A person's place in a merchant's verification, as staff and the person read it: "the
/// legal representative of Dardania Crafts", "an owner (40 %) of Dardania Crafts".
pub fn role(merchant: &str, is_representative: bool, ownership_percent: Option<i16>) -> String {
    let role = match (is_representative, ownership_percent) {
        (true, Some(percent)) => format!("the legal representative and an owner ({percent} %)"),
        (true, None) => "the legal representative".to_owned(),
        (false, Some(percent)) => format!("an owner ({percent} %)"),
        // Not reached: the table's CHECK gives everyone but the representative a share.
        (false, None) => "an owner".to_owned(),
    };
    format!("{role} of {merchant}")
}

/// Who the requester says they are: both facts are required.
struct Identity {
    full_name: String,
    date_of_birth: Date,
}

fn identity(full_name: &str, date_of_birth: &str) -> Result<Identity, RequestError> {
    let full_name = full_name.trim();
    if full_name.is_empty() {
        return Err(RequestError::invalid(
            "full_name",
            "Enter the person's full name as the requester gave it.",
        ));
    }
    if full_name.chars().count() > NAME_MAX {
        return Err(RequestError::invalid(
            "full_name",
            format!("A name on file is at most {NAME_MAX} characters."),
        ));
    }
    let date_of_birth = Date::parse(
        date_of_birth.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        RequestError::invalid(
            "date_of_birth",
            "Enter the date of birth as year-month-day, such as 1985-04-23.",
        )
    })?;
    Ok(Identity {
        full_name: full_name.to_owned(),
        date_of_birth,
    })
}

/// The open access or erasure request, locked, with support `act` checked by `Step`.
async fn begin(
    step: &Step<'_>,
) -> Result<(sqlx::Transaction<'static, sqlx::Postgres>, Locked), RequestError> {
    let (tx, locked) = step.begin().await?;
    if !matches!(locked.kind, Kind::Access | Kind::Erasure) {
        return Err(RequestError::NotAllowed(
            "Only an access or erasure request can name people of a merchant's verification.",
        ));
    }
    Ok((tx, locked))
}

/// The whole name, case and surrounding spaces aside, and the exact date of birth.
const SAME_PERSON: &str = "lower(btrim(p.full_name)) = lower($1) AND p.date_of_birth = $2";

/// The people on file with exactly this full name and date of birth, for open access or
/// erasure request `request_id`. Audited as `data_subject.find_kyc` with the number of
/// matches (never the name searched).
pub async fn find(
    platform: &Platform,
    staff: &StaffScope,
    request_id: Uuid,
    full_name: &str,
    date_of_birth: &str,
    facts: &RequestFacts,
) -> Result<Vec<Match>, RequestError> {
    let step = Step::new(platform, staff, request_id, facts);
    let (mut tx, locked) = begin(&step).await?;
    let who = identity(full_name, date_of_birth)?;
    let matches: Vec<Match> = sqlx::query_as(&format!(
        "SELECT p.id, m.business_name AS merchant, p.is_representative, p.ownership_percent,
                p.created_at AS added_at, p.removed_at,
                EXISTS (SELECT 1 FROM privacy_request_kyc_people l
                        WHERE l.request_id = $3 AND l.kyc_person_id = p.id) AS linked
         FROM kyc_people p JOIN merchants m ON m.id = p.merchant_id
         WHERE {SAME_PERSON}
         ORDER BY m.business_name, p.created_at"
    ))
    .bind(&who.full_name)
    .bind(who.date_of_birth)
    .bind(request_id)
    .fetch_all(&mut *tx)
    .await?;
    let detail = serde_json::json!({ "matches": matches.len() });
    step.audit(&mut tx, &locked, "data_subject.find_kyc", detail)
        .await?;
    tx.commit().await?;
    Ok(matches)
}

/// Who the requester says they are, as staff type it from what the requester gave.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub full_name: &'a str,
    pub date_of_birth: &'a str,
    pub personal_number: &'a str,
}

/// Links person `person_id` to open access or erasure request `request_id`, if they are on
/// file with the claim's full name and date of birth (else not found, as for an unknown id)
/// and the claim's personal number is theirs. A name and a date of birth are easy to learn; the number
/// the requester gives (compared with the stored one, never kept) is what keeps a stranger
/// from having someone's verification record and identity document mailed to them.
/// Answers whether a link was added: a repeat changes nothing and records nothing. Audited
/// as `data_subject.link_kyc` with the person's id.
pub async fn link(
    platform: &Platform,
    staff: &StaffScope,
    request_id: Uuid,
    person_id: Uuid,
    claim: Claim<'_>,
    facts: &RequestFacts,
) -> Result<bool, RequestError> {
    let step = Step::new(platform, staff, request_id, facts);
    let (mut tx, locked) = begin(&step).await?;
    let who = identity(claim.full_name, claim.date_of_birth)?;
    let sealed: Option<Vec<u8>> = sqlx::query_scalar(&format!(
        "SELECT p.personal_number_enc FROM kyc_people p WHERE p.id = $3 AND {SAME_PERSON}"
    ))
    .bind(&who.full_name)
    .bind(who.date_of_birth)
    .bind(person_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(sealed) = sealed else {
        return Err(RequestError::NotFound);
    };
    let keys = &platform.config.secrets.field_keys;
    let on_file = keys.decrypt(crate::kyc::people::slot(&person_id.to_string()), &sealed)?;
    if on_file.expose_secret().as_slice() != compact_number(claim.personal_number).as_bytes() {
        return Err(RequestError::invalid(
            "personal_number",
            "This is not the personal number on file: ask the requester for the number on their identity document.",
        ));
    }
    let added = sqlx::query(
        "INSERT INTO privacy_request_kyc_people (request_id, request_kind, kyc_person_id, linked_by)
         VALUES ($1, $2, $3, $4) ON CONFLICT (request_id, kyc_person_id) DO NOTHING",
    )
    .bind(request_id)
    .bind(locked.kind)
    .bind(person_id)
    .bind(staff.user_id())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if added {
        let detail = serde_json::json!({ "kyc_person": person_id });
        step.audit(&mut tx, &locked, "data_subject.link_kyc", detail)
            .await?;
        tx.commit().await?;
    }
    Ok(added)
}

/// Takes back a link made by mistake, while the request is open (once answered, the export
/// or erasure it shaped stays on record). Answers whether there was one to take back.
/// Audited as `data_subject.unlink_kyc` with the person's id.
pub async fn unlink(
    platform: &Platform,
    staff: &StaffScope,
    request_id: Uuid,
    person_id: Uuid,
    facts: &RequestFacts,
) -> Result<bool, RequestError> {
    let step = Step::new(platform, staff, request_id, facts);
    let (mut tx, locked) = begin(&step).await?;
    let removed = sqlx::query(
        "DELETE FROM privacy_request_kyc_people WHERE request_id = $1 AND kyc_person_id = $2",
    )
    .bind(request_id)
    .bind(person_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if removed {
        let detail = serde_json::json!({ "kyc_person": person_id });
        step.audit(&mut tx, &locked, "data_subject.unlink_kyc", detail)
            .await?;
        tx.commit().await?;
    }
    Ok(removed)
}

/// The people linked to each of `request_ids` (support `view`), the earliest linked first.
pub async fn linked(
    platform: &Platform,
    staff: &StaffScope,
    request_ids: &[Uuid],
) -> Result<Vec<Linked>, RequestError> {
    staff.holds(Module::Support, Level::View)?;
    let rows = sqlx::query_as(
        "SELECT l.request_id, p.id AS person_id, p.full_name, m.business_name AS merchant,
                p.is_representative, p.ownership_percent, l.linked_at
         FROM privacy_request_kyc_people l
         JOIN kyc_people p ON p.id = l.kyc_person_id JOIN merchants m ON m.id = p.merchant_id
         WHERE l.request_id = ANY($1)
         ORDER BY l.linked_at, m.business_name",
    )
    .bind(request_ids)
    .fetch_all(&platform.pool)
    .await?;
    Ok(rows)
}

/// The archive's `kyc.json` for request `request_id`: each linked person's record as the
/// merchant's verification holds it, the personal number decrypted, and its number of
/// records. A number that does not decrypt stops the export: an archive that left it out
/// would tell the person less than Saleonix holds.
pub(super) async fn archive_file(
    conn: &mut PgConnection,
    keys: &KeyRing,
    request_id: Uuid,
) -> Result<(String, i64), RequestError> {
    // Times and dates come out of PostgreSQL's JSON, like every other file of the archive.
    let rows: Vec<(Uuid, Vec<u8>, serde_json::Value)> = sqlx::query_as(
        "SELECT p.id, p.personal_number_enc, json_build_object(
                    'merchant', m.business_name, 'full_name', p.full_name,
                    'date_of_birth', p.date_of_birth, 'nationality', p.nationality,
                    'address', p.address, 'politically_exposed', p.is_pep,
                    'identity_document', p.identity_document,
                    'legal_representative', p.is_representative,
                    'ownership_percent', p.ownership_percent,
                    'added_at', p.created_at, 'removed_at', p.removed_at)
         FROM privacy_request_kyc_people l
         JOIN kyc_people p ON p.id = l.kyc_person_id JOIN merchants m ON m.id = p.merchant_id
         WHERE l.request_id = $1
         ORDER BY p.created_at",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await?;
    let count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let mut records = Vec::with_capacity(rows.len());
    for (id, sealed, mut record) in rows {
        let number = keys.decrypt(crate::kyc::people::slot(&id.to_string()), &sealed)?;
        record["personal_number"] =
            String::from_utf8_lossy(number.expose_secret().as_slice()).into();
        records.push(record);
    }
    Ok((serde_json::Value::Array(records).to_string(), count))
}

/// The copies of identity documents uploaded for the people linked to request
/// `request_id` (replaced ones too: they are held as well), decrypted, each with its name
/// in the archive.
pub(super) async fn identity_copies(
    conn: &mut PgConnection,
    keys: &KeyRing,
    request_id: Uuid,
) -> Result<Vec<(String, Vec<u8>)>, RequestError> {
    let rows: Vec<(Uuid, MerchantId, DocumentKind, String, Vec<u8>)> = sqlx::query_as(
        "SELECT d.id, d.merchant_id, d.kind, d.content_type, d.content_enc
         FROM kyc_documents d JOIN privacy_request_kyc_people l ON l.kyc_person_id = d.person_id
         WHERE l.request_id = $1 ORDER BY d.uploaded_at, d.id",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await?;
    let mut copies = Vec::with_capacity(rows.len());
    for (id, merchant_id, kind, content_type, sealed) in rows {
        let document = Document::open(keys, id, merchant_id, kind, &content_type, &sealed)?;
        copies.push((
            format!("{IDENTITY_DIR}{}", document.file_name()),
            document.bytes().to_vec(),
        ));
    }
    Ok(copies)
}

/// Where the archive puts the copies of identity documents.
pub(super) const IDENTITY_DIR: &str = "identity-documents/";

/// The verification records linked to request `request_id`, which an erasure keeps.
pub(super) async fn kept(
    conn: &mut PgConnection,
    request_id: Uuid,
) -> Result<Vec<Kept>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.business_name AS merchant, p.is_representative, p.ownership_percent
         FROM privacy_request_kyc_people l
         JOIN kyc_people p ON p.id = l.kyc_person_id JOIN merchants m ON m.id = p.merchant_id
         WHERE l.request_id = $1
         ORDER BY m.business_name",
    )
    .bind(request_id)
    .fetch_all(conn)
    .await
}

/// How long a verification record is kept, as the inventory states it.
pub fn kept_for() -> String {
    Retention::WhileMerchantKeeps.describe()
}

/// The sentence an erasure's outcome adds about the verification records it kept; empty
/// when there are none.
pub(super) fn outcome_sentence(kept: &[Kept]) -> String {
    if kept.is_empty() {
        return String::new();
    }
    let mut listed = kept.iter().map(Kept::role).collect::<Vec<_>>().join("; ");
    if listed.chars().count() > OUTCOME_NAMES_MAX {
        listed = format!("a person of {} merchants", kept.len());
    }
    format!(
        " Kept for anti-money-laundering law, {}: the verification record(s) naming the person as {listed}.",
        kept_for()
    )
}
