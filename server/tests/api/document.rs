//! `/v1/openapi.json`: valid OpenAPI 3.1, open to anyone, naming every route the API
//! serves, and serving every route it names.

use std::collections::BTreeSet;

use serde_json::Value;
use sqlx::PgPool;

use super::{Api, api_shop};

/// Every operation of the API, as a shop would call it.
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/v1/openapi.json"),
    ("get", "/v1/checkout_sessions"),
    ("post", "/v1/checkout_sessions"),
    ("get", "/v1/checkout_sessions/{id}"),
    ("post", "/v1/checkout_sessions/{id}/expire"),
    ("get", "/v1/payments"),
    ("get", "/v1/payments/{id}"),
    ("get", "/v1/refunds"),
    ("post", "/v1/refunds"),
    ("get", "/v1/refunds/{id}"),
    ("get", "/v1/products"),
    ("post", "/v1/products"),
    ("get", "/v1/products/{id}"),
    ("post", "/v1/products/{id}/archive"),
    ("get", "/v1/payment_links"),
    ("post", "/v1/payment_links"),
    ("get", "/v1/payment_links/{id}"),
    ("post", "/v1/payment_links/{id}/archive"),
    ("get", "/v1/balance"),
    ("get", "/v1/payouts"),
    ("get", "/v1/payouts/{id}"),
    ("get", "/v1/plans"),
    ("post", "/v1/plans"),
    ("get", "/v1/plans/{id}"),
    ("get", "/v1/subscriptions"),
    ("get", "/v1/subscriptions/{id}"),
    ("post", "/v1/subscriptions/{id}"),
    ("post", "/v1/subscriptions/{id}/cancel"),
    ("get", "/v1/dunning_schedule"),
    ("post", "/v1/dunning_schedule"),
    ("get", "/v1/events"),
    ("get", "/v1/events/{id}"),
    ("get", "/v1/webhook_endpoints"),
    ("post", "/v1/webhook_endpoints"),
    ("get", "/v1/webhook_endpoints/{id}"),
    ("post", "/v1/webhook_endpoints/{id}"),
    ("delete", "/v1/webhook_endpoints/{id}"),
    ("post", "/v1/webhook_endpoints/{id}/rotate_secret"),
];

#[sqlx::test(migrations = "../migrations")]
async fn the_document_is_valid_openapi_and_matches_the_routes(pool: PgPool) {
    let shop = api_shop(pool).await;
    let anonymous = Api {
        base: shop.shop.server.base.clone(),
        key: None,
    };
    let answer = anonymous.get("/v1/openapi.json").await;
    assert_eq!(answer.status, 200);
    let document = answer.body;
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1."));

    let schema: Value =
        serde_json::from_str(include_str!("../data/openapi-3.1.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(documented, expected);

    // Every documented operation is served: never the unknown-route or wrong-method answer.
    let api = shop.test();
    for (method, path) in OPERATIONS {
        let path = path.replace("{id}", "x");
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = api.request(method.clone(), &path).send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        let unserved =
            status == 405 || body["error"]["message"] == "No such route. See /v1/openapi.json.";
        assert!(!unserved, "{method} {path}: {body}");
    }
    // Error codes are listed for developers.
    let description = document["info"]["description"].as_str().unwrap();
    assert!(description.contains("`idempotency_key_reused`"));
}
