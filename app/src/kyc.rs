//! The merchant side of KYC: the application, its checklist, documents and submitting.
//!
//! Every member may read the Verification page; owners and admins change it
//! (`policy::KYC_EDITORS`). Every function works in the caller's own merchant scope: a
//! person or document id of another merchant is not found. Personal numbers leave the
//! server masked only. Files go up and down through plain routes (`server::kyc_files`):
//! [`UPLOAD_PATH`] and [`download_url`].

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) mod view;

/// Where the page's upload form posts (multipart), behind the same guards as the rest.
pub const UPLOAD_PATH: &str = "/api/kyc/files";

/// A merchant member's download of their own document.
pub fn download_url(document_id: &str) -> String {
    format!("/api/kyc/files/{document_id}")
}

/// Staff's download of any merchant's document (merchants `view`), for the review page.
pub fn staff_download_url(document_id: &str) -> String {
    format!("/api/admin/kyc/files/{document_id}")
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistLine {
    /// The item's slug (`business`, `people`, ...).
    pub item: String,
    pub label: String,
    /// `missing`, `submitted`, `accepted` or `changes_requested`.
    pub state: String,
    /// The state in words.
    pub state_label: String,
    /// What staff asked to change, in their words.
    pub reason: Option<String>,
    /// The merchant may change this item now.
    pub editable: bool,
}

/// The saved business details as the form shows them again (empty when not saved).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessView {
    pub legal_form: String,
    pub registered_name: String,
    pub trading_name: String,
    pub registration_number: String,
    pub fiscal_number: String,
    pub vat_number: String,
    pub address_line: String,
    pub city: String,
    pub postal_code: String,
    pub website: String,
    pub category: String,
    /// Euro as a decimal, `20000.00`.
    pub monthly_volume: String,
    pub average_ticket: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: String,
    /// `representative` or `owner`.
    pub role: String,
    pub ownership_percent: Option<i16>,
    pub full_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    pub nationality: String,
    /// Only the last three characters: `•••••••890`.
    pub personal_number_masked: String,
    pub address: String,
    pub is_pep: bool,
    /// `id_card` or `passport`.
    pub identity_document: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: String,
    /// `registration_certificate`, `identity_front`, `identity_back` or `bank_proof`.
    pub kind: String,
    pub kind_label: String,
    pub person_id: Option<String>,
    /// `PDF`, `JPEG` or `PNG`.
    pub file_type: String,
    /// `1.2 MB`.
    pub size: String,
    pub uploaded: String,
    pub download_url: String,
}

/// Everything the Verification page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationView {
    /// `draft`, `submitted`, `changes_requested`, `approved` or `rejected`.
    pub status: String,
    /// The status in a sentence (with the time since verified, or the rejection reason).
    pub status_text: String,
    pub suspended: bool,
    /// Owner or admin: may change the application (each item still needs `editable`).
    pub can_edit: bool,
    pub can_submit: bool,
    pub checklist: Vec<ChecklistLine>,
    pub business: BusinessView,
    pub pep_details: String,
    pub people: Vec<PersonView>,
    pub documents: Vec<DocumentView>,
    /// The choices of the business form's selects, as `(slug, label)`.
    pub legal_forms: Vec<(String, String)>,
    pub categories: Vec<(String, String)>,
}

impl VerificationView {
    /// Whether this member may change `item` now.
    pub fn may_change(&self, item: &str) -> bool {
        self.can_edit
            && self
                .checklist
                .iter()
                .any(|line| line.item == item && line.editable)
    }
}

/// The application with its checklist, as the member's Verification page shows it.
#[server(endpoint = "kyc/verification")]
pub async fn verification() -> Result<VerificationView, AppError> {
    use crate::policy::KYC_EDITORS;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<Verification>()
            .await?
            .merchant()?;
        let can_edit = scope.has_role(KYC_EDITORS);
        view::verification(&platform, scope.merchant_id(), can_edit).await
    }
    .await
    .map_err(AppError::respond)
}

/// The merchant's current documents.
#[server(endpoint = "kyc/documents")]
pub async fn kyc_documents() -> Result<Vec<DocumentView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<KycDocuments>()
            .await?
            .merchant()?;
        view::documents(&platform, scope.merchant_id()).await
    }
    .await
    .map_err(AppError::respond)
}

/// Saves the business step; every field is checked and nothing is saved if one is wrong.
#[server(endpoint = "kyc/business/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_business(
    #[server(default)] legal_form: String,
    #[server(default)] registered_name: String,
    #[server(default)] trading_name: String,
    #[server(default)] registration_number: String,
    #[server(default)] fiscal_number: String,
    #[server(default)] vat_number: String,
    #[server(default)] address_line: String,
    #[server(default)] city: String,
    #[server(default)] postal_code: String,
    #[server(default)] website: String,
    #[server(default)] category: String,
    #[server(default)] monthly_volume: String,
    #[server(default)] average_ticket: String,
) -> Result<(), AppError> {
    use platform::kyc::application::{self, BusinessForm};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<SaveBusiness>()
            .await?
            .merchant()?;
        let form = BusinessForm {
            legal_form,
            registered_name,
            trading_name,
            registration_number,
            fiscal_number,
            vat_number,
            address_line,
            city,
            postal_code,
            website,
            category,
            monthly_volume,
            average_ticket,
        };
        let facts = crate::request::facts().await;
        application::save_business(&platform, user.id(), scope.merchant_id(), &form, &facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Adds a person (no `person_id`) or changes one; a blank personal number keeps the
/// stored one. `is_pep` is `yes` or `no`.
#[server(endpoint = "kyc/person/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_person(
    #[server(default)] person_id: String,
    #[server(default)] role: String,
    #[server(default)] ownership_percent: String,
    #[server(default)] full_name: String,
    #[server(default)] date_of_birth: String,
    #[server(default)] nationality: String,
    #[server(default)] personal_number: String,
    #[server(default)] address: String,
    #[server(default)] identity_document: String,
    #[server(default)] is_pep: String,
    #[server(default)] pep_details: String,
) -> Result<(), AppError> {
    use platform::kyc::fields::yes;
    use platform::kyc::people::{self, PersonForm};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<SavePerson>()
            .await?
            .merchant()?;
        let person_id = if person_id.trim().is_empty() {
            None
        } else {
            Some(view::id(&person_id)?)
        };
        let form = PersonForm {
            role,
            ownership_percent,
            full_name,
            date_of_birth,
            nationality,
            personal_number,
            address,
            identity_document,
            is_pep: yes(&is_pep),
            pep_details,
        };
        let facts = crate::request::facts().await;
        people::save_person(
            &platform,
            user.id(),
            scope.merchant_id(),
            person_id,
            &form,
            &facts,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Takes a person off the application (kept as evidence).
#[server(endpoint = "kyc/person/remove")]
pub async fn remove_person(#[server(default)] person_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<RemovePerson>()
            .await?
            .merchant()?;
        let person_id = view::id(&person_id)?;
        let facts = crate::request::facts().await;
        platform::kyc::people::remove_person(
            &platform,
            user.id(),
            scope.merchant_id(),
            person_id,
            &facts,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Sends the application to Saleonix for review, once every item is filled in.
#[server(endpoint = "kyc/submit")]
pub async fn submit_application() -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<SubmitApplication>()
            .await?
            .merchant()?;
        let facts = crate::request::facts().await;
        platform::kyc::application::submit(&platform, user.id(), scope.merchant_id(), &facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
