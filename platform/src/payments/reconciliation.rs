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

use payten::api::{ChargeType, FinancialResponse, OrderHistory};
use payten::{ApiError, Currency, NestPay, TransStat};
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::refunds::{self, Answer};
use super::transition::{self, CardFacts, Change, Source};
use super::{Mode, PaymentError, Status, gateways, receipts, returns};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};

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
    status: Status,
    changed_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let days: &[i64] = if status.is_captured() {
        &SWEEP_DAYS
    } else if matches!(status, Status::Declined | Status::Expired) {
        &[RECHECK_REFUSED_AFTER_DAYS as i64]
    } else {
        &[]
    };
    days.iter()
        .map(|day| changed_at + Duration::days(*day))
        .find(|at| *at > now)
}

/// What the gateway's order history says about one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayView {
    /// No record of the order: the buyer never submitted the card page.
    Absent,
    Declined,
    /// Charged `captured_minor`, of which `refunded_minor` was credited back, in `currency`
    /// when the history names it.
    Charged {
        captured_minor: i64,
        refunded_minor: i64,
        currency: Option<Currency>,
        card: CardFacts,
    },
    /// Charged in another currency than the payment's: whatever the amounts, it is not this
    /// payment's charge, so staff must look ([`GatewayView::in_currency`]).
    OtherCurrency(Currency),
    /// The sale was voided: nothing stayed charged.
    Voided,
    /// Nothing definite: the order is pending, errored, or could not be read.
    Undecided(String),
}

impl GatewayView {
    pub fn from_history(history: &OrderHistory) -> GatewayView {
        let Some(sale) = history
            .transactions
            .iter()
            .find(|t| t.charge_type == ChargeType::Sale)
        else {
            return GatewayView::Undecided("no sale on the order".into());
        };
        match &sale.status {
            TransStat::Declined => GatewayView::Declined,
            TransStat::Voided => GatewayView::Voided,
            status if status.is_charged() => GatewayView::Charged {
                captured_minor: sale.captured_amount_minor as i64,
                refunded_minor: history.refunded_minor() as i64,
                currency: history.currency,
                card: CardFacts {
                    auth_code: sale.auth_code.clone(),
                    host_ref_num: sale.host_ref_num.clone(),
                    trans_id: sale.trans_id.clone(),
                    proc_return_code: sale
                        .proc_return_code
                        .as_ref()
                        .map(|c| c.as_str().to_owned()),
                    ..CardFacts::default()
                },
            },
            other => GatewayView::Undecided(format!("order status {}", other.as_str())),
        }
    }

    /// The view of a payment in `currency` (its alphabetic code): a charge the history puts
    /// in another currency becomes [`GatewayView::OtherCurrency`], which never matches.
    pub fn in_currency(self, currency: &str) -> GatewayView {
        match self {
            GatewayView::Charged {
                currency: Some(theirs),
                ..
            } if theirs.alpha() != currency => GatewayView::OtherCurrency(theirs),
            view => view,
        }
    }

    fn from_answer(answer: Result<OrderHistory, ApiError>) -> GatewayView {
        match answer {
            Ok(history) => GatewayView::from_history(&history),
            Err(ApiError::NotFound(_)) => GatewayView::Absent,
            Err(error) => GatewayView::Undecided(error.to_string()),
        }
    }

    /// A plain description for the exception queue.
    fn describe(&self, currency: &str) -> String {
        let amount = |minor| receipts::format_amount(minor, currency);
        match self {
            GatewayView::Absent => "no record of the order".into(),
            GatewayView::Declined => "declined".into(),
            GatewayView::Charged {
                captured_minor,
                refunded_minor,
                ..
            } => {
                format!(
                    "charged {}, refunded {}",
                    amount(*captured_minor),
                    amount(*refunded_minor)
                )
            }
            GatewayView::Voided => "voided".into(),
            GatewayView::OtherCurrency(theirs) => format!("charged in {theirs}, not in {currency}"),
            GatewayView::Undecided(why) => format!("no definite answer ({why})"),
        }
    }

    /// The state accepting the gateway's account would give a payment of `amount_minor`,
    /// when the account is definite and about the same amount.
    fn accepted_state(&self, amount_minor: i64) -> Option<(Status, i64)> {
        match self {
            GatewayView::Absent => Some((Status::Expired, 0)),
            GatewayView::Declined => Some((Status::Declined, 0)),
            GatewayView::Voided => Some((Status::Refunded, amount_minor)),
            GatewayView::Charged {
                captured_minor,
                refunded_minor,
                ..
            } if *captured_minor == amount_minor => {
                let status = match *refunded_minor {
                    0 => Status::Paid,
                    r if r >= amount_minor => Status::Refunded,
                    _ => Status::PartiallyRefunded,
                };
                Some((status, (*refunded_minor).min(amount_minor)))
            }
            _ => None,
        }
    }
}

/// The payment as the platform has it, read under its row lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ours {
    pub status: Status,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    /// A refund sent with no answer: its id and amount.
    pub unknown_refund: Option<(Uuid, i64)>,
    /// A sent attempt may be abandoned if the gateway has no record of it.
    pub may_abandon: bool,
}

/// What to do with one payment, given the gateway's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Matches,
    /// Apply this change through the transition function.
    Settle(Change),
    /// The unknown refund happened (`true`) or did not (`false`).
    SettleRefund(bool),
    Mismatch,
    /// Ask again later.
    Wait,
}

/// The decision alone; see the module documentation.
pub fn judge(ours: &Ours, gateway: &GatewayView) -> Verdict {
    use GatewayView as G;
    if matches!(gateway, G::Undecided(_)) {
        return Verdict::Wait;
    }
    let full = |captured: &i64| *captured == ours.amount_minor;
    if let Some((_, refund)) = ours.unknown_refund {
        return match gateway {
            G::Charged {
                captured_minor,
                refunded_minor,
                ..
            } if full(captured_minor) => {
                if *refunded_minor == ours.refunded_minor + refund {
                    Verdict::SettleRefund(true)
                } else if *refunded_minor == ours.refunded_minor {
                    Verdict::SettleRefund(false)
                } else {
                    Verdict::Mismatch
                }
            }
            G::Voided if ours.refunded_minor + refund == ours.amount_minor => {
                Verdict::SettleRefund(true)
            }
            _ => Verdict::Mismatch,
        };
    }
    match (ours.status, gateway) {
        (
            Status::Pending | Status::Failed,
            G::Charged {
                captured_minor,
                refunded_minor: 0,
                card,
                ..
            },
        ) if full(captured_minor) => Verdict::Settle(Change::Paid(card.clone())),
        (Status::Pending | Status::Failed, G::Declined) => Verdict::Settle(Change::Declined {
            reason: "The card's bank declined the payment.",
            card: CardFacts::default(),
        }),
        (Status::Pending | Status::Failed, G::Absent) if ours.may_abandon => {
            Verdict::Settle(Change::Abandon)
        }
        (Status::Pending | Status::Failed, G::Absent) => Verdict::Wait,
        // Money taken after the platform closed the attempt: the transition function pays
        // the checkout with it or returns it, and opens an exception either way.
        (
            Status::Declined | Status::Expired,
            G::Charged {
                captured_minor,
                refunded_minor: 0,
                card,
                ..
            },
        ) if full(captured_minor) => Verdict::Settle(Change::Paid(card.clone())),
        (
            Status::Paid | Status::PartiallyRefunded | Status::Refunded | Status::Duplicate,
            G::Charged {
                captured_minor,
                refunded_minor,
                ..
            },
        ) if full(captured_minor) && *refunded_minor == ours.refunded_minor => Verdict::Matches,
        (Status::Refunded | Status::Duplicate, G::Voided)
            if ours.refunded_minor == ours.amount_minor =>
        {
            Verdict::Matches
        }
        (
            Status::Declined | Status::Expired | Status::Created,
            G::Absent | G::Declined | G::Voided,
        ) => Verdict::Matches,
        _ => Verdict::Mismatch,
    }
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
pub async fn run_due(platform: &Platform, now: OffsetDateTime) -> Result<RunReport, PaymentError> {
    let report = check_due(platform, now).await?;
    returns::send_queued(platform).await?;
    Ok(report)
}

async fn check_due(platform: &Platform, now: OffsetDateTime) -> Result<RunReport, PaymentError> {
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
        for (payment_id, order_id, mode) in claimed {
            let view = match clients.of(platform, mode).await {
                Ok(client) => GatewayView::from_answer(client.api().order_history(&order_id).await),
                Err(error) => GatewayView::Undecided(error.clone()),
            };
            let verdict = check(platform, payment_id, &view, now).await?;
            report.checked += 1;
            match verdict {
                Verdict::Matches => report.matched += 1,
                Verdict::Settle(_) | Verdict::SettleRefund(_) => report.settled += 1,
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
        if slot.is_none() {
            let client = match gateways::for_mode(platform, mode).await {
                Ok(account) => {
                    gateways::status_client(platform, &account).map_err(|error| error.to_string())
                }
                Err(error) => Err(error.to_string()),
            };
            *slot = Some(client);
        }
        slot.as_ref().expect("filled above")
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
        Status,
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
                Source::Reconciliation,
                system,
                &facts,
            )
            .await?;
        }
        Verdict::SettleRefund(happened) => {
            let refund_id = open_refund.expect("judged with an open refund").id;
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
                refund_id,
                answer,
                Source::Reconciliation,
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
        Verdict::Matches | Verdict::Settle(_) | Verdict::SettleRefund(_) => {
            // Read again on the sweep days after the payment's last change: this run's
            // settlement, or the last change it found in agreement.
            let (status, updated_at): (Status, OffsetDateTime) =
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
                (status != Status::Duplicate).then_some("matched"),
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
            let wait =
                (first * 2_i32.saturating_pow(attempts.clamp(0, 16) as u32 + 1)).min(LONGEST_WAIT);
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
    status: Status,
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

/// An exception to open: the payment, its kind (`mismatch`, `unresolved`, `duplicate`,
/// `late_capture`) and both sides in plain words.
pub(crate) struct NewException<'a> {
    pub payment_id: Uuid,
    pub merchant_id: Uuid,
    pub mode: Mode,
    pub order_id: &'a str,
    pub kind: &'static str,
    pub ours: &'a str,
    pub theirs: &'a str,
    /// What accepting the gateway's state would set, when its answer was definite.
    pub gateway_status: Option<Status>,
    pub gateway_refunded: Option<i64>,
}

/// Opens an exception unless one is already open for the payment: a disagreement seen on
/// every run is still one exception (and one audit row).
pub(crate) async fn open_exception(
    conn: &mut PgConnection,
    new: &NewException<'_>,
) -> Result<(), PaymentError> {
    let NewException {
        payment_id,
        merchant_id,
        mode,
        order_id,
        kind,
        ours,
        theirs,
        gateway_status,
        gateway_refunded,
    } = *new;
    let opened = sqlx::query(
        "INSERT INTO reconciliation_exceptions
             (id, payment_id, merchant_id, mode, kind, platform_state, gateway_state, gateway_status, gateway_refunded_minor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (payment_id) WHERE resolved_at IS NULL DO NOTHING",
    )
    .bind(Uuid::new_v4())
    .bind(payment_id)
    .bind(merchant_id)
    .bind(mode)
    .bind(kind)
    .bind(ours)
    .bind(theirs)
    .bind(gateway_status)
    .bind(gateway_refunded)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if opened == 1 {
        let event = Event::new(
            "reconciliation.exception",
            Actor {
                kind: ActorKind::System,
                id: None,
            },
            Outcome::Failure,
        )
        .merchant(merchant_id)
        .target("payment", order_id)
        .reason(kind)
        .detail(serde_json::json!({ "mode": mode.as_str() }));
        audit::record(conn, &event, &RequestFacts::default()).await?;
    }
    Ok(())
}

/// One exception, for the console's queue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Exception {
    pub id: Uuid,
    /// `None` for a ledger account whose kept balance disagrees with its lines.
    pub payment_id: Option<Uuid>,
    /// The payment's order id, or the ledger account (`books: merchant_available`).
    pub order_id: String,
    /// The merchant, or `Saleonix` for a platform account.
    pub merchant_name: String,
    pub mode: Mode,
    pub kind: String,
    pub platform_state: String,
    pub gateway_state: String,
    /// Whether accepting the gateway's state is possible (its account was definite).
    pub can_accept: bool,
    pub created_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    pub resolution: Option<String>,
    pub note: Option<String>,
}

/// Open exceptions first, then the most recent resolved ones.
pub async fn exceptions(
    pool: &sqlx::PgPool,
    open_only: bool,
) -> Result<Vec<Exception>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.payment_id, coalesce(p.order_id, 'books: ' || a.kind::text) AS order_id,
                coalesce(m.business_name, 'Saleonix') AS merchant_name, e.mode, e.kind, e.platform_state,
                e.gateway_state, e.gateway_status IS NOT NULL AS can_accept, e.created_at, e.resolved_at, e.resolution, e.note
         FROM reconciliation_exceptions e LEFT JOIN payments p ON p.id = e.payment_id
         LEFT JOIN merchants m ON m.id = e.merchant_id LEFT JOIN ledger_accounts a ON a.id = e.ledger_account_id
         WHERE NOT $1 OR e.resolved_at IS NULL
         ORDER BY e.resolved_at IS NOT NULL, e.created_at DESC LIMIT 200",
    )
    .bind(open_only)
    .fetch_all(pool)
    .await
}

/// How staff close an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Set the payment to the state the gateway reported.
    AcceptGateway,
    /// Leave the payment as it is; the note says why.
    Resolve,
}

/// Closes the open exception `id` with a note, audited, in one transaction.
pub async fn close(
    platform: &Platform,
    id: Uuid,
    resolution: Resolution,
    note: &str,
    staff_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let note = super::text("note", note, 1000)?;
    let mut tx = platform.pool.begin().await?;
    let row: Option<(
        Option<Uuid>,
        Option<Uuid>,
        Option<String>,
        Option<Status>,
        Option<i64>,
    )> = sqlx::query_as(
        "SELECT e.payment_id, e.merchant_id, p.order_id, e.gateway_status, e.gateway_refunded_minor
         FROM reconciliation_exceptions e LEFT JOIN payments p ON p.id = e.payment_id
         WHERE e.id = $1 AND e.resolved_at IS NULL FOR UPDATE OF e",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (payment_id, merchant_id, order_id, gateway_status, gateway_refunded) =
        row.ok_or(PaymentError::NotFound)?;
    let staff = Actor {
        kind: ActorKind::Staff,
        id: Some(staff_id),
    };
    let (label, event_type) = match resolution {
        Resolution::AcceptGateway => ("accepted_gateway", "reconciliation.accept"),
        Resolution::Resolve => ("resolved", "reconciliation.resolve"),
    };
    if resolution == Resolution::AcceptGateway {
        let (Some(payment_id), Some(order_id), Some(status), Some(refunded_minor)) =
            (payment_id, &order_id, gateway_status, gateway_refunded)
        else {
            return Err(super::invalid(
                "resolution",
                "the gateway gave no definite state to accept; resolve with a note",
            ));
        };
        refunds::close_open(&mut tx, payment_id).await?;
        let change = Change::Accept {
            status,
            refunded_minor,
        };
        transition::apply(
            &mut tx,
            platform,
            order_id,
            change,
            Source::Staff,
            staff,
            facts,
        )
        .await?;
    } else if let Some(payment_id) = payment_id {
        sqlx::query("UPDATE payments SET recon_due_at = NULL WHERE id = $1")
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE reconciliation_exceptions SET resolved_at = now(), resolved_by = $2, resolution = $3, note = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(staff_id)
    .bind(label)
    .bind(&note)
    .execute(&mut *tx)
    .await?;
    let mut event = Event::new(event_type, staff, Outcome::Success)
        .detail(serde_json::json!({ "exception_id": id }));
    event = match order_id {
        Some(order_id) => event.target("payment", order_id),
        None => event.target("reconciliation_exception", id.to_string()),
    };
    if let Some(merchant_id) = merchant_id {
        event = event.merchant(merchant_id);
    }
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(status: Status, refunded_minor: i64) -> Ours {
        Ours {
            status,
            amount_minor: 1000,
            refunded_minor,
            unknown_refund: None,
            may_abandon: false,
        }
    }

    fn charged(captured_minor: i64, refunded_minor: i64) -> GatewayView {
        GatewayView::Charged {
            captured_minor,
            refunded_minor,
            currency: Some(Currency::Eur),
            card: CardFacts::default(),
        }
    }

    #[test]
    fn a_sent_attempt_takes_the_gateways_answer() {
        assert!(matches!(
            judge(&ours(Status::Pending, 0), &charged(1000, 0)),
            Verdict::Settle(Change::Paid(_))
        ));
        assert!(matches!(
            judge(&ours(Status::Pending, 0), &GatewayView::Declined),
            Verdict::Settle(Change::Declined { .. })
        ));
        assert_eq!(
            judge(&ours(Status::Pending, 0), &GatewayView::Absent),
            Verdict::Wait,
            "the buyer may still be paying"
        );
        let late = Ours {
            may_abandon: true,
            ..ours(Status::Pending, 0)
        };
        assert_eq!(
            judge(&late, &GatewayView::Absent),
            Verdict::Settle(Change::Abandon)
        );
        assert_eq!(
            judge(&ours(Status::Pending, 0), &charged(900, 0)),
            Verdict::Mismatch,
            "another amount is for staff"
        );
        assert_eq!(
            judge(
                &ours(Status::Pending, 0),
                &GatewayView::Undecided("PN".into())
            ),
            Verdict::Wait
        );
    }

    #[test]
    fn taken_money_must_agree_to_the_minor_unit() {
        assert_eq!(
            judge(&ours(Status::Paid, 0), &charged(1000, 0)),
            Verdict::Matches
        );
        assert_eq!(
            judge(&ours(Status::PartiallyRefunded, 300), &charged(1000, 300)),
            Verdict::Matches
        );
        assert_eq!(
            judge(&ours(Status::Refunded, 1000), &GatewayView::Voided),
            Verdict::Matches
        );
        assert_eq!(
            judge(&ours(Status::Paid, 0), &GatewayView::Voided),
            Verdict::Mismatch
        );
        assert_eq!(
            judge(&ours(Status::Paid, 0), &charged(1000, 200)),
            Verdict::Mismatch
        );
    }

    #[test]
    fn money_taken_after_a_decline_or_expiry_is_settled_not_ignored() {
        assert!(matches!(
            judge(&ours(Status::Declined, 0), &charged(1000, 0)),
            Verdict::Settle(Change::Paid(_))
        ));
        assert!(matches!(
            judge(&ours(Status::Expired, 0), &charged(1000, 0)),
            Verdict::Settle(Change::Paid(_))
        ));
        assert_eq!(
            judge(&ours(Status::Declined, 0), &charged(1000, 300)),
            Verdict::Mismatch,
            "a partly refunded charge is for staff"
        );
        assert_eq!(
            judge(&ours(Status::Declined, 0), &GatewayView::Declined),
            Verdict::Matches
        );
    }

    #[test]
    fn a_duplicate_matches_the_gateway_only_as_returned_as_we_say() {
        assert_eq!(
            judge(&ours(Status::Duplicate, 1000), &GatewayView::Voided),
            Verdict::Matches
        );
        assert_eq!(
            judge(&ours(Status::Duplicate, 1000), &charged(1000, 1000)),
            Verdict::Matches
        );
        assert_eq!(
            judge(&ours(Status::Duplicate, 1000), &charged(1000, 0)),
            Verdict::Mismatch
        );
    }

    #[test]
    fn taken_money_is_swept_on_days_1_7_and_30_after_its_last_change() {
        let changed = OffsetDateTime::UNIX_EPOCH;
        let day = |d| changed + Duration::days(d);
        assert_eq!(
            next_sweep(Status::Paid, changed, changed + Duration::minutes(15)),
            Some(day(1))
        );
        assert_eq!(next_sweep(Status::Paid, changed, day(1)), Some(day(7)));
        assert_eq!(next_sweep(Status::Refunded, changed, day(7)), Some(day(30)));
        assert_eq!(
            next_sweep(Status::Duplicate, changed, day(30)),
            None,
            "then it rests"
        );
        assert_eq!(
            next_sweep(Status::Declined, changed, changed),
            Some(day(1)),
            "a decline is read again once"
        );
        assert_eq!(next_sweep(Status::Declined, changed, day(1)), None);
        assert_eq!(next_sweep(Status::Pending, changed, changed), None);
    }

    #[test]
    fn an_unknown_refund_is_decided_by_the_refunded_total() {
        let waiting = Ours {
            unknown_refund: Some((Uuid::nil(), 400)),
            ..ours(Status::PartiallyRefunded, 100)
        };
        assert_eq!(
            judge(&waiting, &charged(1000, 500)),
            Verdict::SettleRefund(true)
        );
        assert_eq!(
            judge(&waiting, &charged(1000, 100)),
            Verdict::SettleRefund(false)
        );
        assert_eq!(judge(&waiting, &charged(1000, 800)), Verdict::Mismatch);
        let whole = Ours {
            unknown_refund: Some((Uuid::nil(), 1000)),
            ..ours(Status::Paid, 0)
        };
        assert_eq!(
            judge(&whole, &GatewayView::Voided),
            Verdict::SettleRefund(true)
        );
    }

    #[test]
    fn accepting_the_gateway_sets_its_figures() {
        assert_eq!(
            charged(1000, 0).accepted_state(1000),
            Some((Status::Paid, 0))
        );
        assert_eq!(
            charged(1000, 250).accepted_state(1000),
            Some((Status::PartiallyRefunded, 250))
        );
        assert_eq!(
            GatewayView::Voided.accepted_state(1000),
            Some((Status::Refunded, 1000))
        );
        assert_eq!(
            charged(900, 0).accepted_state(1000),
            None,
            "another amount cannot be accepted"
        );
    }

    #[test]
    fn a_charge_in_another_currency_is_an_exception_never_a_match() {
        let in_currency = |currency| GatewayView::Charged {
            captured_minor: 1000,
            refunded_minor: 0,
            currency,
            card: CardFacts::default(),
        };
        let in_usd = in_currency(Some(Currency::Usd)).in_currency("EUR");
        assert_eq!(in_usd, GatewayView::OtherCurrency(Currency::Usd));
        assert_eq!(
            judge(&ours(Status::Pending, 0), &in_usd),
            Verdict::Mismatch,
            "never paid on the same number of cents"
        );
        assert_eq!(judge(&ours(Status::Paid, 0), &in_usd), Verdict::Mismatch);
        let refund = Ours {
            unknown_refund: Some((Uuid::nil(), 1000)),
            ..ours(Status::Paid, 0)
        };
        assert_eq!(judge(&refund, &in_usd), Verdict::Mismatch);
        assert_eq!(
            in_usd.accepted_state(1000),
            None,
            "staff cannot accept it as this payment's state"
        );
        assert_eq!(in_usd.describe("EUR"), "charged in USD, not in EUR");
        assert_eq!(
            charged(1000, 0).in_currency("EUR"),
            charged(1000, 0),
            "the same currency changes nothing"
        );
        let unnamed = in_currency(None);
        assert_eq!(
            unnamed.clone().in_currency("EUR"),
            unnamed,
            "a history naming none is judged by amounts"
        );
    }
}
