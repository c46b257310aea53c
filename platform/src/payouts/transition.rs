//! The payout state machine, in one place: a payout is created (by the run) in a batch,
//! the batch is approved by someone other than its creator, sent (its file uploaded to the
//! bank), and each payout then ends paid or returned. Every step locks its row, refuses an
//! impossible move, treats a repeat as a no-op, and writes the status, the one ledger
//! entry the step means and the audit row in the caller's transaction. The entries:
//!
//! | step     | debit                | credit               |
//! |----------|----------------------|----------------------|
//! | created  | merchant_available   | merchant_in_payout   |
//! | approved | (no money moves)     |                      |
//! | sent     | merchant_in_payout   | payouts_in_transit   |
//! | paid     | payouts_in_transit   | payout_bank          |
//! | returned | payouts_in_transit   | merchant_available   |
//!
//! A returned payout also flags the bank account it went to, so no payout goes there
//! again until the merchant changes the account, and tells the merchant's owners, admins
//! and finance members by mail. Creation, payment and return raise the merchant's
//! `payout.*` event in the same transaction.

use domain::{BatchStatus, MerchantId, Money, PayoutStatus};
use secrecy::SecretString;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Row};
use uuid::Uuid;

use super::PayoutError;
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::gateway_accounts::Mode;
use crate::identity::roles::{Level, Module, StaffScope};
use crate::ledger::{self, AccountKind, EntryKind, Line, NewEntry, money_at};
use crate::mail::{self, OutgoingMail};

/// One step of a batch or payout, by a staff member whose scope holds payouts `act`.
#[derive(Debug, Clone, Copy)]
pub enum Move<'a> {
    /// A staff member (never the batch's creator) approves a created batch.
    Approve {
        batch_id: Uuid,
        staff: &'a StaffScope,
    },
    /// Staff uploaded the approved batch's file to the bank.
    Send {
        batch_id: Uuid,
        staff: &'a StaffScope,
    },
    /// The bank paid the payout: marked by staff, or by a statement import (`staff` is
    /// then the importer).
    Paid {
        payout_id: Uuid,
        staff: &'a StaffScope,
    },
    /// The bank sent the payout back.
    Returned {
        payout_id: Uuid,
        staff: &'a StaffScope,
        reason: &'a str,
    },
}

impl Move<'_> {
    fn staff(&self) -> &StaffScope {
        match self {
            Move::Approve { staff, .. }
            | Move::Send { staff, .. }
            | Move::Paid { staff, .. }
            | Move::Returned { staff, .. } => staff,
        }
    }
}

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Moved,
    /// The row was already there: a repeat, nothing changed.
    AlreadyDone,
}

fn staff(id: Uuid) -> Actor {
    Actor {
        kind: ActorKind::Staff,
        id: Some(id),
    }
}

/// [`apply_in`] in a transaction of its own. A four-eyes refusal is audited on its own,
/// since the step's transaction does not commit.
pub async fn apply(
    platform: &Platform,
    step: Move<'_>,
    facts: &RequestFacts,
) -> Result<Applied, PayoutError> {
    let mut tx = platform.pool.begin().await?;
    match apply_in(&mut tx, platform, step, facts).await {
        Ok(applied) => {
            tx.commit().await?;
            Ok(applied)
        }
        Err(PayoutError::OwnBatch) => {
            drop(tx);
            if let Move::Approve {
                batch_id,
                staff: scope,
            } = step
            {
                let event = Event::new(
                    "payout_batch.approve",
                    staff(scope.user_id()),
                    Outcome::Denied,
                )
                .target("payout_batch", batch_id.to_string())
                .reason("four_eyes");
                audit::record_alone(&platform.pool, &event, facts).await?;
            }
            Err(PayoutError::OwnBatch)
        }
        Err(error) => Err(error),
    }
}

/// Applies `step` in `conn`'s transaction, once its staff scope is found to hold payouts
/// `act` (a refusal changes nothing).
#[tracing::instrument(skip(conn, platform, facts))]
pub async fn apply_in(
    conn: &mut PgConnection,
    platform: &Platform,
    step: Move<'_>,
    facts: &RequestFacts,
) -> Result<Applied, PayoutError> {
    step.staff().holds(Module::Payouts, Level::Act)?;
    let staff_id = step.staff().user_id();
    match step {
        Move::Approve { batch_id, .. } => approve(conn, batch_id, staff_id, facts).await,
        Move::Send { batch_id, .. } => send(conn, batch_id, staff_id, facts).await,
        Move::Paid { payout_id, .. } => {
            settle(conn, platform, payout_id, staff_id, None, facts).await
        }
        Move::Returned {
            payout_id, reason, ..
        } => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(PayoutError::invalid(
                    "reason",
                    "Say why the bank returned it (up to 500 characters).",
                ));
            }
            settle(conn, platform, payout_id, staff_id, Some(reason), facts).await
        }
    }
}

async fn lock_batch(
    conn: &mut PgConnection,
    batch_id: Uuid,
) -> Result<(BatchStatus, Option<Uuid>), PayoutError> {
    sqlx::query_as("SELECT status, created_by FROM payout_batches WHERE id = $1 FOR UPDATE")
        .bind(batch_id)
        .fetch_optional(conn)
        .await?
        .ok_or(PayoutError::NotFound)
}

async fn approve(
    conn: &mut PgConnection,
    batch_id: Uuid,
    staff_id: Uuid,
    facts: &RequestFacts,
) -> Result<Applied, PayoutError> {
    let (status, created_by) = lock_batch(conn, batch_id).await?;
    if created_by == Some(staff_id) {
        return Err(PayoutError::OwnBatch);
    }
    if status != BatchStatus::Created {
        return Ok(Applied::AlreadyDone);
    }
    sqlx::query("UPDATE payout_batches SET status = 'approved', approved_by = $2, approved_at = now() WHERE id = $1")
        .bind(batch_id)
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    let approved = sqlx::query(
        "UPDATE payouts SET status = 'approved' WHERE batch_id = $1 AND status = 'created'",
    )
    .bind(batch_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let event = Event::new("payout_batch.approve", staff(staff_id), Outcome::Success)
        .target("payout_batch", batch_id.to_string())
        .detail(serde_json::json!({ "payouts": approved }));
    audit::record(conn, &event, facts).await?;
    Ok(Applied::Moved)
}

struct PayoutRow {
    id: Uuid,
    merchant_id: MerchantId,
    bank_account_id: Uuid,
    amount: Money,
    status: PayoutStatus,
}

impl FromRow<'_, PgRow> for PayoutRow {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(PayoutRow {
            id: row.try_get("id")?,
            merchant_id: row.try_get("merchant_id")?,
            bank_account_id: row.try_get("bank_account_id")?,
            amount: money_at(row, "amount_minor", "currency")?,
            status: row.try_get("status")?,
        })
    }
}

const PAYOUT_COLUMNS: &str =
    "id, merchant_id, bank_account_id, currency::text AS currency, amount_minor, status";

fn entry<'a>(
    kind: EntryKind,
    payout: &'a PayoutRow,
    step: &str,
    staff_id: Option<Uuid>,
    lines: Vec<Line>,
) -> NewEntry<'a> {
    NewEntry {
        kind,
        mode: Mode::Live,
        merchant_id: Some(payout.merchant_id),
        currency: payout.amount.currency(),
        cause: format!("payout:{}:{step}", payout.id),
        payment_id: None,
        memo: None,
        created_by: staff_id,
        lines,
    }
}

async fn send(
    conn: &mut PgConnection,
    batch_id: Uuid,
    staff_id: Uuid,
    facts: &RequestFacts,
) -> Result<Applied, PayoutError> {
    let (status, _) = lock_batch(conn, batch_id).await?;
    match status {
        BatchStatus::Created => {
            return Err(PayoutError::NotAllowed(
                "Approve the batch before sending it.",
            ));
        }
        BatchStatus::Sent => return Ok(Applied::AlreadyDone),
        BatchStatus::Approved => {}
    }
    let payouts: Vec<PayoutRow> = sqlx::query_as(&format!(
        "SELECT {PAYOUT_COLUMNS} FROM payouts WHERE batch_id = $1 ORDER BY id FOR UPDATE"
    ))
    .bind(batch_id)
    .fetch_all(&mut *conn)
    .await?;
    for payout in &payouts {
        let amount = payout.amount.minor();
        let lines = vec![
            Line::debit(AccountKind::MerchantInPayout, amount),
            Line::credit(AccountKind::PayoutsInTransit, amount),
        ];
        ledger::post(
            conn,
            &entry(EntryKind::PayoutSent, payout, "sent", Some(staff_id), lines),
        )
        .await?;
        sqlx::query("UPDATE payouts SET status = 'sent', sent_at = now() WHERE id = $1")
            .bind(payout.id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "UPDATE payout_batches SET status = 'sent', sent_by = $2, sent_at = now() WHERE id = $1",
    )
    .bind(batch_id)
    .bind(staff_id)
    .execute(&mut *conn)
    .await?;
    let event = Event::new("payout_batch.send", staff(staff_id), Outcome::Success)
        .target("payout_batch", batch_id.to_string())
        .detail(serde_json::json!({ "payouts": payouts.len() }));
    audit::record(conn, &event, facts).await?;
    Ok(Applied::Moved)
}

/// Paid (`returned` is `None`) or returned with its reason.
async fn settle(
    conn: &mut PgConnection,
    platform: &Platform,
    payout_id: Uuid,
    staff_id: Uuid,
    returned: Option<&str>,
    facts: &RequestFacts,
) -> Result<Applied, PayoutError> {
    let payout: PayoutRow = sqlx::query_as(&format!(
        "SELECT {PAYOUT_COLUMNS} FROM payouts WHERE id = $1 FOR UPDATE"
    ))
    .bind(payout_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(PayoutError::NotFound)?;
    let wanted = if returned.is_some() {
        PayoutStatus::Returned
    } else {
        PayoutStatus::Paid
    };
    match payout.status {
        status if status == wanted => return Ok(Applied::AlreadyDone),
        PayoutStatus::Paid | PayoutStatus::Returned => {
            return Err(PayoutError::NotAllowed(
                "The payout was already settled the other way; it cannot change now.",
            ));
        }
        PayoutStatus::Created | PayoutStatus::Approved => {
            return Err(PayoutError::NotAllowed(
                "The payout's batch was not sent to the bank yet.",
            ));
        }
        PayoutStatus::Sent => {}
    }
    let amount = payout.amount.minor();
    let (kind, step, to) = match returned {
        None => (EntryKind::PayoutPaid, "paid", AccountKind::PayoutBank),
        Some(_) => (
            EntryKind::PayoutReturned,
            "returned",
            AccountKind::MerchantAvailable,
        ),
    };
    let lines = vec![
        Line::debit(AccountKind::PayoutsInTransit, amount),
        Line::credit(to, amount),
    ];
    ledger::post(conn, &entry(kind, &payout, step, Some(staff_id), lines)).await?;
    match returned {
        None => {
            sqlx::query("UPDATE payouts SET status = 'paid', paid_at = now(), settled_by = $2 WHERE id = $1")
                .bind(payout.id)
                .bind(staff_id)
                .execute(&mut *conn)
                .await?;
        }
        Some(reason) => {
            sqlx::query(
                "UPDATE payouts SET status = 'returned', returned_at = now(), return_reason = $3, settled_by = $2 WHERE id = $1",
            )
            .bind(payout.id)
            .bind(staff_id)
            .bind(reason)
            .execute(&mut *conn)
            .await?;
            sqlx::query("UPDATE bank_accounts SET payout_returned_at = now() WHERE id = $1 AND payout_returned_at IS NULL")
                .bind(payout.bank_account_id)
                .execute(&mut *conn)
                .await?;
            notify_returned(conn, platform, &payout, reason).await?;
        }
    }
    crate::api::notify::payout_changed(conn, payout.id, wanted).await?;
    let event_type = if returned.is_some() {
        "payout.return"
    } else {
        "payout.pay"
    };
    let event = Event::new(event_type, staff(staff_id), Outcome::Success)
        .merchant(payout.merchant_id)
        .target("payout", payout.id.to_string())
        .detail(serde_json::json!({ "amount_minor": amount, "currency": payout.amount.currency().alpha() }));
    audit::record(conn, &event, facts).await?;
    Ok(Applied::Moved)
}

/// Mails the merchant's owners, admins and finance members that the bank sent a payout
/// back, why, and that payouts wait for a new account.
async fn notify_returned(
    conn: &mut PgConnection,
    platform: &Platform,
    payout: &PayoutRow,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let (masked, end_to_end_id): (String, String) = sqlx::query_as(
        "SELECT b.iban_masked, p.end_to_end_id FROM payouts p JOIN bank_accounts b ON b.id = p.bank_account_id WHERE p.id = $1",
    )
    .bind(payout.id)
    .fetch_one(&mut *conn)
    .await?;
    let people: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, u.full_name FROM merchant_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.merchant_id = $1 AND mm.role IN ('owner', 'admin', 'finance') AND u.disabled_at IS NULL
           AND u.email_verified_at IS NOT NULL
         ORDER BY u.email",
    )
    .bind(payout.merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    let amount = payout.amount;
    let origin = platform.config.settings.public_origin();
    for (email, name) in people {
        let body = format!(
            "Hello {name},\n\nYour bank returned the Saleonix payout {end_to_end_id} of {amount} to the account {masked}. \
             The bank's reason: {reason}.\n\nThe money is back in your available balance. Payouts to this account have \
             stopped: check the account with your bank, then enter it again or a new one at {origin}/dashboard/verification. \
             Payouts resume on your schedule once the change's hold has passed.\n\n- Saleonix\n",
        );
        let notice = OutgoingMail {
            to: email,
            subject: "A payout was returned by your bank".to_owned(),
            body: SecretString::from(body),
        };
        mail::enqueue(conn, &platform.config.secrets.field_keys, &notice).await?;
    }
    Ok(())
}

/// A payout the run creates: the row and its `created` entry, in the run's transaction.
pub(super) struct NewPayout {
    pub batch_id: Uuid,
    pub merchant_id: MerchantId,
    pub bank_account_id: Uuid,
    pub amount: Money,
    pub run_on: time::Date,
    pub created_by: Option<Uuid>,
}

pub(super) async fn create(conn: &mut PgConnection, new: &NewPayout) -> Result<Uuid, PayoutError> {
    let id = Uuid::new_v4();
    // 35 characters at most: `SXP` and the id's 32 hex digits.
    let end_to_end_id = format!("SXP{}", id.simple()).to_uppercase();
    sqlx::query(
        "INSERT INTO payouts (id, batch_id, merchant_id, bank_account_id, mode, currency, amount_minor, run_on, end_to_end_id)
         VALUES ($1, $2, $3, $4, 'live', $5::currency_code, $6, $7, $8)",
    )
    .bind(id)
    .bind(new.batch_id)
    .bind(new.merchant_id)
    .bind(new.bank_account_id)
    .bind(new.amount.currency())
    .bind(new.amount.minor())
    .bind(new.run_on)
    .bind(&end_to_end_id)
    .execute(&mut *conn)
    .await?;
    let row = PayoutRow {
        id,
        merchant_id: new.merchant_id,
        bank_account_id: new.bank_account_id,
        amount: new.amount,
        status: PayoutStatus::Created,
    };
    let amount = new.amount.minor();
    let lines = vec![
        Line::debit(AccountKind::MerchantAvailable, amount),
        Line::credit(AccountKind::MerchantInPayout, amount),
    ];
    ledger::post(
        conn,
        &entry(
            EntryKind::PayoutCreated,
            &row,
            "created",
            new.created_by,
            lines,
        ),
    )
    .await?;
    crate::api::notify::payout_changed(conn, id, PayoutStatus::Created).await?;
    Ok(id)
}
