//! Recording a chargeback the acquirer reported, by staff holding `payments` at `act`
//! (the console's Payments module, where the payment and its 3-D Secure result are
//! looked up; `refunds` is for money Saleonix itself sends back to a buyer).

use domain::{Currency, MerchantId, Money, PaymentId};
use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use super::{ChargebackError, mails};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::gateway_accounts::Mode;
use crate::identity::roles::{Level, Module, StaffScope};
use crate::ledger::{self, AccountKind, EntryKind, Line, NewEntry};
use domain::PaymentStatus;

/// What the acquirer reported, as staff typed it.
#[derive(Debug, Clone)]
pub struct NewChargeback {
    /// The console form's id: recording again with it answers the same chargeback.
    pub request_id: Uuid,
    pub payment_id: PaymentId,
    /// In the payment's currency.
    pub amount: Money,
    pub reason_code: String,
    pub reported_on: Date,
    pub evidence_due_on: Date,
}

/// A scheme reason code: `10.4`, `4837`, `UA02`.
fn valid_reason_code(code: &str) -> bool {
    (1..=10).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// The refusals of a form that does not describe a possible chargeback, before anything
/// is locked: `today` is Kosovo's.
fn check(new: &NewChargeback, today: Date) -> Result<(), ChargebackError> {
    if !new.amount.is_positive() {
        return Err(ChargebackError::invalid(
            "amount",
            "Enter the amount the acquirer took back, more than zero.",
        ));
    }
    if !valid_reason_code(new.reason_code.trim()) {
        return Err(ChargebackError::invalid(
            "reason_code",
            "Enter the scheme's reason code, like 10.4 or 4837.",
        ));
    }
    if new.reported_on > today {
        return Err(ChargebackError::invalid(
            "reported_on",
            "The report date cannot be in the future.",
        ));
    }
    if new.evidence_due_on < today {
        return Err(ChargebackError::invalid(
            "evidence_due_on",
            "The evidence deadline has already passed.",
        ));
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Payment {
    merchant_id: MerchantId,
    mode: Mode,
    currency: Currency,
    amount_minor: i64,
    status: PaymentStatus,
    order_id: String,
}

/// Records the chargeback (a staff scope holding payments `act`), debits the merchant and
/// queues the mail, all in one transaction; answers its id. A repeated request id answers
/// the chargeback it made.
#[tracing::instrument(skip(platform, staff, new, facts), fields(payment_id = %new.payment_id, request_id = %new.request_id))]
pub async fn record(
    platform: &Platform,
    staff: &StaffScope,
    new: &NewChargeback,
    facts: &RequestFacts,
) -> Result<Uuid, ChargebackError> {
    staff.holds(Module::Payments, Level::Act)?;
    let staff_id = staff.user_id();
    let mut tx = platform.pool.begin().await?;
    let today = ledger::today(&mut tx).await?;
    check(new, today)?;
    // The payment's row lock orders this recording after any other of the same payment
    // (and after a refund's change of it).
    let payment: Payment = sqlx::query_as(
        "SELECT merchant_id, mode, currency::text AS currency, amount_minor, status, order_id
         FROM payments WHERE id = $1 FOR UPDATE",
    )
    .bind(new.payment_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ChargebackError::NotFound)?;
    if let Some(id) = sqlx::query_scalar("SELECT id FROM chargebacks WHERE request_id = $1")
        .bind(new.request_id)
        .fetch_optional(&mut *tx)
        .await?
    {
        return Ok(id);
    }
    if !payment.status.is_paid() {
        return Err(ChargebackError::invalid(
            "order_id",
            "Only a paid payment can be charged back.",
        ));
    }
    if new.amount.currency() != payment.currency {
        return Err(ChargebackError::invalid(
            "amount",
            format!(
                "Enter the amount in the payment's currency, {}.",
                payment.currency
            ),
        ));
    }
    let earlier: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(amount_minor), 0)::bigint FROM chargebacks WHERE payment_id = $1",
    )
    .bind(new.payment_id)
    .fetch_one(&mut *tx)
    .await?;
    let remaining = Money::new(payment.amount_minor, payment.currency)
        .checked_sub(Money::new(earlier, payment.currency))
        .ok_or_else(|| ChargebackError::invalid("amount", "The amount is out of range."))?;
    if new.amount.minor() > remaining.minor() {
        return Err(ChargebackError::Exceeds { remaining });
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO chargebacks (id, request_id, payment_id, merchant_id, mode, amount_minor, currency, reason_code,
                                  reported_on, evidence_due_on, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(new.request_id)
    .bind(new.payment_id)
    .bind(payment.merchant_id)
    .bind(payment.mode)
    .bind(new.amount.minor())
    .bind(payment.currency)
    .bind(new.reason_code.trim())
    .bind(new.reported_on)
    .bind(new.evidence_due_on)
    .bind(staff_id)
    .execute(&mut *tx)
    .await
    .map_err(|error| match ChargebackError::constraint(&error) {
        Some("chargebacks_within_captured") => ChargebackError::Exceeds { remaining },
        _ => ChargebackError::from(error),
    })?;
    debit(&mut tx, id, new, &payment, staff_id).await?;
    let notice = mails::Notice::Recorded {
        order_id: &payment.order_id,
        amount: new.amount,
        reason_code: new.reason_code.trim(),
        due: new.evidence_due_on,
        chargeback_id: id,
    };
    let config = &platform.config;
    mails::notify(
        &mut tx,
        &config.secrets.field_keys,
        &config.settings,
        payment.merchant_id,
        &notice,
    )
    .await?;
    let event = Event::new(
        "chargeback.record",
        Actor {
            kind: ActorKind::Staff,
            id: Some(staff_id),
        },
        Outcome::Success,
    )
    .merchant(payment.merchant_id)
    .target("chargeback", id.to_string())
    .detail(serde_json::json!({
        "payment_id": new.payment_id,
        "amount_minor": new.amount.minor(),
        "currency": payment.currency.alpha(),
        "reason_code": new.reason_code.trim(),
        "evidence_due_on": new.evidence_due_on.to_string(),
    }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

/// The entry `chargeback:<id>`: the merchant gives back what the acquirer took, from what
/// this payment still holds (pending, then reserve), the rest from `available` (which may
/// go below zero); gateway clearing, which the acquirer no longer owes, is credited.
async fn debit(
    conn: &mut PgConnection,
    id: Uuid,
    new: &NewChargeback,
    payment: &Payment,
    staff_id: Uuid,
) -> Result<(), ChargebackError> {
    let amount = new.amount.minor();
    let mut lines = ledger::holds::take(conn, new.payment_id.as_uuid(), amount).await?;
    lines.push(Line::credit(AccountKind::GatewayClearing, amount));
    let memo = format!("Chargeback, reason code {}", new.reason_code.trim());
    let entry = NewEntry {
        kind: EntryKind::Chargeback,
        mode: payment.mode,
        merchant_id: Some(payment.merchant_id),
        currency: payment.currency,
        cause: format!("chargeback:{id}"),
        payment_id: Some(new.payment_id),
        memo: Some(&memo),
        created_by: Some(staff_id),
        lines,
    };
    ledger::post(conn, &entry).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn form(
        amount_minor: i64,
        reason_code: &str,
        reported_on: Date,
        evidence_due_on: Date,
    ) -> NewChargeback {
        NewChargeback {
            request_id: Uuid::nil(),
            payment_id: PaymentId::from_uuid(Uuid::nil()),
            amount: Money::eur(amount_minor),
            reason_code: reason_code.into(),
            reported_on,
            evidence_due_on,
        }
    }

    fn field(result: Result<(), ChargebackError>) -> &'static str {
        match result {
            Err(ChargebackError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_form_is_refused_field_by_field() {
        let today = date!(2026 - 11 - 29);
        assert!(check(&form(1000, "10.4", today, today), today).is_ok());
        assert!(
            check(
                &form(1000, "UA02", date!(2026 - 11 - 20), date!(2026 - 12 - 10)),
                today
            )
            .is_ok()
        );
        assert_eq!(
            field(check(&form(0, "10.4", today, today), today)),
            "amount"
        );
        assert_eq!(
            field(check(&form(1000, "", today, today), today)),
            "reason_code"
        );
        assert_eq!(
            field(check(&form(1000, "10.4; drop", today, today), today)),
            "reason_code"
        );
        assert_eq!(
            field(check(
                &form(1000, "10.4", date!(2026 - 11 - 30), date!(2026 - 12 - 30)),
                today
            )),
            "reported_on"
        );
        let passed = form(1000, "10.4", date!(2026 - 11 - 01), date!(2026 - 11 - 28));
        assert_eq!(field(check(&passed, today)), "evidence_due_on");
    }
}
