use domain::{EventType, Mode};
use platform::webhooks::endpoints;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::support::accounts::mails_to;
use crate::support::receiver::Answer;
use crate::world::{World, world_with};

async fn state(w: &World, id: &str) -> (bool, Option<String>) {
    let endpoint = endpoints::get(&w.platform().pool, &w.scope, Mode::Test, id)
        .await
        .unwrap();
    (endpoint.enabled, endpoint.disabled_reason)
}

#[sqlx::test(migrations = "../migrations")]
async fn an_endpoint_failing_every_attempt_is_disabled_after_the_last_and_its_owners_mailed(
    pool: PgPool,
) {
    let w = world_with(pool, Answer::Status(500), |_| {}).await;
    let created = w.endpoint(None).await;
    let (endpoint, id) = (created.endpoint.id, created.endpoint.public_id());
    w.event(EventType::PaymentSucceeded, "pay_1").await;
    w.event(EventType::RefundSucceeded, "re_1").await;
    let max = w.platform().config.settings.webhooks.max_attempts;

    // Follow the schedule: each pass at the moment the next retry falls due.
    let mut now = OffsetDateTime::now_utc();
    let start = now;
    let mut disabled = 0;
    while let Some(due) = w.next_attempt(endpoint).await {
        now = due.max(now);
        disabled += w.deliver(now).await.disabled;
    }
    assert_eq!(disabled, 1);
    assert_eq!(state(&w, &id).await, (false, Some("failing".to_owned())));
    // The first delivery ran its whole schedule (three days at least), then the endpoint
    // was disabled and the other delivery given up with it.
    let deliveries = w.deliveries(endpoint).await;
    assert!(
        deliveries.iter().all(|(status, _)| status == "failed"),
        "{deliveries:?}"
    );
    assert!(
        deliveries
            .iter()
            .any(|(_, attempts)| *attempts == i32::try_from(max).unwrap())
    );
    assert!(now - start >= Duration::days(3), "{:?}", now - start);

    let mails = mails_to(&w.server, &w.owner_email()).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains(&w.receiver.url));

    // A disabled endpoint gets no new deliveries.
    w.event(EventType::PaymentSucceeded, "pay_2").await;
    assert_eq!(w.deliveries(endpoint).await.len(), 2);
    assert_eq!(w.deliver(now + Duration::days(1)).await.attempted, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn five_days_of_failure_disable_an_endpoint_before_its_attempts_run_out(pool: PgPool) {
    let w = world_with(pool, Answer::Status(500), |_| {}).await;
    let created = w.endpoint(None).await;
    let (endpoint, id) = (created.endpoint.id, created.endpoint.public_id());
    w.event(EventType::PaymentSucceeded, "pay_1").await;
    let start = OffsetDateTime::now_utc();
    w.deliver(start).await;
    // Failing since `start`; four days on, still trying.
    w.event(EventType::PaymentSucceeded, "pay_2").await;
    w.deliver(start + Duration::days(4)).await;
    assert!(state(&w, &id).await.0);
    // Past five days of nothing but failures: disabled, though attempts remain.
    w.event(EventType::PaymentSucceeded, "pay_3").await;
    let report = w
        .deliver(start + Duration::days(5) + Duration::minutes(1))
        .await;
    assert_eq!(report.disabled, 1);
    assert_eq!(state(&w, &id).await, (false, Some("failing".to_owned())));
    let attempts: i32 =
        sqlx::query_scalar("SELECT max(attempts) FROM webhook_deliveries WHERE endpoint_id = $1")
            .bind(endpoint)
            .fetch_one(&w.platform().pool)
            .await
            .unwrap();
    assert!(attempts < 5);
    assert_eq!(mails_to(&w.server, &w.owner_email()).await.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_success_ends_the_failure_streak(pool: PgPool) {
    let w = world_with(pool, Answer::Status(200), |_| {}).await;
    let created = w.endpoint(None).await;
    let id = created.endpoint.public_id();
    w.receiver.script(&[Answer::Status(500)]);
    w.event(EventType::PaymentSucceeded, "pay_1").await;
    let start = OffsetDateTime::now_utc();
    assert_eq!(w.deliver(start).await.delivered, 0);
    w.deliver_all(start + Duration::days(1)).await;
    // Six days after the first failure, one more failure does not disable it: the
    // success in between ended the streak.
    w.receiver.script(&[Answer::Status(500)]);
    w.event(EventType::PaymentSucceeded, "pay_2").await;
    assert_eq!(w.deliver(start + Duration::days(6)).await.disabled, 0);
    assert!(state(&w, &id).await.0);
}
