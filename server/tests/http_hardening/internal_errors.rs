//! A fault the user cannot act on, here a table gone from under the server, answers the
//! generic message with 500 on a server function and on a buyer page alike; the log has
//! the source error once, in the request's span with its request id; the answer has no
//! trace of it.

use platform::gateway_accounts::Mode;
use sqlx::PgPool;

use crate::support::checkout::shop;
use crate::support::logs::Logs;
use crate::support::world::{Actor, visitor, world};

const GENERIC: &str = "Something went wrong";

/// The one log line naming `needle`, which must carry `request_id`.
fn logged_once_with_request_id(logs: &Logs, needle: &str, request_id: &str) {
    let text = logs.text();
    let naming: Vec<serde_json::Value> = logs
        .lines()
        .into_iter()
        .filter(|line| line.to_string().contains(needle))
        .collect();
    assert_eq!(naming.len(), 1, "the source is logged once:\n{text}");
    let line = &naming[0];
    assert_eq!(line["level"], "ERROR", "{line}");
    let ids: Vec<&serde_json::Value> = line["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|span| span.get("request_id"))
        .collect();
    assert_eq!(ids, [request_id], "in the request's span: {line}");
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_server_function_hides_an_internal_failure_and_logs_it_once(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let listed = owner.post("/api/payments/products", &[]).await;
    assert_eq!(listed.status(), 200, "the function works before the fault");

    sqlx::query("DROP TABLE products CASCADE")
        .execute(&pool)
        .await
        .unwrap();
    let (logs, _capturing) = Logs::capture();
    let failed = owner.post("/api/payments/products", &[]).await;
    assert_eq!(failed.status(), 500);
    let id = request_id(&failed);
    let body = failed.text().await.unwrap();
    let error: app::error::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(error, app::error::AppError::Internal);
    assert!(error.to_string().starts_with(GENERIC));
    assert!(
        !body.contains("products") && !body.contains("relation"),
        "{body}"
    );

    logged_once_with_request_id(&logs, r#"relation \"products\" does not exist"#, &id);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_buyer_page_hides_an_internal_failure_and_logs_it_once(pool: PgPool) {
    let shop = shop(pool.clone()).await;
    let token = shop.checkout(Mode::Test, "12.50").await;
    assert_eq!(shop.get(&format!("/pay/{token}")).await.status(), 200);

    sqlx::query("DROP TABLE checkout_sessions CASCADE")
        .execute(&pool)
        .await
        .unwrap();
    let (logs, _capturing) = Logs::capture();
    let failed = shop.get(&format!("/pay/{token}")).await;
    assert_eq!(failed.status(), 500);
    let id = request_id(&failed);
    let body = failed.text().await.unwrap();
    assert!(body.contains(GENERIC), "{body}");
    assert!(body.contains("No payment was taken"), "{body}");
    assert!(
        !body.contains("checkout_sessions") && !body.contains("relation"),
        "{body}"
    );

    logged_once_with_request_id(
        &logs,
        r#"relation \"checkout_sessions\" does not exist"#,
        &id,
    );
}
