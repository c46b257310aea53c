//! Personal data: what the platform holds about people, why, on which legal basis and for
//! how long. [`inventory::TABLES`] classifies every column of every table once, personal or
//! not; a test against the migrated database fails when a migration adds a column the
//! inventory does not name. The privacy policy, the README's retention table and the
//! retention jobs all read this one declaration, so they cannot disagree with it.
//!
//! A key that only points at a person's record (a `user_id`, `created_by`) is not listed as
//! personal data on its own: the record it points to is, and erasing that record leaves the
//! key pointing at nothing personal.

pub mod cookies;
pub mod inventory;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A company that processes personal data on the platform's behalf, as the sub-processor
/// page lists it (from configuration: it changes with contracts, not with code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubProcessor {
    pub name: String,
    pub purpose: String,
    /// Where it processes the data (country), which tells whether it is a transfer.
    pub location: String,
    /// Which categories of data it receives, in the privacy policy's words.
    pub data: String,
}

/// Whose data a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// A person paying a merchant through a Saleonix checkout.
    Buyer,
    /// A person with a Saleonix account: a merchant's team member or Saleonix staff.
    AccountHolder,
    /// A person invited to a merchant's team who has not accepted yet.
    Invitee,
    /// An owner, director or representative named in a merchant's verification (KYC).
    KycPerson,
    /// A person who wrote to Saleonix through the contact form.
    Enquirer,
    /// A person on a public sanctions list the platform screens against.
    ListedPerson,
    /// A person who asked Saleonix to use a right over their personal data.
    Requester,
    /// A person Saleonix sends mail to: buyers, merchant users, invitees.
    Recipient,
    /// Anyone whose browser or server reaches the platform.
    Visitor,
}

impl Subject {
    pub const ALL: [Subject; 9] = [
        Subject::Buyer,
        Subject::AccountHolder,
        Subject::Invitee,
        Subject::KycPerson,
        Subject::Enquirer,
        Subject::ListedPerson,
        Subject::Requester,
        Subject::Recipient,
        Subject::Visitor,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Subject::Buyer => "Buyers",
            Subject::AccountHolder => "Merchant users and Saleonix staff",
            Subject::Invitee => "People invited to a merchant's team",
            Subject::KycPerson => "Owners, directors and representatives of merchants",
            Subject::Enquirer => "People who contact Saleonix",
            Subject::ListedPerson => "People on public sanctions lists",
            Subject::Requester => "People who make a request about their personal data",
            Subject::Recipient => "People Saleonix sends mail to",
            Subject::Visitor => "Everyone who visits the platform or calls its API",
        }
    }
}

/// What kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Contact,
    Identity,
    Network,
    Financial,
    Authentication,
    Correspondence,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::Contact => "contact",
            Category::Identity => "identity",
            Category::Network => "network",
            Category::Financial => "financial",
            Category::Authentication => "authentication",
            Category::Correspondence => "correspondence",
        }
    }
}

/// The legal basis of the processing (GDPR Article 6(1) and its counterpart in Kosovo's
/// Law No. 06/L-082 on the Protection of Personal Data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basis {
    /// Needed to perform a contract with the person, or to take steps they asked for first.
    Contract,
    /// Required by law: anti-money-laundering, accounting and tax record keeping.
    LegalObligation,
    /// The platform's legitimate interests: security, fraud prevention, answering enquiries.
    LegitimateInterests,
}

impl Basis {
    pub fn label(self) -> &'static str {
        match self {
            Basis::Contract => "contract (Art. 6(1)(b) GDPR)",
            Basis::LegalObligation => "legal obligation (Art. 6(1)(c) GDPR)",
            Basis::LegitimateInterests => "legitimate interests (Art. 6(1)(f) GDPR)",
        }
    }
}

/// Accounts that signed up and never confirmed their address: the user, and the merchant
/// and membership the sign-up created, go 30 days after the sign-up (and never while a
/// verification link sent to them still works). Thirty days leave a slow reader time to
/// find the mail or ask for a new link; past that, an address nobody confirmed may not be
/// the signer's own, and holding it serves no one. An account whose merchant holds
/// anything beyond the sign-up (a payment above all, which AML law keeps) is kept.
pub const UNVERIFIED_SIGN_UP_DAYS: u32 = 30;
/// The buyer's email on a checkout that was never paid: cleared 90 days after the checkout
/// expired. A merchant may look into an abandoned order or a buyer's question for about a
/// quarter; without a payment there is no AML record to keep. Paid checkouts keep it, and
/// a payment always keeps its own copy.
pub const ABANDONED_CHECKOUT_EMAIL_DAYS: u32 = 90;
/// Mail in the outbox: deleted 90 days after it was sent, or after delivery gave up. The
/// body of sent mail is already erased on sending, so what goes is the address, subject
/// and delivery record, kept that long to answer "did you send me…?" and to look into
/// delivery trouble. Mail that gave up keeps its (encrypted) body so an operator can requeue
/// it after an outage; after 90 days every link in it has long expired and nobody will
/// requeue it, so it goes too rather than holding the body for ever.
pub const SENT_MAIL_DAYS: u32 = 90;
/// Invitations never accepted: deleted 30 days after they expired. An invitation expires
/// with its link, `platform::identity::invitations::LINK_HOURS` (72) after it was last sent; the invited account
/// (unverified, not a merchant's owner) goes with its membership, unless a link re-sent to
/// it still works. An invitation to an address that already had an account
/// (`invitations_to_accounts`) carries no link, so it expires when a link sent with it
/// would have: the inviter's team list drops both kinds on the same day and still cannot
/// tell an address with an account from one without. The 30 days let the inviter see who
/// never joined and re-send before the entry disappears.
pub const EXPIRED_INVITATION_DAYS: u32 = 30;
/// Days a contact-form message is kept after it arrived.
pub const CONTACT_REQUEST_DAYS: u32 = 365;
/// Days a data-subject request is kept after it was closed, as evidence of how it was
/// answered (the controller's accountability, GDPR Art. 5(2)).
pub const PRIVACY_REQUEST_DAYS: u32 = 3 * 365;
/// Days after its link expired before a request nobody confirmed is deleted.
pub const UNCONFIRMED_REQUEST_DAYS: u32 = 7;
/// Days the merchant API's events (and the webhook attempts that carried them) are kept.
pub const EVENT_DAYS: u32 = 30;
/// Years anti-money-laundering and accounting law require payment, refund and verification
/// records to be kept after the business relationship ends.
pub const AML_YEARS: u32 = 5;

/// How long a column's data is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retention {
    /// While the account exists; gone when it is closed or erased.
    WhileAccountOpen,
    /// For the anti-money-laundering period after the relationship ends ([`AML_YEARS`]).
    AmlRecords,
    /// For the audit trail's period (at least [`AML_YEARS`]), then purged oldest first.
    AuditTrail,
    /// Deleted or erased `days` after `after`.
    Days { days: u32, after: &'static str },
    /// Deleted or erased when `.0` happens (a session ends, a mail is sent).
    Until(&'static str),
    /// While the merchant keeps it (KYC people until removed, then as AML records).
    WhileMerchantKeeps,
}

impl Retention {
    pub fn describe(self) -> String {
        match self {
            Retention::WhileAccountOpen => "while the account is open".to_owned(),
            Retention::AmlRecords => {
                format!("{AML_YEARS} years after the business relationship ends")
            }
            Retention::AuditTrail => {
                format!("the audit trail's period, at least {AML_YEARS} years")
            }
            Retention::Days { days, after } => format!("{days} days after {after}"),
            Retention::Until(when) => format!("until {when}"),
            Retention::WhileMerchantKeeps => format!(
                "while the merchant keeps it on file, then {AML_YEARS} years as a verification record"
            ),
        }
    }
}

/// One column holding personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Personal {
    pub column: &'static str,
    pub subject: Subject,
    pub category: Category,
    /// What it is, as the privacy policy says it.
    pub what: &'static str,
    pub purpose: &'static str,
    pub basis: Basis,
    pub retention: Retention,
    /// Anti-money-laundering or accounting law requires keeping it even when its subject
    /// asks for erasure, until the retention period ends.
    pub kept_for_aml: bool,
}

/// One table: its personal columns and the rest, named so that a new column cannot slip in
/// unclassified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// Schema-qualified for every schema but `public`.
    pub name: &'static str,
    pub personal: &'static [Personal],
    pub not_personal: &'static [&'static str],
}

/// Every personal column with its table, in inventory order.
pub fn personal_columns() -> impl Iterator<Item = (&'static str, &'static Personal)> {
    inventory::TABLES
        .iter()
        .flat_map(|table| table.personal.iter().map(move |p| (table.name, p)))
}

/// One line of the privacy policy: the data held about a subject for one purpose, on one
/// basis and for one period, with every column that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub what: Vec<&'static str>,
    pub category: Category,
    pub purpose: &'static str,
    pub basis: Basis,
    pub retention: Retention,
    pub kept_for_aml: bool,
    pub columns: Vec<String>,
}

/// What is held about `subject`, grouped by category, purpose, basis and period, in
/// inventory order.
pub fn holdings(subject: Subject) -> Vec<Holding> {
    let mut found: Vec<Holding> = Vec::new();
    for (table, p) in personal_columns().filter(|(_, p)| p.subject == subject) {
        let column = format!("{table}.{}", p.column);
        let same = |h: &&mut Holding| {
            (h.category, h.purpose, h.basis, h.retention, h.kept_for_aml)
                == (p.category, p.purpose, p.basis, p.retention, p.kept_for_aml)
        };
        match found.iter_mut().find(same) {
            Some(holding) => {
                if !holding.what.contains(&p.what) {
                    holding.what.push(p.what);
                }
                holding.columns.push(column);
            }
            None => found.push(Holding {
                what: vec![p.what],
                category: p.category,
                purpose: p.purpose,
                basis: p.basis,
                retention: p.retention,
                kept_for_aml: p.kept_for_aml,
                columns: vec![column],
            }),
        }
    }
    found
}

/// The README's retention table (Markdown), one row per subject and kind of data.
pub fn retention_table_markdown() -> String {
    let mut out = String::from(
        "| whose | data | category | where | kept | legal basis | kept against erasure (AML) |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for subject in Subject::ALL {
        for h in holdings(subject) {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                subject.label(),
                h.what.join("; "),
                h.category.label(),
                h.columns
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                h.retention.describe(),
                h.basis.label(),
                if h.kept_for_aml { "yes" } else { "no" },
            ));
        }
    }
    out
}

/// Every table and its columns, personal or not, as the inventory names them.
pub fn classified_columns() -> BTreeMap<&'static str, Vec<&'static str>> {
    inventory::TABLES
        .iter()
        .map(|t| {
            let columns = t
                .personal
                .iter()
                .map(|p| p.column)
                .chain(t.not_personal.iter().copied())
                .collect();
            (t.name, columns)
        })
        .collect()
}

#[cfg(test)]
mod tests;
