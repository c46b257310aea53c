use domain::public_id::{Kind, encode};
use domain::{EventType, Mode};
use platform::webhooks::endpoints::{self, Change};
use platform::webhooks::{WebhookError, resend};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::support::receiver::Answer;
use crate::world::{facts, world_with};

#[sqlx::test(migrations = "../migrations")]
async fn resend_one_and_resend_all_failed_since_reach_a_recovered_endpoint(pool: PgPool) {
    // Two attempts per delivery, so the endpoint gives up quickly.
    let w = world_with(pool, Answer::Status(500), |s| s.webhooks.max_attempts = 2).await;
    let created = w.endpoint(None).await;
    let id = created.endpoint.public_id();
    let before = OffsetDateTime::now_utc() - Duration::seconds(1);
    let first = w.event(EventType::PaymentSucceeded, "pay_1").await;
    let second = w.event(EventType::RefundFailed, "re_1").await;
    let now = OffsetDateTime::now_utc();
    w.deliver_all(now).await;
    w.deliver_all(now + Duration::hours(1)).await;
    assert!(
        !endpoints::get(&w.platform().pool, &w.scope, Mode::Test, &id)
            .await
            .unwrap()
            .enabled
    );

    // Not while it is disabled.
    let refused =
        resend::resend_failed_since(w.platform(), &w.scope, Mode::Test, &id, before, &facts())
            .await;
    assert!(matches!(refused, Err(WebhookError::Disabled)));

    // The merchant fixes the receiver and enables the endpoint again.
    let before_fix = w.receiver.received().len();
    w.receiver
        .script(&[Answer::Status(200), Answer::Status(200)]);
    let change = Change {
        enabled: Some(true),
        ..Change::default()
    };
    endpoints::update(w.platform(), &w.scope, Mode::Test, &id, &change, &facts())
        .await
        .unwrap();
    // Only events at or after `since` count.
    let none = resend::resend_failed_since(
        w.platform(),
        &w.scope,
        Mode::Test,
        &id,
        now + Duration::minutes(5),
        &facts(),
    )
    .await
    .unwrap();
    assert_eq!(none, 0);
    let queued =
        resend::resend_failed_since(w.platform(), &w.scope, Mode::Test, &id, before, &facts())
            .await
            .unwrap();
    assert_eq!(queued, 2);
    let report = w.deliver_all(OffsetDateTime::now_utc()).await;
    assert_eq!(report.delivered, 2);
    // Both at once: resends stand outside any order.
    let mut resent: Vec<String> = w.receiver.received()[before_fix..]
        .iter()
        .map(|r| r.webhook_id())
        .collect();
    resent.sort();
    let mut expected = vec![encode(Kind::Event, first), encode(Kind::Event, second)];
    expected.sort();
    assert_eq!(resent, expected);
    assert!(
        w.receiver.received()[before_fix..]
            .iter()
            .all(|r| r.verifies(&created.secret))
    );
    // Delivered now, so nothing failed is left to resend.
    let again =
        resend::resend_failed_since(w.platform(), &w.scope, Mode::Test, &id, before, &facts())
            .await
            .unwrap();
    assert_eq!(again, 0);

    // One event, once more, on request.
    w.receiver.script(&[Answer::Status(200)]);
    resend::resend(
        w.platform(),
        &w.scope,
        Mode::Test,
        &id,
        &encode(Kind::Event, first),
        &facts(),
    )
    .await
    .unwrap();
    assert_eq!(w.deliver_all(OffsetDateTime::now_utc()).await.delivered, 1);
    assert_eq!(
        w.receiver.received().last().unwrap().webhook_id(),
        encode(Kind::Event, first)
    );
    // An event id of no event of this merchant is not found.
    let unknown = encode(Kind::Event, uuid::Uuid::new_v4());
    let missing = resend::resend(w.platform(), &w.scope, Mode::Test, &id, &unknown, &facts()).await;
    assert!(matches!(missing, Err(WebhookError::NotFound)));

    let audited = w.audited().await;
    for kind in [
        "webhook_endpoint.update",
        "webhook_endpoint.resend_failed",
        "webhook_endpoint.resend",
    ] {
        assert!(audited.iter().any(|a| a == kind), "{kind} in {audited:?}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_test_event_reaches_only_its_endpoint_and_is_not_listed(pool: PgPool) {
    let w = world_with(pool, Answer::Status(200), |_| {}).await;
    let tested = w.endpoint(None).await;
    let other = w.endpoint(None).await;
    let evt = resend::send_test(
        w.platform(),
        &w.scope,
        Mode::Test,
        &tested.endpoint.public_id(),
        &facts(),
    )
    .await
    .unwrap();
    assert_eq!(w.deliver_all(OffsetDateTime::now_utc()).await.delivered, 1);
    let received = w.receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].webhook_id(), evt);
    assert_eq!(received[0].event()["type"], "webhook.test");
    assert!(received[0].verifies(&tested.secret));
    assert!(!received[0].verifies(&other.secret));
    assert!(w.deliveries(other.endpoint.id).await.is_empty());

    let listed = platform::events::list(
        &w.platform().pool,
        &w.scope,
        Mode::Test,
        &Default::default(),
    )
    .await
    .unwrap();
    assert!(listed.data.is_empty());
    assert!(
        w.audited()
            .await
            .contains(&"webhook_endpoint.test".to_owned())
    );
}
