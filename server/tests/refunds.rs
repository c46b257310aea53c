//! Refunds and reconciliation against the Payten sandbox: partial and whole refunds, Void
//! and Credit, idempotent requests, simultaneous requests, lost answers settled from the
//! order history, lost returns and callbacks settled by the worker, and exceptions.

mod support;

use std::time::Duration;

use payten::api::OrderHistory;
use platform::gateway_accounts::Mode;
use platform::payments::PaymentError;
use platform::payments::reconciliation::{self, Resolution};
use platform::payments::refunds::{self, Method, Refund, RefundRequest, RefundStatus, Requester};
use platform::payments::{daily_report, gateways, reading};
use sqlx::PgPool;
use support::accounts::mails_to;
use support::checkout::{APPROVE, Shop, shop, shop_with};
use time::OffsetDateTime;
use uuid::Uuid;

fn owner(shop: &Shop) -> Requester {
    Requester::Member {
        user_id: shop.scope.user_id(),
        merchant_id: shop.merchant_id,
    }
}

fn ask(amount_minor: i64) -> RefundRequest {
    RefundRequest {
        request_id: Uuid::new_v4(),
        amount_minor,
        reason: "Returned by the buyer".into(),
    }
}

async fn refund(
    shop: &Shop,
    payment_id: Uuid,
    request: &RefundRequest,
) -> Result<Refund, PaymentError> {
    let facts = platform::audit::RequestFacts {
        ip: Some("198.51.100.20".into()),
        ..Default::default()
    };
    refunds::request(
        &shop.server.platform,
        payment_id,
        request,
        owner(shop),
        &facts,
    )
    .await
}

/// The gateway's own account of an order.
async fn history(shop: &Shop, order_id: &str) -> OrderHistory {
    let platform = &shop.server.platform;
    let account = gateways::for_mode(platform, Mode::Test).await.unwrap();
    gateways::status_client(platform, &account)
        .unwrap()
        .api()
        .order_history(order_id)
        .await
        .unwrap()
}

/// `(status, refunded, held)` of a payment.
async fn money(shop: &Shop, payment_id: Uuid) -> (String, i64, i64) {
    sqlx::query_as(
        "SELECT status::text, refunded_minor, refund_pending_minor FROM payments WHERE id = $1",
    )
    .bind(payment_id)
    .fetch_one(shop.pool())
    .await
    .unwrap()
}

/// Runs the reconciliation worker as if `minutes` had passed.
async fn reconcile_after(shop: &Shop, minutes: i64) -> reconciliation::RunReport {
    let now = OffsetDateTime::now_utc() + time::Duration::minutes(minutes);
    reconciliation::run_due(&shop.server.platform, now)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_partial_then_a_full_refund_leave_the_right_net(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("50.00").await;

    let first = refund(&shop, payment_id, &ask(1_500)).await.unwrap();
    assert_eq!(
        (first.status, first.method),
        (RefundStatus::Succeeded, Method::Credit),
        "{first:?}"
    );
    assert_eq!(
        money(&shop, payment_id).await,
        ("partially_refunded".into(), 1_500, 0)
    );

    let too_much = refund(&shop, payment_id, &ask(3_501)).await;
    assert!(
        matches!(
            too_much,
            Err(PaymentError::RefundExceeds {
                remaining_minor: 3_500
            })
        ),
        "{too_much:?}"
    );

    let rest = refund(&shop, payment_id, &ask(3_500)).await.unwrap();
    assert_eq!(rest.status, RefundStatus::Succeeded);
    assert_eq!(
        money(&shop, payment_id).await,
        ("refunded".into(), 5_000, 0)
    );
    assert_eq!(
        history(&shop, &order_id).await.refunded_minor(),
        5_000,
        "the gateway agrees"
    );
    assert!(matches!(
        refund(&shop, payment_id, &ask(1)).await,
        Err(PaymentError::NotRefundable)
    ));

    let detail = reading::detail(shop.pool(), &shop.scope, payment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.refunds.len(), 2);
    assert_eq!(detail.refundable_minor, 0);
    let timeline = shop.timeline(&order_id).await;
    assert!(
        timeline.contains(&"refund:paid>partially_refunded:refund_succeeded".to_owned()),
        "{timeline:?}"
    );
    assert!(
        timeline.contains(&"refund:partially_refunded>refunded:refund_succeeded".to_owned()),
        "{timeline:?}"
    );
    let mails = mails_to(&shop.server, "buyer@example.com").await;
    assert_eq!(
        mails.iter().filter(|m| m.contains("has refunded")).count(),
        2,
        "one email per refund"
    );
    assert!(
        mails
            .iter()
            .any(|m| m.contains("has refunded 15.00 EUR of your payment of 50.00 EUR"))
    );
    let audit = shop.audit(&order_id).await;
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.starts_with("refund.request:success"))
            .count(),
        2,
        "{audit:?}"
    );
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.starts_with("refund.succeed:success"))
            .count(),
        2,
        "{audit:?}"
    );
    assert!(
        audit.contains(&"refund.request:denied:exceeds_refundable".to_owned()),
        "{audit:?}"
    );
    assert!(
        audit.contains(&"refund.request:denied:not_refundable".to_owned()),
        "{audit:?}"
    );
    let ip: String = sqlx::query_scalar(
        "SELECT ip FROM audit.events WHERE event_type = 'refund.request' AND outcome = 'success' LIMIT 1",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(ip, "198.51.100.20");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_whole_refund_is_a_void_the_same_day_and_a_credit_after_settlement(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("20.00").await;
    let void = refund(&shop, payment_id, &ask(2_000)).await.unwrap();
    assert_eq!(
        (void.status, void.method),
        (RefundStatus::Succeeded, Method::Void)
    );
    let sale = &history(&shop, &order_id).await.transactions[0];
    assert_eq!(
        sale.status,
        payten::TransStat::Voided,
        "nothing reaches the buyer's statement"
    );

    // The gateway settled overnight: nothing is voidable any more, so the refund is a Credit.
    let (payment_id, order_id) = shop.paid("20.00").await;
    let clock = format!("{}/sandbox/clock", shop.test_gateway.base_url());
    reqwest::Client::new()
        .post(clock)
        .json(&serde_json::json!({ "days": 1 }))
        .send()
        .await
        .unwrap();
    let credit = refund(&shop, payment_id, &ask(2_000)).await.unwrap();
    assert_eq!(
        (credit.status, credit.method),
        (RefundStatus::Succeeded, Method::Credit),
        "{credit:?}"
    );
    assert_eq!(history(&shop, &order_id).await.refunded_minor(), 2_000);
    assert_eq!(
        money(&shop, payment_id).await,
        ("refunded".into(), 2_000, 0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_same_request_id_makes_one_refund(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("30.00").await;
    let request = ask(1_000);
    let first = refund(&shop, payment_id, &request).await.unwrap();
    let again = refund(&shop, payment_id, &request).await.unwrap();
    assert_eq!(first.id, again.id, "a double click is one refund");
    let credits = history(&shop, &order_id).await.transactions.len() - 1;
    assert_eq!(credits, 1, "the gateway saw one Credit");
    let reused = RefundRequest {
        amount_minor: 500,
        ..request
    };
    assert!(matches!(
        refund(&shop, payment_id, &reused).await,
        Err(PaymentError::RequestReused)
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn another_merchants_payment_cannot_be_refunded(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, _) = shop.paid("30.00").await;
    let (other_id, other) = support::checkout::merchant(shop.pool(), "Other Shop", true).await;
    let stranger = Requester::Member {
        user_id: other.user_id(),
        merchant_id: other_id,
    };
    let facts = platform::audit::RequestFacts::default();
    let answer = refunds::request(
        &shop.server.platform,
        payment_id,
        &ask(100),
        stranger,
        &facts,
    )
    .await;
    assert!(matches!(answer, Err(PaymentError::NotFound)), "{answer:?}");
    assert_eq!(money(&shop, payment_id).await, ("paid".into(), 0, 0));
}

#[sqlx::test(migrations = "../migrations")]
async fn simultaneous_refunds_never_over_refund(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("10.00").await;
    let asks = [ask(600), ask(600), ask(600), ask(600)];
    let (a, b, c, d) = tokio::join!(
        refund(&shop, payment_id, &asks[0]),
        refund(&shop, payment_id, &asks[1]),
        refund(&shop, payment_id, &asks[2]),
        refund(&shop, payment_id, &asks[3]),
    );
    let answers = [a, b, c, d];
    let succeeded = answers
        .iter()
        .filter(|a| matches!(a, Ok(r) if r.status == RefundStatus::Succeeded))
        .count();
    assert_eq!(succeeded, 1, "{answers:?}");
    assert!(
        answers.iter().all(|a| matches!(
            a,
            Ok(_) | Err(PaymentError::RefundInProgress | PaymentError::RefundExceeds { .. })
        )),
        "{answers:?}"
    );
    assert_eq!(
        money(&shop, payment_id).await,
        ("partially_refunded".into(), 600, 0)
    );
    assert_eq!(history(&shop, &order_id).await.refunded_minor(), 600);

    // The database itself refuses more than was paid, whatever the code above it does.
    let over = sqlx::query("UPDATE payments SET refund_pending_minor = 401 WHERE id = $1")
        .bind(payment_id)
        .execute(shop.pool())
        .await;
    assert!(
        over.unwrap_err().as_database_error().unwrap().constraint()
            == Some("payments_refunds_within_amount")
    );
}

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
    let settled = refunds::of_payment(&mut shop.pool().acquire().await.unwrap(), payment_id)
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
    let refunds = refunds::of_payment(&mut shop.pool().acquire().await.unwrap(), payment_id)
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
            .filter(|m| m.contains("Total paid: 25.00 EUR"))
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
    let open = reconciliation::exceptions(shop.pool(), true).await.unwrap();
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
    let open = reconciliation::exceptions(shop.pool(), true).await.unwrap();
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

    let staff = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
         VALUES ($1, 'ops@saleonix.test', 'Ops', 'staff', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', now())",
    )
    .bind(staff)
    .execute(shop.pool())
    .await
    .unwrap();
    let facts = platform::audit::RequestFacts::default();
    let empty_note = reconciliation::close(
        platform,
        open[0].id,
        Resolution::AcceptGateway,
        " ",
        staff,
        &facts,
    )
    .await;
    assert!(matches!(
        empty_note,
        Err(PaymentError::Invalid { field: "note", .. })
    ));
    reconciliation::close(
        platform,
        open[0].id,
        Resolution::AcceptGateway,
        "Voided at the bank by phone",
        staff,
        &facts,
    )
    .await
    .unwrap();
    assert_eq!(
        money(&shop, payment_id).await,
        ("refunded".into(), 6_000, 0)
    );
    assert!(
        reconciliation::exceptions(shop.pool(), true)
            .await
            .unwrap()
            .is_empty()
    );
    let again = reconciliation::close(
        platform,
        open[0].id,
        Resolution::Resolve,
        "twice",
        staff,
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
    let report = daily_report::of_day(shop.pool(), today).await.unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(
        (
            report[0].payments,
            report[0].payments_minor,
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
    let refunds = refunds::of_payment(&mut shop.pool().acquire().await.unwrap(), payment_id)
        .await
        .unwrap();
    assert_eq!(
        refunds[0].status,
        RefundStatus::Pending,
        "not failed while the gateway may still make it"
    );
    assert_eq!(money(&shop, payment_id).await, ("paid".into(), 0, 900));
}
