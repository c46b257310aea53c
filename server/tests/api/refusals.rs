//! What the API refuses before any handler acts: no key, a key that is not one, a key in
//! the query string, a permission the key lacks, too many requests, an unknown route.

use std::collections::BTreeMap;

use platform::api::keys::{Access, Permissions, Resource};
use platform::gateway_accounts::Mode;
use serde_json::json;
use sqlx::PgPool;

use super::{Api, api_shop, api_shop_with, assert_error_shape, key, one_line};

#[sqlx::test(migrations = "../migrations")]
async fn requests_without_a_valid_key_in_the_header_are_refused(pool: PgPool) {
    let shop = api_shop(pool).await;
    let anonymous = Api {
        base: shop.shop.server.base.clone(),
        key: None,
    };
    let refused = anonymous.get("/v1/payments").await;
    assert_error_shape(&refused, 401, "api_key_missing");
    assert_eq!(refused.body["error"]["type"], "authentication_error");
    // The request id in the body is the one in the header, for support.
    assert_eq!(
        refused.body["error"]["request_id"].as_str(),
        refused.header("x-request-id")
    );
    let forged = shop.api("sk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_error_shape(&forged.get("/v1/payments").await, 401, "api_key_invalid");
    let in_query = anonymous
        .get(&format!("/v1/payments?key={}", shop.test_key))
        .await;
    assert_error_shape(&in_query, 400, "api_key_in_query");
    // Even with a good header, a key in the query is refused.
    let both = shop
        .test()
        .get(&format!("/v1/payments?k={}", shop.live_key))
        .await;
    assert_eq!(both.code(), "api_key_in_query");
    assert_eq!(shop.count("checkout_sessions").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_restricted_key_reaches_only_what_it_was_given(pool: PgPool) {
    let shop = api_shop(pool).await;
    let read_payments = Permissions::Restricted(BTreeMap::from([
        (Resource::Payments, Access::Read),
        (Resource::CheckoutSessions, Access::Read),
    ]));
    let reader = shop.api(&key(&shop.shop, &shop.shop.scope, Mode::Test, read_payments).await);
    assert_eq!(reader.get("/v1/payments").await.status, 200);
    assert_eq!(reader.get("/v1/checkout_sessions").await.status, 200);
    let write = reader.post("/v1/checkout_sessions", one_line(100)).await;
    assert_error_shape(&write, 403, "permission_denied");
    assert_eq!(write.body["error"]["type"], "permission_error");
    assert_error_shape(&reader.get("/v1/refunds").await, 403, "permission_denied");
    let refund = reader
        .post(
            "/v1/refunds",
            json!({"payment": "pay_00000000000000000000000000000000"}),
        )
        .await;
    assert_error_shape(&refund, 403, "permission_denied");
    assert_eq!(shop.count("checkout_sessions").await, 0);
    assert_eq!(shop.audited("api.permission_denied").await.len(), 3);

    let writer_grants = Permissions::Restricted(BTreeMap::from([(
        Resource::CheckoutSessions,
        Access::Write,
    )]));
    let writer = shop.api(&key(&shop.shop, &shop.shop.scope, Mode::Test, writer_grants).await);
    assert_eq!(
        writer
            .post("/v1/checkout_sessions", one_line(100))
            .await
            .status,
        200
    );
    assert_eq!(
        writer.get("/v1/checkout_sessions").await.status,
        200,
        "write includes read"
    );
    assert_error_shape(&writer.get("/v1/payments").await, 403, "permission_denied");
}

#[sqlx::test(migrations = "../migrations")]
async fn each_key_has_its_own_limits_for_reads_and_writes(pool: PgPool) {
    let shop = api_shop_with(pool, |settings| {
        settings.rate_limits.api_write_test.max = 2;
        settings.rate_limits.api_write_test.window_secs = 60;
        settings.rate_limits.api_read_test.max = 3;
        settings.rate_limits.api_read_test.window_secs = 60;
    })
    .await;
    let api = shop.test();
    let first = api.post("/v1/checkout_sessions", one_line(100)).await;
    assert_eq!(first.header("ratelimit-limit"), Some("2"));
    assert_eq!(first.header("ratelimit-remaining"), Some("1"));
    assert_eq!(
        api.post("/v1/checkout_sessions", one_line(100))
            .await
            .status,
        200
    );
    let limited = api.post("/v1/checkout_sessions", one_line(100)).await;
    assert_error_shape(&limited, 429, "rate_limited");
    assert_eq!(limited.body["error"]["type"], "rate_limit_error");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(limited.header("ratelimit-remaining"), Some("0"));
    assert_eq!(shop.count("checkout_sessions").await, 2);
    // Reads count apart, and the Live key apart from the Test key.
    assert_eq!(api.get("/v1/checkout_sessions").await.status, 200);
    assert_eq!(
        shop.live()
            .post("/v1/checkout_sessions", one_line(100))
            .await
            .status,
        200
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_routes_and_methods_answer_in_the_error_shape(pool: PgPool) {
    let shop = api_shop(pool).await;
    assert_error_shape(
        &shop.test().get("/v1/customers").await,
        404,
        "resource_missing",
    );
    let wrong_method = Api::send(
        shop.test()
            .request(reqwest::Method::DELETE, "/v1/checkout_sessions"),
    )
    .await;
    assert_error_shape(&wrong_method, 405, "method_not_allowed");
    let malformed_id = shop.test().get("/v1/payments/not-an-id").await;
    assert_error_shape(&malformed_id, 404, "resource_missing");
}
