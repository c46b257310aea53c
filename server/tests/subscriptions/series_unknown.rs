//! A sign-up whose return and callback were both lost: reconciliation confirms the first
//! payment, but the order status carries no series id. Staff are told by an exception and
//! attach the id, which the gateway must confirm began with that order.

use platform::identity::roles::{Level, Module};
use platform::payments::PaymentError;
use platform::payments::reconciliation;
use platform::subscriptions::cancel::cancel_now;
use platform::subscriptions::series;
use support::checkout::staff_scope;

use super::*;

/// The open `series_unknown` exceptions of the payment with `order_id`.
async fn exceptions(shop: &Shop, order_id: &str) -> Vec<(Uuid, Option<String>)> {
    sqlx::query_as(
        "SELECT e.id, e.resolution FROM reconciliation_exceptions e JOIN payments p ON p.id = e.payment_id
         WHERE p.order_id = $1 AND e.kind = 'series_unknown'",
    )
    .bind(order_id)
    .fetch_all(shop.pool())
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_series_id_that_never_arrived_is_flagged_and_attached_by_staff(pool: PgPool) {
    let shop = shop(pool).await;
    let platform = &shop.server.platform;
    let plan = monthly_plan(&shop, 3).await;
    // Another buyer's series, signed up normally.
    let (_, _) = sign_up(&shop, &plan).await;
    let (other_order, _) = sign_up(&shop, &plan).await;
    let (_, _, other_series) = subscription_of(&shop, &other_order).await;

    // The buyer pays; neither their browser's return nor the gateway's callback arrives.
    shop.fault(serde_json::json!({ "kind": "drop_callback", "once": false }))
        .await;
    let token = plan_checkout(&shop, &plan).await;
    let page = press_pay(&shop, &token, true).await.text().await.unwrap();
    let gate = forms(&page).into_iter().next().unwrap();
    let order_id = field(&gate, "oid").to_owned();
    let returns = shop.pay_at_gateway(&gate, APPROVE).await;
    let series_id = field(&returns[0], "EXTRA.RECURRINGID").to_owned();
    let later = OffsetDateTime::now_utc() + Duration::minutes(16);
    reconciliation::run_due(platform, later).await.unwrap();
    assert_eq!(shop.settled(&order_id).await, "paid");
    let (id, status, known) = subscription_of(&shop, &order_id).await;
    assert_eq!((status.as_str(), known), ("active", None));
    assert!(matches!(
        cancel_now(platform, &shop.scope, Mode::Test, id, &Default::default()).await,
        Err(PaymentError::SeriesUnknown)
    ));

    // A late callback could still bring it within the hour; after that staff are told,
    // once however often the worker looks.
    series::flag_unknown(platform, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(exceptions(&shop, &order_id).await.is_empty());
    for _ in 0..2 {
        series::flag_unknown(platform, OffsetDateTime::now_utc() + Duration::hours(2))
            .await
            .unwrap();
    }
    let open = exceptions(&shop, &order_id).await;
    assert_eq!(open.len(), 1, "{open:?}");
    let exception = open[0].0;
    assert!(
        exceptions(&shop, &other_order).await.is_empty(),
        "a series whose id arrived is not flagged"
    );

    // Staff who may only view reconciliation attach nothing; nor does anyone attach a
    // malformed id, or another buyer's series: the gateway says it began elsewhere.
    let viewer = staff_scope(shop.pool(), Module::Reconciliation, Level::View).await;
    let facts = Default::default();
    assert!(matches!(
        series::attach(platform, &viewer, exception, &series_id, &facts).await,
        Err(PaymentError::Forbidden(_))
    ));
    let staff = staff_scope(shop.pool(), Module::Reconciliation, Level::Act).await;
    for wrong in ["12<script>", other_series.as_deref().unwrap()] {
        let refused = series::attach(platform, &staff, exception, wrong, &facts).await;
        assert!(
            matches!(
                refused,
                Err(PaymentError::Invalid {
                    field: "series_id",
                    ..
                })
            ),
            "{wrong}: {refused:?}"
        );
    }
    assert_eq!(subscription_of(&shop, &order_id).await.2, None);
    let refused: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'subscription.series_attach' AND outcome = 'failure'",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(
        refused, 1,
        "the other buyer's series was refused and audited"
    );

    // The right id is attached, the exception closes, and the worker follows the series.
    series::attach(platform, &staff, exception, &series_id, &facts)
        .await
        .unwrap();
    assert_eq!(subscription_of(&shop, &order_id).await.2, Some(series_id));
    assert_eq!(
        exceptions(&shop, &order_id).await,
        [(exception, Some("resolved".to_owned()))]
    );
    assert!(matches!(
        series::attach(platform, &staff, exception, "123", &facts).await,
        Err(PaymentError::NotFound)
    ));
    advance_gateway(&shop, 32).await;
    poll_after(&shop, 33).await;
    assert_eq!(installments(&shop, id).await.len(), 2);
}
