//! The buyer's checkout end to end over HTTP: Saleonix's pages, the Payten sandbox's card
//! and 3-D Secure pages, the browser return and the server callback, in every order.

mod support;

use payten_sandbox::buyer::HtmlForm;
use platform::gateway_accounts::Mode;
use sqlx::PgPool;
use support::accounts::mails_to;
use support::checkout::{APPROVE, LIVE_CLIENT_ID, Shop, field, merchant, shop, shop_with};

#[sqlx::test(migrations = "../migrations")]
async fn a_buyer_pays_a_checkout_and_gets_a_receipt(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "45.00").await;

    let page = shop
        .get(&format!("/pay/{token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Dardania Crafts") && page.contains("45.00 EUR"),
        "{page}"
    );
    assert!(page.contains("merchant of record") && page.contains("Test Mode"));
    assert!(
        !page.contains("<script"),
        "the checkout page needs no script"
    );
    assert!(
        !page.to_lowercase().contains("name=\"pan\"") && !page.to_lowercase().contains("cvv"),
        "no card field"
    );

    let gate = shop.to_gateway(&token).await;
    assert_eq!(
        gate.action,
        format!("{}/fim/est3Dgate", shop.test_gateway.base_url()),
        "Test Mode goes to the sandbox"
    );
    let order_id = field(&gate, "oid").to_owned();
    assert_eq!(field(&gate, "amount"), "45.00");
    assert_eq!(
        shop.status(&order_id).await,
        "pending",
        "sent to the gateway"
    );

    let returns = shop.pay_at_gateway(&gate, APPROVE).await;
    let answer = shop.deliver(&returns[0]).await;
    assert_eq!(answer.status(), 303);
    let result = answer.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(result, format!("/pay/result/{order_id}"));
    assert_eq!(shop.settled(&order_id).await, "paid");
    let page = shop.get(&result).await.text().await.unwrap();
    assert!(
        page.contains("Payment received") && page.contains("45.00 EUR"),
        "{page}"
    );

    let receipt = shop
        .get(&format!("/pay/receipt/{order_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        receipt.contains("557113")
            && receipt.contains("5575")
            && receipt.contains("Saleonix SH.P.K."),
        "{receipt}"
    );
    assert!(!receipt.contains(APPROVE), "never the whole card number");
    let mails = mails_to(&shop.server, "buyer@example.com").await;
    assert_eq!(mails.len(), 1, "one receipt, however many answers came");
    assert!(
        mails[0].contains("Total paid: 45.00 EUR")
            && mails[0].contains("merchant of record")
            && mails[0].contains("***")
    );

    // Paid once: the page says so and a second Pay takes nothing.
    assert!(
        shop.get(&format!("/pay/{token}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("already paid")
    );
    assert_eq!(
        shop.press_pay(&token, "buyer@example.com").await.status(),
        409
    );
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM payments")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 1);
    let timeline = shop.timeline(&order_id).await;
    assert_eq!(timeline[..2], ["buyer:>created:", "buyer:created>pending:"]);
    assert_eq!(
        timeline.iter().filter(|e| e.contains(">paid:")).count(),
        1,
        "{timeline:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn declines_say_why_take_nothing_and_let_the_buyer_try_again(pool: PgPool) {
    let shop = shop(pool).await;
    let cases = [
        ("4000000000000051", "declined", "declined the payment"),
        ("4000000000000515", "declined", "insufficient funds"),
        ("4000000000000549", "declined", "expired"),
        ("4000000000000309", "declined", "3-D Secure"),
        ("4000000000000994", "failed", "problem"),
    ];
    for (card, status, words) in cases {
        let token = shop.checkout(Mode::Test, "12.50").await;
        let (order_id, returns) = shop.pay(&token, card).await;
        let answer = shop.deliver(&returns[0]).await;
        assert_eq!(answer.status(), 303, "{card}");
        assert_eq!(shop.settled(&order_id).await, status, "{card}");
        let page = shop
            .get(&format!("/pay/result/{order_id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Payment not completed") && page.contains(words),
            "{card}: {page}"
        );
        assert!(
            page.contains(&format!("/pay/{token}")),
            "the buyer may try again"
        );
        assert!(
            shop.get(&format!("/pay/receipt/{order_id}")).await.status() == 404,
            "no receipt for {card}"
        );
    }
    assert!(
        mails_to(&shop.server, "buyer@example.com").await.is_empty(),
        "no receipt mail for a decline"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn return_and_callback_in_any_order_and_number_leave_one_result(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    // The callback has settled it by now; the return arrives after, twice, POST then GET.
    assert_eq!(shop.settled(&order_id).await, "paid");
    assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
    let as_get = HtmlForm {
        method: "get".into(),
        ..returns[0].clone()
    };
    assert_eq!(shop.deliver(&as_get).await.status(), 303);
    assert_eq!(shop.status(&order_id).await, "paid");
    let timeline = shop.timeline(&order_id).await;
    assert_eq!(
        timeline.iter().filter(|e| e.contains(">paid:")).count(),
        1,
        "{timeline:?}"
    );
    assert_eq!(
        timeline
            .iter()
            .filter(|e| e.starts_with("return:paid>:duplicate"))
            .count(),
        2,
        "{timeline:?}"
    );
    assert_eq!(mails_to(&shop.server, "buyer@example.com").await.len(), 1);
    let audit = shop.audit(&order_id).await;
    assert!(
        audit
            .iter()
            .any(|a| a.starts_with("payment.callback:success")),
        "{audit:?}"
    );
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.starts_with("payment.return:success:duplicate"))
            .count(),
        2,
        "{audit:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_lost_return_is_settled_by_the_callback_and_a_lost_callback_by_the_return(pool: PgPool) {
    let shop = shop(pool).await;

    shop.fault(serde_json::json!({ "kind": "drop_return" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    assert!(returns.is_empty(), "the browser never comes back");
    assert_eq!(
        shop.settled(&order_id).await,
        "paid",
        "the callback alone settles it"
    );

    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(shop.status(&order_id).await, "pending", "no callback came");
    assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
    assert_eq!(
        shop.status(&order_id).await,
        "paid",
        "the return alone settles it"
    );
    assert!(
        shop.timeline(&order_id)
            .await
            .iter()
            .all(|e| !e.starts_with("callback"))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_tampered_return_changes_nothing_and_is_audited(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, "4000000000000051").await;
    let mut forged = returns[0].clone();
    for (name, value) in &mut forged.fields {
        match name.as_str() {
            "Response" => *value = "Approved".into(),
            "ProcReturnCode" => *value = "00".into(),
            _ => {}
        }
    }
    let answer = shop.deliver(&forged).await;
    assert_eq!(answer.status(), 400);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("could not be verified")
    );
    assert_eq!(shop.status(&order_id).await, "pending", "nothing changed");
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'payment.return' AND outcome = 'denied' AND reason = 'bad_hash'",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(denied, 1);
    // The genuine return still works afterwards.
    assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
    assert_eq!(shop.status(&order_id).await, "declined");

    // A forged callback with a made-up signature is refused the same way.
    let callback = shop
        .http
        .post(shop.server.url("/pay/callback"))
        .form(&forged.fields)
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 400);
    assert_eq!(shop.status(&order_id).await, "declined");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_checkout_says_so_and_takes_no_payment(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    shop.expire(&token).await;
    assert!(
        shop.get(&format!("/pay/{token}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("expired")
    );
    assert_eq!(
        shop.press_pay(&token, "buyer@example.com").await.status(),
        409
    );
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM payments")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 0);
    assert_eq!(
        platform::payments::sessions::expire_due(&shop.server.platform)
            .await
            .unwrap(),
        1
    );
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM checkout_sessions WHERE token = $1")
            .bind(&token)
            .fetch_one(shop.pool())
            .await
            .unwrap();
    assert_eq!(status, "expired");
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_input_gets_a_clear_error_and_unknown_tokens_are_not_found(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let answer = shop.press_pay(&token, "not-an-email").await;
    assert_eq!(answer.status(), 422);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("enter an email address")
    );
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM payments")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 0, "nothing was written");
    for path in [
        "/pay/cs_0000000000000000000000",
        "/pay/pl_0000000000000000000000",
        "/pay/whatever",
        "/pay/result/SXnope",
    ] {
        assert_eq!(shop.get(path).await.status(), 404, "{path}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn test_and_live_never_mix(pool: PgPool) {
    let shop = shop(pool).await;
    // A Live checkout goes to the live gateway with the live account, never the sandbox.
    let live = shop.checkout(Mode::Live, "30.00").await;
    let gate = shop.to_gateway(&live).await;
    assert_eq!(
        gate.action,
        format!("{}/fim/est3Dgate", shop.live_gateway.base_url())
    );
    assert_eq!(field(&gate, "clientid"), LIVE_CLIENT_ID);
    let live_order = field(&gate, "oid").to_owned();

    // A Test answer edited to name the Live order fails its hash. (Correctly signed ones
    // reach the account check: see gateway_answers.rs.)
    let test = shop.checkout(Mode::Test, "30.00").await;
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let (test_order, returns) = shop.pay(&test, APPROVE).await;
    let mut crossed = returns[0].clone();
    for (name, value) in &mut crossed.fields {
        if name == "oid" || name == "ReturnOid" {
            *value = live_order.clone();
        }
    }
    assert_eq!(
        shop.deliver(&crossed).await.status(),
        400,
        "the hash covers the oid"
    );
    assert_eq!(shop.status(&live_order).await, "pending");
    assert_eq!(shop.status(&test_order).await, "pending");

    // The database refuses a Test payment pointing at the Live account or a Live session.
    let to_live_account =
        sqlx::query("UPDATE payments SET gateway_client_id = $1 WHERE order_id = $2")
            .bind(LIVE_CLIENT_ID)
            .bind(&test_order)
            .execute(shop.pool())
            .await;
    assert!(
        to_live_account.is_err(),
        "a Test payment cannot reference the Live account"
    );
    let to_live_mode = sqlx::query("UPDATE payments SET mode = 'live' WHERE order_id = $1")
        .bind(&test_order)
        .execute(shop.pool())
        .await;
    assert!(
        to_live_mode.is_err(),
        "nor become Live while its session is Test"
    );

    // Live Mode is for verified merchants that are not suspended.
    let (_, unverified) = merchant(shop.pool(), "New Shop", false).await;
    let new = platform::payments::sessions::NewSession {
        items: vec![platform::payments::sessions::NewItem::Custom {
            name: "x".into(),
            price: "1.00".into(),
            quantity: 1,
        }],
        ..Default::default()
    };
    let facts = platform::audit::RequestFacts::default();
    let refused =
        platform::payments::sessions::create(shop.pool(), &unverified, Mode::Live, &new, &facts)
            .await;
    assert!(
        matches!(
            refused,
            Err(platform::payments::PaymentError::LiveNotAllowed)
        ),
        "{refused:?}"
    );
    sqlx::query("UPDATE merchants SET suspended_at = now() WHERE id = $1")
        .bind(shop.merchant_id)
        .execute(shop.pool())
        .await
        .unwrap();
    let answer = shop.press_pay(&live, "buyer@example.com").await;
    assert_eq!(
        answer.status(),
        403,
        "a suspended merchant's Live checkout takes no payment"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_pay_button_is_rate_limited_per_checkout_but_callbacks_never_are(pool: PgPool) {
    let shop = shop_with(pool, |s| s.rate_limits.pay_per_checkout.max = 2).await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    shop.fault(serde_json::json!({ "kind": "drop_return" }))
        .await;
    let (first, _) = shop.pay(&token, "4000000000000051").await;
    assert_eq!(shop.settled(&first).await, "declined");
    assert_eq!(
        shop.press_pay(&token, "buyer@example.com").await.status(),
        200
    );
    let limited = shop.press_pay(&token, "buyer@example.com").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    // Another checkout is not affected.
    let other = shop.checkout(Mode::Test, "20.00").await;
    assert_eq!(
        shop.press_pay(&other, "buyer@example.com").await.status(),
        200
    );
    // Callbacks are answered however many arrive.
    for _ in 0..5 {
        let answer = shop
            .http
            .post(shop.server.url("/pay/callback"))
            .form(&[("clientid", "520000001")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status(),
            400,
            "refused for its content, never for its rate"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_duplicate_callbacks_leave_one_paid_payment(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (client, url, fields) = (
            shop.http.clone(),
            shop.server.url("/pay/callback"),
            returns[0].fields.clone(),
        );
        let return_url = returns[0].action.clone();
        tasks.spawn(async move {
            // Half as callbacks, half as browser returns, all at once.
            let target = if i % 2 == 0 { url } else { return_url };
            client
                .post(target)
                .form(&fields)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert!([200, 303].contains(&status.unwrap()));
    }
    assert_eq!(shop.status(&order_id).await, "paid");
    let timeline = shop.timeline(&order_id).await;
    assert_eq!(
        timeline.iter().filter(|e| e.contains(">paid:")).count(),
        1,
        "{timeline:?}"
    );
    assert_eq!(
        timeline.iter().filter(|e| e.contains(":duplicate")).count(),
        7,
        "{timeline:?}"
    );
    assert_eq!(mails_to(&shop.server, "buyer@example.com").await.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_payment_link_gives_each_buyer_a_checkout_until_its_limit(pool: PgPool) {
    use platform::payments::links::{self, Charge, NewLink};
    let shop = shop(pool).await;
    let facts = platform::audit::RequestFacts::default();
    let new = NewLink {
        charge: Charge::Amount {
            title: "Workshop seat".into(),
            amount: "15.00".into(),
        },
        max_payments: Some(1),
        expires_at: None,
    };
    let link = links::create(shop.pool(), &shop.scope, Mode::Test, &new, &facts)
        .await
        .unwrap();
    let page = shop
        .get(&format!("/pay/{}", link.token))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Workshop seat") && page.contains("15.00 EUR"),
        "{page}"
    );
    let (order_id, returns) = shop.pay(&link.token, APPROVE).await;
    shop.deliver(&returns[0]).await;
    assert_eq!(shop.settled(&order_id).await, "paid");
    assert!(
        shop.get(&format!("/pay/{}", link.token))
            .await
            .text()
            .await
            .unwrap()
            .contains("no longer available")
    );
    assert_eq!(
        shop.press_pay(&link.token, "second@example.com")
            .await
            .status(),
        409
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn no_card_number_reaches_the_database(pool: PgPool) {
    let shop = shop(pool).await;
    for card in [
        APPROVE,
        "4355084355084358",
        "4000000000000051",
        "4000000000000309",
    ] {
        let token = shop.checkout(Mode::Test, "20.00").await;
        let (order_id, returns) = shop.pay(&token, card).await;
        shop.deliver(&returns[0]).await;
        shop.settled(&order_id).await;
    }
    let dump = shop.dump_every_table().await;
    assert!(
        dump.contains("557113"),
        "the dump is real: it holds the masked numbers"
    );
    for card in [
        APPROVE,
        "4355084355084358",
        "4000000000000051",
        "4000000000000309",
    ] {
        assert!(!dump.contains(card), "card {card} in the database");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_link_to_a_product_archived_since_takes_no_payment(pool: PgPool) {
    use platform::payments::catalog::{self, NewProduct};
    use platform::payments::links::{self, Charge, NewLink};
    let shop = shop(pool).await;
    let facts = platform::audit::RequestFacts::default();
    let product = NewProduct {
        name: "Filigree brooch".into(),
        description: String::new(),
        price: "30.00".into(),
    };
    let product = catalog::create(shop.pool(), &shop.scope, Mode::Test, &product, &facts)
        .await
        .unwrap();
    let new = NewLink {
        charge: Charge::Product(product.id),
        max_payments: None,
        expires_at: None,
    };
    let link = links::create(shop.pool(), &shop.scope, Mode::Test, &new, &facts)
        .await
        .unwrap();
    assert!(!link.unavailable(time::OffsetDateTime::now_utc()));
    assert!(
        shop.get(&format!("/pay/{}", link.token))
            .await
            .text()
            .await
            .unwrap()
            .contains("Pay 30.00 EUR")
    );

    catalog::archive(shop.pool(), &shop.scope, product.id, &facts)
        .await
        .unwrap();
    let listed = links::list(shop.pool(), &shop.scope, Mode::Test)
        .await
        .unwrap();
    assert!(
        listed[0].unavailable(time::OffsetDateTime::now_utc()),
        "the dashboard sees it too"
    );
    assert!(
        shop.get(&format!("/pay/{}", link.token))
            .await
            .text()
            .await
            .unwrap()
            .contains("no longer available")
    );
    assert_eq!(
        shop.press_pay(&link.token, "buyer@example.com")
            .await
            .status(),
        409
    );
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM payments")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 0);
}

/// Presses Pay from the client address `ip` (the server trusts the loopback proxy).
async fn press_pay_from(shop: &Shop, ip: &str, token: &str, email: &str) -> reqwest::Response {
    shop.http
        .post(shop.server.url(&format!("/pay/{token}")))
        .header("x-forwarded-for", ip)
        .form(&[("email", email)])
        .send()
        .await
        .unwrap()
}

async fn behind_proxy(pool: PgPool) -> Shop {
    shop_with(pool, |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]
    })
    .await
}

/// A new checkout of `mode` paid from `ip` with a card the gateway declines.
async fn declined_from(shop: &Shop, mode: Mode, ip: &str, n: usize) {
    let token = shop.checkout(mode, "1.00").await;
    let page = press_pay_from(shop, ip, &token, &format!("card{n}@example.com"))
        .await
        .text()
        .await
        .unwrap();
    let gate = payten_sandbox::buyer::forms(&page)
        .into_iter()
        .next()
        .expect("sent to the gateway");
    let returns = shop.pay_at_gateway(&gate, "4000000000000051").await;
    shop.deliver(&returns[0]).await;
    assert_eq!(shop.settled(field(&gate, "oid")).await, "declined");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_card_testing_burst_is_blocked_from_one_address_while_another_pays(pool: PgPool) {
    let shop = behind_proxy(pool).await;
    let tester = "203.0.113.66";
    for n in 0..5 {
        declined_from(&shop, Mode::Test, tester, n).await;
    }
    let token = shop.checkout(Mode::Test, "1.00").await;
    let blocked = press_pay_from(&shop, tester, &token, "card9@example.com").await;
    assert_eq!(blocked.status(), 403, "five declines of five: card testing");
    let page = blocked.text().await.unwrap();
    assert!(
        page.contains("We could not accept this payment") && page.contains("no money was taken"),
        "{page}"
    );
    assert!(!page.contains("est3Dgate"), "nothing goes to the gateway");
    let payments: i64 = sqlx::query_scalar("SELECT count(*) FROM payments")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(payments, 5, "no attempt was made for the blocked press");

    let answer = press_pay_from(&shop, "198.51.100.9", &token, "honest@example.com").await;
    assert_eq!(
        answer.status(),
        200,
        "another address still pays the same checkout"
    );
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT unnest(reasons) FROM risk_decisions WHERE action = 'block'")
            .fetch_all(shop.pool())
            .await
            .unwrap();
    assert_eq!(reasons.len(), 1);
    assert!(
        reasons[0].starts_with("ip_decline_ratio: 5 of 5 attempts from this address declined"),
        "{reasons:?}"
    );
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'risk.decision' AND outcome = 'denied' AND ip = $1",
    )
    .bind(tester)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(denied, 1, "the block is audited with the address");
}

#[sqlx::test(migrations = "../migrations")]
async fn blocklists_and_amount_limits_block_and_velocity_flags_for_review(pool: PgPool) {
    let shop = behind_proxy(pool).await;
    let platform = &shop.server.platform;
    let staff = shop.scope.user_id();
    let facts = platform::audit::RequestFacts::default();
    use platform::payments::risk;
    risk::add_block(
        platform,
        "email",
        "Mallory@Example.com",
        "chargebacks",
        staff,
        &facts,
    )
    .await
    .unwrap();
    risk::add_block(platform, "network", "192.0.2.0/24", "botnet", staff, &facts)
        .await
        .unwrap();
    risk::set_merchant_limit(platform, shop.merchant_id, Some(10_000), staff, &facts)
        .await
        .unwrap();

    let token = shop.checkout(Mode::Test, "20.00").await;
    assert_eq!(
        press_pay_from(&shop, "198.51.100.1", &token, "mallory@example.com")
            .await
            .status(),
        403
    );
    assert_eq!(
        press_pay_from(&shop, "192.0.2.77", &token, "someone@example.com")
            .await
            .status(),
        403
    );
    let dear = shop.checkout(Mode::Test, "100.01").await;
    assert_eq!(
        press_pay_from(&shop, "198.51.100.1", &dear, "someone@example.com")
            .await
            .status(),
        403
    );
    let within = shop.checkout(Mode::Test, "100.00").await;
    assert_eq!(
        press_pay_from(&shop, "198.51.100.1", &within, "someone@example.com")
            .await
            .status(),
        200
    );

    // Email velocity reviews: the attempt goes ahead, flagged for the merchant.
    let rule = risk::RuleChange {
        rule: "email_velocity".into(),
        limit_value: 2,
        window_minutes: 60,
        min_attempts: 1,
        action: risk::Action::Review,
        enabled: true,
    };
    risk::set_rule(platform, &rule, staff, &facts)
        .await
        .unwrap();
    for n in 0..3 {
        let token = shop.checkout(Mode::Test, "5.00").await;
        assert_eq!(
            press_pay_from(
                &shop,
                &format!("198.51.100.{}", 30 + n),
                &token,
                "busy@example.com"
            )
            .await
            .status(),
            200
        );
    }
    let flagged: Vec<uuid::Uuid> =
        sqlx::query_scalar("SELECT payment_id FROM risk_decisions WHERE action = 'review'")
            .fetch_all(shop.pool())
            .await
            .unwrap();
    assert_eq!(flagged.len(), 1, "the third attempt with the same email");
    let detail = platform::payments::reading::detail(shop.pool(), &shop.scope, flagged[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.payment.risk_action, Some(risk::Action::Review));
    assert!(
        detail.risk_reasons[0].contains("3 attempts with this email within 60 minutes (limit 2)"),
        "{:?}",
        detail.risk_reasons
    );

    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT array_to_string(reasons, '|') FROM risk_decisions WHERE action = 'block' ORDER BY created_at")
            .fetch_all(shop.pool())
            .await
            .unwrap();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("blocklist: the buyer email is blocked"));
    assert!(reasons[1].contains("blocklist: the network 192.0.2.0/24 is blocked"));
    assert!(
        reasons[2].contains(
            "max_amount: the amount 100.01 EUR is above the merchant's limit of 100.00 EUR"
        )
    );
    let bad = risk::add_block(platform, "network", "not-a-network", "", staff, &facts).await;
    assert!(matches!(
        bad,
        Err(platform::payments::PaymentError::Invalid { field: "value", .. })
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn test_mode_declines_never_weigh_on_a_live_decision_while_live_declines_do(pool: PgPool) {
    let shop = behind_proxy(pool).await;
    let tester = "203.0.113.66";
    // Five declines with the public sandbox card on Test checkouts block the address in Test.
    for n in 0..5 {
        declined_from(&shop, Mode::Test, tester, n).await;
    }
    let test = shop.checkout(Mode::Test, "1.00").await;
    assert_eq!(
        press_pay_from(&shop, tester, &test, "t@example.com")
            .await
            .status(),
        403,
        "Test declines block Test"
    );

    // On Live the same address is judged on its Live attempts alone: every press goes to
    // the live gateway, until five Live declines of five are card testing there too.
    for n in 0..5 {
        declined_from(&shop, Mode::Live, tester, n).await;
    }
    let live = shop.checkout(Mode::Live, "1.00").await;
    assert_eq!(
        press_pay_from(&shop, tester, &live, "l@example.com")
            .await
            .status(),
        403,
        "Live declines block Live"
    );
    let live_decisions: Vec<(String, Vec<String>)> = sqlx::query_as(
        "SELECT action::text, reasons FROM risk_decisions WHERE mode = 'live' ORDER BY created_at",
    )
    .fetch_all(shop.pool())
    .await
    .unwrap();
    assert_eq!(live_decisions.len(), 6);
    assert!(
        live_decisions[..5]
            .iter()
            .all(|(action, reasons)| action == "allow" && reasons.is_empty()),
        "{live_decisions:?}"
    );
    assert_eq!(live_decisions[5].0, "block");
    assert!(
        live_decisions[5].1[0].starts_with("ip_decline_ratio: 5 of 5 attempts from this address"),
        "{live_decisions:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn fraud_rules_count_an_ipv6_client_by_its_64_within_its_mode(pool: PgPool) {
    use platform::payments::risk;
    let shop = behind_proxy(pool).await;
    let rule = risk::RuleChange {
        rule: "ip_velocity".into(),
        limit_value: 2,
        window_minutes: 60,
        min_attempts: 1,
        action: risk::Action::Block,
        enabled: true,
    };
    let facts = platform::audit::RequestFacts::default();
    risk::set_rule(&shop.server.platform, &rule, shop.scope.user_id(), &facts)
        .await
        .unwrap();
    let press = async |mode: Mode, ip: &str| {
        let token = shop.checkout(mode, "5.00").await;
        press_pay_from(&shop, ip, &token, "buyer@example.com")
            .await
            .status()
            .as_u16()
    };
    assert_eq!(press(Mode::Test, "2001:db8:1:2::1").await, 200);
    assert_eq!(press(Mode::Test, "2001:db8:1:2::2").await, 200);
    assert_eq!(
        press(Mode::Test, "2001:db8:1:2:ffff::3").await,
        403,
        "a third address of the same /64 is the same client"
    );
    assert_eq!(
        press(Mode::Test, "2001:db8:1:3::1").await,
        200,
        "the next /64 is another client"
    );
    assert_eq!(
        press(Mode::Live, "2001:db8:1:2::4").await,
        200,
        "Test attempts do not count on Live"
    );
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT unnest(reasons) FROM risk_decisions WHERE action = 'block'")
            .fetch_all(shop.pool())
            .await
            .unwrap();
    assert_eq!(
        reasons,
        ["ip_velocity: 3 attempts from this /64 network within 60 minutes (limit 2)"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn rotating_checkouts_on_a_payment_link_buys_no_fresh_limit(pool: PgPool) {
    use platform::payments::links::{self, Charge, NewLink};
    let shop = shop_with(pool, |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.pay_per_link.max = 2;
    })
    .await;
    let facts = platform::audit::RequestFacts::default();
    let new = NewLink {
        charge: Charge::Amount {
            title: "Workshop seat".into(),
            amount: "15.00".into(),
        },
        max_payments: None,
        expires_at: None,
    };
    let link = links::create(shop.pool(), &shop.scope, Mode::Test, &new, &facts)
        .await
        .unwrap();
    let press = async |ip: &str, email: &str| {
        press_pay_from(&shop, ip, &link.token, email)
            .await
            .status()
            .as_u16()
    };

    // Each press on the link opens a new checkout; the limit counts the link and the address.
    assert_eq!(press("203.0.113.10", "a1@example.com").await, 200);
    assert_eq!(press("203.0.113.10", "a2@example.com").await, 200);
    assert_eq!(
        press("203.0.113.10", "a3@example.com").await,
        429,
        "a third checkout from one address"
    );
    // Back on a checkout the link opened, the press still counts on the link.
    let opened: String =
        sqlx::query_scalar("SELECT token FROM checkout_sessions WHERE link_id = $1 LIMIT 1")
            .bind(link.id)
            .fetch_one(shop.pool())
            .await
            .unwrap();
    assert_eq!(
        press_pay_from(&shop, "203.0.113.10", &opened, "a4@example.com")
            .await
            .status(),
        429
    );
    // And per buyer email, from whatever address.
    assert_eq!(press("203.0.113.11", "a1@example.com").await, 200);
    assert_eq!(
        press("203.0.113.12", " A1@example.com").await,
        429,
        "one email across addresses and spellings"
    );
    assert_eq!(
        press("203.0.113.13", "someone@example.com").await,
        200,
        "other buyers are unaffected"
    );
}
