//! Every capture ends somewhere a person can act on, tested through the Payten sandbox: a
//! second charge for a paid checkout (two tabs, in either order of return and callback, or
//! found by reconciliation) is a `duplicate` the platform returns on its own; money taken
//! after a decline or an expiry is paid or returned and shown to staff; a payment link
//! never sells past its limit; and money taken is read again from the gateway later.

mod support;

use payten::TransStat;
use payten_sandbox::buyer::HtmlForm;
use platform::gateway_accounts::Mode;
use platform::payments::refunds::{self, Method, RefundStatus};
use platform::payments::{daily_report, reconciliation};
use sqlx::PgPool;
use support::checkout::{APPROVE, Shop, field, shop};
use time::OffsetDateTime;

const DECLINE: &str = "4000000000000051";

/// The buyer opens the checkout in two tabs and presses Pay in each: two gateway forms,
/// two orders, for one checkout.
/// The buyer opens the checkout's gateway page in two tabs and pays in the first: the
/// checkout is paid. Returns the second tab's form and the two order ids.
async fn paid_in_the_first_of_two_tabs(shop: &Shop, token: &str) -> (HtmlForm, String, String) {
    let (first, second) = (shop.to_gateway(token).await, shop.to_gateway(token).await);
    let (a, b) = (
        field(&first, "oid").to_owned(),
        field(&second, "oid").to_owned(),
    );
    shop.pay_at_gateway(&first, APPROVE).await;
    shop.reaches(&a, "paid").await;
    (second, a, b)
}

/// As above, then the second tab is charged too, but neither its return nor its callback
/// arrives: only the order history knows. Returns the two order ids.
async fn second_charge_unheard(shop: &Shop, token: &str) -> (String, String) {
    let (second, a, b) = paid_in_the_first_of_two_tabs(shop, token).await;
    drop_answers(shop, &b).await;
    shop.pay_at_gateway(&second, APPROVE).await;
    (a, b)
}

async fn drop_answers(shop: &Shop, order_id: &str) {
    for kind in ["drop_callback", "drop_return"] {
        shop.fault(serde_json::json!({ "kind": kind, "order_id": order_id }))
            .await;
    }
}

/// The exceptions of a payment: `kind:resolution`.
async fn exceptions(shop: &Shop, order_id: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.kind || ':' || coalesce(e.resolution, 'open') FROM reconciliation_exceptions e
         JOIN payments p ON p.id = e.payment_id WHERE p.order_id = $1 ORDER BY e.created_at",
    )
    .bind(order_id)
    .fetch_all(shop.pool())
    .await
    .unwrap()
}

/// What a returned duplicate of `amount_minor` looks like everywhere a person would look.
async fn assert_returned_duplicate(
    shop: &Shop,
    paid: &str,
    duplicate: &str,
    amount_minor: i64,
    note: &str,
) {
    assert_eq!(shop.status(paid).await, "paid");
    assert_eq!(
        shop.money(duplicate).await,
        ("duplicate".into(), amount_minor, 0),
        "returned in full, nothing held"
    );
    let paid_of_checkout: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payments WHERE session_id = (SELECT session_id FROM payments WHERE order_id = $1)
                                         AND status IN ('paid', 'refunded', 'partially_refunded')",
    )
    .bind(paid)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(paid_of_checkout, 1, "one paid payment per checkout");

    let payment_id = sqlx::query_scalar("SELECT id FROM payments WHERE order_id = $1")
        .bind(duplicate)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    let returned = refunds::of_payment(&mut shop.pool().acquire().await.unwrap(), payment_id)
        .await
        .unwrap();
    assert_eq!(returned.len(), 1, "{returned:?}");
    assert_eq!(
        (
            returned[0].status,
            returned[0].method,
            returned[0].amount_minor
        ),
        (RefundStatus::Succeeded, Method::Void, amount_minor)
    );
    assert_eq!(returned[0].requested_via, "platform");
    assert_eq!(
        shop.history(duplicate).await.transactions[0].status,
        TransStat::Voided,
        "the gateway gave it back"
    );

    let timeline = shop.timeline(duplicate).await;
    assert_eq!(
        timeline
            .iter()
            .filter(|e| e.ends_with(&format!(">duplicate:{note}")))
            .count(),
        1,
        "{timeline:?}"
    );
    assert!(
        timeline.contains(&"refund:duplicate>duplicate:refund_succeeded".to_owned()),
        "{timeline:?}"
    );
    let audit = shop.audit(duplicate).await;
    for row in [
        format!(":success:{note}"),
        "refund.request:success:".to_owned(),
        "refund.succeed:success:".to_owned(),
        "reconciliation.exception:failure:duplicate".to_owned(),
        "reconciliation.returned:success:".to_owned(),
    ] {
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.ends_with(&row) || a.starts_with(&row))
                .count(),
            1,
            "{row} in {audit:?}"
        );
    }
    assert_eq!(
        exceptions(shop, duplicate).await,
        ["duplicate:returned"],
        "staff see it, closed once returned"
    );

    // The buyer is told plainly; the merchant's page says it too.
    let page = shop
        .get(&format!("/pay/result/{duplicate}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Charge returned") && page.contains("has been returned to your card"),
        "{page}"
    );
    assert!(!page.contains("Confirming"), "{page}");
    let detail = platform::payments::reading::detail(shop.pool(), &shop.scope, payment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.payment.status, platform::payments::Status::Duplicate);
    assert_eq!(detail.refundable_minor, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_second_approval_for_a_paid_checkout_is_returned_whichever_answer_comes_first(
    pool: PgPool,
) {
    let shop = shop(pool).await;

    // The second approval's callback comes first, then its browser return.
    let token = shop.checkout(Mode::Test, "30.00").await;
    let (second, a, b) = paid_in_the_first_of_two_tabs(&shop, &token).await;
    let returns = shop.pay_at_gateway(&second, APPROVE).await;
    shop.reaches(&b, "duplicate").await;
    shop.deliver(&returns[0]).await;
    // The callback's handler sends the return after it has recorded the duplicate.
    for _ in 0..200 {
        if shop.money(&b).await.2 == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_returned_duplicate(&shop, &a, &b, 3_000, "second_charge_for_paid_checkout").await;

    // The browser return comes first; the callback (held back, then delivered) after.
    let token = shop.checkout(Mode::Test, "30.00").await;
    let (second, c, d) = paid_in_the_first_of_two_tabs(&shop, &token).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback", "order_id": d }))
        .await;
    let returns = shop.pay_at_gateway(&second, APPROVE).await;
    let answer = shop.deliver(&returns[0]).await;
    assert_eq!(
        answer.headers()["location"].to_str().unwrap(),
        format!("/pay/result/{d}")
    );
    let late_callback = shop
        .http
        .post(shop.server.url("/pay/callback"))
        .form(&returns[0].fields)
        .send()
        .await
        .unwrap();
    assert_eq!(late_callback.status(), 200);
    assert_returned_duplicate(&shop, &c, &d, 3_000, "second_charge_for_paid_checkout").await;

    // Reconciliation agrees with the returned duplicates and never calls them matched.
    shop.reconcile_after(16).await;
    let states: Vec<Option<String>> =
        sqlx::query_scalar("SELECT recon_state::text FROM payments WHERE status = 'duplicate'")
            .fetch_all(shop.pool())
            .await
            .unwrap();
    assert_eq!(states, [None, None]);
    assert_eq!(
        reconciliation::exceptions(shop.pool(), true)
            .await
            .unwrap()
            .len(),
        0,
        "nothing left for staff to do"
    );

    // The daily report counts them apart from the payments.
    let lines = daily_report::of_day(shop.pool(), OffsetDateTime::now_utc().date())
        .await
        .unwrap();
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!((line.payments, line.payments_minor), (2, 6_000));
    assert_eq!(
        (
            line.duplicates,
            line.duplicates_minor,
            line.duplicates_returned
        ),
        (2, 6_000, 2)
    );
    let csv = daily_report::csv(OffsetDateTime::now_utc().date(), &lines);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("duplicates,duplicates_amount,duplicates_returned"),
        "{csv}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_second_charge_found_only_by_reconciliation_is_returned_too(pool: PgPool) {
    // The buyer pressed Back and Pay again; the second attempt's answers were lost (an
    // error page, a closed tab), but the gateway charged it.
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "12.00").await;
    let (a, b) = second_charge_unheard(&shop, &token).await;
    assert_eq!(shop.status(&b).await, "pending");
    let page = shop
        .get(&format!("/pay/result/{b}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Confirming your payment"), "{page}");

    let report = shop.reconcile_after(16).await;
    assert_eq!(report.settled, 1, "{report:?}");
    assert_returned_duplicate(&shop, &a, &b, 1_200, "second_charge_for_paid_checkout").await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_duplicate_recorded_by_a_server_that_stopped_before_returning_it_is_returned_by_the_worker(
    pool: PgPool,
) {
    use platform::audit::{Actor, ActorKind, RequestFacts};
    use platform::payments::transition::{self, CardFacts, Change, Source};
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "18.00").await;
    let (a, b) = second_charge_unheard(&shop, &token).await;

    // A callback handler records the confirmed approval, commits, and the process stops
    // before it sends the return.
    let platform = &shop.server.platform;
    let mut tx = platform.pool.begin().await.unwrap();
    let gateway = Actor {
        kind: ActorKind::Gateway,
        id: None,
    };
    transition::apply(
        &mut tx,
        platform,
        &b,
        Change::Paid(CardFacts::default()),
        Source::Callback,
        gateway,
        &RequestFacts::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        shop.money(&b).await,
        ("duplicate".into(), 0, 1_800),
        "the return is queued and its amount held"
    );
    let page = shop
        .get(&format!("/pay/result/{b}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Charge being returned") && page.contains("already paid"),
        "{page}"
    );

    // The next worker run (even before the payment's own check is due) sends it.
    shop.reconcile_after(0).await;
    assert_returned_duplicate(&shop, &a, &b, 1_800, "second_charge_for_paid_checkout").await;
}

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
    let open = reconciliation::exceptions(shop.pool(), true).await.unwrap();
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
async fn buyers_racing_for_a_links_last_slot_get_one_payment_and_one_return(pool: PgPool) {
    use platform::payments::links::{self, Charge, NewLink};
    let shop = shop(pool).await;
    let facts = platform::audit::RequestFacts::default();
    let new = NewLink {
        charge: Charge::Amount {
            title: "Last seat".into(),
            amount: "40.00".into(),
        },
        max_payments: Some(1),
        expires_at: None,
    };
    let link = links::create(shop.pool(), &shop.scope, Mode::Test, &new, &facts)
        .await
        .unwrap();
    // Both buyers press Pay while the seat is free, and both pay at the gateway; their
    // browsers come back at the same moment.
    shop.fault(serde_json::json!({ "kind": "drop_callback", "once": false }))
        .await;
    let (gate_a, gate_b) = (
        shop.to_gateway(&link.token).await,
        shop.to_gateway(&link.token).await,
    );
    let (returns_a, returns_b) = tokio::join!(
        shop.pay_at_gateway(&gate_a, APPROVE),
        shop.pay_at_gateway(&gate_b, APPROVE)
    );
    let (answer_a, answer_b) =
        tokio::join!(shop.deliver(&returns_a[0]), shop.deliver(&returns_b[0]));
    assert_eq!(
        (answer_a.status(), answer_b.status()),
        (
            reqwest::StatusCode::SEE_OTHER,
            reqwest::StatusCode::SEE_OTHER
        )
    );

    let (a, b) = (
        field(&gate_a, "oid").to_owned(),
        field(&gate_b, "oid").to_owned(),
    );
    let mut statuses = [shop.status(&a).await, shop.status(&b).await];
    statuses.sort();
    assert_eq!(statuses, ["duplicate", "paid"]);
    let (paid, returned) = if shop.status(&a).await == "paid" {
        (a, b)
    } else {
        (b, a)
    };
    assert_eq!(shop.money(&returned).await, ("duplicate".into(), 4_000, 0));
    assert!(
        shop.timeline(&returned)
            .await
            .iter()
            .any(|e| e.ends_with(">duplicate:charge_past_link_limit"))
    );
    let sold: i32 = sqlx::query_scalar("SELECT paid_count FROM payment_links WHERE id = $1")
        .bind(link.id)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(sold, 1);
    assert_eq!(shop.status(&paid).await, "paid");
    let page = shop
        .get(&format!("/pay/result/{returned}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("The last of these was sold"), "{page}");
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
    let open = reconciliation::exceptions(shop.pool(), true).await.unwrap();
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
