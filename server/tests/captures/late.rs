//! Money taken after a decline, an expiry or a void, found by the later sweeps.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn money_taken_after_a_decline_pays_the_still_open_checkout_and_is_shown_to_staff(
    pool: PgPool,
) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "22.00").await;
    let gate = shop.to_gateway(&token).await;
    let order = field(&gate, "oid").to_owned();
    // The gateway lets the buyer retry the same order after a decline.
    shop.fault(serde_json::json!({ "kind": "retry_declined", "order_id": order }))
        .await;
    let returns = shop.pay_at_gateway(&gate, DECLINE).await;
    shop.deliver(&returns[0]).await;
    assert_eq!(shop.settled(&order).await, "declined");

    let returns = shop.pay_at_gateway(&gate, APPROVE).await;
    shop.deliver(&returns[0]).await;
    shop.reaches(&order, "paid").await;
    let session: String =
        sqlx::query_scalar("SELECT status::text FROM checkout_sessions WHERE token = $1")
            .bind(&token)
            .fetch_one(shop.pool())
            .await
            .unwrap();
    assert_eq!(session, "paid");
    let timeline = shop.timeline(&order).await;
    assert_eq!(
        timeline
            .iter()
            .filter(|e| e.contains("declined>paid:captured_after_decline"))
            .count(),
        1,
        "{timeline:?}"
    );
    assert_eq!(
        exceptions(&shop, &order).await,
        ["late_capture:open"],
        "staff look at why a decline was charged"
    );
    let open = support::checkout::open_exceptions(shop.pool()).await;
    assert!(
        open[0]
            .platform_state
            .contains("declined, then charged 22.00"),
        "{:?}",
        open[0]
    );
    let page = shop
        .get(&format!("/pay/result/{order}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Payment received"), "{page}");
}

#[sqlx::test(migrations = "../migrations")]
async fn money_taken_after_an_expiry_is_found_a_day_later_and_returned(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "16.00").await;
    let gate = shop.to_gateway(&token).await;
    let order = field(&gate, "oid").to_owned();
    // The buyer left the card page open; the checkout expired and the worker, finding no
    // record at the gateway, closed the attempt.
    shop.expire(&token).await;
    shop.reconcile_after(120).await;
    assert_eq!(shop.status(&order).await, "expired");

    // Then the card page was submitted, and its answers were lost.
    drop_answers(&shop, &order).await;
    shop.pay_at_gateway(&gate, APPROVE).await;
    assert_eq!(
        shop.reconcile_after(125).await.checked,
        0,
        "nothing due before the day-1 recheck"
    );
    assert_eq!(shop.status(&order).await, "expired");

    let report = shop.reconcile_after(120 + 24 * 60 + 1).await;
    assert_eq!(report.settled, 1, "{report:?}");
    assert_eq!(
        shop.money(&order).await,
        ("duplicate".into(), 1_600, 0),
        "the checkout had closed: returned"
    );
    assert_eq!(
        shop.history(&order).await.transactions[0].status,
        TransStat::Voided
    );
    let timeline = shop.timeline(&order).await;
    assert!(
        timeline
            .contains(&"reconciliation:expired>duplicate:charge_after_checkout_closed".to_owned()),
        "{timeline:?}"
    );
    assert_eq!(
        exceptions(&shop, &order).await,
        ["late_capture:open"],
        "a late capture stays open for staff"
    );
    let page = shop
        .get(&format!("/pay/result/{order}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("after the checkout had closed") && page.contains("has been returned"),
        "{page}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_payment_voided_at_the_bank_later_is_caught_by_the_day_1_sweep(pool: PgPool) {
    let shop = shop(pool).await;
    let (_, order) = shop.paid("35.00").await;
    assert_eq!(
        shop.reconcile_after(16).await.matched,
        1,
        "the first check agrees"
    );

    // The bank voids the sale behind the platform's back.
    let platform = &shop.server.platform;
    let account = platform::payments::gateways::for_mode(platform, Mode::Test)
        .await
        .unwrap();
    platform::payments::gateways::refund_client(platform, &account)
        .unwrap()
        .api()
        .void(&order)
        .await
        .unwrap();

    assert_eq!(
        shop.reconcile_after(23 * 60).await.checked,
        0,
        "not due before day 1"
    );
    let report = shop.reconcile_after(24 * 60 + 1).await;
    assert_eq!((report.checked, report.exceptions), (1, 1), "{report:?}");
    let open = support::checkout::open_exceptions(shop.pool()).await;
    assert_eq!(
        (
            open[0].kind.as_str(),
            open[0].gateway_state.as_str(),
            open[0].can_accept
        ),
        ("mismatch", "voided", true)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn money_taken_is_read_again_on_days_1_7_and_30_and_a_decline_once(pool: PgPool) {
    // The sweep's cost: order-history calls per payment over its first 31 days.
    let shop = shop(pool).await;
    let mut paid = Vec::new();
    for _ in 0..3 {
        paid.push(shop.paid("10.00").await.1);
    }
    let token = shop.checkout(Mode::Test, "10.00").await;
    let (declined, returns) = shop.pay(&token, DECLINE).await;
    shop.deliver(&returns[0]).await;
    assert_eq!(shop.settled(&declined).await, "declined");

    let mut calls = 0;
    let mut on_days = Vec::new();
    for minutes in std::iter::once(16).chain((1..=31).map(|day| day * 24 * 60 + 1)) {
        let checked = shop.reconcile_after(minutes).await.checked;
        if checked > 0 {
            on_days.push((minutes / (24 * 60), checked));
        }
        calls += checked;
    }
    assert_eq!(
        on_days,
        [(0, 3), (1, 4), (7, 3), (30, 3)],
        "first check, then days 1, 7 and 30; the decline on day 1"
    );
    assert_eq!(calls, 3 * 4 + 1);
    let states: Vec<String> =
        sqlx::query_scalar("SELECT recon_state::text FROM payments ORDER BY created_at")
            .fetch_all(shop.pool())
            .await
            .unwrap();
    assert!(states.iter().all(|s| s == "matched"), "{states:?}");
}
