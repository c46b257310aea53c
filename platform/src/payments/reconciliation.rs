//! Reconciliation against the gateway: a worker that reads the order history of every
//! payment the transition function scheduled for a check (a sent attempt with no answer, an
//! error answer, a payment or refund to confirm, a refund whose outcome is unknown), and
//! either settles it through the same transition function, records that it matches, or
//! opens one exception for staff.
//!
//! Several server instances can run the worker: each claims due payments with
//! `FOR UPDATE SKIP LOCKED` and pushes their due time past a lease before asking the
//! gateway, so no payment is asked about twice at once and a crashed worker's claim lapses.
//! Checks that get no definite answer back off (doubling, at most a day apart) and after
//! the configured time become an "unresolved" exception.
//!
//! Agreement is not the end: money taken or returned is read again on days 1, 7 and 30
//! after the payment's last change ([`SWEEP_DAYS`]), so a void or a chargeback at the bank
//! becomes an exception; a decline or an abandoned attempt is read again once, a day
//! later, so money the gateway took after all is accounted for ([`super::captures`]).

use domain::{PaymentStatus, RefundId};
use payten::api::{ChargeType, FinancialResponse, OrderHistory};
use payten::{ApiError, Currency, NestPay, TransStat};
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use tracing::Instrument as _;
use uuid::Uuid;

use super::refunds::{self, Answer};
use super::transition::{self, CardFacts, Change};
use super::{Mode, PaymentError, gateways, receipts, returns};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use domain::TimelineSource;

// Judging one order and the exceptions staff settle live apart from the run that ties them
// together; the re-exports keep `reconciliation::X` paths unchanged for callers.
mod exception;
mod verdict;

pub use exception::{Exception, Resolution, close, exceptions};
pub(crate) use exception::{NewException, open_exception};
pub use verdict::{GatewayView, Ours, Verdict, judge};

/// Payments one claim takes; each may wait a status-query timeout for the gateway.
const BATCH: i64 = 20;
/// How long a claim keeps other workers off a payment.
const LEASE: Duration = Duration::minutes(10);
/// Checks back off to at most this far apart.
const LONGEST_WAIT: Duration = Duration::hours(24);
/// A sent attempt the gateway never saw is abandoned this long after its checkout expired
/// (the hosted page has long timed out by then).
const ABANDON_AFTER_EXPIRY: Duration = Duration::hours(1);
/// Days after its last change on which money taken (paid, refunded, duplicate) is read again
/// from the gateway's order history, once it has matched.
pub const SWEEP_DAYS: [i64; 3] = [1, 7, 30];
/// Days after which a decline or an abandoned attempt is read again, once.
pub const RECHECK_REFUSED_AFTER_DAYS: i32 = 1;

/// The next sweep of a payment in `status` whose last change was at `changed_at`: the first
/// sweep day after `now`, if any is left.
pub fn next_sweep(
    status: PaymentStatus,
    changed_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let refused = [i64::from(RECHECK_REFUSED_AFTER_DAYS)];
    let days: &[i64] = if status.is_captured() {
        &SWEEP_DAYS
    } else if matches!(status, PaymentStatus::Declined | PaymentStatus::Expired) {
        &refused
    } else {
        &[]
    };
    days.iter()
        .map(|day| changed_at + Duration::days(*day))
        .find(|at| *at > now)
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub checked: u32,
    /// Payments or refunds moved to the gateway's state.
    pub settled: u32,
    pub matched: u32,
    pub exceptions: u32,
    pub waiting: u32,
}

/// Checks every payment due at `now` (a parameter so tests can run the clock forward),
/// then sends the returns of duplicate charges still waiting (those it just found, and any
/// a stopped process left).
#[tracing::instrument(name = "reconciliation", skip_all)]
pub async fn run_due(platform: &Platform, now: OffsetDateTime) -> Result<RunReport, PaymentError> {
    run_due_until(platform, now, || false).await
}

/// [`run_due`] for a worker that may be told to stop: `stopping` is asked before each
/// payment, and once it says so the pass ends with the payment in hand checked. The
/// payments claimed and not checked are due again at once, for the next worker, rather
/// than leased away for [`LEASE`].
pub async fn run_due_until(
    platform: &Platform,
    now: OffsetDateTime,
    stopping: impl Fn() -> bool,
) -> Result<RunReport, PaymentError> {
    let report = check_due(platform, now, &stopping).await?;
    if !stopping() {
        returns::send_queued(platform).await?;
    }
    Ok(report)
}

async fn check_due(
    platform: &Platform,
    now: OffsetDateTime,
    stopping: &impl Fn() -> bool,
) -> Result<RunReport, PaymentError> {
    let mut report = RunReport::default();
    let mut clients = Clients::default();
    loop {
        let claimed: Vec<(Uuid, String, Mode)> = sqlx::query_as(
            "UPDATE payments SET recon_due_at = $1 + $3
             WHERE id IN (SELECT id FROM payments WHERE recon_due_at <= $1
                          ORDER BY recon_due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING id, order_id, mode",
        )
        .bind(now)
        .bind(BATCH)
        .bind(LEASE)
        .fetch_all(&platform.pool)
        .await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        let mut claimed = claimed.into_iter();
        while let Some((payment_id, order_id, mode)) = claimed.next() {
            if stopping() {
                let unchecked: Vec<Uuid> = std::iter::once(payment_id)
                    .chain(claimed.by_ref().map(|(id, _, _)| id))
                    .collect();
                sqlx::query("UPDATE payments SET recon_due_at = $2 WHERE id = ANY($1)")
                    .bind(&unchecked)
                    .bind(now)
                    .execute(&platform.pool)
                    .await?;
                return Ok(report);
            }
            // One payment's check, findable by its order id like the rest of its story;
            // `check` adds the merchant.
            let span = tracing::info_span!(
                "reconcile_payment",
                %order_id,
                mode = mode.as_str(),
                merchant_id = tracing::field::Empty
            );
            let verdict = async {
                let view = match clients.of(platform, mode).await {
                    Ok(client) => {
                        GatewayView::from_answer(client.api().order_history(&order_id).await)
                    }
                    Err(error) => GatewayView::Undecided(error.clone()),
                };
                check(platform, payment_id, &view, now).await
            }
            .instrument(span)
            .await?;
            report.checked += 1;
            match verdict {
                Verdict::Matches => report.matched += 1,
                Verdict::Settle(_) | Verdict::SettleRefund { .. } => report.settled += 1,
                Verdict::Mismatch => report.exceptions += 1,
                Verdict::Wait => report.waiting += 1,
            }
        }
    }
}

/// The gateway client of each mode, made once per run: loading and decrypting an account
/// and building its client is not work to repeat for every payment of a batch.
#[derive(Default)]
struct Clients {
    test: Option<Result<NestPay, String>>,
    live: Option<Result<NestPay, String>>,
}

impl Clients {
    async fn of(&mut self, platform: &Platform, mode: Mode) -> &Result<NestPay, String> {
        let slot = match mode {
            Mode::Test => &mut self.test,
            Mode::Live => &mut self.live,
        };
        if let Some(client) = slot {
            return client;
        }
        let client = match gateways::for_mode(platform, mode).await {
            Ok(account) => {
                gateways::status_client(platform, &account).map_err(|error| error.to_string())
            }
            Err(error) => Err(error.to_string()),
        };
        slot.insert(client)
    }
}

/// Judges one claimed payment against `view` and records the verdict, in one transaction.
async fn check(
    platform: &Platform,
    payment_id: Uuid,
    view: &GatewayView,
    now: OffsetDateTime,
) -> Result<Verdict, PaymentError> {
    let system = Actor {
        kind: ActorKind::System,
        id: None,
    };
    let facts = RequestFacts::default();
    let mut tx = platform.pool.begin().await?;
    type Row = (
        String,
        Uuid,
        Mode,
        PaymentStatus,
        i64,
        String,
        i64,
        i32,
        OffsetDateTime,
        OffsetDateTime,
    );
    let (order_id, merchant_id, mode, status, amount_minor, currency, refunded_minor, attempts, created_at, session_expires): Row =
        sqlx::query_as(
            "SELECT p.order_id, p.merchant_id, p.mode, p.status, p.amount_minor, p.currency::text, p.refunded_minor,
                    p.recon_attempts, p.created_at, s.expires_at
             FROM payments p JOIN checkout_sessions s ON s.id = p.session_id WHERE p.id = $1 FOR UPDATE OF p",
        )
        .bind(payment_id)
        .fetch_one(&mut *tx)
        .await?;
    tracing::Span::current().record("merchant_id", tracing::field::display(merchant_id));
    let view = &view.clone().in_currency(&currency);
    let open_refund = refunds::open_of(&mut tx, payment_id).await?;
    let ours = Ours {
        status,
        amount_minor,
        refunded_minor,
        unknown_refund: open_refund.map(|refund| (refund.id, refund.amount_minor)),
        may_abandon: session_expires + ABANDON_AFTER_EXPIRY <= now,
    };
    // A refund still on its way to the gateway is not judged from a history that may not
    // show it yet: its sender records the answer.
    let in_flight = open_refund.is_some_and(|refund| refund.in_flight(platform, now));
    let verdict = if in_flight {
        Verdict::Wait
    } else {
        judge(&ours, view)
    };
    match &verdict {
        Verdict::Matches => {}
        Verdict::Settle(change) => {
            transition::apply(
                &mut tx,
                platform,
                &order_id,
                change.clone(),
                TimelineSource::Reconciliation,
                system,
                &facts,
            )
            .await?;
        }
        Verdict::SettleRefund {
            refund_id,
            happened,
        } => {
            let answer = if *happened {
                Answer::Done(FinancialResponse {
                    order_id: order_id.clone(),
                    group_id: None,
                    auth_code: None,
                    host_ref_num: None,
                    trans_id: None,
                    settle_id: None,
                    trx_date: None,
                })
            } else {
                Answer::Refused(
                    "The gateway did not make this refund. Nothing was refunded; you may ask again.",
                )
            };
            refunds::settle(
                &mut tx,
                platform,
                *refund_id,
                answer,
                TimelineSource::Reconciliation,
                system,
                &facts,
            )
            .await?;
        }
        Verdict::Mismatch => {
            let (gateway_status, gateway_refunded) = view.accepted_state(amount_minor).unzip();
            let ours_text = describe_ours(
                status,
                amount_minor,
                refunded_minor,
                open_refund.map(|refund| refund.amount_minor),
                &currency,
            );
            let exception = NewException {
                payment_id,
                merchant_id,
                mode,
                order_id: &order_id,
                kind: "mismatch",
                ours: &ours_text,
                theirs: &view.describe(&currency),
                gateway_status,
                gateway_refunded,
            };
            open_exception(&mut tx, &exception).await?;
        }
        Verdict::Wait => {}
    }

    // Where the worker stands with this payment now.
    let started = open_refund
        .map(|refund| refund.created_at)
        .unwrap_or(created_at);
    let give_up = Duration::hours(i64::from(
        platform.config.settings.reconciliation.give_up_after_hours,
    ));
    let (state, due) = match &verdict {
        Verdict::Matches | Verdict::Settle(_) | Verdict::SettleRefund { .. } => {
            // Read again on the sweep days after the payment's last change: this run's
            // settlement, or the last change it found in agreement.
            let (status, updated_at): (PaymentStatus, OffsetDateTime) =
                sqlx::query_as("SELECT status, updated_at FROM payments WHERE id = $1")
                    .bind(payment_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let changed_at = if matches!(verdict, Verdict::Matches) {
                updated_at
            } else {
                now
            };
            // A duplicate agrees with the gateway, but it is never "matched": it is its own
            // state until it is returned, and the exception queue shows it.
            (
                (status != PaymentStatus::Duplicate).then_some("matched"),
                next_sweep(status, changed_at, now),
            )
        }
        Verdict::Mismatch => (Some("mismatched"), None),
        Verdict::Wait if now - started >= give_up => {
            let ours_text = describe_ours(
                status,
                amount_minor,
                refunded_minor,
                open_refund.map(|refund| refund.amount_minor),
                &currency,
            );
            let exception = NewException {
                payment_id,
                merchant_id,
                mode,
                order_id: &order_id,
                kind: "unresolved",
                ours: &ours_text,
                theirs: &view.describe(&currency),
                gateway_status: None,
                gateway_refunded: None,
            };
            open_exception(&mut tx, &exception).await?;
            (Some("unresolved"), None)
        }
        Verdict::Wait => {
            let first = Duration::minutes(i64::from(
                platform.config.settings.reconciliation.first_check_minutes,
            ));
            let wait = (first * 2_i32.saturating_pow(attempts.clamp(0, 16).unsigned_abs() + 1))
                .min(LONGEST_WAIT);
            (None, Some(now + wait))
        }
    };
    sqlx::query(
        "UPDATE payments SET recon_state = coalesce($2::reconciliation_state, recon_state), recon_due_at = $3,
             recon_attempts = recon_attempts + 1, recon_checked_at = $4
         WHERE id = $1",
    )
    .bind(payment_id)
    .bind(state)
    .bind(due)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(verdict)
}

fn describe_ours(
    status: PaymentStatus,
    amount_minor: i64,
    refunded_minor: i64,
    unknown_refund: Option<i64>,
    currency: &str,
) -> String {
    let amount = |minor| receipts::format_amount(minor, currency);
    let mut text = format!(
        "{} {}, refunded {}",
        status.as_str().replace('_', " "),
        amount(amount_minor),
        amount(refunded_minor)
    );
    if let Some(refund) = unknown_refund {
        text.push_str(&format!(", a refund of {} with no answer", amount(refund)));
    }
    text
}

#[cfg(test)]
mod tests;
