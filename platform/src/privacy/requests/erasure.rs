//! Answering an erasure request (GDPR Art. 17): staff (support `act`, with a fresh
//! two-factor check) erase what the platform holds about the address wherever the law
//! allows, in one transaction, and keep what anti-money-laundering and accounting law
//! require with the person's data reduced to what those records need. The requester is told
//! which records are kept, why and until when.
//!
//! Kept, reduced: payments (amount, date, masked card, merchant; no email), their refunds
//! and chargebacks, the fraud checks that ran on them (no email, no IP), and the audit
//! trail's rows, whose personal fields `audit::redact_personal` erases while their digests
//! keep the chain verifiable. An account is pseudonymised, not deleted: payments, refunds
//! and staff actions refer to it. The request itself is kept as the record of the answer.
//! Kept whole: the verification records of a merchant's people that staff linked to the
//! request (`kyc_people`), which AML law requires while the merchant keeps them and after.

use uuid::Uuid;

use super::staff::{Step, close};
use super::{Kind, RequestError, Status, emails, kyc_people};
use crate::Platform;
use crate::audit::{self, RequestFacts};
use crate::identity::roles::StaffScope;

/// What stands in for an erased address where a column may not be empty.
const ERASED: &str = "erased.invalid";

/// What an erasure changed, per kind of record; the audit row's detail and the mail's text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    pub account: bool,
    pub payments_kept: u64,
    pub checkouts: u64,
    pub fraud_checks: u64,
    pub mails: u64,
    pub contact_messages: u64,
    pub invitations: u64,
    pub events: u64,
    pub api_answers: u64,
    pub audit_rows: u64,
}

/// The obligation that stops an erasure (and a member's closing of their account), as
/// staff and the person are told: the data is still needed to finish it.
pub(super) async fn blocker(
    conn: &mut sqlx::PgConnection,
    email: &str,
) -> Result<Option<&'static str>, sqlx::Error> {
    let (refund, chargeback, balance, payout): (bool, bool, bool, bool) = sqlx::query_as(
        "WITH theirs AS (SELECT id, merchant_id FROM payments WHERE lower(buyer_email) = $1),
              owned AS (SELECT mm.merchant_id FROM merchant_members mm JOIN users u ON u.id = mm.user_id
                        WHERE u.email = $1 AND mm.role = 'owner')
         SELECT EXISTS (SELECT 1 FROM refunds r JOIN payments p ON p.id = r.payment_id
                        WHERE r.status IN ('pending', 'unknown')
                          AND (p.id IN (SELECT id FROM theirs) OR p.merchant_id IN (SELECT merchant_id FROM owned))),
                EXISTS (SELECT 1 FROM chargebacks c
                        WHERE c.status IN ('open', 'evidence_submitted')
                          AND (c.payment_id IN (SELECT id FROM theirs) OR c.merchant_id IN (SELECT merchant_id FROM owned))),
                EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.merchant_id IN (SELECT merchant_id FROM owned)
                        AND a.mode = 'live' AND a.balance_minor <> 0),
                EXISTS (SELECT 1 FROM payouts p WHERE p.merchant_id IN (SELECT merchant_id FROM owned)
                        AND p.status IN ('created', 'approved', 'sent'))",
    )
    .bind(email)
    .fetch_one(conn)
    .await?;
    Ok(if refund {
        Some(
            "A refund is still waiting for the bank's answer: this can be done once it is settled.",
        )
    } else if chargeback {
        Some("A card dispute is open: this can be done once it is decided.")
    } else if balance {
        Some(
            "The merchant this address owns still has money in its balance: it must be paid out first.",
        )
    } else if payout {
        Some(
            "A payout to the merchant this address owns is not paid yet: this can be done once it is paid.",
        )
    } else {
        None
    })
}

/// Erases what open erasure request `id` is about, closes it as fulfilled and mails the
/// requester what was erased and what is kept. Refused, changing nothing, while an
/// obligation is active. Audited as `data_subject.erase` with the counts.
pub async fn erase(
    platform: &Platform,
    staff: &StaffScope,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<Erased, RequestError> {
    let step = Step::new(platform, staff, id, facts);
    let (mut tx, locked) = step.begin().await?;
    if locked.kind != Kind::Erasure {
        return Err(RequestError::NotAllowed(
            "Only an erasure request is answered with an erasure.",
        ));
    }
    if let Some(reason) = blocker(&mut tx, &locked.email).await? {
        return Err(RequestError::NotAllowed(reason));
    }
    let erased = erase_everywhere(&mut tx, &locked.email).await?;
    // Verification records of people staff linked to the request: AML law keeps them whole.
    let kyc_kept = kyc_people::kept(&mut tx, id).await?;
    let outcome = format!(
        "Erased. Kept for anti-money-laundering law, without the email address: {} payment(s).{}",
        erased.payments_kept,
        kyc_people::outcome_sentence(&kyc_kept)
    );
    close(&mut tx, staff, id, Status::Fulfilled, &outcome).await?;
    let mail = emails::erased(&locked.email, &erased, &kyc_kept);
    let mut detail = erased.detail();
    detail["kyc_records_kept"] = kyc_kept.len().into();
    step.finish(
        &mut tx,
        &locked,
        "data_subject.erase",
        Some(mail),
        Some(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(erased)
}

impl Erased {
    pub(super) fn detail(&self) -> serde_json::Value {
        serde_json::json!({
            "account": self.account,
            "payments_kept": self.payments_kept,
            "checkouts": self.checkouts,
            "fraud_checks": self.fraud_checks,
            "mails": self.mails,
            "contact_messages": self.contact_messages,
            "invitations": self.invitations,
            "events": self.events,
            "api_answers": self.api_answers,
            "audit_rows": self.audit_rows,
        })
    }
}

async fn run(conn: &mut sqlx::PgConnection, sql: &str, email: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(sql)
        .bind(email)
        .execute(conn)
        .await?
        .rows_affected())
}

pub(super) async fn erase_everywhere(
    conn: &mut sqlx::PgConnection,
    email: &str,
) -> Result<Erased, RequestError> {
    let user_id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await?;
    let mut erased = Erased {
        // Before the address goes from the audit rows: the rows it marks as this person's.
        audit_rows: audit::redact_personal(conn, user_id.unwrap_or(Uuid::nil()), email).await?,
        payments_kept: run(
            conn,
            "UPDATE payments SET buyer_email = NULL WHERE lower(buyer_email) = $1",
            email,
        )
        .await?,
        checkouts: run(
            conn,
            "UPDATE checkout_sessions SET buyer_email = NULL WHERE lower(buyer_email) = $1",
            email,
        )
        .await?,
        mails: run(
            conn,
            "DELETE FROM mail_outbox WHERE lower(to_address) = $1",
            email,
        )
        .await?,
        contact_messages: run(
            conn,
            "DELETE FROM contact_requests WHERE lower(email) = $1",
            email,
        )
        .await?,
        invitations: run(
            conn,
            "DELETE FROM invitations_to_accounts WHERE lower(email) = $1",
            email,
        )
        .await?,
        ..Erased::default()
    };
    erased.fraud_checks = sqlx::query(
        "UPDATE risk_decisions SET buyer_email = $2, ip = NULL WHERE lower(buyer_email) = $1",
    )
    .bind(email)
    .bind(ERASED)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // The address inside stored JSON (webhook events, replayable API answers) becomes null,
    // wherever it sits in the document.
    erased.events = run(
        conn,
        "UPDATE events SET data = replace(data::text, to_json($1::text)::text, 'null')::jsonb
         WHERE strpos(data::text, to_json($1::text)::text) > 0",
        email,
    )
    .await?;
    erased.api_answers = run(
        conn,
        "UPDATE api_idempotency SET response_body = replace(response_body::text, to_json($1::text)::text, 'null')::jsonb
         WHERE strpos(response_body::text, to_json($1::text)::text) > 0",
        email,
    )
    .await?;
    if let Some(user_id) = user_id {
        pseudonymise_account(conn, user_id).await?;
        erased.account = true;
    }
    Ok(erased)
}

/// The account stays as a name payments, refunds and staff actions can point at, with
/// nothing personal left and no way to sign in.
async fn pseudonymise_account(
    conn: &mut sqlx::PgConnection,
    user_id: Uuid,
) -> Result<(), sqlx::Error> {
    for sql in [
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM account_tokens WHERE user_id = $1",
        "DELETE FROM user_mfa WHERE user_id = $1",
        "DELETE FROM mfa_recovery_codes WHERE user_id = $1",
        "UPDATE users SET email = 'erased-' || id || '@' || 'erased.invalid', full_name = 'Erased person',
                 password_hash = '$argon2id$erased', disabled_at = coalesce(disabled_at, now())
         WHERE id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut *conn).await?;
    }
    Ok(())
}
