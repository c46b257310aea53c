//! The platform's KYC records as the Verification page shows them, and KYC refusals as
//! the app's errors.

use platform::Platform;
use platform::kyc::application::{self, SavedBusiness};
use platform::kyc::documents::{self, DocumentSummary};
use platform::kyc::people::{self, Person};
use platform::kyc::{self, CATEGORIES, ItemState, KycError, LegalForm, Status};
use time::macros::format_description;
use uuid::Uuid;

use super::{BusinessView, ChecklistLine, DocumentView, PersonView, VerificationView};
use crate::error::AppError;
use crate::payments::ssr::when;
use domain::Money;

impl From<KycError> for AppError {
    fn from(error: KycError) -> Self {
        match error {
            KycError::Invalid { field, message } => AppError::validation(field, &message),
            // A state of the application the member can read and act on.
            KycError::NotAllowed(message) => AppError::validation("application", message),
            KycError::NotFound => AppError::NotFound,
            KycError::Forbidden(refused) => {
                tracing::warn!(%refused, "a KYC decision with the wrong staff scope");
                AppError::Forbidden
            }
            // Database and audit failures: their text names a query or constraint, never
            // a personal number or a document (those are encrypted before any query).
            other => crate::error::internal(other),
        }
    }
}

/// An id typed into a request; one that does not parse is simply not found.
pub fn id(value: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(value.trim()).map_err(|_| AppError::NotFound)
}

pub fn state_label(state: ItemState) -> (&'static str, &'static str) {
    match state {
        ItemState::Missing => ("missing", "Missing"),
        ItemState::Submitted => ("submitted", "Ready for review"),
        ItemState::Accepted => ("accepted", "Accepted"),
        ItemState::ChangesRequested => ("changes_requested", "Needs changes"),
    }
}

fn status_text(list: &kyc::Checklist) -> (&'static str, String) {
    match list.status {
        Status::Draft => (
            "draft",
            "Draft: fill in each step and save it; you can come back at any time.".to_owned(),
        ),
        Status::Submitted => (
            "submitted",
            match list.submitted_at {
                Some(at) => format!(
                    "Sent on {}: Saleonix is reviewing your application.",
                    when(at)
                ),
                None => "Saleonix is reviewing your application.".to_owned(),
            },
        ),
        Status::ChangesRequested => (
            "changes_requested",
            "Changes requested: see the items marked below, change them and send again.".to_owned(),
        ),
        Status::Approved => (
            "approved",
            match (list.decided_at, list.reverification_due_at) {
                (_, Some(due)) if list.restricted_at.is_some() => format!(
                    "Live Mode is closed: the update Saleonix asked for by {} is overdue. Update the marked items and send \
                     the application again; Live Mode opens once Saleonix approves it. Test Mode stays open.",
                    when(due)
                ),
                (_, Some(due)) => format!(
                    "Verified. Saleonix asked you to update the marked items by {}.",
                    when(due)
                ),
                (Some(at), None) => format!("Verified: with Saleonix since {}.", when(at)),
                (None, None) => "Verified.".to_owned(),
            },
        ),
        Status::Rejected => (
            "rejected",
            format!(
                "Rejected: {}",
                list.rejection_reason
                    .as_deref()
                    .unwrap_or("contact support to learn why.")
            ),
        ),
    }
}

fn business_view(saved: SavedBusiness) -> BusinessView {
    let text = |value: Option<String>| value.unwrap_or_default();
    BusinessView {
        legal_form: saved
            .legal_form
            .map(|f| f.slug().to_owned())
            .unwrap_or_default(),
        registered_name: text(saved.registered_name),
        trading_name: text(saved.trading_name),
        registration_number: text(saved.registration_number),
        fiscal_number: text(saved.fiscal_number),
        vat_number: text(saved.vat_number),
        address_line: text(saved.address_line),
        city: text(saved.city),
        postal_code: text(saved.postal_code),
        website: text(saved.website),
        category: text(saved.category),
        monthly_volume: euro(saved.monthly_volume_minor),
        average_ticket: euro(saved.average_ticket_minor),
    }
}

fn person_view(person: Person) -> PersonView {
    PersonView {
        id: person.id.to_string(),
        role: if person.is_representative {
            "representative"
        } else {
            "owner"
        }
        .to_owned(),
        ownership_percent: person.ownership_percent,
        full_name: person.full_name,
        date_of_birth: person
            .date_of_birth
            .format(format_description!("[year]-[month]-[day]"))
            .unwrap_or_default(),
        nationality: person.nationality,
        personal_number_masked: person.personal_number_masked,
        address: person.address,
        is_pep: person.is_pep,
        identity_document: person.identity_document.slug().to_owned(),
    }
}

/// A size as people read it: `820 KB`, `1.2 MB`.
pub fn size(bytes: i32) -> String {
    let bytes = f64::from(bytes);
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KB", (bytes / 1024.0).ceil())
    }
}

pub fn document_view(document: DocumentSummary) -> DocumentView {
    let id = document.id.to_string();
    DocumentView {
        download_url: super::download_url(&id),
        id,
        kind: document.kind.slug().to_owned(),
        kind_label: document.kind.label().to_owned(),
        person_id: document.person_id.map(|p| p.to_string()),
        file_type: match document.content_type.as_str() {
            "image/jpeg" => "JPEG",
            "image/png" => "PNG",
            _ => "PDF",
        }
        .to_owned(),
        size: size(document.size_bytes),
        uploaded: when(document.uploaded_at),
    }
}

pub async fn documents(
    platform: &Platform,
    merchant_id: domain::MerchantId,
) -> Result<Vec<DocumentView>, AppError> {
    Ok(documents::current(platform, merchant_id)
        .await?
        .into_iter()
        .map(document_view)
        .collect())
}

pub async fn verification(
    platform: &Platform,
    merchant_id: domain::MerchantId,
    can_edit: bool,
) -> Result<VerificationView, AppError> {
    let list = kyc::checklist(&platform.pool, merchant_id)
        .await
        .map_err(KycError::from)?;
    let saved = application::business(platform, merchant_id).await?;
    let (status, status_text) = status_text(&list);
    let checklist = list
        .items
        .iter()
        .map(|line| {
            let (state, state_label) = state_label(line.state);
            ChecklistLine {
                item: line.item.slug().to_owned(),
                label: line.item.label().to_owned(),
                state: state.to_owned(),
                state_label: state_label.to_owned(),
                reason: line.reason.clone(),
                editable: list.editable(line.item),
            }
        })
        .collect();
    Ok(VerificationView {
        status: status.to_owned(),
        status_text,
        suspended: application::suspended(platform, merchant_id).await?,
        can_edit,
        can_submit: can_edit && list.can_submit(),
        checklist,
        pep_details: saved.pep_details.clone().unwrap_or_default(),
        business: business_view(saved),
        people: people::people(platform, merchant_id)
            .await?
            .into_iter()
            .map(person_view)
            .collect(),
        documents: documents(platform, merchant_id).await?,
        legal_forms: LegalForm::ALL
            .iter()
            .map(|f| (f.slug().to_owned(), f.label().to_owned()))
            .collect(),
        categories: CATEGORIES
            .iter()
            .map(|(slug, label)| ((*slug).to_owned(), (*label).to_owned()))
            .collect(),
    })
}

/// A saved euro amount as the form shows it again: `45.50`, or empty.
fn euro(minor: Option<i64>) -> String {
    minor
        .map(|minor| Money::eur(minor).to_decimal_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_naturally() {
        assert_eq!(super::size(2048), "2 KB");
        assert_eq!(super::size(1_258_291), "1.2 MB");
    }
}
