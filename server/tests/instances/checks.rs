//! After the load: what the operator's tools do once it is over (reconciliation, the
//! chain check), then every count that money depends on, compared between the gateway's
//! ledger, the platform's database and nginx's log.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use domain::public_id::{Kind, encode};
use leptos_i18n::td_string;
use payten::TransStat;
use payten::api::{ChargeType, HistoryEntry, OrderHistory};
use platform::gateway_accounts::Mode;
use platform::payments::gateways;
use platform::webhooks;

use super::support::receiver::Receiver;
use uuid::Uuid;

use super::load::Load;
use super::stack::Stack;

/// The counts compared, printed by the test.
#[derive(Debug, Default)]
pub struct Counts {
    payments: u32,
    charged: u32,
    pub paid: u32,
    receipts: u32,
    refunds_asked: u32,
    pub refunds: u32,
    credits: u32,
    refund_notices: u32,
    pub webhook_events: u32,
    webhook_requests: u32,
    webhook_repeats: u32,
    requests: u32,
    pub by_instance: Vec<u32>,
    retried_safe: u32,
    passed_on_unsent: u32,
    answered_502: u32,
    rows_chained: i64,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "payments: {} started at the gateway, {} charged by the sandbox, {} paid in Saleonix (each once), {} receipts queued",
            self.payments, self.charged, self.paid, self.receipts
        )?;
        writeln!(
            f,
            "refunds: {} asked, {} made in Saleonix, {} credits at the sandbox, {} refund notices queued",
            self.refunds_asked, self.refunds, self.credits, self.refund_notices
        )?;
        writeln!(
            f,
            "nginx: {} requests, by instance {:?}; {} idempotent requests retried on the other instance, \
             {} others passed on before any byte was sent, {} answered 502 (sent again by the client)",
            self.requests,
            self.by_instance,
            self.retried_safe,
            self.passed_on_unsent,
            self.answered_502
        )?;
        writeln!(
            f,
            "webhooks: {} events, each delivered ({} requests, {} of them a repeat the receiver deduplicates by webhook-id)",
            self.webhook_events, self.webhook_requests, self.webhook_repeats
        )?;
        write!(f, "audit chain: {} rows, verified", self.rows_chained)
    }
}

/// What runs after the load: late callbacks land, the shop asks again for the refunds whose
/// answer died with an instance (once the dead claim may be taken over), reconciliation
/// passes, and every audit row is chained.
pub async fn settle(stack: &Stack, load: &Load) {
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pool = &stack.platform.pool;

    // As if the minutes after which a claim counts as dead had passed.
    let dead_for = platform::api::idempotency::ABANDONED_AFTER + time::Duration::minutes(1);
    sqlx::query(
        "UPDATE api_idempotency SET created_at = created_at - $1 WHERE response_status IS NULL",
    )
    .bind(dead_for)
    .execute(pool)
    .await
    .unwrap();
    let held: Vec<_> = load
        .tally
        .lock()
        .unwrap()
        .refunds
        .iter()
        .filter(|asked| asked.refund.is_none())
        .cloned()
        .collect();
    for asked in held {
        let answered = load.ask_refund(asked).await;
        assert!(answered.refund.is_some(), "{answered:?}");
        let mut tally = load.tally.lock().unwrap();
        let entry = tally
            .refunds
            .iter_mut()
            .find(|a| a.key == answered.key)
            .unwrap();
        *entry = answered;
    }

    // Every payment and refund still open is due two hours on.
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    for _ in 0..5 {
        let report = platform::payments::reconciliation::run_due(&stack.platform, later)
            .await
            .unwrap();
        if report.checked == 0 {
            break;
        }
    }
    // Webhooks a dead instance was delivering, or that failed while it died, are due again
    // within a day of retries.
    let tomorrow = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    while webhooks::delivery::deliver_due(&stack.platform, tomorrow)
        .await
        .unwrap()
        .attempted
        > 0
    {}
    while platform::audit::seal(pool).await.unwrap() > 0 {}
}

/// The gateway's view of an order: whether it charged the card, and its standing credits.
struct AtGateway {
    charged: bool,
    credits: u32,
    refunded_minor: i64,
}

fn at_gateway(history: Option<&OrderHistory>) -> AtGateway {
    let Some(history) = history else {
        return AtGateway {
            charged: false,
            credits: 0,
            refunded_minor: 0,
        };
    };
    let live = |t: &&HistoryEntry| !matches!(t.status, TransStat::Voided | TransStat::Declined);
    let entries = || history.transactions.iter().filter(live);
    AtGateway {
        charged: entries().any(|t| t.charge_type == ChargeType::Sale),
        credits: u32::try_from(
            entries()
                .filter(|t| t.charge_type == ChargeType::Credit)
                .count(),
        )
        .unwrap(),
        refunded_minor: i64::try_from(history.refunded_minor()).unwrap(),
    }
}

pub async fn compare(stack: &Stack, load: &Load, hooks: &Receiver) -> Counts {
    let pool = &stack.platform.pool;
    let merchants: Vec<Uuid> = load.merchants.iter().map(|m| m.id).collect();
    let mut counts = Counts::default();

    let payments: Vec<(Uuid, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, order_id, status::text, buyer_email, refunded_minor FROM payments
         WHERE merchant_id = ANY($1) ORDER BY created_at",
    )
    .bind(&merchants)
    .fetch_all(pool)
    .await
    .unwrap();
    let paid_events: HashMap<Uuid, i64> = sqlx::query_as(
        "SELECT payment_id, count(*) FROM payment_events WHERE to_status = 'paid' GROUP BY payment_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let refunds: HashMap<Uuid, (i64, i64)> = sqlx::query_as(
        "SELECT payment_id, count(*), sum(amount_minor)::bigint FROM refunds
         WHERE merchant_id = ANY($1) AND status = 'succeeded' GROUP BY payment_id",
    )
    .bind(&merchants)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(id, count, sum)| (id, (count, sum)))
    .collect();
    // Receipts and refund notices by their subjects, in whichever language the buyer paid.
    let subjects = |receipts: bool| -> Vec<String> {
        i18n::choice::ALL
            .into_iter()
            .map(|locale| {
                if receipts {
                    td_string!(locale, mail.receipt_subject, merchant = "%")
                } else {
                    td_string!(locale, mail.refund_subject, merchant = "%")
                }
            })
            .collect()
    };
    let mails: HashMap<(String, bool), i64> = sqlx::query_as(
        "SELECT to_address, subject LIKE ANY($1), count(*) FROM mail_outbox
         WHERE subject LIKE ANY($1) OR subject LIKE ANY($2) GROUP BY 1, 2",
    )
    .bind(subjects(true))
    .bind(subjects(false))
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(to, receipt, count)| ((to, receipt), count))
    .collect();
    let unfinished: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM refunds WHERE merchant_id = ANY($1) AND status NOT IN ('succeeded', 'failed')",
    )
    .bind(&merchants)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        unfinished, 0,
        "refunds left unfinished after reconciliation"
    );

    let account = gateways::for_mode(&stack.platform, Mode::Test)
        .await
        .unwrap();
    let gateway = gateways::status_client(&stack.platform, &account).unwrap();
    // Receipts and refund notices go to the checkout's buyer, one address per checkout.
    let mut receipts_due: HashMap<String, i64> = HashMap::new();
    let mut notices_due: HashMap<String, i64> = HashMap::new();
    for (id, order_id, status, email, refunded_minor) in &payments {
        counts.payments += 1;
        let history = match gateway.api().order_history(order_id).await {
            Ok(history) => Some(history),
            Err(payten::api::ApiError::NotFound(_)) => None,
            Err(error) => panic!("order history of {order_id}: {error}"),
        };
        let seen = at_gateway(history.as_ref());
        let paid = matches!(status.as_str(), "paid" | "partially_refunded" | "refunded");
        assert_eq!(
            paid, seen.charged,
            "{order_id}: {status} in Saleonix, charged at the gateway: {}",
            seen.charged
        );
        assert_eq!(
            paid_events.get(id).copied().unwrap_or(0),
            i64::from(paid),
            "{order_id}: times it became paid"
        );
        let (made, sum) = refunds.get(id).copied().unwrap_or((0, 0));
        assert_eq!(
            (made, sum, *refunded_minor),
            (
                i64::from(seen.credits),
                seen.refunded_minor,
                seen.refunded_minor
            ),
            "{order_id}: refunds made and refunded amount in Saleonix against the gateway's credits"
        );
        counts.charged += u32::from(seen.charged);
        counts.paid += u32::from(paid);
        counts.credits += seen.credits;
        counts.refunds += u32::try_from(made).unwrap();
        *receipts_due.entry(email.clone()).or_default() += i64::from(paid);
        *notices_due.entry(email.clone()).or_default() += made;
    }
    for (email, due) in receipts_due {
        let queued = mails.get(&(email.clone(), true)).copied().unwrap_or(0);
        assert_eq!(queued, due, "receipts queued for {email}");
        counts.receipts += u32::try_from(queued).unwrap();
    }
    for (email, due) in notices_due {
        let queued = mails.get(&(email.clone(), false)).copied().unwrap_or(0);
        assert_eq!(queued, due, "refund notices queued for {email}");
        counts.refund_notices += u32::try_from(queued).unwrap();
    }

    // Each key the shop used made one refund, and no two keys the same one.
    let mut ids: Vec<String> = load
        .tally
        .lock()
        .unwrap()
        .refunds
        .iter()
        .map(|a| a.refund.clone().unwrap())
        .collect();
    counts.refunds_asked = u32::try_from(ids.len()).unwrap();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        u32::try_from(ids.len()).unwrap(),
        counts.refunds_asked,
        "two keys answered with one refund"
    );
    assert_eq!(
        counts.refunds, counts.refunds_asked,
        "refunds made against refunds asked"
    );

    webhooks_delivered(stack, &merchants, hooks, &mut counts).await;
    access_log(
        &stack.access_log(),
        &stack.instance_addresses(),
        &mut counts,
    );

    let report = platform::audit::verify_chain(pool).await.unwrap();
    assert_eq!(report.first_broken, None, "the audit chain is broken");
    assert_eq!(report.unsealed, 0, "audit rows left unchained");
    counts.rows_chained = report.rows_checked;
    counts
}

/// Every event of the merchants reached their endpoint at least once (webhooks are sent
/// at least once: an attempt a dead instance held may be repeated), and none is left to send.
async fn webhooks_delivered(
    stack: &Stack,
    merchants: &[Uuid],
    hooks: &Receiver,
    counts: &mut Counts,
) {
    let pool = &stack.platform.pool;
    let events: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM events WHERE merchant_id = ANY($1) ORDER BY seq")
            .bind(merchants)
            .fetch_all(pool)
            .await
            .unwrap();
    let unsent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE e.merchant_id = ANY($1) AND d.status <> 'succeeded'",
    )
    .bind(merchants)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(unsent, 0, "webhook deliveries not delivered");
    let received: Vec<String> = hooks.received().iter().map(|r| r.webhook_id()).collect();
    let seen: std::collections::HashSet<&str> = received.iter().map(String::as_str).collect();
    for event in &events {
        let id = encode(Kind::Event, *event);
        assert!(
            seen.contains(id.as_str()),
            "event {id} never reached its endpoint"
        );
    }
    assert_eq!(
        seen.len(),
        events.len(),
        "the receiver got events no merchant had"
    );
    counts.webhook_events = u32::try_from(events.len()).unwrap();
    counts.webhook_requests = u32::try_from(received.len()).unwrap();
    counts.webhook_repeats = counts.webhook_requests - counts.webhook_events;
}

/// nginx passed a request to a second instance only where that could not act twice: an
/// idempotent method, or nothing sent to the first. Counts the requests and the passing on.
fn access_log(log: &str, instances: &[String], counts: &mut Counts) {
    counts.by_instance = vec![0; instances.len()];
    for line in log.lines() {
        let method = line
            .split('"')
            .nth(1)
            .and_then(|request| request.split(' ').next())
            .unwrap_or_else(|| panic!("no request in {line}"));
        let status = line
            .split('"')
            .nth(2)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap();
        let upstreams = between(line, " upstream=", " upstream_status=");
        let sent = between(line, " upstream_sent=", " request_id=");
        let upstreams: Vec<&str> = upstreams.split(", ").collect();
        let sent: Vec<&str> = sent.split(", ").collect();
        counts.requests += 1;
        if let Some(last) = instances
            .iter()
            .position(|i| i == upstreams[upstreams.len() - 1])
        {
            counts.by_instance[last] += 1;
        }
        if status == "502" {
            counts.answered_502 += 1;
        }
        if upstreams.len() < 2 {
            continue;
        }
        if matches!(method, "GET" | "HEAD" | "OPTIONS") {
            counts.retried_safe += 1;
        } else {
            assert!(
                sent[..sent.len() - 1].iter().all(|bytes| *bytes == "0"),
                "nginx sent a {method} to two instances: {line}"
            );
            counts.passed_on_unsent += 1;
        }
    }
}

fn between<'a>(line: &'a str, start: &str, end: &str) -> &'a str {
    let from = line
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {line}"))
        + start.len();
    let to = line[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end} in {line}"))
        + from;
    &line[from..to]
}

#[test]
fn a_post_passed_on_before_any_byte_reached_the_first_instance_is_counted() {
    let line = r#"127.0.0.1 [2026-12-01T01:03:27+00:00] "POST /pay/callback HTTP/1.1" 200 8 0.302 "-" upstream=127.0.0.1:1, 127.0.0.1:2 upstream_status=502, 200 upstream_sent=0, 1285 request_id=9cb9"#;
    let mut counts = Counts::default();
    access_log(
        line,
        &["127.0.0.1:1".into(), "127.0.0.1:2".into()],
        &mut counts,
    );
    assert_eq!(
        (counts.passed_on_unsent, counts.by_instance),
        (1, vec![0, 1])
    );
}

/// What nginx logs with `proxy_next_upstream ... non_idempotent` (a control run of the
/// load test with it failed on this very line).
#[test]
#[should_panic(expected = "nginx sent a POST to two instances")]
fn a_post_that_reached_both_instances_fails_the_check() {
    let line = r#"127.0.0.1 [2026-12-01T01:03:27+00:00] "POST /pay/callback HTTP/1.1" 200 8 0.302 "-" upstream=127.0.0.1:1, 127.0.0.1:2 upstream_status=502, 200 upstream_sent=1285, 1285 request_id=9cb9"#;
    access_log(
        line,
        &["127.0.0.1:1".into(), "127.0.0.1:2".into()],
        &mut Counts::default(),
    );
}
