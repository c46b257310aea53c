//! Manual adjustments by staff (`ledger_adjustments`, module `payouts` `act`): a merchant's
//! available balance credited or debited against one platform account (a goodwill refund
//! of a fee from `fee_revenue`, the acquirer's fees from `gateway_fees`, a chargeback
//! Saleonix absorbs from `chargeback_losses`), with a reason.
//!
//! Up to `settings.ledger.adjustment_four_eyes_above_minor` it is posted at once. Above it,
//! it waits until a second staff member approves (or rejects) it; the requester cannot,
//! and the schema refuses it too. Approval posts one `adjustment` entry whose cause is the
//! adjustment's id, so a repeated approval posts nothing. Every request, decision and
//! refused decision is audited.

use domain::{MerchantId, Money};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use super::change::{ChangeError, hundredths};
use super::{AccountKind, EntryKind, Line, NewEntry};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::gateway_accounts::Mode;
use crate::identity::roles::{Level, Module, StaffScope};

/// The platform accounts an adjustment may move money against.
pub const COUNTER_ACCOUNTS: [AccountKind; 3] = [
    AccountKind::FeeRevenue,
    AccountKind::GatewayFees,
    AccountKind::ChargebackLosses,
];

/// An adjustment as staff type it.
#[derive(Debug, Clone, Default)]
pub struct NewAdjustment {
    pub mode: String,
    /// `credit` (the merchant gets money) or `debit` (the merchant gives it).
    pub direction: String,
    /// Euro, like `12.50`.
    pub amount: String,
    /// `fee_revenue`, `gateway_fees` or `chargeback_losses`.
    pub counter_account: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub id: Uuid,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub mode: Mode,
    pub direction: String,
    /// Positive: `direction` says which way it moves.
    pub amount: Money,
    pub counter_account: AccountKind,
    pub reason: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub needs_second: bool,
    pub requested_by: Uuid,
    pub requested_by_email: String,
    pub requested_at: OffsetDateTime,
    pub decided_by_email: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub entry_id: Option<i64>,
}

impl FromRow<'_, PgRow> for Adjustment {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Adjustment {
            id: row.try_get("id")?,
            merchant_id: row.try_get("merchant_id")?,
            merchant_name: row.try_get("merchant_name")?,
            mode: row.try_get("mode")?,
            direction: row.try_get("direction")?,
            amount: super::money_at(row, "amount_minor", "currency")?,
            counter_account: row.try_get("counter_account")?,
            reason: row.try_get("reason")?,
            status: row.try_get("status")?,
            needs_second: row.try_get("needs_second")?,
            requested_by: row.try_get("requested_by")?,
            requested_by_email: row.try_get("requested_by_email")?,
            requested_at: row.try_get("requested_at")?,
            decided_by_email: row.try_get("decided_by_email")?,
            decided_at: row.try_get("decided_at")?,
            entry_id: row.try_get("entry_id")?,
        })
    }
}

const SELECT: &str = "SELECT a.id, a.merchant_id, m.business_name AS merchant_name, a.mode, a.currency::text AS currency,
        a.direction, a.amount_minor, a.counter_account, a.reason, a.status, a.needs_second, a.requested_by,
        r.email AS requested_by_email, a.requested_at, d.email AS decided_by_email, a.decided_at, a.entry_id
    FROM ledger_adjustments a JOIN merchants m ON m.id = a.merchant_id JOIN users r ON r.id = a.requested_by
    LEFT JOIN users d ON d.id = a.decided_by";

/// A merchant's adjustments, newest first.
pub async fn of_merchant(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Vec<Adjustment>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE a.merchant_id = $1 ORDER BY a.requested_at DESC LIMIT 100"
    ))
    .bind(merchant_id)
    .fetch_all(conn)
    .await
}

/// Adjustments waiting for a second staff member, oldest first.
pub async fn waiting(conn: &mut PgConnection) -> Result<Vec<Adjustment>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE a.status = 'pending' ORDER BY a.requested_at"
    ))
    .fetch_all(conn)
    .await
}

async fn one(conn: &mut PgConnection, id: Uuid) -> Result<Adjustment, ChangeError> {
    sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(ChangeError::NotFound)
}

struct Checked {
    mode: Mode,
    credit: bool,
    /// In euro, the currency adjustments are typed in.
    amount: Money,
    counter: AccountKind,
    reason: String,
}

fn check(new: &NewAdjustment) -> Result<Checked, ChangeError> {
    let mode = Mode::parse(new.mode.trim())
        .ok_or_else(|| ChangeError::invalid("mode", "Choose Test or Live Mode."))?;
    let credit = match new.direction.trim() {
        "credit" => true,
        "debit" => false,
        _ => {
            return Err(ChangeError::invalid(
                "direction",
                "Choose whether the merchant is credited or debited.",
            ));
        }
    };
    let amount_minor = hundredths(&new.amount)
        .filter(|minor| (1..=100_000_000).contains(minor))
        .ok_or_else(|| {
            ChangeError::invalid(
                "amount",
                "Enter an amount in euro from 0.01 to 1000000.00, like 12.50.",
            )
        })?;
    let counter = COUNTER_ACCOUNTS
        .into_iter()
        .find(|kind| kind.as_str() == new.counter_account.trim())
        .ok_or_else(|| {
            ChangeError::invalid(
                "counter_account",
                "Choose the platform account on the other side.",
            )
        })?;
    let reason = new.reason.trim().to_owned();
    if !(5..=500).contains(&reason.chars().count()) {
        return Err(ChangeError::invalid(
            "reason",
            "Say why, in 5 to 500 characters: the merchant's statement shows it.",
        ));
    }
    Ok(Checked {
        mode,
        credit,
        amount: Money::eur(amount_minor),
        counter,
        reason,
    })
}

fn actor(staff_id: Uuid) -> Actor {
    Actor {
        kind: ActorKind::Staff,
        id: Some(staff_id),
    }
}

/// Posts the adjustment's entry and returns its id; its cause was never posted before,
/// since the row is locked or new.
async fn post(
    conn: &mut PgConnection,
    id: Uuid,
    merchant_id: MerchantId,
    checked: &Checked,
    by: Uuid,
) -> Result<i64, ChangeError> {
    let (to, from) = if checked.credit {
        (AccountKind::MerchantAvailable, checked.counter)
    } else {
        (checked.counter, AccountKind::MerchantAvailable)
    };
    let entry = NewEntry {
        kind: EntryKind::Adjustment,
        mode: checked.mode,
        merchant_id: Some(merchant_id),
        currency: checked.amount.currency(),
        cause: format!("adjustment:{id}"),
        payment_id: None,
        memo: Some(&checked.reason),
        created_by: Some(by),
        lines: vec![
            Line::debit(from, checked.amount.minor()),
            Line::credit(to, checked.amount.minor()),
        ],
    };
    match super::post(conn, &entry).await? {
        Some(entry_id) => Ok(entry_id),
        None => Err(ChangeError::NotAllowed(
            "This adjustment was already posted.",
        )),
    }
}

/// Asks for an adjustment of `merchant_id`'s available balance (a staff scope holding
/// payouts `act`); posted at once up to the four-eyes threshold, else waiting for a second
/// staff member.
pub async fn request(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    new: &NewAdjustment,
    facts: &RequestFacts,
) -> Result<Adjustment, ChangeError> {
    staff.holds(Module::Payouts, Level::Act)?;
    let staff_id = staff.user_id();
    let checked = check(new)?;
    let needs_second = checked.amount.minor()
        > platform
            .config
            .settings
            .ledger
            .adjustment_four_eyes_above_minor;
    let mut tx = platform.pool.begin().await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM merchants WHERE id = $1)")
        .bind(merchant_id)
        .fetch_one(&mut *tx)
        .await?;
    if !exists {
        return Err(ChangeError::NotFound);
    }
    let id = Uuid::new_v4();
    let entry_id = if needs_second {
        None
    } else {
        Some(post(&mut tx, id, merchant_id, &checked, staff_id).await?)
    };
    sqlx::query(
        "INSERT INTO ledger_adjustments (id, merchant_id, mode, direction, amount_minor, counter_account, reason, status,
                                         needs_second, requested_by, decided_by, decided_at, entry_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8 THEN 'pending' ELSE 'approved' END, $8, $9,
                 CASE WHEN $8 THEN NULL ELSE $9 END, CASE WHEN $8 THEN NULL ELSE now() END, $10)",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(checked.mode)
    .bind(if checked.credit { "credit" } else { "debit" })
    .bind(checked.amount.minor())
    .bind(checked.counter)
    .bind(&checked.reason)
    .bind(needs_second)
    .bind(staff_id)
    .bind(entry_id)
    .execute(&mut *tx)
    .await?;
    let event = Event::new(
        "ledger.adjustment.request",
        actor(staff_id),
        Outcome::Success,
    )
    .merchant(merchant_id)
    .target("adjustment", id.to_string())
    .detail(serde_json::json!({
        "mode": checked.mode.as_str(),
        "direction": if checked.credit { "credit" } else { "debit" },
        "amount_minor": checked.amount.minor(),
        "counter_account": checked.counter.as_str(),
        "posted": !needs_second,
    }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    let mut conn = platform.pool.acquire().await?;
    one(&mut conn, id).await
}

/// A second staff member (a scope holding payouts `act`) approves (posting the entry) or
/// rejects a waiting adjustment. The requester is refused, and so is a decision on one
/// already decided; both refusals are audited.
pub async fn decide(
    platform: &Platform,
    staff: &StaffScope,
    adjustment_id: Uuid,
    approve: bool,
    facts: &RequestFacts,
) -> Result<Adjustment, ChangeError> {
    staff.holds(Module::Payouts, Level::Act)?;
    let staff_id = staff.user_id();
    let mut tx = platform.pool.begin().await?;
    type Row = (
        MerchantId,
        Mode,
        String,
        i64,
        AccountKind,
        String,
        String,
        Uuid,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT merchant_id, mode, direction, amount_minor, counter_account, reason, status, requested_by
         FROM ledger_adjustments WHERE id = $1 FOR UPDATE",
    )
    .bind(adjustment_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((merchant_id, mode, direction, amount_minor, counter, reason, status, requested_by)) =
        row
    else {
        return Err(ChangeError::NotFound);
    };
    let refusal = if status != "pending" {
        Some(("already decided", "This adjustment was already decided."))
    } else if requested_by == staff_id {
        Some((
            "four eyes",
            "A second staff member must decide an adjustment you asked for.",
        ))
    } else {
        None
    };
    let event_type = if approve {
        "ledger.adjustment.approve"
    } else {
        "ledger.adjustment.reject"
    };
    if let Some((reason, message)) = refusal {
        drop(tx);
        let event = Event::new(event_type, actor(staff_id), Outcome::Denied)
            .merchant(merchant_id)
            .target("adjustment", adjustment_id.to_string())
            .reason(reason);
        audit::record_alone(&platform.pool, &event, facts).await?;
        return Err(ChangeError::NotAllowed(message));
    }
    let entry_id = if approve {
        let checked = Checked {
            mode,
            credit: direction == "credit",
            amount: Money::eur(amount_minor),
            counter,
            reason,
        };
        Some(post(&mut tx, adjustment_id, merchant_id, &checked, requested_by).await?)
    } else {
        None
    };
    sqlx::query(
        "UPDATE ledger_adjustments SET status = $2, decided_by = $3, decided_at = now(), entry_id = $4 WHERE id = $1",
    )
    .bind(adjustment_id)
    .bind(if approve { "approved" } else { "rejected" })
    .bind(staff_id)
    .bind(entry_id)
    .execute(&mut *tx)
    .await?;
    let event = Event::new(event_type, actor(staff_id), Outcome::Success)
        .merchant(merchant_id)
        .target("adjustment", adjustment_id.to_string())
        .detail(serde_json::json!({ "amount_minor": amount_minor, "direction": direction }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    let mut conn = platform.pool.acquire().await?;
    one(&mut conn, adjustment_id).await
}
