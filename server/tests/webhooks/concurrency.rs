use std::collections::HashMap;

use domain::EventType;
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::world::world;

/// Delivers until a pass finds nothing; returns how many it delivered.
async fn worker(platform: &platform::Platform, now: OffsetDateTime) -> usize {
    let mut delivered = 0;
    loop {
        let report = platform::webhooks::delivery::deliver_due(platform, now)
            .await
            .unwrap();
        delivered += report.delivered;
        if report.attempted == 0 {
            return delivered;
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn two_workers_draining_at_once_deliver_each_event_exactly_once(pool: PgPool) {
    let w = world(pool).await;
    w.endpoint(None).await;
    // Two objects with several events each, and many single ones.
    for n in 0..30 {
        w.event(EventType::PaymentSucceeded, &format!("pay_{}", n % 12))
            .await;
    }
    let now = OffsetDateTime::now_utc();
    let (a, b) = tokio::join!(worker(w.platform(), now), worker(w.platform(), now));
    assert_eq!(a + b, 30);
    let mut counts: HashMap<String, usize> = HashMap::new();
    for request in w.receiver.received() {
        *counts.entry(request.webhook_id()).or_default() += 1;
    }
    assert_eq!(counts.len(), 30);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    // And each object's events arrived in the order they were recorded.
    let mut last_seen: HashMap<String, i64> = HashMap::new();
    for request in w.receiver.received() {
        let event = request.event();
        let object = event["data"]["object"]["id"].as_str().unwrap().to_owned();
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM events WHERE id = $1")
            .bind(
                domain::public_id::decode(domain::public_id::Kind::Event, &request.webhook_id())
                    .unwrap(),
            )
            .fetch_one(&w.platform().pool)
            .await
            .unwrap();
        if let Some(previous) = last_seen.insert(object, seq) {
            assert!(previous < seq);
        }
    }
}
