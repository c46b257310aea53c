//! `/v1/refunds`: the dashboard's refund path reached by a key, its limits and its
//! idempotency, which holds even when a repeat runs again.

use serde_json::json;
use sqlx::PgPool;

use super::{api_shop, assert_error_shape};
use domain::public_id::{Kind, encode};

#[sqlx::test(migrations = "../migrations")]
async fn a_shop_refunds_part_then_the_rest_and_never_twice(pool: PgPool) {
    let shop = api_shop(pool).await;
    let (payment_uuid, _) = shop.shop.paid("30.00").await;
    let payment = encode(Kind::Payment, payment_uuid);
    let api = shop.test();

    let part = api
        .post_with_key(
            "/v1/refunds",
            "refund-1",
            json!({"payment": payment, "amount": 1000, "reason": "One item returned"}),
        )
        .await;
    assert_eq!(part.status, 200, "{}", part.body);
    assert_eq!(part.body["object"], "refund");
    assert_eq!(part.body["status"], "succeeded");
    assert_eq!(part.body["amount"], 1000);
    assert_eq!(part.body["payment"], payment);
    // The same request again: the same refund, no second one, even after its stored
    // answer is gone (the request id is the key's own).
    let again = api
        .post_with_key(
            "/v1/refunds",
            "refund-1",
            json!({"payment": payment, "amount": 1000, "reason": "One item returned"}),
        )
        .await;
    assert_eq!(again.body, part.body);
    sqlx::query("DELETE FROM api_idempotency")
        .execute(shop.pool())
        .await
        .unwrap();
    let rerun = api
        .post_with_key(
            "/v1/refunds",
            "refund-1",
            json!({"payment": payment, "amount": 1000, "reason": "One item returned"}),
        )
        .await;
    assert_eq!(rerun.body["id"], part.body["id"]);
    assert_eq!(shop.count("refunds").await, 1);

    let too_much = api
        .post("/v1/refunds", json!({"payment": payment, "amount": 2500}))
        .await;
    assert_error_shape(&too_much, 400, "refund_exceeds_remaining");
    assert_eq!(too_much.body["error"]["param"], "amount");

    // No amount: everything left.
    let rest = api.post("/v1/refunds", json!({"payment": payment})).await;
    assert_eq!(rest.body["amount"], 2000, "{}", rest.body);
    let read = api.get(&format!("/v1/payments/{payment}")).await;
    assert_eq!(read.body["status"], "refunded");
    assert_eq!(read.body["amount_refunded"], 3000);
    let listed = api.get(&format!("/v1/refunds?payment={payment}")).await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 2);
    let one = api.get(&format!("/v1/refunds/{}", part.id())).await;
    assert_eq!(one.body, part.body);
    let none_left = api.post("/v1/refunds", json!({"payment": payment})).await;
    assert_eq!(none_left.status, 400, "{}", none_left.body);
    assert_eq!(
        shop.audited("refund.request")
            .await
            .iter()
            .filter(|(actor, outcome)| actor == "api_key" && outcome == "success")
            .count(),
        2
    );

    // The Live key does not reach the Test payment.
    let cross = shop
        .live()
        .post("/v1/refunds", json!({"payment": payment, "amount": 1}))
        .await;
    assert_error_shape(&cross, 404, "resource_missing");
    assert_eq!(shop.count("refunds").await, 2);
}
