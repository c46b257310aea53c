//! Retention: the daily sweep that removes personal data once the reason to hold it has
//! passed. Each rule's period is a constant of the inventory (`domain::privacy`), so the
//! privacy policy and the README name the same number the code applies.
//!
//! Records that anti-money-laundering and accounting law require are never touched here:
//! payments (with their own buyer email, masked card and timeline), refunds, the ledger,
//! KYC evidence and audit rows. Audit rows are purged by their own job after five years
//! (`audit::purge_expired`); this sweep only redacts the personal fields of rows about an
//! account it deletes, which keeps the chain valid.
//!
//! Sessions hold the signed-in person's IP address and user agent, but they hold them only
//! while the session lives: a session row is deleted when its holder signs out or is
//! signed out, and the cleanup job (`server::jobs::spawn_cleanup`) deletes every expired
//! one within fifteen minutes. Nothing is left to erase 90 days after a session ended, so
//! there is no rule for sessions here. Account tokens likewise go a day after they expire.
//!
//! Safe with several instances at once: every rule takes its rows with `FOR UPDATE SKIP
//! LOCKED`, so two sweeps share the rows instead of waiting for each other, and each count
//! says what its own sweep changed. A second sweep finds nothing left to do.

use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

use domain::privacy::{
    ABANDONED_CHECKOUT_EMAIL_DAYS, CONTACT_REQUEST_DAYS, EXPIRED_INVITATION_DAYS,
    PRIVACY_REQUEST_DAYS, SENT_MAIL_DAYS, UNCONFIRMED_REQUEST_DAYS, UNVERIFIED_SIGN_UP_DAYS,
};

use crate::audit::{self, Actor, ActorKind, AuditError, Event, Outcome, RequestFacts};
use crate::identity::invitations;

/// A period of the inventory as Postgres's `make_interval` takes it.
fn days(period: u32) -> i32 {
    i32::try_from(period).unwrap_or(i32::MAX)
}

/// What one sweep changed, per rule; also the detail of its `privacy.retention` audit row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Unverified sign-ups deleted, with the merchant each created.
    pub unverified_sign_ups: u64,
    /// Unverified accounts past their period but kept, because records refer to them (a
    /// payment of their merchant, a teammate, a product…). Not a change: it says why the
    /// accounts an auditor may count are still there.
    pub unverified_kept: u64,
    /// Abandoned checkouts whose buyer email was cleared.
    pub abandoned_checkout_emails: u64,
    /// Sent mail deleted.
    pub sent_mail: u64,
    /// Mail that gave up, deleted.
    pub given_up_mail: u64,
    /// Invited accounts and invitations to accounts deleted.
    pub expired_invitations: u64,
    /// Contact-form messages deleted.
    pub contact_requests: u64,
    /// Data-subject requests deleted: closed ones past their period, and ones nobody
    /// confirmed.
    pub privacy_requests: u64,
    /// Export archives erased because their link expired unused.
    pub expired_exports: u64,
}

impl Swept {
    /// How many rows the sweep changed; zero when it had nothing to do.
    pub fn changed(&self) -> u64 {
        self.unverified_sign_ups
            + self.abandoned_checkout_emails
            + self.sent_mail
            + self.given_up_mail
            + self.expired_invitations
            + self.contact_requests
            + self.privacy_requests
            + self.expired_exports
    }

    fn detail(&self) -> serde_json::Value {
        serde_json::json!({
            "unverified_sign_ups": self.unverified_sign_ups,
            "unverified_kept": self.unverified_kept,
            "abandoned_checkout_emails": self.abandoned_checkout_emails,
            "sent_mail": self.sent_mail,
            "given_up_mail": self.given_up_mail,
            "expired_invitations": self.expired_invitations,
            "contact_requests": self.contact_requests,
            "privacy_requests": self.privacy_requests,
            "expired_exports": self.expired_exports,
        })
    }
}

/// Applies every retention rule and records one `privacy.retention` audit row with the
/// counts, all in one transaction: the changes and the evidence of them commit together.
///
/// The row is recorded even when nothing changed. It is one row a day per instance, and
/// it is the evidence a regulator asks for that the rules run; a quiet day would otherwise
/// look the same as a job that stopped.
#[tracing::instrument(skip_all)]
pub async fn sweep(pool: &PgPool) -> Result<Swept, AuditError> {
    let mut tx = pool.begin().await?;
    let mut swept = Swept::default();
    unverified_accounts(&mut tx, &mut swept).await?;
    swept.expired_invitations += invitations_to_accounts(&mut tx).await?;
    swept.abandoned_checkout_emails = abandoned_checkout_emails(&mut tx).await?;
    (swept.sent_mail, swept.given_up_mail) = old_mail(&mut tx).await?;
    swept.contact_requests = old_contact_requests(&mut tx).await?;
    swept.expired_exports = expired_exports(&mut tx).await?;
    swept.privacy_requests = old_privacy_requests(&mut tx).await?;
    let system = Actor {
        kind: ActorKind::System,
        id: None,
    };
    let event = Event::new("privacy.retention", system, Outcome::Success).detail(swept.detail());
    audit::record(&mut tx, &event, &RequestFacts::default()).await?;
    tx.commit().await?;
    Ok(swept)
}

/// An unverified account past its period, locked for this sweep.
#[derive(sqlx::FromRow)]
struct Unverified {
    id: Uuid,
    email: String,
    /// The merchant it owns: set for a sign-up, none for an invited account.
    owned_merchant: Option<Uuid>,
    /// Its merchant has a payment (AML keeps it, and the owner it names).
    has_payments: bool,
    /// Its merchant has other members, whom deleting the merchant would cut loose.
    has_team: bool,
}

/// Deletes unverified accounts past their period: sign-ups (the owner of a merchant) with
/// the merchant and membership the sign-up made, [`UNVERIFIED_SIGN_UP_DAYS`] after the
/// sign-up; invited accounts (anyone else unverified) with their membership,
/// [`EXPIRED_INVITATION_DAYS`] after the first invitation link expired. An account with a
/// link that still works is kept: it was re-sent, and the link must not lead nowhere.
async fn unverified_accounts(conn: &mut PgConnection, swept: &mut Swept) -> Result<(), AuditError> {
    let due: Vec<Unverified> = sqlx::query_as(
        "SELECT u.id, u.email,
                CASE WHEN mm.role = 'owner' THEN mm.merchant_id END AS owned_merchant,
                EXISTS (SELECT 1 FROM payments p WHERE p.merchant_id = mm.merchant_id)
                    AS has_payments,
                EXISTS (SELECT 1 FROM merchant_members o
                        WHERE o.merchant_id = mm.merchant_id AND o.user_id <> u.id) AS has_team
         FROM users u LEFT JOIN merchant_members mm ON mm.user_id = u.id
         WHERE u.email_verified_at IS NULL
           AND CASE WHEN mm.role = 'owner'
                    THEN u.created_at < now() - make_interval(days => $1)
                    ELSE u.created_at < now() - make_interval(days => $2, hours => $3) END
           AND NOT EXISTS (SELECT 1 FROM account_tokens t
                           WHERE t.user_id = u.id AND t.used_at IS NULL AND t.expires_at > now())
         ORDER BY u.created_at
         FOR UPDATE OF u SKIP LOCKED",
    )
    .bind(days(UNVERIFIED_SIGN_UP_DAYS))
    .bind(days(EXPIRED_INVITATION_DAYS))
    .bind(invitation_link_hours())
    .fetch_all(&mut *conn)
    .await?;
    let mut deleted = Vec::with_capacity(due.len());
    for account in due {
        let owner = account.owned_merchant.is_some();
        // Asked outright rather than left to the payments' foreign key, which refuses the
        // delete today: a later migration that cascaded would silently take AML records.
        if owner && (account.has_payments || account.has_team) {
            swept.unverified_kept += 1;
            continue;
        }
        if !delete_account(conn, &account).await? {
            swept.unverified_kept += 1;
            continue;
        }
        if owner {
            swept.unverified_sign_ups += 1;
        } else {
            swept.expired_invitations += 1;
        }
        deleted.push(account);
    }
    // The account is gone; what the audit trail holds about it is kept (the sign-up
    // happened), but not its address, IP or browser. One statement per account: the
    // accounts past their period on any day are few.
    for account in &deleted {
        audit::redact_personal(conn, account.id, &account.email).await?;
    }
    Ok(())
}

/// Deletes the account and, for a sign-up, its merchant (the membership, tokens and any
/// invitation the merchant made go with them by cascade). Done under a savepoint: when
/// a row this code does not know of refers to the merchant or the user (a product, a KYC
/// application, a staff action), the foreign key refuses, the account is kept and the
/// sweep goes on. Returns whether it was deleted.
async fn delete_account(conn: &mut PgConnection, account: &Unverified) -> Result<bool, AuditError> {
    let mut savepoint = conn.begin().await?;
    let deleted = async {
        if let Some(merchant_id) = account.owned_merchant {
            sqlx::query("DELETE FROM merchants WHERE id = $1")
                .bind(merchant_id)
                .execute(&mut *savepoint)
                .await?;
        }
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(account.id)
            .execute(&mut *savepoint)
            .await
    }
    .await;
    match deleted {
        Ok(_) => {
            savepoint.commit().await?;
            Ok(true)
        }
        Err(error) if is_referenced(&error) => {
            savepoint.rollback().await?;
            tracing::info!(user_id = %account.id, "unverified account kept: records refer to it");
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}

/// A foreign key refused the delete: something still refers to the row.
fn is_referenced(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("23503"))
}

fn invitation_link_hours() -> i32 {
    i32::try_from(invitations::LINK_HOURS).unwrap_or(i32::MAX)
}

/// Deletes invitations to addresses that had an account, [`EXPIRED_INVITATION_DAYS`] after
/// the link an invitation would have carried expired.
async fn invitations_to_accounts(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM invitations_to_accounts WHERE id IN (
             SELECT id FROM invitations_to_accounts
             WHERE created_at < now() - make_interval(days => $1, hours => $2)
             FOR UPDATE SKIP LOCKED)",
    )
    .bind(days(EXPIRED_INVITATION_DAYS))
    .bind(invitation_link_hours())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Clears the buyer email of checkouts never paid, [`ABANDONED_CHECKOUT_EMAIL_DAYS`] after
/// they expired. An open one long past its expiry (the expiry job was down) counts as
/// abandoned too. The checkout itself stays: its amount and items are the merchant's own
/// record, and a payment attempt on it refers to it.
async fn abandoned_checkout_emails(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE checkout_sessions SET buyer_email = NULL WHERE id IN (
             SELECT id FROM checkout_sessions
             WHERE status <> 'paid' AND buyer_email IS NOT NULL
               AND expires_at < now() - make_interval(days => $1)
             FOR UPDATE SKIP LOCKED)",
    )
    .bind(days(ABANDONED_CHECKOUT_EMAIL_DAYS))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes mail sent, or given up on, more than [`SENT_MAIL_DAYS`] ago; mail still due is
/// never touched. Returns (sent, given up).
async fn old_mail(conn: &mut PgConnection) -> Result<(u64, u64), sqlx::Error> {
    let (sent, given_up): (i64, i64) = sqlx::query_as(
        "WITH gone AS (
             DELETE FROM mail_outbox WHERE id IN (
                 SELECT id FROM mail_outbox
                 WHERE coalesce(sent_at, failed_at) < now() - make_interval(days => $1)
                 FOR UPDATE SKIP LOCKED)
             RETURNING sent_at IS NOT NULL AS sent)
         SELECT count(*) FILTER (WHERE sent), count(*) FILTER (WHERE NOT sent) FROM gone",
    )
    .bind(days(SENT_MAIL_DAYS))
    .fetch_one(conn)
    .await?;
    Ok((count(sent), count(given_up)))
}

/// Deletes contact-form messages [`CONTACT_REQUEST_DAYS`] after they arrived. A plain
/// delete: the application may not lock these rows for update (it never changes them), and
/// a second sweep at once only waits for the first and then finds nothing.
async fn old_contact_requests(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM contact_requests WHERE created_at < now() - make_interval(days => $1)",
    )
    .bind(days(CONTACT_REQUEST_DAYS))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Erases export archives whose link expired before anyone downloaded them; the row stays
/// as the record that an export was made.
async fn expired_exports(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE privacy_exports SET archive_enc = NULL WHERE request_id IN (
             SELECT request_id FROM privacy_exports
             WHERE archive_enc IS NOT NULL AND expires_at < now()
             FOR UPDATE SKIP LOCKED)",
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes data-subject requests [`PRIVACY_REQUEST_DAYS`] after they were closed, and
/// requests nobody confirmed [`UNCONFIRMED_REQUEST_DAYS`] after their link expired. Open
/// requests are never touched, however old.
async fn old_privacy_requests(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM privacy_requests WHERE id IN (
             SELECT id FROM privacy_requests
             WHERE closed_at < now() - make_interval(days => $1)
                OR (status = 'unverified' AND token_expires_at < now() - make_interval(days => $2))
             FOR UPDATE SKIP LOCKED)",
    )
    .bind(days(PRIVACY_REQUEST_DAYS))
    .bind(days(UNCONFIRMED_REQUEST_DAYS))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

fn count(rows: i64) -> u64 {
    u64::try_from(rows).unwrap_or(0)
}

#[cfg(test)]
mod tests;
