//! `/v1/products` and `/v1/payment_links`: made by a key, sold by checkouts and links,
//! archived, and kept to their merchant and mode.

use serde_json::json;
use sqlx::PgPool;

use super::{api_shop, assert_error_shape};

#[sqlx::test(migrations = "../migrations")]
async fn a_product_sells_through_checkouts_and_links_until_archived(pool: PgPool) {
    let shop = api_shop(pool).await;
    let api = shop.test();
    let product = api
        .post(
            "/v1/products",
            json!({"name": "Filigree brooch", "description": "Silver, handmade", "unit_amount": 3000}),
        )
        .await;
    assert_eq!(product.status, 200, "{}", product.body);
    assert_eq!(product.body["object"], "product");
    assert_eq!(product.body["active"], true);
    let product_id = product.id();
    assert!(product_id.starts_with("prod_"));

    let checkout = api
        .post(
            "/v1/checkout_sessions",
            json!({"line_items": [{"product": product_id, "quantity": 2}]}),
        )
        .await;
    assert_eq!(checkout.body["amount_total"], 6000, "{}", checkout.body);
    assert_eq!(
        checkout.body["line_items"][0]["product"],
        product_id.as_str()
    );

    let link = api
        .post(
            "/v1/payment_links",
            json!({"product": product_id, "max_payments": 5}),
        )
        .await;
    assert_eq!(link.status, 200, "{}", link.body);
    assert_eq!(link.body["title"], "Filigree brooch");
    assert_eq!(link.body["amount"], 3000);
    assert_eq!(link.body["active"], true);
    let page = reqwest::get(link.body["url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), 200);

    let typed = api
        .post(
            "/v1/payment_links",
            json!({"title": "Workshop seat", "amount": 1500}),
        )
        .await;
    assert_eq!(typed.body["product"], serde_json::Value::Null);
    let listed = api.get("/v1/payment_links?limit=1").await;
    assert_eq!(listed.body["data"][0]["id"], typed.body["id"]);
    assert_eq!(listed.body["has_more"], true);

    // Archived, the product is no longer sold, and its link says so; archiving again answers the same.
    let archived = api
        .post(&format!("/v1/products/{product_id}/archive"), json!({}))
        .await;
    assert_eq!(archived.body["active"], false);
    let again = api
        .post(&format!("/v1/products/{product_id}/archive"), json!({}))
        .await;
    assert_eq!(again.body, archived.body);
    let refused = api
        .post(
            "/v1/checkout_sessions",
            json!({"line_items": [{"product": product_id}]}),
        )
        .await;
    assert_eq!(refused.status, 400);
    let read = api.get(&format!("/v1/payment_links/{}", link.id())).await;
    assert_eq!(read.body["active"], false);
    let link_archived = api
        .post(
            &format!("/v1/payment_links/{}/archive", typed.id()),
            json!({}),
        )
        .await;
    assert_eq!(link_archived.body["active"], false);
    let active = api.get("/v1/products?status=active").await;
    assert_eq!(active.body["data"].as_array().unwrap().len(), 0);
    assert_eq!(shop.audited("product.archive").await.len(), 1);

    // The Live key sees none of it, and cannot archive it.
    assert_error_shape(
        &shop.live().get(&format!("/v1/products/{product_id}")).await,
        404,
        "resource_missing",
    );
    let cross = shop
        .live()
        .post(
            &format!("/v1/payment_links/{}/archive", link.id()),
            json!({}),
        )
        .await;
    assert_error_shape(&cross, 404, "resource_missing");
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_products_and_links_are_400s_that_write_nothing(pool: PgPool) {
    let shop = api_shop(pool).await;
    let api = shop.test();
    for (body, param) in [
        (json!({"name": "", "unit_amount": 100}), "name"),
        (json!({"name": "x", "unit_amount": 0}), "unit_amount"),
        (
            json!({"name": "x", "unit_amount": 100_000_001}),
            "unit_amount",
        ),
        (
            json!({"name": "x", "unit_amount": 100, "currency": "RSD"}),
            "currency",
        ),
        (
            json!({"name": "x", "unit_amount": 100, "colour": "red"}),
            "colour",
        ),
    ] {
        let refused = api.post("/v1/products", body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert_eq!(
            refused.body["error"]["param"], param,
            "{body}: {}",
            refused.body
        );
    }
    for (body, param) in [
        (json!({"title": "x"}), "product"),
        (json!({"title": "x", "amount": -1}), "amount"),
        (
            json!({"title": "x", "amount": 100, "max_payments": 0}),
            "max_payments",
        ),
        (
            json!({"title": "x", "amount": 100, "expires_at": "2001-01-01T00:00:00Z"}),
            "expires_at",
        ),
        (
            json!({"product": "prod_00000000000000000000000000000000"}),
            "product",
        ),
    ] {
        let refused = api.post("/v1/payment_links", body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert_eq!(
            refused.body["error"]["param"], param,
            "{body}: {}",
            refused.body
        );
    }
    assert_eq!(shop.count("products").await, 0);
    assert_eq!(shop.count("payment_links").await, 0);
}
