//! Reconciling refunds: exceptions for staff, refunds a stopped server left, concurrent workers.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_mismatch_opens_one_exception_which_staff_settle(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("60.00").await;
    // Someone voids the sale in the bank's own portal.
    let platform = &shop.server.platform;
    let account = gateways::for_mode(platform, Mode::Test).await.unwrap();
    gateways::refund_client(platform, &account)
        .unwrap()
        .api()
        .void(&order_id)
        .await
        .unwrap();

    let report = reconcile_after(&shop, 16).await;
    assert_eq!(report.exceptions, 1, "{report:?}");
    for _ in 0..3 {
        sqlx::query("UPDATE payments SET recon_due_at = now() WHERE id = $1")
            .bind(payment_id)
            .execute(shop.pool())
            .await
            .unwrap();
        reconcile_after(&shop, 16).await;
    }
    let open = support::checkout::open_exceptions(shop.pool()).await;
    assert_eq!(open.len(), 1, "one exception, not one per run");
    assert_eq!(open[0].platform_state, "paid 60.00 EUR, refunded 0.00 EUR");
    assert_eq!(open[0].gateway_state, "voided");
    let exceptions_audited = shop
        .audit(&order_id)
        .await
        .iter()
        .filter(|a| a.starts_with("reconciliation.exception"))
        .count();
    assert_eq!(exceptions_audited, 1);
    assert_eq!(
        money(&shop, payment_id).await.0,
        "paid",
        "nothing changes until staff decide"
    );

    let staff =
        support::checkout::staff_scope(shop.pool(), Module::Reconciliation, Level::Act).await;
    let facts = platform::audit::RequestFacts::default();
    let empty_note = reconciliation::close(
        platform,
        &staff,
        open[0].id,
        Resolution::AcceptGateway,
        " ",
        &facts,
    )
    .await;
    assert!(matches!(
        empty_note,
        Err(PaymentError::Invalid { field: "note", .. })
    ));
    // Item 7's third layer: the platform itself refuses a scope for another module, or
    // reconciliation at `view`, and nothing changes.
    for (module, level) in [
        (Module::Refunds, Level::Act),
        (Module::Reconciliation, Level::View),
    ] {
        let scope = support::checkout::staff_scope(shop.pool(), module, level).await;
        let refused = reconciliation::close(
            platform,
            &scope,
            open[0].id,
            Resolution::AcceptGateway,
            "Voided at the bank by phone",
            &facts,
        )
        .await;
        assert!(
            matches!(refused, Err(PaymentError::Forbidden(_))),
            "{module:?} {level:?}: {refused:?}"
        );
    }
    assert_eq!(money(&shop, payment_id).await.0, "paid");
    assert_eq!(
        support::checkout::open_exceptions(shop.pool()).await.len(),
        1
    );
    reconciliation::close(
        platform,
        &staff,
        open[0].id,
        Resolution::AcceptGateway,
        "Voided at the bank by phone",
        &facts,
    )
    .await
    .unwrap();
    assert_eq!(
        money(&shop, payment_id).await,
        ("refunded".into(), 6_000, 0)
    );
    assert!(
        support::checkout::open_exceptions(shop.pool())
            .await
            .is_empty()
    );
    let again = reconciliation::close(
        platform,
        &staff,
        open[0].id,
        Resolution::Resolve,
        "twice",
        &facts,
    )
    .await;
    assert!(
        matches!(again, Err(PaymentError::NotFound)),
        "a closed exception stays closed"
    );
    let audit = shop.audit(&order_id).await;
    assert!(
        audit
            .iter()
            .any(|a| a.starts_with("reconciliation.accept:success")),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .any(|a| a.starts_with("payment.accept_gateway_state:success")),
        "{audit:?}"
    );

    let today = OffsetDateTime::now_utc().date();
    let staff =
        support::checkout::staff_scope(shop.pool(), Module::Reconciliation, Level::View).await;
    let report = daily_report::of_day(shop.pool(), &staff, today)
        .await
        .unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(
        (
            report[0].payments,
            report[0].payments_total.minor(),
            report[0].matched
        ),
        (1, 6_000, 1)
    );
    let csv = daily_report::csv(today, &report);
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .contains("Dardania Crafts,test,EUR,1,60.00 EUR,0,0.00 EUR,1,0"),
        "{csv}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refund_left_pending_by_a_stopped_server_is_settled_from_the_order_history(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("40.00").await;
    // The server recorded the request, the gateway made the Credit, and the server stopped
    // before it wrote the answer down.
    sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, mode, request_id, amount_minor, currency, method, requested_via)
         VALUES ($1, $2, $3, 'test', $4, 900, 'EUR', 'credit', 'dashboard')",
    )
    .bind(Uuid::new_v4())
    .bind(payment_id)
    .bind(shop.merchant_id)
    .bind(Uuid::new_v4())
    .execute(shop.pool())
    .await
    .unwrap();
    sqlx::query("UPDATE payments SET refund_pending_minor = 900, recon_due_at = now() + interval '15 minutes' WHERE id = $1")
        .bind(payment_id)
        .execute(shop.pool())
        .await
        .unwrap();
    let platform = &shop.server.platform;
    let account = gateways::for_mode(platform, Mode::Test).await.unwrap();
    let nine = payten::Money::new(900, payten::Currency::Eur);
    gateways::refund_client(platform, &account)
        .unwrap()
        .api()
        .credit(&order_id, nine)
        .await
        .unwrap();

    assert_eq!(reconcile_after(&shop, 16).await.settled, 1);
    assert_eq!(
        money(&shop, payment_id).await,
        ("partially_refunded".into(), 900, 0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn two_workers_at_once_check_each_payment_once(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback", "once": false }))
        .await;
    shop.fault(serde_json::json!({ "kind": "drop_return", "once": false }))
        .await;
    let mut orders = Vec::new();
    for _ in 0..6 {
        let token = shop.checkout(Mode::Test, "15.00").await;
        orders.push(shop.pay(&token, APPROVE).await.0);
    }
    let now = OffsetDateTime::now_utc() + time::Duration::minutes(16);
    let platform = &shop.server.platform;
    let (a, b) = tokio::join!(
        reconciliation::run_due(platform, now),
        reconciliation::run_due(platform, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.checked + b.checked,
        6,
        "each payment claimed by one worker: {a:?} {b:?}"
    );
    for order in &orders {
        assert_eq!(shop.status(order).await, "paid");
        let settled = shop
            .timeline(order)
            .await
            .iter()
            .filter(|e| e.starts_with("reconciliation:pending>paid"))
            .count();
        assert_eq!(settled, 1, "{order}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refund_still_on_its_way_to_the_gateway_is_not_judged(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, _) = shop.paid("40.00").await;
    // A refund just recorded, its request still on the wire, while the worker checks the
    // payment (its confirmation check happened to fall due).
    sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, mode, request_id, amount_minor, currency, method, requested_via)
         VALUES ($1, $2, $3, 'test', $4, 900, 'EUR', 'credit', 'dashboard')",
    )
    .bind(Uuid::new_v4())
    .bind(payment_id)
    .bind(shop.merchant_id)
    .bind(Uuid::new_v4())
    .execute(shop.pool())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE payments SET refund_pending_minor = 900, recon_due_at = now() WHERE id = $1",
    )
    .bind(payment_id)
    .execute(shop.pool())
    .await
    .unwrap();
    let report = reconcile_after(&shop, 0).await;
    assert_eq!(
        (report.checked, report.waiting, report.settled),
        (1, 1, 0),
        "{report:?}"
    );
    let refunds = refunds::of_payment(
        &mut shop.pool().acquire().await.unwrap(),
        domain::PaymentId::from_uuid(payment_id),
    )
    .await
    .unwrap();
    assert_eq!(
        refunds[0].status,
        RefundStatus::Pending,
        "not failed while the gateway may still make it"
    );
    assert_eq!(money(&shop, payment_id).await, ("paid".into(), 0, 900));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_stopping_worker_checks_the_payment_in_hand_and_leaves_the_rest_due(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback", "once": false }))
        .await;
    shop.fault(serde_json::json!({ "kind": "drop_return", "once": false }))
        .await;
    for _ in 0..3 {
        let token = shop.checkout(Mode::Test, "15.00").await;
        shop.pay(&token, APPROVE).await;
    }
    let now = OffsetDateTime::now_utc() + time::Duration::minutes(16);
    let platform = &shop.server.platform;
    // The server is told to stop while the worker checks its first payment.
    let asked = std::cell::Cell::new(0);
    let stopping = || {
        asked.set(asked.get() + 1);
        asked.get() > 1
    };
    let stopped = reconciliation::run_due_until(platform, now, stopping)
        .await
        .unwrap();
    assert_eq!(stopped.checked, 1, "{stopped:?}");
    // The two claimed and not checked are due at once for the next worker, not leased
    // away for ten minutes.
    let next = reconciliation::run_due(platform, now).await.unwrap();
    assert_eq!(next.checked, 2, "{next:?}");
}
