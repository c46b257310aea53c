//! Following the series. Later installments send no callback: the gateway charges them on
//! its own schedule. The worker asks the gateway about each running series after its next
//! planned charge, and records every installment it charged or declined as a payment of
//! its own (order id `<first order id>-<n>`), through the one transition function, with
//! its checkout, receipt, books, audit row and webhook event.
//!
//! A subscription cancelled here gets one last look, for installments the gateway charged
//! before the cancel. A declined installment starts dunning (`super::dunning`); the worker
//! also looks at a past-due subscription at its deadline, and ends it `unpaid` when the
//! merchant's schedule gives up, cancelling the series; and cancels a series ending with
//! its period when that time comes.
//!
//! Safe with several workers and instances: a pass claims its subscriptions with
//! `SKIP LOCKED` and leases them for [`LEASE`]; recording locks the subscription again and
//! skips an installment whose order id is already a payment, so a series polled twice, or
//! by two workers at once, records each installment once.

use payten::api::{Installment, RecurringStatus};
use payten::{PaymentGateway as _, TransStat};
use sqlx::PgConnection;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use super::dunning::{self, Declined, Schedule};
use super::signup::{POLL_AFTER_PLANNED, system};
use super::{Status, StoredTerms, Terms, terms_columns};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::payments::reconciliation::{NewException, open_exception};
use crate::payments::transition::{self, CardFacts, Change, NewAttempt};
use crate::payments::{Mode, PaymentError, gateways, sessions};
use domain::{MerchantId, Money, TimelineSource};
use i18n::Locale;
use leptos_i18n::td_string;

/// Subscriptions one pass claims.
const BATCH: i64 = 100;

/// How long a claimed subscription stays with its worker before another may take it; also
/// the wait before asking again after the gateway did not answer.
pub const LEASE: Duration = Duration::minutes(10);

/// What a pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Series asked about.
    pub polled: u32,
    /// Installments recorded as paid.
    pub paid: u32,
    /// Installments recorded as declined.
    pub declined: u32,
    /// Series the gateway did not answer about (asked again after [`LEASE`]).
    pub unanswered: u32,
}

/// Polls every running series due by `now`. See the module documentation.
pub async fn poll_due(platform: &Platform, now: OffsetDateTime) -> Result<Report, PaymentError> {
    let claimed: Vec<(Uuid, Mode, String)> = sqlx::query_as(
        "UPDATE subscriptions SET poll_due_at = $1 + $2, poll_attempts = poll_attempts + 1
         WHERE id IN (SELECT id FROM subscriptions
                      WHERE poll_due_at <= $1 AND recurring_id IS NOT NULL
                      ORDER BY poll_due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING id, mode, recurring_id",
    )
    .bind(now)
    .bind(LEASE)
    .bind(BATCH)
    .fetch_all(&platform.pool)
    .await?;
    let mut report = Report::default();
    for (id, mode, recurring_id) in claimed {
        report.polled += 1;
        let series = match ask(platform, mode, &recurring_id).await {
            Ok(series) => series,
            Err(error) => {
                tracing::warn!(%error, subscription_id = %id, "series status query failed; asking again later");
                report.unanswered += 1;
                continue;
            }
        };
        let found = record(platform, id, &recurring_id, &series, now).await?;
        report.paid += found.paid;
        report.declined += found.declined;
    }
    Ok(report)
}

pub(super) async fn ask(
    platform: &Platform,
    mode: Mode,
    recurring_id: &str,
) -> Result<RecurringStatus, PaymentError> {
    let account = gateways::for_mode(platform, mode).await?;
    let client = gateways::status_client(platform, &account)?;
    Ok(client.recurring_status(recurring_id).await?)
}

/// A subscription as the worker follows it, locked.
#[derive(sqlx::FromRow)]
struct Followed {
    merchant_id: Uuid,
    mode: Mode,
    status: Status,
    #[sqlx(flatten)]
    stored: StoredTerms,
    plan_name: String,
    merchant_name: String,
    first_order_id: String,
    gateway_client_id: String,
    buyer_email: Option<String>,
    /// The language of the first payment, which every later mail is written in.
    buyer_locale: Locale,
    masked_pan: Option<String>,
    card_brand: Option<String>,
    /// A cancel was sent and its answer lost (`super::cancel`).
    cancel_requested: bool,
    /// That cancel was dunning's: settled, the subscription ends `unpaid`.
    cancel_for_unpaid: bool,
    /// When to cancel the series at the end of the period paid for (`super::cancel`).
    cancel_at: Option<OffsetDateTime>,
}

impl Followed {
    fn terms(&self) -> Terms {
        Terms::stored(&self.stored)
    }
}

#[derive(Default)]
struct Found {
    paid: u32,
    declined: u32,
}

/// Records what the gateway said about subscription `id`'s series, in one transaction.
async fn record(
    platform: &Platform,
    id: Uuid,
    recurring_id: &str,
    series: &RecurringStatus,
    now: OffsetDateTime,
) -> Result<Found, PaymentError> {
    let mut tx = platform.pool.begin().await?;
    let sub: Followed = sqlx::query_as(&format!(
        "SELECT s.merchant_id, s.mode, s.status, {terms}, p.name AS plan_name, m.business_name AS merchant_name,
                f.order_id AS first_order_id, f.gateway_client_id, f.buyer_email, f.buyer_locale, f.masked_pan,
                f.card_brand,
                s.cancel_requested_at IS NOT NULL AS cancel_requested, s.cancel_for_unpaid, s.cancel_at
         FROM subscriptions s JOIN subscription_plans p ON p.id = s.plan_id JOIN payments f ON f.id = s.first_payment_id
              JOIN merchants m ON m.id = s.merchant_id
         WHERE s.id = $1 FOR UPDATE OF s",
        terms = terms_columns("s"),
    ))
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let mut found = Found::default();
    let terms = sub.terms();
    let schedule = dunning::schedule(&mut tx, sub.merchant_id, sub.mode).await?;
    let mut cancelled_by_gateway = false;
    for installment in &series.installments {
        let Some(n) = u16::try_from(installment.number)
            .ok()
            .filter(|n| (2..=terms.installments).contains(n))
        else {
            continue;
        };
        // The gateway names each installment `<first order id>-<n>`; anything else is not
        // this series' and is left alone.
        if installment.order_id != format!("{}-{n}", sub.first_order_id) {
            tracing::warn!(subscription_id = %id, n, "series answer names an unexpected order id");
            continue;
        }
        let charged = match &installment.status {
            status if status.is_charged() => true,
            TransStat::Declined => false,
            TransStat::Cancelled => {
                cancelled_by_gateway = true;
                continue;
            }
            _ => continue,
        };
        let recorded = Recorded {
            subscription_id: id,
            n,
            charged,
            schedule,
            now,
        };
        if installment_payment(&mut tx, platform, &sub, installment, &recorded).await? {
            if charged {
                found.paid += 1;
            } else {
                found.declined += 1;
            }
        }
    }
    let paid = dunning::paid_count(&mut tx, id).await?;
    let owed = dunning::owed(&mut tx, id).await?;
    let gives_up = schedule.gives_up(&owed, now);
    let period_over = sub.cancel_at.is_some_and(|at| at <= now);
    let next = series
        .installments
        .iter()
        .filter(|i| i.status == TransStat::Pending)
        .filter_map(planned)
        .min();
    // An answer that does not list every installment tells nothing about the series' end.
    let complete = series
        .installments
        .iter()
        .filter(|i| i.number >= 1 && i.number <= u32::from(terms.installments))
        .count()
        == usize::from(terms.installments);
    // How a cancel the platform asked for ends the subscription once it happened.
    let stopped = if sub.cancel_for_unpaid || gives_up {
        Status::Unpaid
    } else {
        Status::Cancelled
    };
    let mut cancel_unsettled = false;
    let status = if !sub.status.is_running() || !complete {
        // Cancelled or ended here: this was the last look, for installments charged before.
        sub.status
    } else if next.is_none() && cancelled_by_gateway {
        if sub.cancel_requested || period_over {
            stopped
        } else {
            Status::Cancelled
        }
    } else if next.is_none() {
        // Every planned installment was charged or declined: the series is over, and a
        // declined one is still the buyer's to pay until its deadline.
        match owed.count {
            0 => Status::Ended,
            _ if gives_up => Status::Unpaid,
            _ => Status::PastDue,
        }
    } else if sub.cancel_requested || gives_up || period_over {
        // A cancel whose answer was lost (sent again), dunning giving up, or the end of the
        // period paid for.
        match super::cancel::send(platform, sub.mode, recurring_id).await {
            Ok(()) => stopped,
            Err(error) => {
                tracing::warn!(%error, subscription_id = %id, "cancelling the series failed; trying again later");
                cancel_unsettled = true;
                if gives_up {
                    sqlx::query(
                        "UPDATE subscriptions SET cancel_requested_at = coalesce(cancel_requested_at, now()),
                             cancel_for_unpaid = true
                         WHERE id = $1",
                    )
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                if owed.count > 0 {
                    Status::PastDue
                } else {
                    Status::Active
                }
            }
        }
    } else if owed.count > 0 {
        Status::PastDue
    } else {
        Status::Active
    };
    // A cancel still unsettled is tried again after the lease, not at the next charge; a
    // past-due subscription is looked at by its deadline too, one ending with its period then.
    let poll_due = if !status.is_running() {
        None
    } else if !complete || cancel_unsettled {
        Some(now + LEASE)
    } else {
        let deadline = owed.deadline.filter(|_| owed.count > 0);
        [
            next.map(|t| t + POLL_AFTER_PLANNED),
            deadline,
            sub.cancel_at,
        ]
        .into_iter()
        .flatten()
        .min()
    };
    sqlx::query(
        "UPDATE subscriptions SET status = $2, paid_installments = $3, next_charge_at = $4, poll_due_at = $5,
             poll_attempts = 0,
             cancelled_at = CASE WHEN $2 = 'cancelled' THEN coalesce(cancelled_at, now()) END,
             ended_at = CASE WHEN $2 IN ('ended', 'unpaid') THEN coalesce(ended_at, now()) END
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(paid.max(1))
    .bind(next.filter(|_| status.is_running()))
    .bind(poll_due)
    .execute(&mut *tx)
    .await?;
    if !status.is_running() {
        sessions::close_for_subscription(&mut tx, platform, id, &RequestFacts::default()).await?;
    }
    if status != sub.status {
        // A series the gateway ended without being asked to is a disagreement staff hear of
        // through the audit trail's failure outcome; a lost cancel settled is the merchant's.
        let (outcome, reason) = match status {
            Status::Cancelled if period_over => (Outcome::Success, Some("period_end")),
            Status::Cancelled if sub.cancel_requested => (Outcome::Success, Some("cancel_settled")),
            Status::Cancelled => (Outcome::Failure, Some("cancelled_by_gateway")),
            Status::Unpaid => (Outcome::Success, Some("dunning")),
            _ => (Outcome::Success, None),
        };
        let mut event = Event::new("subscription.status", system(), outcome)
            .merchant(sub.merchant_id)
            .target("subscription", id.to_string())
            .detail(serde_json::json!({ "from": sub.status.as_str(), "to": status.as_str(), "paid": paid }));
        if let Some(reason) = reason {
            event = event.reason(reason);
        }
        audit::record(&mut tx, &event, &RequestFacts::default()).await?;
        if status == Status::Ended {
            super::renewal::offer(&mut tx, platform, id, now).await?;
        }
        crate::api::notify::subscription_changed(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(found)
}

/// `PLANNED_START_DTTM_n` (`yyyyMMdd HH:mm:ss`, read as UTC).
fn planned(installment: &Installment) -> Option<OffsetDateTime> {
    const FORMAT: &[FormatItem<'static>] =
        format_description!("[year][month][day] [hour]:[minute]:[second]");
    let text = installment.planned_start.as_deref()?;
    PrimitiveDateTime::parse(text, FORMAT)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// What the gateway said of one installment, and the schedule a decline starts.
struct Recorded {
    subscription_id: Uuid,
    n: u16,
    charged: bool,
    schedule: Schedule,
    now: OffsetDateTime,
}

/// Records installment `n` as a payment, paid or declined, unless its order id already is
/// one. A charge of another amount than the terms' is recorded as charged (every captured
/// euro is accounted for) and opens a reconciliation exception; a decline starts dunning.
async fn installment_payment(
    conn: &mut PgConnection,
    platform: &Platform,
    sub: &Followed,
    installment: &Installment,
    recorded: &Recorded,
) -> Result<bool, PaymentError> {
    let Recorded {
        subscription_id,
        n,
        charged,
        schedule,
        now,
    } = *recorded;
    let order_id = installment.order_id.as_str();
    let known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM payments WHERE order_id = $1)")
            .bind(order_id)
            .fetch_one(&mut *conn)
            .await?;
    if known {
        return Ok(false);
    }
    let terms = sub.terms();
    let currency = terms.amount.currency();
    let expected = terms.amount.minor();
    let amount_minor = match i64::try_from(installment.captured_amount_minor) {
        Ok(captured) if charged && captured > 0 => captured,
        _ => expected,
    };
    // The checkout's line, in the buyer's language: their receipt and portal show it.
    let total = terms.installments;
    let name = td_string!(
        sub.buyer_locale,
        plan.installment_line,
        plan = &sub.plan_name,
        number = n,
        total = total
    );
    let (session_id, token) = sessions::open_for_installment(
        conn,
        MerchantId::from_uuid(sub.merchant_id),
        sub.mode,
        subscription_id,
        name,
        Money::new(amount_minor, currency),
        sub.buyer_email.clone(),
    )
    .await?;
    let gateway = Actor {
        kind: ActorKind::Gateway,
        id: None,
    };
    let facts = RequestFacts::default();
    let new = NewAttempt {
        merchant_id: MerchantId::from_uuid(sub.merchant_id),
        mode: sub.mode,
        session_id,
        order_id,
        gateway_client_id: &sub.gateway_client_id,
        amount_minor,
        currency: currency.alpha(),
        buyer_email: sub.buyer_email.as_deref(),
        buyer_locale: sub.buyer_locale,
    };
    let payment_id = transition::create(conn, &new, gateway, &facts).await?;
    sqlx::query("UPDATE payments SET subscription_id = $2, installment = $3 WHERE id = $1")
        .bind(payment_id)
        .bind(subscription_id)
        .bind(i16::try_from(n).unwrap_or(i16::MAX))
        .execute(&mut *conn)
        .await?;
    // The gateway charges the card of the first payment; the receipt names it.
    let card = CardFacts {
        masked_pan: sub.masked_pan.clone(),
        card_brand: sub.card_brand.clone(),
        ..CardFacts::default()
    };
    let change = if charged {
        Change::Paid(card)
    } else {
        Change::Declined {
            reason: crate::payments::reasons::INSTALLMENT_DECLINED,
            card,
        }
    };
    transition::apply(
        conn,
        platform,
        order_id,
        change,
        TimelineSource::StatusQuery,
        gateway,
        &facts,
    )
    .await?;
    // A decline found in the last look at a stopped subscription asks nothing of the buyer.
    if !charged && sub.status.is_running() {
        let declined = Declined {
            subscription_id,
            session_id,
            token: &token,
            mode: sub.mode,
            merchant_name: &sub.merchant_name,
            plan_name: &sub.plan_name,
            number: n,
            installments: terms.installments,
            amount: Money::new(amount_minor, currency),
            buyer_email: sub.buyer_email.as_deref(),
            buyer_locale: sub.buyer_locale,
        };
        dunning::declined(conn, platform, &declined, schedule, now).await?;
    }
    if charged && amount_minor != expected {
        let ours = format!("installment {n} of {}", Money::new(expected, currency));
        let theirs = format!("charged {}", Money::new(amount_minor, currency));
        open_exception(
            conn,
            &NewException {
                payment_id,
                merchant_id: sub.merchant_id,
                mode: sub.mode,
                order_id,
                kind: "mismatch",
                ours: &ours,
                theirs: &theirs,
                gateway_status: None,
                gateway_refunded: None,
            },
        )
        .await?;
    }
    Ok(true)
}
