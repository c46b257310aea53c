//! A second charge for one checkout or link slot is returned, however it is found.

use super::*;

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
        support::checkout::open_exceptions(shop.pool()).await.len(),
        0,
        "nothing left for staff to do"
    );

    // The daily report counts them apart from the payments.
    let staff = support::checkout::staff_scope(
        shop.pool(),
        platform::identity::roles::Module::Reconciliation,
        platform::identity::roles::Level::View,
    )
    .await;
    let lines = daily_report::of_day(shop.pool(), &staff, OffsetDateTime::now_utc().date())
        .await
        .unwrap();
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!((line.payments, line.payments_total.minor()), (2, 6_000));
    assert_eq!(
        (
            line.duplicates,
            line.duplicates_total.minor(),
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
    use domain::TimelineSource;
    use platform::audit::{Actor, ActorKind, RequestFacts};
    use platform::payments::transition::{self, CardFacts, Change};
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
        TimelineSource::Callback,
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
async fn buyers_racing_for_a_links_last_slot_get_one_payment_and_one_return(pool: PgPool) {
    use platform::payments::links::{self, Charge, NewLink};
    let shop = shop(pool).await;
    let facts = platform::audit::RequestFacts::default();
    let new = NewLink {
        charge: Charge::Amount {
            title: "Last seat".into(),
            amount: domain::Money::eur(4000),
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
