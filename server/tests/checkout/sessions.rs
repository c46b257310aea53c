//! What a checkout or payment link accepts: expiry, bad input, modes, link limits and archived products.

use super::*;

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
            .contains("Enter an email address such as name@example.com.")
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
            unit_amount: domain::Money::eur(100),
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
async fn a_payment_link_gives_each_buyer_a_checkout_until_its_limit(pool: PgPool) {
    use platform::payments::links::{self, Charge, NewLink};
    let shop = shop(pool).await;
    let facts = platform::audit::RequestFacts::default();
    let new = NewLink {
        charge: Charge::Amount {
            title: "Workshop seat".into(),
            amount: domain::Money::eur(1500),
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
        page.contains("Workshop seat") && page.contains("€15.00"),
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
        price: domain::Money::eur(3000),
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
            .contains("Pay €30.00")
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
