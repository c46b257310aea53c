//! The webhook workers delivering to a local receiver (issue 21's target: 500 events a
//! second on this machine). `MERCHANTS` merchants each register one Test Mode endpoint
//! through `webhooks::endpoints::create`; the workers are the server's
//! (`webhooks.concurrency` tasks, each calling `delivery::deliver_due` at once after a
//! full batch and after `poll_interval_ms` otherwise) with the default settings; the
//! receiver is a minimal HTTP/1.1 server in this process that answers 200 at once.
//!
//! 1. Backlog: `BACKLOG` events written in one transaction (the rows `events::record`
//!    writes, in bulk), then drained: deliveries per second from commit to the last 2xx.
//! 2. Steady: `RATE` events a second recorded with `events::record` for `SECONDS`,
//!    in transactions of `RATE / 50` every 20 ms: the latency from each event's commit to
//!    the receiver's reading of its request (p50, p99, max), and the rate kept.
//!
//! Needs Postgres; it works in a database of its own, `saleonix_bench_webhooks`, made
//! afresh:
//!   cargo bench -p platform --bench webhook_delivery
//! (`SALEONIX_DATABASE_URL` points elsewhere; `MERCHANTS`, `BACKLOG`, `RATE`, `SECONDS`
//! change the load.) `bench/webhook-delivery.sh` runs it.

// Benchmark code: a failed unwrap is the benchmark stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::{EventType, MerchantId, Mode};
use platform::Platform;
use platform::audit::RequestFacts;
use platform::identity::roles::MerchantScope;
use platform::identity::users;
use platform::webhooks::{delivery, endpoints};
use support::Database;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use uuid::Uuid;

mod support;

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// When the receiver read each `webhook-id`'s request (the first time), and how many it read.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<(HashMap<String, Instant>, usize)>>);

impl Received {
    fn count(&self) -> usize {
        self.0.lock().unwrap().1
    }
}

/// Answers every request with `200 OK` on kept-alive connections, noting its `webhook-id`.
async fn receiver(received: Received) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let received = received.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut read = BufReader::new(read);
                loop {
                    let (mut length, mut id) = (0usize, None);
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let header = line.trim_end();
                        if header.is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':') {
                            match name.to_ascii_lowercase().as_str() {
                                "content-length" => length = value.trim().parse().unwrap(),
                                "webhook-id" => id = Some(value.trim().to_owned()),
                                _ => {}
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    read.read_exact(&mut body).await.unwrap();
                    {
                        let mut seen = received.0.lock().unwrap();
                        seen.1 += 1;
                        if let Some(id) = id {
                            seen.0.entry(id).or_insert_with(Instant::now);
                        }
                    }
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                    if write.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

async fn setup(merchants: usize, port: u16) -> (Platform, Vec<MerchantId>) {
    let platform = support::platform("saleonix_bench_webhooks", Database::Afresh).await;
    let mut ids = Vec::new();
    for n in 0..merchants {
        let (merchant_id, user_id) = (Uuid::new_v4(), Uuid::new_v4());
        sqlx::query(
            "WITH m AS (INSERT INTO merchants (id, business_name, verified_at) VALUES ($1, $3, now())),
                  u AS (INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
                        VALUES ($2, $3 || '@shop.test', 'Owner', 'merchant',
                                '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', now()))
             INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, 'owner')",
        )
        .bind(merchant_id)
        .bind(user_id)
        .bind(format!("shop-{n}"))
        .execute(&platform.pool)
        .await
        .unwrap();
        let user = users::load_active(&platform.pool, user_id)
            .await
            .unwrap()
            .unwrap();
        let scope = MerchantScope::of(&user).unwrap();
        let new = endpoints::NewEndpoint {
            url: format!("http://127.0.0.1:{port}/hooks/{n}"),
            event_types: None,
            description: "bench".into(),
        };
        endpoints::create(
            &platform,
            &scope,
            Mode::Test,
            &new,
            &RequestFacts::default(),
        )
        .await
        .unwrap();
        ids.push(MerchantId::from_uuid(merchant_id));
    }
    (platform, ids)
}

/// A payment as the API shows it, about the size of the real event's object.
fn payment(object_id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": object_id, "object": "payment", "amount": 4500, "currency": "EUR",
        "status": "succeeded", "livemode": false, "checkout_session": "cs_0123456789abcdef0123456789abcdef",
        "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
        "created": "2026-11-30T09:00:00Z", "metadata": {}
    })
}

/// The server's webhook workers (`server::jobs::spawn_webhook_delivery`), without the stop.
fn spawn_workers(platform: &Platform) {
    let settings = platform.config.settings.webhooks;
    for _ in 0..settings.concurrency {
        let platform = platform.clone();
        tokio::spawn(async move {
            loop {
                let now = time::OffsetDateTime::now_utc();
                let more = match delivery::deliver_due(&platform, now).await {
                    Ok(report) => report.more_due(),
                    Err(error) => {
                        eprintln!("delivery pass failed: {error}");
                        false
                    }
                };
                if !more {
                    tokio::time::sleep(Duration::from_millis(settings.poll_interval_ms)).await;
                }
            }
        });
    }
}

async fn wait_for(received: &Received, count: usize) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(600);
    while received.count() < count {
        assert!(
            Instant::now() < deadline,
            "deliveries stalled at {}",
            received.count()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Instant::now()
}

async fn backlog(
    platform: &Platform,
    merchants: &[MerchantId],
    received: &Received,
    events: usize,
) {
    let ids: Vec<Uuid> = merchants.iter().map(|m| m.as_uuid()).collect();
    let object = payment("pay_bench");
    let started = Instant::now();
    // The rows `events::record` writes, for many events at once: each event for one
    // merchant in turn, about one of `events / 4` objects (so some wait for an earlier one).
    sqlx::query(
        "WITH e AS (
            INSERT INTO events (id, merchant_id, mode, type, object_id, data)
            SELECT gen_random_uuid(), ($1::uuid[])[1 + i % cardinality($1::uuid[])], 'test', 'payment.succeeded',
                   'pay_' || (i % greatest($2 / 4, 1)), $3
            FROM generate_series(0, $2 - 1) i
            RETURNING id, seq, merchant_id, mode, type, object_id, created_at)
         INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_seq, object_id, next_attempt_at)
         SELECT gen_random_uuid(), w.id, e.id, e.seq, e.object_id, e.created_at
         FROM webhook_endpoints w JOIN e ON w.merchant_id = e.merchant_id AND w.mode = e.mode
         WHERE w.enabled AND (w.event_types IS NULL OR e.type = ANY (w.event_types))",
    )
    .bind(&ids)
    .bind(i32::try_from(events).unwrap())
    .bind(&object)
    .execute(&platform.pool)
    .await
    .unwrap();
    let written = started.elapsed();
    let committed = Instant::now();
    let done = wait_for(received, events).await;
    let took = done - committed;
    println!(
        "backlog: {events} events written in {:.2} s, delivered in {:.2} s: {:.0} deliveries/s",
        written.as_secs_f64(),
        took.as_secs_f64(),
        events as f64 / took.as_secs_f64()
    );
}

async fn steady(
    platform: &Platform,
    merchants: &[MerchantId],
    received: &Received,
    rate: usize,
    seconds: usize,
) {
    const TICK: Duration = Duration::from_millis(20);
    let per_tick = (rate / 50).max(1);
    let before = received.count();
    let mut committed: Vec<(String, Instant)> = Vec::new();
    let mut ticks = tokio::time::interval(TICK);
    let started = Instant::now();
    let mut n = 0usize;
    for _ in 0..seconds * 50 {
        ticks.tick().await;
        let mut tx = platform.pool.begin().await.unwrap();
        let mut ids = Vec::with_capacity(per_tick);
        for _ in 0..per_tick {
            let object_id = format!("pay_steady_{}", n % 1000);
            let merchant = merchants[n % merchants.len()];
            let id = platform::events::record(
                &mut tx,
                merchant,
                Mode::Test,
                EventType::PaymentSucceeded,
                &object_id,
                payment(&object_id),
            )
            .await
            .unwrap();
            ids.push(domain::public_id::encode(
                domain::public_id::Kind::Event,
                id,
            ));
            n += 1;
        }
        tx.commit().await.unwrap();
        let at = Instant::now();
        committed.extend(ids.into_iter().map(|id| (id, at)));
    }
    let fed = started.elapsed();
    let done = wait_for(received, before + n).await;
    let seen = received.0.lock().unwrap().0.clone();
    let mut latencies: Vec<Duration> = committed
        .iter()
        .map(|(id, at)| seen[id].saturating_duration_since(*at))
        .collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "steady: {n} events recorded in {:.1} s ({:.0}/s), all delivered {:.2} s after the last; \
         latency from commit to receiver p50 {} ms, p99 {} ms, max {} ms",
        fed.as_secs_f64(),
        n as f64 / fed.as_secs_f64(),
        (done - started - fed).as_secs_f64(),
        at(0.5).as_millis(),
        at(0.99).as_millis(),
        latencies.last().unwrap().as_millis()
    );
}

fn main() {
    let merchants = knob("MERCHANTS", 20);
    let events = knob("BACKLOG", 20_000);
    let rate = knob("RATE", 500);
    let seconds = knob("SECONDS", 20);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let received = Received::default();
        let port = receiver(received.clone()).await;
        let (platform, ids) = setup(merchants, port).await;
        let hooks = platform.config.settings.webhooks;
        println!(
            "{merchants} merchants, one endpoint each; {} workers, batches of {}, timeout {} ms, poll {} ms",
            hooks.concurrency,
            delivery::BATCH,
            hooks.timeout_ms,
            hooks.poll_interval_ms
        );
        spawn_workers(&platform);
        backlog(&platform, &ids, &received, events).await;
        steady(&platform, &ids, &received, rate, seconds).await;
        let stuck: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded'")
            .fetch_one(&platform.pool)
            .await
            .unwrap();
        assert_eq!(stuck, 0, "every delivery succeeded");
    });
}
