//! Refunds whose answer, callback or return was lost, settled from the gateway's state.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_refund_whose_answer_is_lost_is_settled_from_the_order_history_once(pool: PgPool) {
    let shop = shop_with(pool, |settings| settings.refunds.gateway_timeout_secs = 1).await;
    let (payment_id, order_id) = shop.paid("40.00").await;

    // The gateway makes the refund and its answer never arrives.
    shop.fault(serde_json::json!({ "kind": "api_timeout", "order_id": order_id, "hang_ms": 3000 }))
        .await;
    let lost = refund(&shop, payment_id, &ask(1_000)).await.unwrap();
    assert_eq!(lost.status, RefundStatus::Unknown);
    assert_eq!(
        money(&shop, payment_id).await,
        ("paid".into(), 0, 1_000),
        "the amount stays held"
    );
    let next = refund(&shop, payment_id, &ask(500)).await;
    assert!(
        matches!(next, Err(PaymentError::RefundInProgress)),
        "no second refund before the first is known"
    );

    assert_eq!(reconcile_after(&shop, 1).await.checked, 0, "not due yet");
    let report = reconcile_after(&shop, 16).await;
    assert_eq!(report.settled, 1, "{report:?}");
    let settled = refunds::of_payment(
        &mut shop.pool().acquire().await.unwrap(),
        domain::PaymentId::from_uuid(payment_id),
    )
    .await
    .unwrap();
    assert_eq!(settled[0].status, RefundStatus::Succeeded);
    assert_eq!(
        money(&shop, payment_id).await,
        ("partially_refunded".into(), 1_000, 0)
    );
    assert_eq!(
        history(&shop, &order_id).await.refunded_minor(),
        1_000,
        "refunded once, never retried"
    );
    assert_eq!(
        reconcile_after(&shop, 20).await.checked,
        0,
        "settled refunds are not asked about again"
    );
    let audit = shop.audit(&order_id).await;
    assert!(
        audit.contains(&"refund.fail:failure:outcome_unknown".to_owned()),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .any(|a| a.starts_with("refund.succeed:success")),
        "{audit:?}"
    );
    assert_eq!(
        mails_to(&shop.server, "buyer@example.com")
            .await
            .iter()
            .filter(|m| m.contains("has refunded"))
            .count(),
        1
    );

    // A refund the gateway never made (a server error before processing) is released.
    shop.fault(serde_json::json!({ "kind": "api_server_error", "order_id": order_id }))
        .await;
    let unknown = refund(&shop, payment_id, &ask(700)).await.unwrap();
    assert_eq!(
        unknown.status,
        RefundStatus::Unknown,
        "a 5xx says nothing about what happened"
    );
    reconcile_after(&shop, 16).await;
    let refunds = refunds::of_payment(
        &mut shop.pool().acquire().await.unwrap(),
        domain::PaymentId::from_uuid(payment_id),
    )
    .await
    .unwrap();
    assert_eq!(refunds[1].status, RefundStatus::Failed);
    assert_eq!(
        money(&shop, payment_id).await,
        ("partially_refunded".into(), 1_000, 0),
        "released"
    );
    assert_eq!(
        refund(&shop, payment_id, &ask(700)).await.unwrap().status,
        RefundStatus::Succeeded,
        "and may be asked again"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn lost_callbacks_and_returns_end_in_the_gateways_state(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback", "once": false }))
        .await;
    shop.fault(serde_json::json!({ "kind": "drop_return", "once": false }))
        .await;
    let paid = shop.checkout(Mode::Test, "25.00").await;
    let (paid, returns) = shop.pay(&paid, APPROVE).await;
    assert!(returns.is_empty());
    let declined = shop.checkout(Mode::Test, "25.00").await;
    let (declined, _) = shop.pay(&declined, "4000000000000051").await;
    // A buyer who pressed Pay and never submitted the card page.
    let abandoned = shop.checkout(Mode::Test, "25.00").await;
    let abandoned = support::checkout::field(&shop.to_gateway(&abandoned).await, "oid").to_owned();
    tokio::time::sleep(Duration::from_millis(200)).await;
    for order in [&paid, &declined, &abandoned] {
        assert_eq!(
            shop.status(order).await,
            "pending",
            "no answer came for {order}"
        );
    }

    let report = reconcile_after(&shop, 16).await;
    assert_eq!(
        (report.checked, report.settled, report.waiting),
        (3, 2, 1),
        "{report:?}"
    );
    assert_eq!(shop.status(&paid).await, "paid");
    assert_eq!(shop.status(&declined).await, "declined");
    assert_eq!(
        shop.status(&abandoned).await,
        "pending",
        "the buyer may still be on the card page"
    );
    assert!(
        shop.timeline(&paid)
            .await
            .contains(&"reconciliation:pending>paid:confirmed_by_order_history".to_owned())
    );
    let receipts = mails_to(&shop.server, "buyer@example.com").await;
    assert_eq!(
        receipts
            .iter()
            .filter(|m| m.contains("Total paid: €25.00"))
            .count(),
        1,
        "the receipt goes out"
    );

    // Long after its checkout expired, a payment the gateway never saw is closed.
    let report = reconcile_after(&shop, 26 * 60).await;
    assert_eq!(report.settled, 1, "{report:?}");
    assert_eq!(shop.status(&abandoned).await, "expired");
    assert!(
        shop.timeline(&abandoned)
            .await
            .contains(&"reconciliation:pending>expired:no_record_at_gateway".to_owned())
    );
    // Each is read again later: the abandoned attempt a day after it closed, the paid one
    // on day 7 (its day-1 look came with the run above).
    assert_eq!(reconcile_after(&shop, 60 * 24 * 6).await.checked, 1);
    assert_eq!(reconcile_after(&shop, 60 * 24 * 8).await.checked, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_gateway_that_never_answers_goes_to_staff_after_five_days(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback", "once": false }))
        .await;
    shop.fault(serde_json::json!({ "kind": "drop_return", "once": false }))
        .await;
    let token = shop.checkout(Mode::Test, "25.00").await;
    let (order_id, _) = shop.pay(&token, APPROVE).await;
    shop.fault(serde_json::json!({ "kind": "api_server_error", "once": false }))
        .await;

    let mut waits = 0;
    for hours in [1, 2, 5, 12, 30, 60, 100] {
        waits += reconcile_after(&shop, hours * 60).await.waiting;
    }
    assert!(waits >= 5, "it kept asking, backing off: {waits}");
    assert_eq!(shop.status(&order_id).await, "pending");
    let report = reconcile_after(&shop, 125 * 60).await;
    assert_eq!(report.checked, 1);
    let open = support::checkout::open_exceptions(shop.pool()).await;
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].kind.as_str(), open[0].can_accept),
        ("unresolved", false)
    );
    assert_eq!(
        reconcile_after(&shop, 200 * 60).await.checked,
        0,
        "handed to staff, no longer polled"
    );
}
