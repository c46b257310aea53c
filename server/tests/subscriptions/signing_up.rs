//! Plans, the plan's checkout page, consent and the first payment starting the series.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn the_checkout_states_the_terms_and_pay_needs_consent(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let token = plan_checkout(&shop, &plan).await;

    let page = shop
        .get(&format!("/pay/{token}"))
        .await
        .text()
        .await
        .unwrap();
    for words in [
        "€9.90 every month",
        "3 payments in all",
        "is taken today",
        "name=\"consent\"",
        "Subscribe and pay €9.90 today",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }

    // Without the tick, nothing is sent and nothing is recorded.
    let refused = press_pay(&shop, &token, false).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("id=\"consent-error\"") && page.contains("agree to the repeated payments"),
        "{page}"
    );
    assert!(page.contains("aria-describedby=\"consent-error\""));
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM payments")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 0, "no attempt without consent");

    // With it, the form carries the plan's schedule and the words agreed to are kept.
    let page = press_pay(&shop, &token, true).await.text().await.unwrap();
    let gate = forms(&page)
        .into_iter()
        .next()
        .expect("the form to the gateway");
    assert_eq!(field(&gate, "RecurringPaymentNumber"), "3");
    assert_eq!(field(&gate, "RecurringFrequencyUnit"), "M");
    assert_eq!(field(&gate, "RecurringFrequency"), "1");
    assert_eq!(field(&gate, "amount"), "9.90");
    let order_id = field(&gate, "oid").to_owned();
    assert!(
        order_id.len() <= 16,
        "room for the gateway's -121: {order_id}"
    );
    let consent = consent_of(&shop, &order_id).await;
    assert!(
        consent.contains("Dardania Crafts")
            && consent.contains("€9.90 to my card every month")
            && consent.contains("3 payments in all, the first today"),
        "{consent}"
    );
    assert!(
        mails_to(&shop.server, BUYER).await.is_empty(),
        "nothing paid yet"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_first_payment_starts_the_subscription_with_the_gateways_series(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, gate) = sign_up(&shop, &plan).await;
    assert_eq!(
        gate.action,
        format!("{}/fim/est3Dgate", shop.test_gateway.base_url()),
        "a Test plan goes to the Test gateway"
    );

    let (id, status, recurring_id) = subscription_of(&shop, &order_id).await;
    assert_eq!(status, "active");
    let recurring_id = recurring_id.expect("the series id from the gateway's answer");
    assert!(!recurring_id.is_empty());
    assert_eq!(
        installments(&shop, id).await,
        [(1, order_id.clone(), "paid".into())]
    );
    let (paid, next_in_days): (i16, i64) = sqlx::query_as(
        "SELECT paid_installments, extract(day FROM next_charge_at - now())::bigint FROM subscriptions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(paid, 1);
    assert!((27..=31).contains(&next_in_days), "{next_in_days}");
    assert_eq!(
        mails_to(&shop.server, BUYER).await.len(),
        1,
        "the first receipt"
    );

    // A replayed return changes nothing: still one subscription.
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM subscriptions")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);

    // Nothing is due before the next planned charge.
    assert_eq!(poll_after(&shop, 0).await, Report::default());

    // No card number anywhere, nor a card token: only the series id.
    let dump = shop.dump_every_table().await;
    assert!(!dump.contains(APPROVE), "never the card number");
}

#[sqlx::test(migrations = "../migrations")]
async fn plans_keep_to_the_gateways_limits_and_the_merchants_own_objects(pool: PgPool) {
    let shop = shop(pool).await;
    let base = NewPlan {
        name: "Box".into(),
        amount: Money::eur(1500),
        interval: Interval::Year,
        count: 1,
        installments: 121,
        until_cancelled: false,
        product_id: None,
    };
    let create = |new: NewPlan| {
        let shop = &shop;
        async move {
            plans::create(
                shop.pool(),
                &shop.scope,
                Mode::Test,
                &new,
                &Default::default(),
            )
            .await
        }
    };
    assert!(
        create(base.clone()).await.is_ok(),
        "121 is the gateway's limit"
    );
    for (new, field) in [
        (
            NewPlan {
                installments: 122,
                ..base.clone()
            },
            "installments",
        ),
        (
            NewPlan {
                installments: 1,
                ..base.clone()
            },
            "installments",
        ),
        (
            NewPlan {
                count: 0,
                ..base.clone()
            },
            "interval_count",
        ),
        (
            NewPlan {
                amount: Money::eur(0),
                ..base.clone()
            },
            "amount",
        ),
        (
            NewPlan {
                name: " ".into(),
                ..base.clone()
            },
            "name",
        ),
        (
            NewPlan {
                product_id: Some(Uuid::new_v4()),
                ..base.clone()
            },
            "product",
        ),
    ] {
        match create(new).await {
            Err(platform::payments::PaymentError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }

    // Another merchant cannot sell this merchant's plan, nor can a Live checkout sell a
    // Test plan.
    let plan = monthly_plan(&shop, 3).await;
    let (_, other) = merchant(shop.pool(), "Prizren Leather", true).await;
    let new = NewSession {
        plan: Some(plan.id),
        ..NewSession::default()
    };
    for (scope, mode) in [(&other, Mode::Test), (&shop.scope, Mode::Live)] {
        match sessions::create(shop.pool(), scope, mode, &new, &Default::default()).await {
            Err(platform::payments::PaymentError::Invalid { field, .. }) => {
                assert_eq!(field, "plan")
            }
            other => panic!("{other:?}"),
        }
    }
    let plans_seen = plans::list(shop.pool(), &other, Mode::Test).await.unwrap();
    assert!(
        plans_seen.is_empty(),
        "another merchant's plans are not listed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_second_approval_starts_no_second_subscription_and_its_series_is_cancelled(pool: PgPool) {
    use payten::PaymentGateway as _;
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let token = plan_checkout(&shop, &plan).await;
    // Two tabs: the buyer pressed Pay in both, and pays in both.
    let mut gates: Vec<HtmlForm> = Vec::new();
    for _ in 0..2 {
        let page = press_pay(&shop, &token, true).await.text().await.unwrap();
        gates.push(
            forms(&page)
                .into_iter()
                .next()
                .expect("the form to the gateway"),
        );
    }
    let first = field(&gates[0], "oid").to_owned();
    let second = field(&gates[1], "oid").to_owned();
    let returns = shop.pay_at_gateway(&gates[0], APPROVE).await;
    shop.deliver(&returns[0]).await;
    assert_eq!(shop.settled(&first).await, "paid");
    let returns = shop.pay_at_gateway(&gates[1], APPROVE).await;
    let second_series = field(&returns[0], "EXTRA.RECURRINGID").to_owned();
    shop.deliver(&returns[0]).await;
    shop.reaches(&second, "duplicate").await;

    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM subscriptions")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(count, 1, "one subscription for one checkout");
    let platform = &shop.server.platform;
    let account = platform::payments::gateways::for_mode(platform, Mode::Test)
        .await
        .unwrap();
    let client = platform::payments::gateways::status_client(platform, &account).unwrap();
    let series = client.recurring_status(&second_series).await.unwrap();
    assert!(
        series.installments[1..]
            .iter()
            .all(|i| i.status == payten::TransStat::Cancelled),
        "the duplicate's series charges nothing more: {series:?}"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'subscription.cancel_duplicate_series'
             AND outcome = 'success' AND target_id = $1",
    )
    .bind(&second)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert!(audited >= 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_payment_link_signs_each_buyer_up_with_their_consent(pool: PgPool) {
    use platform::payments::PaymentError;
    use platform::payments::links::{self, Charge, NewLink};
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let new = NewLink {
        charge: Charge::Plan(plan.id),
        max_payments: None,
        expires_at: None,
    };
    let facts = Default::default();

    // Another merchant's plan, or the plan in the other mode, makes no link.
    let (_, other) = merchant(shop.pool(), "Prizren Leather", true).await;
    for (scope, mode) in [(&other, Mode::Test), (&shop.scope, Mode::Live)] {
        let refused = links::create(shop.pool(), scope, mode, &new, &facts).await;
        assert!(
            matches!(refused, Err(PaymentError::Invalid { field: "plan", .. })),
            "{refused:?}"
        );
    }

    let link = links::create(shop.pool(), &shop.scope, Mode::Test, &new, &facts)
        .await
        .unwrap();
    assert_eq!(
        (link.plan_id, link.title.as_str(), link.amount),
        (Some(plan.id), "Coffee of the month", Money::eur(990))
    );
    let page = shop
        .get(&format!("/pay/{}", link.token))
        .await
        .text()
        .await
        .unwrap();
    for words in [
        "€9.90 every month",
        "3 payments in all",
        "is taken today",
        "name=\"consent\"",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }

    // Without the tick, no checkout is made and nothing is sent.
    let refused = press_pay(&shop, &link.token, false).await;
    assert_eq!(refused.status(), 422);
    let made: i64 = sqlx::query_scalar("SELECT count(*) FROM checkout_sessions")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(made, 0);

    // Each buyer who opens it signs up on a series of their own.
    let mut series = Vec::new();
    for email in [BUYER, "second@example.com"] {
        let (order_id, gate) = pay_plan_checkout(&shop, &link.token, email).await;
        assert_eq!(field(&gate, "RecurringPaymentNumber"), "3");
        let (_, status, recurring_id) = subscription_of(&shop, &order_id).await;
        assert_eq!(status, "active");
        series.push(recurring_id.expect("the series id"));
    }
    assert_ne!(series[0], series[1]);
}
