//! The one way a chargeback's status moves, in the caller's transaction: the row locked,
//! impossible moves refused, a repeat of the move already made answered as a no-op, and
//! the status, the books and the audit row written together.
//!
//! - open → evidence_submitted: the merchant's first evidence (later evidence keeps it);
//! - open | evidence_submitted → won: the acquirer returned the money; the entry
//!   `chargeback:<id>:reversal` credits the merchant's `available` balance (what the
//!   chargeback took from pending was released or gone by now, so it comes back as
//!   available) and debits gateway clearing;
//! - open | evidence_submitted → lost: no money moves, the merchant was debited when it
//!   was recorded.

use domain::{ChargebackStatus, Currency, MerchantId, Money, PaymentId};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{ChargebackError, mails};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::gateway_accounts::Mode;
use crate::identity::roles::{Level, Module, StaffScope};
use crate::ledger::{self, AccountKind, EntryKind, Line, NewEntry};

/// Staff's decision once the acquirer has ruled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Won,
    Lost,
}

impl Decision {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "won" => Some(Decision::Won),
            "lost" => Some(Decision::Lost),
            _ => None,
        }
    }

    fn status(self) -> ChargebackStatus {
        match self {
            Decision::Won => ChargebackStatus::Won,
            Decision::Lost => ChargebackStatus::Lost,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// A member of `merchant_id` added evidence (audited by the caller with the evidence).
    EvidenceAdded { merchant_id: MerchantId },
    /// Staff member `staff_id` decided.
    Decide { decision: Decision, staff_id: Uuid },
}

/// Staff's decision on chargeback `id` (a scope holding payments `act`), in its own
/// transaction, with a mail to the merchant when it changed anything. Answers the status
/// afterwards.
#[tracing::instrument(skip(platform, staff, facts))]
pub async fn decide(
    platform: &Platform,
    staff: &StaffScope,
    id: Uuid,
    decision: Decision,
    facts: &RequestFacts,
) -> Result<ChargebackStatus, ChargebackError> {
    staff.holds(Module::Payments, Level::Act)?;
    let staff_id = staff.user_id();
    let mut tx = platform.pool.begin().await?;
    let (status, changed) = apply(&mut tx, id, Move::Decide { decision, staff_id }, facts).await?;
    if changed {
        let (merchant_id, order_id, amount_minor, currency): (MerchantId, String, i64, Currency) =
            sqlx::query_as(
                "SELECT c.merchant_id, p.order_id, c.amount_minor, c.currency::text
             FROM chargebacks c JOIN payments p ON p.id = c.payment_id WHERE c.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let notice = mails::Notice::Decided {
            order_id: &order_id,
            amount: Money::new(amount_minor, currency),
            decision,
            chargeback_id: id,
        };
        let config = &platform.config;
        mails::notify(
            &mut tx,
            &config.secrets.field_keys,
            &config.settings,
            merchant_id,
            &notice,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(status)
}

#[derive(sqlx::FromRow)]
struct Row {
    merchant_id: MerchantId,
    payment_id: PaymentId,
    mode: Mode,
    currency: Currency,
    amount_minor: i64,
    status: ChargebackStatus,
}

/// Moves chargeback `id` and answers its status afterwards, and whether it changed.
#[tracing::instrument(skip(conn, facts))]
pub async fn apply(
    conn: &mut PgConnection,
    id: Uuid,
    movement: Move,
    facts: &RequestFacts,
) -> Result<(ChargebackStatus, bool), ChargebackError> {
    let scope = match movement {
        Move::EvidenceAdded { merchant_id } => Some(merchant_id),
        Move::Decide { .. } => None,
    };
    let row: Row = sqlx::query_as(
        "SELECT merchant_id, payment_id, mode, currency::text AS currency, amount_minor, status FROM chargebacks
         WHERE id = $1 AND ($2::uuid IS NULL OR merchant_id = $2) FOR UPDATE",
    )
    .bind(id)
    .bind(scope)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(ChargebackError::NotFound)?;
    let decided = || ChargebackError::invalid("chargeback", "This chargeback has been decided.");
    match (row.status, movement) {
        (ChargebackStatus::Open, Move::EvidenceAdded { .. }) => {
            sqlx::query("UPDATE chargebacks SET status = 'evidence_submitted' WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            Ok((ChargebackStatus::EvidenceSubmitted, true))
        }
        (ChargebackStatus::EvidenceSubmitted, Move::EvidenceAdded { .. }) => {
            Ok((row.status, false))
        }
        (ChargebackStatus::Won | ChargebackStatus::Lost, Move::EvidenceAdded { .. }) => {
            Err(decided())
        }
        (status, Move::Decide { decision, .. }) if status == decision.status() => {
            Ok((status, false))
        }
        (ChargebackStatus::Won | ChargebackStatus::Lost, Move::Decide { .. }) => Err(decided()),
        (
            ChargebackStatus::Open | ChargebackStatus::EvidenceSubmitted,
            Move::Decide { decision, staff_id },
        ) => {
            close(conn, id, &row, decision, staff_id, facts).await?;
            Ok((decision.status(), true))
        }
    }
}

async fn close(
    conn: &mut PgConnection,
    id: Uuid,
    row: &Row,
    decision: Decision,
    staff_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), ChargebackError> {
    sqlx::query(
        "UPDATE chargebacks SET status = $2, decided_by = $3, decided_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(decision.status())
    .bind(staff_id)
    .execute(&mut *conn)
    .await?;
    if decision == Decision::Won {
        let entry = NewEntry {
            kind: EntryKind::ChargebackReversal,
            mode: row.mode,
            merchant_id: Some(row.merchant_id),
            currency: row.currency,
            cause: format!("chargeback:{id}:reversal"),
            payment_id: Some(row.payment_id),
            memo: Some("Chargeback won: the acquirer returned the money."),
            created_by: Some(staff_id),
            lines: vec![
                Line::debit(AccountKind::GatewayClearing, row.amount_minor),
                Line::credit(AccountKind::MerchantAvailable, row.amount_minor),
            ],
        };
        ledger::post(conn, &entry).await?;
    }
    let event_type = match decision {
        Decision::Won => "chargeback.won",
        Decision::Lost => "chargeback.lost",
    };
    let event = Event::new(
        event_type,
        Actor {
            kind: ActorKind::Staff,
            id: Some(staff_id),
        },
        Outcome::Success,
    )
    .merchant(row.merchant_id)
    .target("chargeback", id.to_string())
    .detail(
        serde_json::json!({ "amount_minor": row.amount_minor, "currency": row.currency.alpha() }),
    );
    audit::record(conn, &event, facts).await?;
    Ok(())
}
