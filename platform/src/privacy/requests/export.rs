//! Answering an access request: staff (support `act`, with a fresh two-factor check, since
//! the archive gathers a person's data) build the archive (`archive`), which is stored
//! encrypted and closes the request; the requester is mailed a link that hands it over
//! once, within [`LINK_DAYS`], never as an attachment. Downloading erases the stored copy.

use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use uuid::Uuid;

use super::staff::{Step, close};
use super::{Kind, RequestError, Status, archive, digest, emails, link_secret};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::field_crypto::FieldSlot;
use crate::identity::roles::StaffScope;
use crate::mail::OutgoingMail;

/// How long the download link works.
pub const LINK_DAYS: i32 = 7;

fn slot(request_id: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "privacy_exports",
        column: "archive_enc",
        row: request_id,
    }
}

/// Builds the archive for open access request `id`, stores it encrypted, closes the
/// request as fulfilled and mails the requester the link. Audited as
/// `data_subject.export` with the number of records in each file.
pub async fn prepare(
    platform: &Platform,
    staff: &StaffScope,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<(), RequestError> {
    let step = Step::new(platform, staff, id, facts);
    let (mut tx, locked) = step.begin().await?;
    if locked.kind != Kind::Access {
        return Err(RequestError::NotAllowed(
            "Only an access request is answered with an export.",
        ));
    }
    let sealed = seal(&mut tx, platform, id, &locked.email, staff.user_id()).await?;
    let outcome = format!(
        "An archive of {} files was sent by a single-use link, valid {LINK_DAYS} days.",
        sealed.files
    );
    close(&mut tx, staff, id, Status::Fulfilled, &outcome).await?;
    step.finish(
        &mut tx,
        &locked,
        "data_subject.export",
        Some(sealed.mail),
        Some(sealed.records),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A stored archive: the mail that carries its link, its number of files (the README
/// included) and the number of records in each (for the audit row).
pub(super) struct Sealed {
    pub(super) mail: OutgoingMail,
    pub(super) files: usize,
    pub(super) records: serde_json::Value,
}

/// Builds the archive of what is held about `email` for access request `id` and stores it
/// encrypted with a fresh link secret. The one way an archive is made, for staff's answer
/// and for a member's own request from the dashboard (`own_account`).
pub(super) async fn seal(
    conn: &mut sqlx::PgConnection,
    platform: &Platform,
    id: Uuid,
    email: &str,
    created_by: Uuid,
) -> Result<Sealed, RequestError> {
    let keys = &platform.config.secrets.field_keys;
    let built = archive::build(&mut *conn, keys, id, email).await?;
    let sealed = keys.encrypt(slot(&id.to_string()), &built.zip)?;
    let (token, token_hash) = link_secret();
    sqlx::query(
        "INSERT INTO privacy_exports (request_id, archive_enc, token_hash, expires_at, created_by)
         VALUES ($1, $2, $3, now() + make_interval(days => $4), $5)",
    )
    .bind(id)
    .bind(sealed)
    .bind(token_hash)
    .bind(LINK_DAYS)
    .bind(created_by)
    .execute(&mut *conn)
    .await?;
    let mail = emails::export_ready(&platform.config.settings, email, &token);
    let records: serde_json::Map<String, serde_json::Value> = built
        .counts
        .iter()
        .map(|(file, count)| ((*file).to_owned(), (*count).into()))
        .collect();
    Ok(Sealed {
        mail,
        files: built.counts.len() + 1,
        records: records.into(),
    })
}

/// Why a download link handed nothing over.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("This link is not valid.")]
    Unknown,
    #[error("This archive has already been downloaded, and its copy erased.")]
    Used,
    #[error("This link has expired and the archive is erased. Ask again from the privacy page.")]
    Expired,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Crypto(#[from] crate::field_crypto::FieldCryptoError),
}

/// Hands the archive over once and erases the stored copy in the same transaction, so a
/// second use finds nothing. Audited as `data_subject.export.download`.
pub async fn download(
    platform: &Platform,
    token: &SecretString,
    facts: &RequestFacts,
) -> Result<Vec<u8>, DownloadError> {
    let mut tx = platform.pool.begin().await?;
    let row: Option<(Uuid, String, Option<Vec<u8>>, OffsetDateTime, bool)> = sqlx::query_as(
        "SELECT e.request_id, r.email, e.archive_enc, e.expires_at, e.downloaded_at IS NOT NULL
         FROM privacy_exports e JOIN privacy_requests r ON r.id = e.request_id
         WHERE e.token_hash = $1 FOR UPDATE OF e",
    )
    .bind(digest(token.expose_secret()))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, email, sealed, expires_at, downloaded)) = row else {
        return Err(DownloadError::Unknown);
    };
    if downloaded {
        return Err(DownloadError::Used);
    }
    let sealed = match sealed {
        Some(sealed) if expires_at > OffsetDateTime::now_utc() => sealed,
        _ => return Err(DownloadError::Expired),
    };
    let keys = &platform.config.secrets.field_keys;
    let zip = keys.decrypt(slot(&id.to_string()), &sealed)?;
    sqlx::query(
        "UPDATE privacy_exports SET archive_enc = NULL, downloaded_at = now() WHERE request_id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let anonymous = Actor {
        kind: ActorKind::Anonymous,
        id: None,
    };
    let event = Event::new("data_subject.export.download", anonymous, Outcome::Success)
        .target("privacy_request", id.to_string())
        .subject_email(&email);
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(zip.expose_secret().clone())
}
