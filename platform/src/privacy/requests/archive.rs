//! What an access request's archive holds: one JSON file per kind of record the inventory
//! (`domain::privacy`) names about a person found by email address, the verification
//! records staff linked to the request (`kyc.json`, see `kyc_people`), and a README saying
//! what each file is. Every query of [`FILES`] takes the address, lower-case, as `$1` and
//! answers the file's JSON and its number of records.

use std::io::Write as _;

use sqlx::PgConnection;
use uuid::Uuid;

use super::{RequestError, kyc_people};
use crate::field_crypto::KeyRing;

struct File {
    name: &'static str,
    about: &'static str,
    query: &'static str,
}

const FILES: &[File] = &[
    File {
        name: "account.json",
        about: "Your Saleonix account, if you have one: name, address, kind, when it was made and confirmed, whether two-factor authentication is on, and the merchants you are a member of.",
        query: "SELECT coalesce(json_agg(a), '[]')::text, count(*) FROM (
                    SELECT u.email, u.full_name, u.kind, u.created_at, u.email_verified_at,
                           EXISTS (SELECT 1 FROM user_mfa f WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL) AS two_factor_on,
                           (SELECT coalesce(json_agg(json_build_object('merchant', m.business_name, 'role', mm.role, 'since', mm.created_at)), '[]')
                            FROM merchant_members mm JOIN merchants m ON m.id = mm.merchant_id WHERE mm.user_id = u.id) AS memberships
                    FROM users u WHERE u.email = $1) a",
    },
    File {
        name: "payments.json",
        about: "Card payments made with this address: the merchant, amount (in cents), currency, state, the masked card number and brand, and when. Saleonix never holds a full card number.",
        query: "SELECT coalesce(json_agg(p ORDER BY p.created_at), '[]')::text, count(*) FROM (
                    SELECT p.order_id, m.business_name AS merchant, p.mode, p.amount_minor, p.currency, p.status,
                           p.masked_pan, p.card_brand, p.refunded_minor, p.created_at, p.paid_at
                    FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE lower(p.buyer_email) = $1) p",
    },
    File {
        name: "refunds.json",
        about: "Refunds of those payments: the payment's order id, amount, state and when.",
        query: "SELECT coalesce(json_agg(r ORDER BY r.created_at), '[]')::text, count(*) FROM (
                    SELECT p.order_id, r.amount_minor, r.currency, r.status, r.created_at, r.completed_at
                    FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE lower(p.buyer_email) = $1) r",
    },
    File {
        name: "checkouts.json",
        about: "Checkouts where this address was given, paid or not.",
        query: "SELECT coalesce(json_agg(c ORDER BY c.created_at), '[]')::text, count(*) FROM (
                    SELECT m.business_name AS merchant, c.mode, c.amount_minor, c.currency, c.status, c.created_at, c.paid_at
                    FROM checkout_sessions c JOIN merchants m ON m.id = c.merchant_id WHERE lower(c.buyer_email) = $1) c",
    },
    File {
        name: "fraud_checks.json",
        about: "The fraud checks run when this address paid: the IP address seen, the decision and when.",
        query: "SELECT coalesce(json_agg(r ORDER BY r.created_at), '[]')::text, count(*) FROM (
                    SELECT r.created_at, host(r.ip) AS ip, r.action, r.amount_minor, r.currency
                    FROM risk_decisions r WHERE lower(r.buyer_email) = $1) r",
    },
    File {
        name: "mails.json",
        about: "Mail Saleonix sent to this address: subject and when. The text of a sent mail is not kept.",
        query: "SELECT coalesce(json_agg(m ORDER BY m.created_at), '[]')::text, count(*) FROM (
                    SELECT m.subject, m.created_at, m.sent_at, m.failed_at
                    FROM mail_outbox m WHERE lower(m.to_address) = $1) m",
    },
    File {
        name: "audit.json",
        about: "Entries of Saleonix's security audit trail about this address or made by its account: what happened, the outcome, and the IP address and browser it came from.",
        query: "SELECT coalesce(json_agg(e ORDER BY e.occurred_at), '[]')::text, count(*) FROM (
                    SELECT e.occurred_at, e.event_type, e.outcome, e.reason, e.ip, e.user_agent
                    FROM audit.events e
                    WHERE lower(e.subject_email) = $1 OR e.actor_id = (SELECT id FROM users WHERE email = $1)) e",
    },
    File {
        name: "requests.json",
        about: "Your requests about your personal data, and how each was answered.",
        query: "SELECT coalesce(json_agg(r ORDER BY r.requested_at), '[]')::text, count(*) FROM (
                    SELECT r.kind, r.status, r.details, r.requested_at, r.verified_at, r.due_on, r.extended_reason,
                           r.outcome, r.closed_at
                    FROM privacy_requests r WHERE r.email = $1) r",
    },
    File {
        name: "contact.json",
        about: "Messages sent to Saleonix through the contact form from this address.",
        query: "SELECT coalesce(json_agg(c ORDER BY c.created_at), '[]')::text, count(*) FROM (
                    SELECT c.name, c.business_name, c.message, c.created_at
                    FROM contact_requests c WHERE lower(c.email) = $1) c",
    },
    File {
        name: "invitations.json",
        about: "Invitations to a merchant's team sent to this address and not yet accepted.",
        query: "SELECT coalesce(json_agg(i ORDER BY i.created_at), '[]')::text, count(*) FROM (
                    SELECT m.business_name AS merchant, i.full_name, i.role, i.created_at
                    FROM invitations_to_accounts i JOIN merchants m ON m.id = i.merchant_id WHERE lower(i.email) = $1) i",
    },
];

const README_HEAD: &str = "What Saleonix holds about this email address\n\
    =============================================\n\n\
    Each .json file is a list of records, with times in UTC (RFC 3339) and amounts in cents.\n\
    The privacy policy (/privacy) says why each is held, on which legal basis and for how long.\n\n";

/// Not found by address: the people of a merchant's verification, linked by staff.
const KYC_FILE: &str = "kyc.json";
const KYC_ABOUT: &str = "What a merchant's verification holds about you as its legal representative or an owner, \
    if you are one: the merchant, your full name, date of birth, nationality, home address, personal or \
    passport number, whether you are politically exposed, your kind of identity document, your share and \
    when you were added and removed. These records carry no email address: they are found by the full name \
    and date of birth your request gives.";

const IDENTITY_ABOUT: &str = "Copies of your identity document (front and back) that a merchant \
    uploaded for its verification, if it named you, as the files it uploaded.";

const README_TAIL: &str = "\nIf a merchant named you as its legal representative or an owner and kyc.json is empty, \
    your request did not give your full name and date of birth, or no record matched them: send a new \
    request with both in its details.\n";

/// The archive, and the number of records in each file (for the audit trail).
pub struct Archive {
    pub zip: Vec<u8>,
    pub counts: Vec<(&'static str, i64)>,
}

/// The archive for request `request_id` from `email`: what the address finds, and the
/// verification records linked to the request (their personal numbers decrypted with `keys`).
pub async fn build(
    conn: &mut PgConnection,
    keys: &KeyRing,
    request_id: Uuid,
    email: &str,
) -> Result<Archive, RequestError> {
    let mut readme = String::from(README_HEAD);
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(FILES.len() + 1);
    let mut counts = Vec::with_capacity(FILES.len() + 2);
    for file in FILES {
        let (json, count): (String, i64) = sqlx::query_as(file.query)
            .bind(email)
            .fetch_one(&mut *conn)
            .await?;
        readme.push_str(&format!("{}: {}\n", file.name, file.about));
        files.push((file.name.to_owned(), json.into_bytes()));
        counts.push((file.name, count));
    }
    let (json, count) = kyc_people::archive_file(conn, keys, request_id).await?;
    readme.push_str(&format!("{KYC_FILE}: {KYC_ABOUT}\n"));
    files.push((KYC_FILE.to_owned(), json.into_bytes()));
    counts.push((KYC_FILE, count));
    let copies = kyc_people::identity_copies(conn, keys, request_id).await?;
    readme.push_str(&format!("{}: {IDENTITY_ABOUT}\n", kyc_people::IDENTITY_DIR));
    counts.push((
        kyc_people::IDENTITY_DIR,
        i64::try_from(copies.len()).unwrap_or(i64::MAX),
    ));
    files.extend(copies);
    readme.push_str(README_TAIL);
    let zip = zipped(&readme, &files)?;
    Ok(Archive { zip, counts })
}

/// The files, stored uncompressed: most are small JSON, the rest already compressed
/// images and PDFs, and any unzip tool opens them.
fn zipped(readme: &str, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, zip::result::ZipError> {
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("README.txt", options)?;
    zip.write_all(readme.as_bytes())?;
    for (name, content) in files {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(content)?;
    }
    Ok(zip.finish()?.into_inner())
}
