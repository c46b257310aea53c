//! Seller onboarding (KYC): the application a merchant fills in before Live Mode, its
//! checklist, and the review staff make of it. Live Mode opens when staff approve the
//! application: `merchants.verified_at` is the outcome of the review and only this module
//! writes it.
//!
//! The application moves through [`Status`]; each checklist [`Item`] through [`ItemState`]:
//! - the merchant fills an item in (`missing` → `submitted`) while the application is a
//!   draft, has changes asked for, or (re-verification) for the items staff reopened;
//! - submitting sends the application to the staff queue (`draft`/`changes_requested` →
//!   `submitted`) once no item is missing or still waiting for changes;
//! - staff accept an item or ask for changes with a reason the merchant sees (the
//!   application becomes `changes_requested`); they approve when every item is accepted and
//!   no sanctions hit is open, or reject with a reason.
//!
//! Submodules: `application` (business details, submitting), `fields` (their rules),
//! `people` (the representative and owners), `documents` (uploads, sniffed and encrypted),
//! `iban` and `bank_account` (the payout account), `names` (comparing names across
//! spellings), `sanctions` (screening), `review` (the staff side, four eyes,
//! re-verification).

pub mod application;
pub mod bank_account;
pub mod documents;
pub mod fields;
pub mod iban;
pub mod names;
pub mod people;
pub mod review;
pub mod sanctions;

use domain::MerchantId;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// Where an application stands as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "kyc_status", rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    ChangesRequested,
    Approved,
    Rejected,
}

/// One line of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
#[sqlx(type_name = "kyc_item", rename_all = "snake_case")]
pub enum Item {
    Business,
    People,
    RegistrationCertificate,
    IdentityDocuments,
    BankProof,
    BankAccount,
}

impl Item {
    /// In the order the checklist shows them.
    pub const ALL: [Item; 6] = [
        Item::Business,
        Item::People,
        Item::RegistrationCertificate,
        Item::IdentityDocuments,
        Item::BankProof,
        Item::BankAccount,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Item::Business => "business",
            Item::People => "people",
            Item::RegistrationCertificate => "registration_certificate",
            Item::IdentityDocuments => "identity_documents",
            Item::BankProof => "bank_proof",
            Item::BankAccount => "bank_account",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Item::Business => "Business details",
            Item::People => "Representative and owners",
            Item::RegistrationCertificate => "Business registration certificate",
            Item::IdentityDocuments => "Identity documents",
            Item::BankProof => "Proof of the bank account",
            Item::BankAccount => "Bank account for payouts",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "kyc_item_state", rename_all = "snake_case")]
pub enum ItemState {
    Missing,
    Submitted,
    Accepted,
    ChangesRequested,
}

impl ItemState {
    /// As the console's pages and the account's events name it.
    pub fn slug(self) -> &'static str {
        match self {
            ItemState::Missing => "missing",
            ItemState::Submitted => "submitted",
            ItemState::Accepted => "accepted",
            ItemState::ChangesRequested => "changes_requested",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "kyc_legal_form", rename_all = "snake_case")]
pub enum LegalForm {
    Individual,
    GeneralPartnership,
    LimitedPartnership,
    Llc,
    JointStock,
    ForeignBranch,
    Ngo,
}

impl LegalForm {
    pub const ALL: [LegalForm; 7] = [
        LegalForm::Individual,
        LegalForm::GeneralPartnership,
        LegalForm::LimitedPartnership,
        LegalForm::Llc,
        LegalForm::JointStock,
        LegalForm::ForeignBranch,
        LegalForm::Ngo,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            LegalForm::Individual => "individual",
            LegalForm::GeneralPartnership => "general_partnership",
            LegalForm::LimitedPartnership => "limited_partnership",
            LegalForm::Llc => "llc",
            LegalForm::JointStock => "joint_stock",
            LegalForm::ForeignBranch => "foreign_branch",
            LegalForm::Ngo => "ngo",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|form| form.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            LegalForm::Individual => "Individual business (B.I.)",
            LegalForm::GeneralPartnership => "General partnership (O.P.)",
            LegalForm::LimitedPartnership => "Limited partnership (O.K.)",
            LegalForm::Llc => "Limited liability company (SH.P.K.)",
            LegalForm::JointStock => "Joint-stock company (SH.A.)",
            LegalForm::ForeignBranch => "Branch of a foreign company",
            LegalForm::Ngo => "Non-governmental organisation (OJQ)",
        }
    }
}

/// What a merchant may say it sells, as `(slug, label)`; the application stores the slug.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("retail_goods", "Physical goods (shop, e-commerce)"),
    ("food_drink", "Food and drink"),
    ("digital_goods", "Digital goods and software"),
    ("services", "Professional services"),
    ("education", "Courses and education"),
    ("travel", "Travel and accommodation"),
    ("events", "Events and tickets"),
    ("health_beauty", "Health and beauty"),
    ("nonprofit", "Donations (non-profit)"),
    ("other", "Something else"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "kyc_document_kind", rename_all = "snake_case")]
pub enum DocumentKind {
    RegistrationCertificate,
    IdentityFront,
    IdentityBack,
    BankProof,
}

impl DocumentKind {
    /// The checklist item a document of this kind counts towards.
    pub fn item(self) -> Item {
        match self {
            DocumentKind::RegistrationCertificate => Item::RegistrationCertificate,
            DocumentKind::IdentityFront | DocumentKind::IdentityBack => Item::IdentityDocuments,
            DocumentKind::BankProof => Item::BankProof,
        }
    }
}

/// One checklist line as the merchant and staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub item: Item,
    pub state: ItemState,
    /// What staff asked to change, in their words; only while `ChangesRequested`.
    pub reason: Option<String>,
}

/// The application's state and its checklist, every item present in [`Item::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub merchant_id: MerchantId,
    pub status: Status,
    pub items: Vec<ChecklistItem>,
    pub submitted_at: Option<OffsetDateTime>,
    pub decided_at: Option<OffsetDateTime>,
    pub rejection_reason: Option<String>,
    pub reverification_due_at: Option<OffsetDateTime>,
    pub restricted_at: Option<OffsetDateTime>,
}

impl Checklist {
    pub fn state(&self, item: Item) -> ItemState {
        self.items
            .iter()
            .find(|line| line.item == item)
            .map_or(ItemState::Missing, |line| line.state)
    }

    /// Whether the merchant may change `item` now: in a draft or an application sent back
    /// for changes any item; in an approved one (re-verification) only the items staff
    /// reopened; never while staff review it or after a rejection.
    pub fn editable(&self, item: Item) -> bool {
        match self.status {
            Status::Draft | Status::ChangesRequested => true,
            Status::Approved => self.state(item) == ItemState::ChangesRequested,
            Status::Submitted | Status::Rejected => false,
        }
    }

    /// Whether submitting would be accepted: nothing missing, nothing waiting for changes,
    /// and the application not already with staff or decided (re-verification excepted).
    pub fn can_submit(&self) -> bool {
        let open = matches!(self.status, Status::Draft | Status::ChangesRequested)
            || (self.status == Status::Approved && self.reverification_due_at.is_some());
        open && self
            .items
            .iter()
            .all(|line| matches!(line.state, ItemState::Submitted | ItemState::Accepted))
            && self
                .items
                .iter()
                .any(|line| line.state == ItemState::Submitted)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KycError {
    /// A field the merchant or staff typed is wrong: `(field, message)`, shown as is.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The application is not in a state that allows this (with staff, decided, ...).
    #[error("{0}")]
    NotAllowed(&'static str),
    /// No such application, person, document or hit for this merchant. Also the answer
    /// for another merchant's ids, so they cannot be told apart.
    #[error("not found")]
    NotFound,
    /// The staff scope does not hold the module and level the decision needs.
    #[error(transparent)]
    Forbidden(#[from] crate::identity::roles::ScopeRefused),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
}

impl KycError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        KycError::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// Creates the merchant's application and its checklist (every item missing) unless it
/// exists. Idempotent: called before any change a merchant makes to it.
pub async fn ensure_application(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO kyc_applications (merchant_id) VALUES ($1) ON CONFLICT (merchant_id) DO NOTHING")
        .bind(merchant_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO kyc_items (merchant_id, item)
         SELECT $1, i FROM unnest(enum_range(NULL::kyc_item)) AS i
         ON CONFLICT (merchant_id, item) DO NOTHING",
    )
    .bind(merchant_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The application locked for an update in the caller's transaction, so two changes to the
/// same application run one after the other. Creates it first when missing.
pub async fn lock(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Checklist, sqlx::Error> {
    ensure_application(conn, merchant_id).await?;
    sqlx::query("SELECT 1 FROM kyc_applications WHERE merchant_id = $1 FOR UPDATE")
        .bind(merchant_id)
        .execute(&mut *conn)
        .await?;
    read(conn, merchant_id)
        .await
        .map(|found| found.unwrap_or_else(|| empty(merchant_id)))
}

/// The merchant's checklist; a merchant who has not started sees every item missing.
pub async fn checklist(pool: &PgPool, merchant_id: MerchantId) -> Result<Checklist, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    current(&mut conn, merchant_id).await
}

/// [`checklist`] on the caller's connection: inside a decision's transaction, what the
/// decision just wrote.
pub(crate) async fn current(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Checklist, sqlx::Error> {
    Ok(read(conn, merchant_id)
        .await?
        .unwrap_or_else(|| empty(merchant_id)))
}

fn empty(merchant_id: MerchantId) -> Checklist {
    Checklist {
        merchant_id,
        status: Status::Draft,
        items: Item::ALL
            .into_iter()
            .map(|item| ChecklistItem {
                item,
                state: ItemState::Missing,
                reason: None,
            })
            .collect(),
        submitted_at: None,
        decided_at: None,
        rejection_reason: None,
        reverification_due_at: None,
        restricted_at: None,
    }
}

type ApplicationRow = (
    Status,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    Option<String>,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
);

async fn read(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Option<Checklist>, sqlx::Error> {
    let row: Option<ApplicationRow> = sqlx::query_as(
        "SELECT status, submitted_at, decided_at, rejection_reason, reverification_due_at, restricted_at
         FROM kyc_applications WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((
        status,
        submitted_at,
        decided_at,
        rejection_reason,
        reverification_due_at,
        restricted_at,
    )) = row
    else {
        return Ok(None);
    };
    let lines: Vec<(Item, ItemState, Option<String>)> = sqlx::query_as(
        "SELECT item, state, reason FROM kyc_items WHERE merchant_id = $1 ORDER BY item",
    )
    .bind(merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    let items = Item::ALL
        .into_iter()
        .map(|item| match lines.iter().find(|(line, ..)| *line == item) {
            Some((_, state, reason)) => ChecklistItem {
                item,
                state: *state,
                reason: reason.clone(),
            },
            None => ChecklistItem {
                item,
                state: ItemState::Missing,
                reason: None,
            },
        })
        .collect();
    Ok(Some(Checklist {
        merchant_id,
        status,
        items,
        submitted_at,
        decided_at,
        rejection_reason,
        reverification_due_at,
        restricted_at,
    }))
}

/// Records that the merchant filled `item` in (or emptied it, `complete = false`): the
/// item is `submitted` for staff to review again, or `missing`. Any staff reason is
/// cleared. Call inside the transaction that made the change, after [`lock`] and a check
/// of [`Checklist::editable`].
pub async fn mark_item(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    item: Item,
    complete: bool,
) -> Result<(), sqlx::Error> {
    let state = if complete {
        ItemState::Submitted
    } else {
        ItemState::Missing
    };
    sqlx::query(
        "UPDATE kyc_items SET state = $3, reason = NULL, updated_at = now() WHERE merchant_id = $1 AND item = $2",
    )
    .bind(merchant_id)
    .bind(item)
    .bind(state)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE kyc_applications SET updated_at = now() WHERE merchant_id = $1")
        .bind(merchant_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(status: Status, states: [ItemState; 6]) -> Checklist {
        let mut list = empty(MerchantId::from_uuid(uuid::Uuid::nil()));
        list.status = status;
        for (line, state) in list.items.iter_mut().zip(states) {
            line.state = state;
        }
        list
    }

    use ItemState::{Accepted as A, ChangesRequested as C, Missing as M, Submitted as S};

    #[test]
    fn a_draft_submits_only_when_nothing_is_missing() {
        assert!(!with(Status::Draft, [S, S, S, S, S, M]).can_submit());
        assert!(with(Status::Draft, [S; 6]).can_submit());
    }

    #[test]
    fn changes_must_all_be_made_before_resubmitting() {
        assert!(!with(Status::ChangesRequested, [A, C, A, A, A, S]).can_submit());
        assert!(with(Status::ChangesRequested, [A, S, A, A, A, A]).can_submit());
        assert!(
            !with(Status::ChangesRequested, [A; 6]).can_submit(),
            "nothing new to review"
        );
    }

    #[test]
    fn nothing_is_editable_while_staff_review_or_after_a_rejection() {
        for status in [Status::Submitted, Status::Rejected] {
            let list = with(status, [S; 6]);
            assert!(Item::ALL.iter().all(|item| !list.editable(*item)));
            assert!(!list.can_submit());
        }
    }

    #[test]
    fn re_verification_opens_only_the_reopened_items() {
        let mut list = with(Status::Approved, [A, A, A, C, A, A]);
        list.reverification_due_at = Some(OffsetDateTime::now_utc());
        assert!(list.editable(Item::IdentityDocuments));
        assert!(!list.editable(Item::BankAccount));
        assert!(!list.can_submit());
        list.items[3].state = S;
        assert!(list.can_submit());
    }

    #[test]
    fn slugs_round_trip() {
        for item in Item::ALL {
            assert_eq!(Item::parse(item.slug()), Some(item));
        }
        for form in LegalForm::ALL {
            assert_eq!(LegalForm::parse(form.slug()), Some(form));
        }
        assert_eq!(Item::parse("nope"), None);
    }
}
