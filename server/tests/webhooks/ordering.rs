use domain::EventType;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::support::receiver::Answer;
use crate::world::world;

fn seen(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(t, o)| ((*t).to_owned(), (*o).to_owned()))
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_later_event_of_an_object_waits_for_the_earlier_one_and_other_objects_do_not(
    pool: PgPool,
) {
    let w = world(pool).await;
    w.endpoint(None).await;
    // The first delivery of pay_1 fails; everything after it succeeds. A pass sends its
    // deliveries at once and the receiver answers in arrival order, so pay_2's event is
    // recorded only after that pass: the 503 is surely pay_1's.
    w.receiver.script(&[Answer::Status(503)]);
    w.event(EventType::PaymentFailed, "pay_1").await;
    w.event(EventType::PaymentSucceeded, "pay_1").await;
    let now = OffsetDateTime::now_utc();
    w.deliver_all(now).await;
    w.event(EventType::PaymentSucceeded, "pay_2").await;
    w.deliver_all(now + Duration::seconds(1)).await;
    // pay_1's second event waits behind its first, being retried; pay_2 goes on.
    assert_eq!(
        w.receiver.seen(),
        seen(&[("payment.failed", "pay_1"), ("payment.succeeded", "pay_2")])
    );

    // Once the first is delivered, the second follows it.
    w.deliver_all(now + Duration::hours(1)).await;
    assert_eq!(
        w.receiver.seen(),
        seen(&[
            ("payment.failed", "pay_1"),
            ("payment.succeeded", "pay_2"),
            ("payment.failed", "pay_1"),
            ("payment.succeeded", "pay_1"),
        ])
    );
}
