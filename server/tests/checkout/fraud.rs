//! Rate limits and fraud rules at the Pay button, per client address and per mode.

use super::*;

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
    let staff = &risk_act(&shop).await;
    let facts = platform::audit::RequestFacts::default();
    use platform::payments::risk;
    risk::add_block(
        platform,
        staff,
        "email",
        "Mallory@Example.com",
        "chargebacks",
        &facts,
    )
    .await
    .unwrap();
    risk::add_block(platform, staff, "network", "192.0.2.0/24", "botnet", &facts)
        .await
        .unwrap();
    risk::set_merchant_limit(
        platform,
        staff,
        domain::MerchantId::from_uuid(shop.merchant_id),
        Some(domain::Money::eur(10_000)),
        &facts,
    )
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
    risk::set_rule(platform, staff, &rule, &facts)
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
    let detail = platform::payments::reading::detail(
        shop.pool(),
        &shop.scope,
        domain::PaymentId::from_uuid(flagged[0]),
    )
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
    let bad = risk::add_block(platform, staff, "network", "not-a-network", "", &facts).await;
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
    let staff = risk_act(&shop).await;
    risk::set_rule(&shop.server.platform, &staff, &rule, &facts)
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
            amount: domain::Money::eur(1500),
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

/// A staff member holding risk at `act`, as the console's guards hand them over.
async fn risk_act(shop: &Shop) -> platform::identity::roles::StaffScope {
    use platform::identity::roles::{Level, Module};
    support::checkout::staff_scope(shop.pool(), Module::Risk, Level::Act).await
}

/// Item 7's third layer: the fraud checks' settings change only with risk at `act`. A
/// scope for another module, or risk at `view`, is refused by the platform itself and
/// changes no rule, blocklist entry or limit.
#[sqlx::test(migrations = "../migrations")]
async fn risk_changes_need_risk_at_act(pool: PgPool) {
    use platform::identity::roles::{Level, Module};
    use platform::payments::PaymentError;
    use platform::payments::risk;
    let shop = behind_proxy(pool).await;
    let platform = &shop.server.platform;
    let facts = platform::audit::RequestFacts::default();
    let act = risk_act(&shop).await;
    let entry = risk::add_block(platform, &act, "email", "kept@example.com", "", &facts)
        .await
        .unwrap();
    let settings = async || {
        let mut conn = shop.pool().acquire().await.unwrap();
        (
            risk::rules(&mut conn).await.unwrap(),
            risk::blocklist(shop.pool()).await.unwrap(),
            risk::merchant_limits(shop.pool()).await.unwrap(),
        )
    };
    let before = settings().await;
    let rule = risk::RuleChange {
        rule: "ip_velocity".into(),
        limit_value: 1,
        window_minutes: 60,
        min_attempts: 1,
        action: risk::Action::Block,
        enabled: true,
    };
    let refused = |result: Result<(), PaymentError>, what: &str| {
        assert!(
            matches!(result, Err(PaymentError::Forbidden(_))),
            "{what}: {result:?}"
        );
    };
    for (module, level) in [(Module::Payments, Level::Act), (Module::Risk, Level::View)] {
        let scope = support::checkout::staff_scope(shop.pool(), module, level).await;
        let what = format!("{module:?} {level:?}");
        refused(risk::set_rule(platform, &scope, &rule, &facts).await, &what);
        refused(
            risk::add_block(platform, &scope, "ip", "198.51.100.9", "", &facts)
                .await
                .map(drop),
            &what,
        );
        refused(
            risk::remove_block(platform, &scope, entry, &facts).await,
            &what,
        );
        refused(
            risk::set_merchant_limit(
                platform,
                &scope,
                domain::MerchantId::from_uuid(shop.merchant_id),
                Some(domain::Money::eur(100)),
                &facts,
            )
            .await,
            &what,
        );
    }
    assert_eq!(
        settings().await,
        before,
        "a refused scope changed something"
    );
}
