//! The API reference page: the served OpenAPI document, rendered on the server.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn the_reference_shows_every_documented_operation_and_renders_without_wasm(pool: PgPool) {
    let world = world(pool).await;
    let mut developer = visitor(&world, Actor::DeveloperA).await;
    let document: Value = world
        .server
        .client
        .get(world.server.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = developer.post(REFERENCE, &[]).await;
    assert_eq!(response.status(), 200);
    let reference: Value = response.json().await.unwrap();
    let shown: Vec<(String, String)> = reference["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["operations"].as_array().unwrap())
        .map(|o| {
            (
                o["method"].as_str().unwrap().to_lowercase(),
                o["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut sorted = shown.clone();
    sorted.sort();
    assert_eq!(sorted, documented, "every operation, once");
    let codes = reference["error_codes"].as_array().unwrap();
    assert!(codes.iter().any(|c| c[0] == "api_key_missing"));
    let create = reference["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["operations"].as_array().unwrap())
        .find(|o| o["method"] == "POST" && o["path"] == "/v1/plans")
        .unwrap();
    assert!(
        create["body"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "interval" && f["required"] == true),
        "a required field says so: {create}"
    );

    // The page as the server renders it, before any WASM runs.
    let page = developer.get("/dashboard/developers/reference").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for expected in [
        "POST /v1/checkout_sessions",
        "line_items[].unit_amount",
        "api_key_missing",
        r#"href="/v1/openapi.json""#,
    ] {
        assert!(html.contains(expected), "the page lacks {expected}");
    }
}
