//! The staff side of KYC: the review queue, one application as staff read it, item
//! decisions, approval with four eyes, rejection and re-verification.
//!
//! Staff read what the merchant stored (slice `application` and `documents` write it);
//! personal numbers are decrypted only to be masked here, and document contents are never
//! read. Every decision is one transaction with its audit row and mails (`decisions`,
//! `reverification`); a decision the application's state does not allow is refused with
//! [`KycError::NotAllowed`] and changes nothing.

mod decisions;
mod mails;
mod reverification;

pub use decisions::{accept_item, approve, reject, request_changes};
pub use reverification::{request_reverification, restrict_overdue};

use domain::MerchantId;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::application::SavedBusiness;
use super::people::Person;
use super::{Checklist, DocumentKind, KycError, Status};
use crate::Platform;

/// The longest reason staff may write; the database holds the same limit.
pub const MAX_REASON_CHARS: usize = 1000;

/// The status as the console names it in URLs and forms.
pub fn status_slug(status: Status) -> &'static str {
    match status {
        Status::Draft => "draft",
        Status::Submitted => "submitted",
        Status::ChangesRequested => "changes_requested",
        Status::Approved => "approved",
        Status::Rejected => "rejected",
    }
}

/// An application waiting for staff, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub merchant_id: MerchantId,
    pub business_name: String,
    pub submitted_at: OffsetDateTime,
}

/// The review queue: submitted applications in the order they arrived.
pub async fn queue(pool: &PgPool) -> Result<Vec<QueueEntry>, sqlx::Error> {
    let rows: Vec<(MerchantId, String, OffsetDateTime)> = sqlx::query_as(
        "SELECT a.merchant_id, m.business_name, coalesce(a.submitted_at, a.updated_at)
         FROM kyc_applications a JOIN merchants m ON m.id = a.merchant_id
         WHERE a.status = 'submitted'
         ORDER BY a.submitted_at NULLS LAST, a.merchant_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(merchant_id, business_name, submitted_at)| QueueEntry {
            merchant_id,
            business_name,
            submitted_at,
        })
        .collect())
}

/// Any application, for the list by status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationEntry {
    pub merchant_id: MerchantId,
    pub business_name: String,
    pub status: Status,
    pub updated_at: OffsetDateTime,
    pub reverification_due_at: Option<OffsetDateTime>,
    pub restricted_at: Option<OffsetDateTime>,
}

/// Every application: those with staff first, then those with the merchant, then the
/// decided ones; the most recently changed first within each status.
pub async fn applications(pool: &PgPool) -> Result<Vec<ApplicationEntry>, sqlx::Error> {
    type Row = (
        MerchantId,
        String,
        Status,
        OffsetDateTime,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.merchant_id, m.business_name, a.status, a.updated_at, a.reverification_due_at, a.restricted_at
         FROM kyc_applications a JOIN merchants m ON m.id = a.merchant_id
         ORDER BY array_position(ARRAY['submitted', 'changes_requested', 'draft', 'approved', 'rejected']::kyc_status[], a.status),
                  a.updated_at DESC",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                merchant_id,
                business_name,
                status,
                updated_at,
                reverification_due_at,
                restricted_at,
            )| ApplicationEntry {
                merchant_id,
                business_name,
                status,
                updated_at,
                reverification_due_at,
                restricted_at,
            },
        )
        .collect())
}

/// A current document's facts; its content is read only by the audited download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: Uuid,
    pub kind: DocumentKind,
    pub person_name: Option<String>,
    pub content_type: String,
    pub size_bytes: i32,
    pub uploaded_at: OffsetDateTime,
}

/// One application as staff review it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub merchant_id: MerchantId,
    pub business_name: String,
    pub verified: bool,
    pub suspended: bool,
    pub checklist: Checklist,
    pub business: SavedBusiness,
    pub people: Vec<Person>,
    pub documents: Vec<Document>,
    /// Who last asked for changes (four eyes), and who decided last, by name.
    pub changes_requested_by: Option<(Uuid, String)>,
    pub decided_by: Option<String>,
    /// Sanctions hits still waiting for a decision; approval waits for none.
    pub open_hits: i64,
}

/// The merchant's application for staff, or `None` when the merchant has none.
pub async fn application(
    platform: &Platform,
    merchant_id: MerchantId,
) -> Result<Option<Application>, KycError> {
    type Head = (
        String,
        bool,
        bool,
        Option<Uuid>,
        Option<String>,
        Option<String>,
    );
    let head: Option<Head> = sqlx::query_as(
        "SELECT m.business_name, m.verified_at IS NOT NULL, m.suspended_at IS NOT NULL,
                a.changes_requested_by, asker.full_name, decider.full_name
         FROM kyc_applications a
         JOIN merchants m ON m.id = a.merchant_id
         LEFT JOIN users asker ON asker.id = a.changes_requested_by
         LEFT JOIN users decider ON decider.id = a.decided_by
         WHERE a.merchant_id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(&platform.pool)
    .await?;
    let Some((business_name, verified, suspended, asker_id, asker_name, decided_by)) = head else {
        return Ok(None);
    };
    let checklist = super::checklist(&platform.pool, merchant_id).await?;
    let business = super::application::business(platform, merchant_id).await?;
    let people = super::people::people(platform, merchant_id).await?;
    let documents = super::documents::current(platform, merchant_id)
        .await?
        .into_iter()
        .map(|d| Document {
            person_name: d
                .person_id
                .and_then(|id| people.iter().find(|p| p.id == id))
                .map(|p| p.full_name.clone()),
            id: d.id,
            kind: d.kind,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            uploaded_at: d.uploaded_at,
        })
        .collect();
    let mut conn = platform.pool.acquire().await?;
    let open_hits = super::sanctions::open_hits(&mut conn, merchant_id).await?;
    Ok(Some(Application {
        merchant_id,
        business_name,
        verified,
        suspended,
        checklist,
        business,
        people,
        documents,
        changes_requested_by: asker_id.map(|id| (id, asker_name.unwrap_or_default())),
        decided_by,
        open_hits,
    }))
}

/// A reason staff write for the merchant: trimmed, 1 to [`MAX_REASON_CHARS`] characters.
pub(crate) fn reason(text: &str) -> Result<String, KycError> {
    let text = text.trim();
    match text.chars().count() {
        0 => Err(KycError::invalid(
            "reason",
            "Write what the merchant should change, in plain words.",
        )),
        n if n > MAX_REASON_CHARS => Err(KycError::invalid(
            "reason",
            "Keep the reason under 1000 characters.",
        )),
        _ => Ok(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_plain_words_of_bounded_length() {
        assert!(reason("   ").is_err());
        assert_eq!(
            reason("  The scan is blurred.  ").unwrap(),
            "The scan is blurred."
        );
        assert!(
            reason(&"ë".repeat(1000)).is_ok(),
            "counted in characters, not bytes"
        );
        assert!(reason(&"a".repeat(1001)).is_err());
    }
}
