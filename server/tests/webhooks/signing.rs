use domain::{EventType, Mode};
use platform::webhooks::endpoints;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use crate::world::{facts, world};

#[sqlx::test(migrations = "../migrations")]
async fn deliveries_verify_with_standard_webhooks_and_carry_the_event(pool: PgPool) {
    let w = world(pool).await;
    let created = w.endpoint(None).await;
    let event = w.event(EventType::PaymentSucceeded, "pay_1").await;

    let report = w.deliver(OffsetDateTime::now_utc()).await;
    assert_eq!((report.attempted, report.delivered), (1, 1));
    let received = w.receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert!(request.verifies(&created.secret));

    let body = request.event();
    let evt = domain::public_id::encode(domain::public_id::Kind::Event, event);
    assert_eq!(body["id"], evt.as_str());
    assert_eq!(request.webhook_id(), evt);
    assert_eq!(body["object"], "event");
    assert_eq!(body["type"], "payment.succeeded");
    assert_eq!(body["livemode"], false);
    assert_eq!(body["data"]["object"]["id"], "pay_1");
    assert_eq!(body["data"]["object"]["amount"], 1250);
    OffsetDateTime::parse(
        body["created"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let sent_at: i64 = request.header("webhook-timestamp").parse().unwrap();
    assert!((OffsetDateTime::now_utc().unix_timestamp() - sent_at).abs() < 60);

    // A changed body, or another secret, does not verify.
    let tampered = String::from_utf8(request.body.clone())
        .unwrap()
        .replace("1250", "9999");
    assert!(!request.verifies_body(&created.secret, tampered.as_bytes()));
    let other = platform::webhooks::signing::render(&[7u8; 32]);
    assert!(!request.verifies(&other));
    let second = w.endpoint(None).await;
    assert!(!request.verifies(&second.secret));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends(pool: PgPool) {
    let w = world(pool).await;
    let created = w.endpoint(None).await;
    let id = created.endpoint.public_id();
    let old = created.secret;
    let new = endpoints::rotate_secret(
        w.platform(),
        &w.scope,
        Mode::Test,
        &id,
        Duration::hours(24),
        &facts(),
    )
    .await
    .unwrap();

    w.event(EventType::PaymentSucceeded, "pay_1").await;
    w.deliver(OffsetDateTime::now_utc()).await;
    let during = &w.receiver.received()[0];
    assert_eq!(during.header("webhook-signature").split(' ').count(), 2);
    assert!(
        during.verifies(&old),
        "the old secret still verifies during the overlap"
    );
    assert!(during.verifies(&new));

    // A day and an hour later only the new secret signs.
    w.event(EventType::PaymentSucceeded, "pay_2").await;
    w.deliver(OffsetDateTime::now_utc() + Duration::hours(25))
        .await;
    let after = &w.receiver.received()[1];
    assert_eq!(after.header("webhook-signature").split(' ').count(), 1);
    assert!(!after.verifies(&old));
    assert!(after.verifies(&new));

    // Longer overlaps than seven days are refused.
    let refused = endpoints::rotate_secret(
        w.platform(),
        &w.scope,
        Mode::Test,
        &id,
        Duration::days(8),
        &facts(),
    )
    .await;
    assert!(matches!(
        refused,
        Err(platform::webhooks::WebhookError::Invalid {
            field: "overlap",
            ..
        })
    ));
}
