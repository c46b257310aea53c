//! Leases: a worker that crashes after claiming deliveries holds them only until its lease
//! runs out, and a worker that outlived its lease records nothing over the next one's.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use domain::EventType;
use platform::webhooks::delivery;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::support::receiver::Answer;
use crate::world::{World, world, world_with};

/// How many requests the receiver got for each `webhook-id`.
fn copies(w: &World) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in w.receiver.received() {
        *counts.entry(request.webhook_id()).or_default() += 1;
    }
    counts
}

/// The lease of the world's settings, as a `time` duration past it.
fn past_the_lease(w: &World) -> Duration {
    let lease = delivery::lease(&w.platform().config.settings.webhooks);
    Duration::try_from(lease).unwrap() + Duration::seconds(1)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_crashed_workers_deliveries_go_out_once_its_lease_runs_out(pool: PgPool) {
    let w = world(pool).await;
    let endpoint = w.endpoint(None).await.endpoint.id;
    w.event(EventType::PaymentFailed, "pay_1").await;
    w.event(EventType::PaymentSucceeded, "pay_1").await;
    w.event(EventType::PaymentSucceeded, "pay_2").await;
    let now = OffsetDateTime::now_utc();

    // A worker claims pay_1's first event and pay_2's (pay_1's second waits behind the
    // first), then dies without sending or recording anything.
    let crashed = delivery::claim(w.platform(), now).await.unwrap();
    assert_eq!(crashed.len(), 2);
    drop(crashed);

    // While the lease holds, no other worker sends them, nor the event waiting behind one.
    assert_eq!(w.deliver_all(now + Duration::seconds(5)).await.attempted, 0);
    assert!(w.receiver.received().is_empty());

    // Once it has run out, another worker delivers all three, each once, pay_1 in order.
    let report = w.deliver_all(now + past_the_lease(&w)).await;
    assert_eq!((report.attempted, report.delivered), (3, 3));
    assert_eq!(copies(&w).len(), 3);
    assert!(copies(&w).values().all(|&n| n == 1), "{:?}", copies(&w));
    let pay_1: Vec<String> = w
        .receiver
        .seen()
        .into_iter()
        .filter(|(_, object)| object == "pay_1")
        .map(|(kind, _)| kind)
        .collect();
    assert_eq!(pay_1, ["payment.failed", "payment.succeeded"]);
    // The crashed claim was no attempt: each delivery took one.
    assert_eq!(
        w.deliveries(endpoint).await,
        vec![("succeeded".to_owned(), 1); 3]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_worker_that_outlived_its_lease_records_nothing_over_the_next_one(pool: PgPool) {
    let w = world(pool).await;
    let created = w.endpoint(None).await;
    w.event(EventType::PaymentSucceeded, "pay_1").await;
    let now = OffsetDateTime::now_utc();

    // One worker claims it and stalls; after its lease another delivers it.
    let stalled = delivery::claim(w.platform(), now).await.unwrap();
    assert_eq!(w.deliver_all(now + past_the_lease(&w)).await.delivered, 1);

    // The stalled worker wakes and sends: the receiver sees a repeat of the same
    // `webhook-id` (which it deduplicates), but the delivery keeps the state, the attempt
    // count and the log the second worker wrote.
    w.receiver.script(&[Answer::Status(500)]);
    let report = delivery::deliver(w.platform(), stalled, now).await.unwrap();
    assert_eq!((report.attempted, report.delivered), (1, 0));
    assert_eq!(copies(&w).values().copied().collect::<Vec<_>>(), [2]);
    assert_eq!(
        w.deliveries(created.endpoint.id).await,
        [("succeeded".to_owned(), 1)]
    );
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_attempts")
        .fetch_one(&w.platform().pool)
        .await
        .unwrap();
    assert_eq!(logged, 1);
    assert_eq!(w.next_attempt(created.endpoint.id).await, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn workers_draining_together_with_requests_in_flight_deliver_each_event_once_in_order(
    pool: PgPool,
) {
    // A receiver slow enough that the workers' batches are in flight at the same time.
    let w = world_with(pool, Answer::Slow(StdDuration::from_millis(40)), |_| {}).await;
    w.endpoint(None).await;
    for n in 0..60 {
        w.event(EventType::PaymentSucceeded, &format!("pay_{}", n % 7))
            .await;
    }
    let now = OffsetDateTime::now_utc();
    let drain = || async {
        let mut delivered = 0;
        loop {
            let report = delivery::deliver_due(w.platform(), now).await.unwrap();
            delivered += report.delivered;
            if report.attempted == 0 {
                return delivered;
            }
        }
    };
    let (a, b, c) = tokio::join!(drain(), drain(), drain());
    assert_eq!(a + b + c, 60);
    assert_eq!(copies(&w).len(), 60);
    assert!(copies(&w).values().all(|&n| n == 1), "{:?}", copies(&w));
    // Each object's events arrived in the order they were recorded.
    let mut last_seen: HashMap<String, i64> = HashMap::new();
    for request in w.receiver.received() {
        let object = request.event()["data"]["object"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let id = domain::public_id::decode(domain::public_id::Kind::Event, &request.webhook_id())
            .unwrap();
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM events WHERE id = $1")
            .bind(id)
            .fetch_one(&w.platform().pool)
            .await
            .unwrap();
        if let Some(previous) = last_seen.insert(object, seq) {
            assert!(previous < seq, "an object's events arrived out of order");
        }
    }
}
