//! The platform's review data turned into what the console shows (server side only).

use platform::kyc::application::SavedBusiness;
use platform::kyc::people::Person;
use platform::kyc::review::{self, Application, ApplicationEntry, Document, QueueEntry};
use platform::kyc::{CATEGORIES, ItemState, Status};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ApplicationRow, DocumentView, Fact, ItemView, PersonView, QueueRow, ReviewView, waiting,
};
use crate::payments::ssr::when;
use domain::Money;

pub fn queue_row(entry: QueueEntry) -> QueueRow {
    let seconds = (OffsetDateTime::now_utc() - entry.submitted_at).whole_seconds();
    QueueRow {
        merchant_id: entry.merchant_id.to_string(),
        business_name: entry.business_name,
        submitted: when(entry.submitted_at),
        waiting: waiting(seconds),
    }
}

pub fn application_row(entry: ApplicationEntry) -> ApplicationRow {
    let note = match (entry.restricted_at, entry.reverification_due_at) {
        (Some(at), _) => Some(format!("Restricted to Test Mode since {}", when(at))),
        (None, Some(due)) => Some(format!("Re-verification due by {}", due.date())),
        (None, None) => None,
    };
    ApplicationRow {
        merchant_id: entry.merchant_id.to_string(),
        business_name: entry.business_name,
        status: review::status_slug(entry.status).to_owned(),
        updated: when(entry.updated_at),
        note,
    }
}

fn fact(label: &str, value: Option<String>) -> Fact {
    Fact {
        label: label.to_owned(),
        value: value
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "—".to_owned()),
    }
}

fn yes_no(value: bool) -> String {
    if value { "Yes" } else { "No" }.to_owned()
}

fn business(b: SavedBusiness) -> Vec<Fact> {
    let address = match (b.address_line, b.postal_code, b.city) {
        (None, None, None) => None,
        (line, postal, city) => Some(format!(
            "{}, {} {}",
            line.unwrap_or_default(),
            postal.unwrap_or_default(),
            city.unwrap_or_default()
        )),
    };
    let category = b.category.map(|slug| {
        CATEGORIES
            .iter()
            .find(|(s, _)| *s == slug)
            .map_or(slug.clone(), |(_, label)| (*label).to_owned())
    });
    let pep = b
        .pep_declared
        .map(|declared| match (declared, b.pep_details) {
            (true, Some(details)) => format!("Yes: {details}"),
            (declared, _) => yes_no(declared),
        });
    vec![
        fact(
            "Legal form",
            b.legal_form.map(|form| form.label().to_owned()),
        ),
        fact("Registered name", b.registered_name),
        fact("Trading name", b.trading_name),
        fact("Business registration number (NUI)", b.registration_number),
        fact("Fiscal number", b.fiscal_number),
        fact("VAT number", b.vat_number),
        fact("Registered address", address),
        fact("Website or where it sells", b.website),
        fact("What it sells", category),
        fact(
            "Expected monthly volume",
            b.monthly_volume_minor.map(|m| Money::eur(m).to_string()),
        ),
        fact(
            "Average ticket",
            b.average_ticket_minor.map(|m| Money::eur(m).to_string()),
        ),
        fact("Politically exposed person among the people", pep),
    ]
}

fn person(p: Person) -> PersonView {
    let heading = match (p.is_representative, p.ownership_percent) {
        (true, Some(percent)) => format!("Legal representative and owner ({percent} %)"),
        (true, None) => "Legal representative".to_owned(),
        (false, percent) => format!("Beneficial owner ({} %)", percent.unwrap_or_default()),
    };
    PersonView {
        heading,
        facts: vec![
            fact("Full name", Some(p.full_name)),
            fact("Date of birth", Some(p.date_of_birth.to_string())),
            fact("Nationality", Some(p.nationality)),
            fact(
                "Personal or passport number",
                Some(p.personal_number_masked),
            ),
            fact("Address", Some(p.address)),
            fact("Politically exposed person", Some(yes_no(p.is_pep))),
        ],
    }
}

fn document(d: Document) -> DocumentView {
    DocumentView {
        id: d.id.to_string(),
        kind: d.kind.label().to_owned(),
        person: d.person_name,
        content_type: d.content_type,
        size: crate::kyc::view::size(d.size_bytes),
        uploaded: when(d.uploaded_at),
        href: crate::kyc::staff_download_url(&d.id.to_string()),
    }
}

/// Why `viewer` cannot approve now, in the order the platform checks (it checks again).
fn approve_blocked(
    a: &Application,
    viewer: Uuid,
    can_act: bool,
    single_reviewer: bool,
) -> Option<String> {
    let reason = if !can_act {
        "Deciding needs the merchants module at act."
    } else if a.checklist.status != Status::Submitted {
        "Only an application waiting for review can be approved."
    } else if a
        .checklist
        .items
        .iter()
        .any(|line| line.state != ItemState::Accepted)
    {
        "Accept every checklist item before approving."
    } else if !single_reviewer
        && a.changes_requested_by
            .as_ref()
            .is_some_and(|(id, _)| *id == viewer)
    {
        "Four eyes: you asked for changes on this application, so another staff member must approve it."
    } else if a.open_hits > 0 {
        "A sanctions hit is still open: record a decision on it before approving."
    } else {
        return None;
    };
    Some(reason.to_owned())
}

pub fn review(a: Application, viewer: Uuid, can_act: bool, single_reviewer: bool) -> ReviewView {
    let approve_blocked = approve_blocked(&a, viewer, can_act, single_reviewer);
    let merchant_id = a.merchant_id;
    let list = a.checklist;
    ReviewView {
        merchant_id: merchant_id.to_string(),
        business_name: a.business_name,
        status: review::status_slug(list.status).to_owned(),
        submitted: list.submitted_at.map(when),
        decided: list.decided_at.map(when),
        decided_by: a.decided_by,
        rejection_reason: list.rejection_reason,
        reverification_due: list.reverification_due_at.map(|due| due.date().to_string()),
        restricted: list.restricted_at.map(when),
        changes_requested_by: a.changes_requested_by.map(|(_, name)| name),
        items: list
            .items
            .into_iter()
            .map(|line| ItemView {
                item: line.item.slug().to_owned(),
                label: line.item.label().to_owned(),
                state: line.state.slug().to_owned(),
                reason: line.reason,
            })
            .collect(),
        business: business(a.business),
        people: a.people.into_iter().map(person).collect(),
        documents: a.documents.into_iter().map(document).collect(),
        open_hits: a.open_hits,
        verified: a.verified,
        suspended: a.suspended,
        can_act,
        approve_blocked,
    }
}
