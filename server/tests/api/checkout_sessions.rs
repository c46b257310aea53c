//! `/v1/checkout_sessions`: what a shop makes, what the buyer's page then shows, lists and
//! their pages, expiry, and what bad input changes (nothing).

use platform::gateway_accounts::Mode;
use serde_json::json;
use sqlx::PgPool;

use super::support::checkout::merchant;
use super::{api_shop, assert_error_shape, key, one_line};

#[sqlx::test(migrations = "../migrations")]
async fn a_shop_makes_a_checkout_its_buyer_can_pay_and_reads_it_back(pool: PgPool) {
    let shop = api_shop(pool).await;
    let made = shop
        .test()
        .post(
            "/v1/checkout_sessions",
            json!({
                "line_items": [
                    {"name": "Silver filigree earrings", "unit_amount": 4500, "quantity": 2},
                    {"name": "Gift wrap", "unit_amount": 250, "currency": "eur"}
                ],
                "buyer_email": "drita@example.com",
                "reference": "order-1042",
                "success_url": "https://shop.example/thanks",
                "expires_in_minutes": 60
            }),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let session = &made.body;
    assert!(session["id"].as_str().unwrap().starts_with("cs_"));
    assert_eq!(session["object"], "checkout_session");
    assert_eq!(session["livemode"], false);
    assert_eq!(session["status"], "open");
    assert_eq!(session["amount_total"], 9250);
    assert_eq!(session["currency"], "EUR");
    assert_eq!(session["line_items"][0]["amount"], 9000);
    assert_eq!(session["reference"], "order-1042");
    assert_eq!(made.header("cache-control"), Some("no-store"));
    let created = time::OffsetDateTime::parse(
        session["created"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expires = time::OffsetDateTime::parse(
        session["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!((expires - created).whole_minutes(), 60);

    // The url is the buyer's checkout page, showing the order.
    let url = session["url"].as_str().unwrap();
    let page = reqwest::get(url).await.unwrap().text().await.unwrap();
    assert!(page.contains("Dardania Crafts") && page.contains("Gift wrap"));

    // Made through the dashboard's own path: audited, with the key as the actor.
    assert_eq!(
        shop.audited("checkout_session.create").await,
        vec![("api_key".to_owned(), "success".to_owned())]
    );
    let read = shop
        .test()
        .get(&format!("/v1/checkout_sessions/{}", made.id()))
        .await;
    assert_eq!(read.body, made.body);

    // Paid by the buyer: the session names its payment, which the API reads.
    let token = url.rsplit('/').next().unwrap();
    let (order_id, _) = shop
        .shop
        .pay(token, super::support::checkout::APPROVE)
        .await;
    assert_eq!(shop.shop.settled(&order_id).await, "paid");
    let read = shop
        .test()
        .get(&format!("/v1/checkout_sessions/{}", made.id()))
        .await;
    assert_eq!(read.body["status"], "paid");
    let payment_id = read.body["payment"].as_str().unwrap();
    let payment = shop.test().get(&format!("/v1/payments/{payment_id}")).await;
    assert_eq!(payment.body["status"], "paid");
    assert_eq!(payment.body["amount"], 9250);
    assert_eq!(payment.body["order_id"], order_id);
    assert_eq!(payment.body["checkout_session"], made.body["id"]);
    let masked = payment.body["card"]["masked_number"].as_str().unwrap();
    assert!(
        !masked.contains("5571135571135575"),
        "never the card number"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn lists_page_both_ways_and_filter_by_status_and_time(pool: PgPool) {
    let shop = api_shop(pool).await;
    let mut ids = Vec::new();
    for amount in [100, 200, 300, 400, 500] {
        ids.push(
            shop.test()
                .post("/v1/checkout_sessions", one_line(amount))
                .await
                .id(),
        );
    }
    ids.reverse(); // newest first, as lists are
    let first = shop.test().get("/v1/checkout_sessions?limit=2").await;
    let page_ids = |answer: &super::Answer| -> Vec<String> {
        answer.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(page_ids(&first), ids[..2]);
    assert_eq!(first.body["has_more"], true);
    assert_eq!(first.body["object"], "list");
    let second = shop
        .test()
        .get(&format!(
            "/v1/checkout_sessions?limit=2&starting_after={}",
            ids[1]
        ))
        .await;
    assert_eq!(page_ids(&second), ids[2..4]);
    let last = shop
        .test()
        .get(&format!(
            "/v1/checkout_sessions?limit=2&starting_after={}",
            ids[3]
        ))
        .await;
    assert_eq!(page_ids(&last), ids[4..]);
    assert_eq!(last.body["has_more"], false);
    let back = shop
        .test()
        .get(&format!(
            "/v1/checkout_sessions?limit=2&ending_before={}",
            ids[4]
        ))
        .await;
    assert_eq!(page_ids(&back), ids[2..4]);

    // Expiring one moves it between the status filters.
    let expired = shop
        .test()
        .post(
            &format!("/v1/checkout_sessions/{}/expire", ids[0]),
            json!({}),
        )
        .await;
    assert_eq!(expired.body["status"], "expired");
    let open = shop.test().get("/v1/checkout_sessions?status=open").await;
    assert_eq!(page_ids(&open), ids[1..]);
    let closed = shop
        .test()
        .get("/v1/checkout_sessions?status=expired")
        .await;
    assert_eq!(page_ids(&closed), ids[..1]);
    let again = shop
        .test()
        .post(
            &format!("/v1/checkout_sessions/{}/expire", ids[0]),
            json!({}),
        )
        .await;
    assert_error_shape(&again, 409, "checkout_session_expired");
    let future = shop
        .test()
        .get("/v1/checkout_sessions?created[gte]=2999-01-01T00:00:00Z")
        .await;
    assert_eq!(page_ids(&future), Vec::<String>::new());

    // Live Mode has its own objects: none yet.
    let live = shop.live().get("/v1/checkout_sessions").await;
    assert_eq!(page_ids(&live), Vec::<String>::new());
    for bad in [
        "limit=0",
        "limit=101",
        "status=lost",
        "starting_after=pay_00000000000000000000000000000000",
        "starting_after=cs_00000000000000000000000000000000",
        "payment=pay_00000000000000000000000000000000",
        "colour=red",
    ] {
        let refused = shop
            .test()
            .get(&format!("/v1/checkout_sessions?{bad}"))
            .await;
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_input_is_a_clear_400_and_writes_nothing(pool: PgPool) {
    let shop = api_shop(pool).await;
    let cases = [
        (json!({"line_items": []}), "line_items"),
        (one_line(0), "line_items[].unit_amount"),
        (one_line(-5), "line_items[].unit_amount"),
        (one_line(100_000_001), "line_items[].unit_amount"),
        (
            json!({"line_items": [{"name": "x", "unit_amount": 100, "currency": "USD"}]}),
            "line_items[].currency",
        ),
        (
            json!({"line_items": [{"name": "x", "unit_amount": 100, "quantity": 0}]}),
            "line_items[].quantity",
        ),
        (
            json!({"line_items": [{"name": "x", "unit_amount": 100}], "success_url": "javascript:alert(1)"}),
            "success_url",
        ),
        (
            json!({"line_items": [{"name": "x", "unit_amount": 100}], "expires_in_minutes": 5}),
            "expires_in_minutes",
        ),
        (
            json!({"line_items": [{"product": "prod_00000000000000000000000000000000"}]}),
            "line_items",
        ),
        (
            json!({"line_items": [{"name": "x", "unit_amount": 100}], "amount_eur": 1}),
            "amount_eur",
        ),
    ];
    for (body, param) in cases {
        let refused = shop
            .test()
            .post("/v1/checkout_sessions", body.clone())
            .await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert_eq!(
            refused.body["error"]["param"], param,
            "{body}: {}",
            refused.body
        );
        assert_eq!(refused.body["error"]["type"], "invalid_request_error");
    }
    for raw in [
        "{",
        "[]",
        "{\"line_items\": [{\"name\": \"x\", \"unit_amount\": 12.5}]}",
    ] {
        let refused = shop.test().post_raw("/v1/checkout_sessions", raw).await;
        assert_error_shape(&refused, 400, "body_invalid");
    }
    assert_eq!(shop.count("checkout_sessions").await, 0);
    assert_eq!(shop.count("checkout_items").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn another_merchants_and_the_other_modes_objects_are_not_found(pool: PgPool) {
    let shop = api_shop(pool).await;
    let live_session = shop
        .live()
        .post("/v1/checkout_sessions", one_line(700))
        .await;
    assert_eq!(live_session.body["livemode"], true);
    let (_, other) = merchant(shop.pool(), "Other Shop", true).await;
    let other_key = key(
        &shop.shop,
        &other,
        Mode::Live,
        platform::api::keys::Permissions::Full,
    )
    .await;

    let path = format!("/v1/checkout_sessions/{}", live_session.id());
    assert_error_shape(
        &shop.api(&other_key).get(&path).await,
        404,
        "resource_missing",
    );
    let expire = format!("{path}/expire");
    let refused = shop.api(&other_key).post(&expire, json!({})).await;
    assert_error_shape(&refused, 404, "resource_missing");
    // The Test key of the same merchant: not found either, and the reach across modes is
    // audited (the other merchant's attempt is not a mode question).
    assert_error_shape(&shop.test().get(&path).await, 404, "resource_missing");
    assert_error_shape(
        &shop.test().post(&expire, json!({})).await,
        404,
        "resource_missing",
    );
    assert_eq!(shop.audited("api.wrong_mode").await.len(), 2);
    // Nothing changed.
    assert_eq!(shop.live().get(&path).await.body["status"], "open");
}
