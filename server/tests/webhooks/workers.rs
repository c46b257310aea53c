use std::time::Duration;

use domain::EventType;
use sqlx::PgPool;

use crate::support::receiver::Answer;
use crate::world::world_with;

#[sqlx::test(migrations = "../migrations")]
async fn the_spawned_workers_deliver_what_is_recorded_and_stop_when_asked(pool: PgPool) {
    let w = world_with(pool, Answer::Status(200), |s| {
        s.webhooks.poll_interval_ms = 50;
        s.webhooks.concurrency = 2;
    })
    .await;
    w.endpoint(None).await;
    let (sender, stop) = server::shutdown::channel();
    let workers = server::jobs::spawn_webhook_delivery(w.platform(), &stop);
    assert_eq!(workers.len(), 2);
    for n in 0..5 {
        w.event(EventType::PaymentSucceeded, &format!("pay_{n}"))
            .await;
    }
    // Delivered without anyone calling the worker: within a few polls.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while w.receiver.received().len() < 5 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(w.receiver.received().len(), 5);
    sender.stop();
    for worker in workers {
        tokio::time::timeout(Duration::from_secs(5), worker)
            .await
            .expect("a worker stops when asked")
            .unwrap();
    }
}
