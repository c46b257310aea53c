//! The API's events and webhook endpoints, end to end: an endpoint registered by a key
//! hears of a checkout made by the API, paid by a buyer, refunded and expired, each event
//! signed so an independent Standard Webhooks library verifies it, and the same events
//! listed by `/v1/events`.

use secrecy::SecretString;
use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::support::checkout::{APPROVE, merchant};
use super::support::receiver::{Answer, Receiver};
use super::{api_shop, assert_error_shape, key, one_line};

/// Delivers everything due now, pass after pass, until nothing is.
async fn deliver_all(platform: &platform::Platform) {
    loop {
        let report = platform::webhooks::delivery::deliver_due(platform, OffsetDateTime::now_utc())
            .await
            .unwrap();
        if report.attempted == 0 {
            return;
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_shop_hears_of_its_checkouts_payments_and_refunds(pool: PgPool) {
    let shop = api_shop(pool).await;
    let receiver = Receiver::start(Answer::Status(200)).await;
    let api = shop.test();
    let endpoint = api
        .post(
            "/v1/webhook_endpoints",
            json!({"url": receiver.url, "description": "Shop backend"}),
        )
        .await;
    assert_eq!(endpoint.status, 200, "{}", endpoint.body);
    assert_eq!(endpoint.body["enabled_events"], json!(["*"]));
    let secret = SecretString::from(endpoint.body["secret"].as_str().unwrap().to_owned());
    assert!(
        endpoint.body["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    let read = api
        .get(&format!("/v1/webhook_endpoints/{}", endpoint.id()))
        .await;
    assert_eq!(
        read.body["secret"],
        serde_json::Value::Null,
        "the secret is shown once"
    );

    let checkout = api.post("/v1/checkout_sessions", one_line(3000)).await;
    let token = checkout.body["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (order_id, _) = shop.shop.pay(&token, APPROVE).await;
    assert_eq!(shop.shop.settled(&order_id).await, "paid");
    let payment = api
        .get(&format!("/v1/checkout_sessions/{}", checkout.id()))
        .await
        .body["payment"]
        .as_str()
        .unwrap()
        .to_owned();
    let refund = api
        .post("/v1/refunds", json!({"payment": payment, "amount": 500}))
        .await;
    assert_eq!(refund.body["status"], "succeeded", "{}", refund.body);
    let unpaid = api.post("/v1/checkout_sessions", one_line(100)).await;
    api.post(
        &format!("/v1/checkout_sessions/{}/expire", unpaid.id()),
        json!({}),
    )
    .await;

    deliver_all(&shop.shop.server.platform).await;
    // Events about different objects go out at once, in no set order.
    let mut seen: Vec<(String, String)> = receiver.seen();
    seen.sort();
    let mut expected = vec![
        ("payment.succeeded".to_owned(), payment.clone()),
        ("checkout.session.completed".to_owned(), checkout.id()),
        ("refund.succeeded".to_owned(), refund.id()),
        ("checkout.session.expired".to_owned(), unpaid.id()),
    ];
    expected.sort();
    assert_eq!(seen, expected);
    for delivery in receiver.received() {
        assert!(delivery.verifies(&secret), "every delivery verifies");
        assert!(!delivery.verifies(&SecretString::from(
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned()
        )));
    }
    // The event carries the object as the API showed it then: the checkout, paid.
    let completed = receiver
        .received()
        .iter()
        .map(|r| r.event())
        .find(|e| e["type"] == "checkout.session.completed")
        .unwrap();
    assert_eq!(completed["data"]["object"]["status"], "paid");
    assert_eq!(completed["data"]["object"]["payment"], payment.as_str());

    // The same events, newest first, from the API; one by its id is what was delivered.
    let listed = api.get("/v1/events").await;
    let types: Vec<&str> = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "checkout.session.expired",
            "refund.succeeded",
            "checkout.session.completed",
            "payment.succeeded"
        ]
    );
    let one = api
        .get(&format!(
            "/v1/events/{}",
            receiver.received()[0].webhook_id()
        ))
        .await;
    assert_eq!(one.body, receiver.received()[0].event());
    let refunds_only = api.get("/v1/events?type=refund.succeeded").await;
    assert_eq!(refunds_only.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(api.get("/v1/events?type=payment.lost").await.status, 400);
    // Live Mode has its own events: none.
    assert_eq!(shop.live().get("/v1/events").await.body["data"], json!([]));
}

#[sqlx::test(migrations = "../migrations")]
async fn endpoints_are_managed_per_mode_and_merchant_and_refused_private_addresses(pool: PgPool) {
    let shop = api_shop(pool).await;
    let api = shop.test();
    let made = api
        .post(
            "/v1/webhook_endpoints",
            json!({"url": "http://127.0.0.1:9/hooks", "enabled_events": ["payment.succeeded"]}),
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let path = format!("/v1/webhook_endpoints/{}", made.id());
    let changed = api
        .post(&path, json!({"enabled": false, "enabled_events": ["*"]}))
        .await;
    assert_eq!(changed.body["status"], "disabled", "{}", changed.body);
    assert_eq!(changed.body["enabled_events"], json!(["*"]));
    let rotated = api
        .post(
            &format!("{path}/rotate_secret"),
            json!({"overlap_hours": 1}),
        )
        .await;
    assert!(
        rotated.body["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    assert_ne!(rotated.body["secret"], made.body["secret"]);
    assert_eq!(
        api.get("/v1/webhook_endpoints").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Live endpoints are https and public only; the Live key does not see the Test one.
    for url in [
        "http://shop.example/hooks",
        "https://localhost/hooks",
        "https://10.0.0.7/hooks",
        "https://169.254.169.254/latest",
    ] {
        let refused = shop
            .live()
            .post("/v1/webhook_endpoints", json!({"url": url}))
            .await;
        assert_error_shape(&refused, 400, "parameter_invalid");
        assert_eq!(refused.body["error"]["param"], "url", "{url}");
    }
    assert_error_shape(&shop.live().get(&path).await, 404, "resource_missing");
    let (_, other) = merchant(shop.pool(), "Other Shop", true).await;
    let other = shop.api(
        &key(
            &shop.shop,
            &other,
            platform::gateway_accounts::Mode::Test,
            platform::api::keys::Permissions::Full,
        )
        .await,
    );
    assert_error_shape(&other.get(&path).await, 404, "resource_missing");
    let stolen = Receiver::start(Answer::Status(200)).await;
    let hijack = other.post(&path, json!({"url": stolen.url})).await;
    assert_error_shape(&hijack, 404, "resource_missing");
    let bad = api
        .post(
            "/v1/webhook_endpoints",
            json!({"url": "http://127.0.0.1:9/x", "enabled_events": ["nope"]}),
        )
        .await;
    assert_eq!(bad.body["error"]["param"], "enabled_events");

    let deleted = super::Api::send(api.request(reqwest::Method::DELETE, &path)).await;
    assert_eq!(deleted.body["deleted"], true, "{}", deleted.body);
    assert_error_shape(&api.get(&path).await, 404, "resource_missing");
    assert_eq!(
        shop.count("webhook_endpoints").await,
        0,
        "deleted, and the refusals made none"
    );
}
