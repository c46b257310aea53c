//! Cancelling: by the merchant now or at the end of the period paid for, refused for the
//! wrong merchant or mode, a gateway that refuses, and a series the gateway cancelled on
//! its own.

use platform::payments::PaymentError;
use platform::subscriptions::cancel::{self, AHEAD_OF_CHARGE, Cancelled, cancel_now};
use support::checkout::shop_with;

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn cancelling_now_stops_the_series_at_the_gateway(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, _) = subscription_of(&shop, &order_id).await;
    let platform = &shop.server.platform;
    let facts = Default::default();

    // Another merchant, or this merchant in the other mode, finds nothing to cancel.
    let (_, other) = merchant(shop.pool(), "Prizren Leather", true).await;
    for (scope, mode) in [(&other, Mode::Test), (&shop.scope, Mode::Live)] {
        assert!(matches!(
            cancel_now(platform, scope, mode, id, &facts).await,
            Err(PaymentError::NotFound)
        ));
    }
    assert_eq!(status(&shop, id).await, "active");

    assert_eq!(
        cancel_now(platform, &shop.scope, Mode::Test, id, &facts)
            .await
            .unwrap(),
        Cancelled::Now
    );
    assert_eq!(status(&shop, id).await, "cancelled");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'subscription.cancel' AND outcome = 'success'
             AND target_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
    assert!(matches!(
        cancel_now(platform, &shop.scope, Mode::Test, id, &facts).await,
        Err(PaymentError::SubscriptionOver)
    ));

    // The gateway charges nothing more; the last look records nothing and ends the polling.
    advance_gateway(&shop, 70).await;
    let report = poll_after(&shop, 0).await;
    assert_eq!((report.polled, report.paid), (1, 0));
    assert_eq!(poll_after(&shop, 400).await, Report::default());
    assert_eq!(installments(&shop, id).await.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refused_cancel_changes_nothing_and_is_audited(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, _) = subscription_of(&shop, &order_id).await;
    // A series the gateway does not know: it answers with a refusal.
    sqlx::query("UPDATE subscriptions SET recurring_id = '999999999' WHERE id = $1")
        .bind(id)
        .execute(shop.pool())
        .await
        .unwrap();
    let refused = cancel_now(
        &shop.server.platform,
        &shop.scope,
        Mode::Test,
        id,
        &Default::default(),
    )
    .await;
    assert!(
        matches!(refused, Err(PaymentError::Gateway(_))),
        "{refused:?}"
    );
    assert_eq!(status(&shop, id).await, "active");
    let audited: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT outcome::text, reason FROM audit.events WHERE event_type = 'subscription.cancel'",
    )
    .fetch_all(shop.pool())
    .await
    .unwrap();
    assert_eq!(
        audited,
        [("failure".to_owned(), Some("not_found".to_owned()))]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cancel_whose_answer_was_lost_is_settled_by_polling(pool: PgPool) {
    let shop = shop_with(pool, |settings| settings.refunds.gateway_timeout_secs = 1).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, _) = subscription_of(&shop, &order_id).await;
    let platform = &shop.server.platform;

    // The gateway cancels the series, and its answer never arrives.
    shop.fault(serde_json::json!({ "kind": "api_timeout", "hang_ms": 5000 }))
        .await;
    let sent = cancel_now(platform, &shop.scope, Mode::Test, id, &Default::default()).await;
    assert!(matches!(sent, Ok(Cancelled::Pending)), "{sent:?}");
    assert_eq!(
        status(&shop, id).await,
        "active",
        "not claimed before it is known"
    );

    // The worker reads the series: nothing more is planned, so the cancel happened.
    let report = poll_after(&shop, 0).await;
    assert_eq!(report.polled, 1);
    assert_eq!(status(&shop, id).await, "cancelled");
    let settled: String = sqlx::query_scalar(
        "SELECT reason FROM audit.events WHERE event_type = 'subscription.status' AND target_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(settled, "cancel_settled");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cancel_the_gateway_never_processed_is_sent_again_by_the_worker(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, _) = subscription_of(&shop, &order_id).await;
    let platform = &shop.server.platform;

    // An error page instead of an answer: the cancel may or may not have happened.
    shop.fault(serde_json::json!({ "kind": "api_server_error" }))
        .await;
    let sent = cancel_now(platform, &shop.scope, Mode::Test, id, &Default::default()).await;
    assert!(matches!(sent, Ok(Cancelled::Pending)), "{sent:?}");

    // The series still plans its installments: the worker cancels it again, answered now.
    let report = poll_after(&shop, 0).await;
    assert_eq!(report.polled, 1);
    assert_eq!(status(&shop, id).await, "cancelled");
    advance_gateway(&shop, 70).await;
    poll_after(&shop, 1).await;
    assert_eq!(
        installments(&shop, id).await.len(),
        1,
        "the gateway charged nothing after the cancel"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_series_the_gateway_cancelled_is_seen_as_cancelled(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, recurring_id) = subscription_of(&shop, &order_id).await;
    change_series(
        &shop,
        &recurring_id.unwrap(),
        serde_json::json!({ "cancel": true }),
    )
    .await;

    advance_gateway(&shop, 32).await;
    let report = poll_after(&shop, 33).await;
    assert_eq!((report.polled, report.paid), (1, 0));
    assert_eq!(status(&shop, id).await, "cancelled");
    let reason: String = sqlx::query_scalar(
        "SELECT reason FROM audit.events WHERE event_type = 'subscription.status' AND target_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(reason, "cancelled_by_gateway");
}

#[sqlx::test(migrations = "../migrations")]
async fn cancelling_at_period_end_leaves_the_period_paid_for(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, _) = subscription_of(&shop, &order_id).await;
    let platform = &shop.server.platform;
    let facts = Default::default();

    let (_, other) = merchant(shop.pool(), "Prizren Leather", true).await;
    for (scope, mode) in [(&other, Mode::Test), (&shop.scope, Mode::Live)] {
        assert!(matches!(
            cancel::at_period_end(platform, scope, mode, id, &facts).await,
            Err(PaymentError::NotFound)
        ));
        assert!(matches!(
            cancel::keep(platform, scope, mode, id, &facts).await,
            Err(PaymentError::NotFound)
        ));
    }

    // The series is cancelled a day before the next planned charge; the subscription runs
    // until then, and a pass before it changes nothing.
    let at = cancel::at_period_end(platform, &shop.scope, Mode::Test, id, &facts)
        .await
        .unwrap();
    let next: OffsetDateTime =
        sqlx::query_scalar("SELECT next_charge_at FROM subscriptions WHERE id = $1")
            .bind(id)
            .fetch_one(shop.pool())
            .await
            .unwrap();
    assert_eq!(at, next - AHEAD_OF_CHARGE);
    assert_eq!(
        cancel::at_period_end(platform, &shop.scope, Mode::Test, id, &facts)
            .await
            .unwrap(),
        at,
        "asking again changes nothing"
    );
    assert_eq!(poll_after(&shop, 1).await.polled, 0);
    assert_eq!(status(&shop, id).await, "active");

    // Kept, the worker would leave the series alone; ended again, it cancels it at its time.
    cancel::keep(platform, &shop.scope, Mode::Test, id, &facts)
        .await
        .unwrap();
    let kept: Option<OffsetDateTime> =
        sqlx::query_scalar("SELECT cancel_at FROM subscriptions WHERE id = $1")
            .bind(id)
            .fetch_one(shop.pool())
            .await
            .unwrap();
    assert_eq!(kept, None);
    cancel::at_period_end(platform, &shop.scope, Mode::Test, id, &facts)
        .await
        .unwrap();
    let report = follow::poll_due(platform, at + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((report.polled, report.paid), (1, 0));
    assert_eq!(status(&shop, id).await, "cancelled");
    let reasons: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT reason FROM audit.events WHERE event_type = 'subscription.status' AND target_id = $1",
    )
    .bind(id.to_string())
    .fetch_all(shop.pool())
    .await
    .unwrap();
    assert_eq!(reasons, [Some("period_end".to_owned())]);
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT event_type FROM audit.events WHERE target_id = $1 AND event_type <> 'subscription.status'
         AND event_type LIKE 'subscription.%' ORDER BY occurred_at",
    )
    .bind(id.to_string())
    .fetch_all(shop.pool())
    .await
    .unwrap();
    assert_eq!(
        audited,
        [
            "subscription.start",
            "subscription.cancel_at_period_end",
            "subscription.keep",
            "subscription.cancel_at_period_end"
        ]
    );

    // The gateway charges nothing more, and an ended subscription cannot be kept.
    advance_gateway(&shop, 70).await;
    sqlx::query("UPDATE subscriptions SET poll_due_at = now() WHERE id = $1")
        .bind(id)
        .execute(shop.pool())
        .await
        .unwrap();
    poll_after(&shop, 71).await;
    assert_eq!(installments(&shop, id).await.len(), 1);
    assert!(matches!(
        cancel::keep(platform, &shop.scope, Mode::Test, id, &facts).await,
        Err(PaymentError::SubscriptionOver)
    ));
}
