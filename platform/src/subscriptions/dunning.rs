//! Dunning: what follows an installment the gateway declined. The gateway does not try a
//! declined installment again, so the missed amount is the buyer's to pay: the declined
//! installment's own checkout stays open, as a one-off payment, until a deadline, and its
//! link is mailed to the buyer. The subscription is `past_due` while any declined
//! installment is unpaid; paid, it is active again. Once the merchant's number of unpaid
//! declines is reached, or a deadline passes, the worker (`super::follow`) cancels the
//! series and the subscription ends `unpaid`, its open checkouts closed.

use std::ops::RangeInclusive;

use domain::Money;
use i18n::Locale;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::Status;
use super::signup::{POLL_AFTER_PLANNED, system};
use crate::Platform;
use crate::audit::{self, Event, Outcome, RequestFacts};
use crate::buyer_mails::{self, Buyer, DeclinedInstallment};
use crate::identity::roles::MerchantScope;
use crate::mail;
use crate::payments::{Mode, PaymentError, invalid};

/// A merchant's dunning schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// Declined installments left unpaid at once that end the subscription.
    pub max_declines: u16,
    /// Days the buyer has to pay a declined installment.
    pub grace_days: u16,
}

impl Schedule {
    /// Without a schedule of their own: three unpaid declines, two weeks to pay each.
    pub const DEFAULT: Schedule = Schedule {
        max_declines: 3,
        grace_days: 14,
    };
    pub const MAX_DECLINES: RangeInclusive<u16> = 1..=10;
    pub const GRACE_DAYS: RangeInclusive<u16> = 1..=60;

    /// Whether what is owed ends the subscription at `now`.
    pub(crate) fn gives_up(&self, owed: &Owed, now: OffsetDateTime) -> bool {
        owed.count > 0
            && (owed.count >= i64::from(self.max_declines)
                || owed.deadline.is_some_and(|deadline| deadline <= now))
    }
}

/// The schedule of merchant `merchant_id` in `mode`: each mode has its own, so nothing
/// done in Test Mode changes how Live subscriptions end.
pub async fn schedule(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    mode: Mode,
) -> Result<Schedule, sqlx::Error> {
    let row: Option<(i16, i16)> = sqlx::query_as(
        "SELECT max_declines, grace_days FROM dunning_schedules WHERE merchant_id = $1 AND mode = $2",
    )
    .bind(merchant_id)
    .bind(mode)
    .fetch_optional(conn)
    .await?;
    // The table holds both within their ranges.
    Ok(row.map_or(Schedule::DEFAULT, |(declines, days)| Schedule {
        max_declines: u16::try_from(declines).unwrap_or(Schedule::DEFAULT.max_declines),
        grace_days: u16::try_from(days).unwrap_or(Schedule::DEFAULT.grace_days),
    }))
}

/// Sets the scope's schedule in `mode`, audited as `subscription.dunning_schedule`. It
/// applies to declines found from now on; a deadline already mailed stands.
pub async fn set_schedule(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    new: Schedule,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    if !Schedule::MAX_DECLINES.contains(&new.max_declines) {
        return Err(invalid("max_declines", "choose 1 to 10 declined payments"));
    }
    if !Schedule::GRACE_DAYS.contains(&new.grace_days) {
        return Err(invalid("grace_days", "choose 1 to 60 days"));
    }
    let merchant_id = scope.merchant_id().as_uuid();
    let mut tx = pool.begin().await?;
    let old = schedule(&mut tx, merchant_id, mode).await?;
    sqlx::query(
        "INSERT INTO dunning_schedules (merchant_id, mode, max_declines, grace_days, updated_by)
         VALUES ($1, $5, $2, $3, $4)
         ON CONFLICT (merchant_id, mode) DO UPDATE
         SET max_declines = $2, grace_days = $3, updated_by = $4, updated_at = now()",
    )
    .bind(merchant_id)
    .bind(i16::try_from(new.max_declines).unwrap_or(i16::MAX))
    .bind(i16::try_from(new.grace_days).unwrap_or(i16::MAX))
    .bind(scope.user_id())
    .bind(mode)
    .execute(&mut *tx)
    .await?;
    let event = Event::new(
        "subscription.dunning_schedule",
        scope.actor(),
        Outcome::Success,
    )
    .merchant(scope.merchant_id())
    .detail(
        serde_json::json!({ "mode": mode.as_str(), "from": old, "to": new, "via": scope.via() }),
    );
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// The declined installments of a subscription not paid since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Owed {
    pub count: i64,
    /// The earliest deadline among them.
    pub deadline: Option<OffsetDateTime>,
}

/// What subscription `id` owes: its installment checkouts not paid (each installment the
/// gateway charged has its checkout paid at once).
pub(crate) async fn owed(conn: &mut PgConnection, id: Uuid) -> Result<Owed, sqlx::Error> {
    let (count, deadline): (i64, Option<OffsetDateTime>) = sqlx::query_as(
        "SELECT count(*), min(expires_at) FROM checkout_sessions
         WHERE subscription_id = $1 AND status <> 'paid'",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(Owed { count, deadline })
}

/// Installments of subscription `id` paid, by the gateway or later by the buyer: those
/// whose checkout is paid (a refund afterwards leaves it paid).
pub(crate) async fn paid_count(conn: &mut PgConnection, id: Uuid) -> Result<i16, sqlx::Error> {
    let paid: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payments p JOIN checkout_sessions c ON c.id = p.session_id
         WHERE p.subscription_id = $1 AND c.status = 'paid'",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(i16::try_from(paid).unwrap_or(i16::MAX))
}

/// A declined installment, as [`declined`] tells the buyer of it.
pub(crate) struct Declined<'a> {
    pub subscription_id: Uuid,
    pub session_id: Uuid,
    /// The checkout's public token (`cs_…`).
    pub token: &'a str,
    pub mode: Mode,
    pub merchant_name: &'a str,
    pub plan_name: &'a str,
    pub number: u16,
    pub installments: u16,
    pub amount: Money,
    pub buyer_email: Option<&'a str>,
    pub buyer_locale: Locale,
}

/// Keeps a declined installment's checkout open until the deadline of `schedule` from
/// `now`, and mails the buyer its link, with the portal's.
pub(crate) async fn declined(
    conn: &mut PgConnection,
    platform: &Platform,
    installment: &Declined<'_>,
    schedule: Schedule,
    now: OffsetDateTime,
) -> Result<(), PaymentError> {
    let deadline = now + Duration::days(i64::from(schedule.grace_days));
    sqlx::query("UPDATE checkout_sessions SET expires_at = $2 WHERE id = $1")
        .bind(installment.session_id)
        .bind(deadline)
        .execute(&mut *conn)
        .await?;
    let Some(to) = installment.buyer_email else {
        return Ok(());
    };
    let portal = super::portal::issue(conn, platform, installment.subscription_id).await?;
    let buyer = Buyer {
        to,
        locale: installment.buyer_locale,
        mode: installment.mode,
    };
    let mail = buyer_mails::installment_declined(
        &platform.config.settings,
        buyer,
        &DeclinedInstallment {
            merchant: installment.merchant_name,
            plan: installment.plan_name,
            number: installment.number,
            installments: installment.installments,
            amount: installment.amount,
            pay_token: installment.token,
            by: deadline,
            portal_url: &portal,
        },
    );
    mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    Ok(())
}

/// Called by the transition function when a payment becomes the paid payment of its
/// checkout: a declined installment paid by the buyer makes its past-due subscription
/// active again, once nothing else is owed (ended, when the series has nothing left to
/// charge).
pub(crate) async fn on_paid(
    conn: &mut PgConnection,
    platform: &Platform,
    session_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let row: Option<(Uuid, Uuid, Status, Option<OffsetDateTime>)> = sqlx::query_as(
        "SELECT s.id, s.merchant_id, s.status, s.next_charge_at
         FROM checkout_sessions c JOIN subscriptions s ON s.id = c.subscription_id
         WHERE c.id = $1 FOR UPDATE OF s",
    )
    .bind(session_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, merchant_id, Status::PastDue, next)) = row else {
        return Ok(());
    };
    if owed(conn, id).await?.count > 0 {
        return Ok(());
    }
    let to = if next.is_some() {
        Status::Active
    } else {
        Status::Ended
    };
    let paid = paid_count(conn, id).await?;
    sqlx::query(
        "UPDATE subscriptions SET status = $2, paid_installments = $3, poll_due_at = next_charge_at + $4,
             ended_at = CASE WHEN $2 = 'ended' THEN now() END
         WHERE id = $1",
    )
    .bind(id)
    .bind(to)
    .bind(paid.max(1))
    .bind(POLL_AFTER_PLANNED)
    .execute(&mut *conn)
    .await?;
    let event = Event::new("subscription.status", system(), Outcome::Success)
        .merchant(merchant_id)
        .target("subscription", id.to_string())
        .reason("recovered")
        .detail(serde_json::json!({ "from": Status::PastDue.as_str(), "to": to.as_str(), "paid": paid }));
    audit::record(conn, &event, facts).await?;
    if to == Status::Ended {
        super::renewal::offer(conn, platform, id, OffsetDateTime::now_utc()).await?;
    }
    crate::api::notify::subscription_changed(conn, id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_schedule_gives_up_at_its_count_or_its_deadline() {
        let now = datetime!(2027-03-01 12:00 UTC);
        let owed = |count, deadline| Owed { count, deadline };
        let schedule = Schedule::DEFAULT;
        let later = Some(now + Duration::days(1));
        assert!(!schedule.gives_up(&owed(0, None), now));
        assert!(!schedule.gives_up(&owed(2, later), now));
        assert!(schedule.gives_up(&owed(3, later), now));
        assert!(schedule.gives_up(&owed(1, Some(now)), now));
    }
}
