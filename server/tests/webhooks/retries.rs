use std::time::Duration as StdDuration;

use domain::{EventType, Mode};
use platform::webhooks::log;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::support::receiver::Answer;
use crate::world::world;

#[sqlx::test(migrations = "../migrations")]
async fn failed_attempts_are_retried_on_the_schedule_until_one_succeeds(pool: PgPool) {
    let w = world(pool).await;
    let created = w.endpoint(None).await;
    let endpoint = created.endpoint.id;
    w.receiver
        .script(&[Answer::Status(500), Answer::Slow(StdDuration::from_secs(2))]);
    w.event(EventType::PaymentSucceeded, "pay_1").await;
    let start = OffsetDateTime::now_utc();

    // A 500: retried no sooner than 30 seconds later (plus jitter), not at once.
    assert_eq!(w.deliver(start).await.delivered, 0);
    let first_retry = w.next_attempt(endpoint).await.unwrap();
    assert!(
        first_retry >= start + Duration::seconds(30)
            && first_retry <= start + Duration::seconds(36)
    );
    assert_eq!(w.deliver(start + Duration::seconds(29)).await.attempted, 0);

    // Too slow (the test server waits half a second): a timeout, retried after a minute.
    assert_eq!(w.deliver(first_retry).await.delivered, 0);
    let second_retry = w.next_attempt(endpoint).await.unwrap();
    assert!(second_retry >= first_retry + Duration::seconds(60));

    // Then it answers 200: delivered once, and no further attempt.
    assert_eq!(w.deliver(second_retry).await.delivered, 1);
    assert_eq!(
        w.deliver(second_retry + Duration::days(1)).await.attempted,
        0
    );
    assert_eq!(
        w.deliveries(endpoint).await,
        vec![("succeeded".to_owned(), 3)]
    );
    assert_eq!(w.receiver.received().len(), 3);
    // The same event id each time, so receivers can tell a retry from a new event.
    let ids: Vec<String> = w
        .receiver
        .received()
        .iter()
        .map(|r| r.webhook_id())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]));

    // The log, newest first: each attempt with its status, body, class and number.
    let page = log::attempts(
        &w.platform().pool,
        &w.scope,
        Mode::Test,
        &created.endpoint.public_id(),
        10,
        None,
    )
    .await
    .unwrap();
    let summary: Vec<(i32, Option<i32>, Option<String>)> = page
        .data
        .iter()
        .map(|a| (a.attempt, a.response_status, a.error_class.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (3, Some(200), None),
            (2, None, Some("timeout".to_owned())),
            (1, Some(500), Some("http_status".to_owned())),
        ]
    );
    assert_eq!(
        page.data[2].response_body.as_deref(),
        Some("boom from the receiver")
    );
    assert!(page.data[1].duration_ms >= 400);
    assert!(!page.has_more);

    // Paginated: one at a time, newest first.
    let first = log::attempts(
        &w.platform().pool,
        &w.scope,
        Mode::Test,
        &created.endpoint.public_id(),
        1,
        None,
    )
    .await
    .unwrap();
    assert!(first.has_more);
    let next = log::attempts(
        &w.platform().pool,
        &w.scope,
        Mode::Test,
        &created.endpoint.public_id(),
        1,
        Some(first.data[0].id),
    )
    .await
    .unwrap();
    assert_eq!(next.data[0].attempt, 2);
}
