//! The dashboard's Developers area over HTTP (issue 21): who reaches the page and the key
//! functions, the fresh two-factor check before a key is made, rolled or revoked, the
//! secret shown once and never listed, a developer's key kept within their role, a
//! revoked key refused by the API, the API reference rendered on the server, and the
//! webhook endpoints, delivery log and event list.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod keys;
mod reference;
mod webhooks;

use app::error::AppError;
use serde_json::Value;
use sqlx::PgPool;
use support::TestServer;
use support::accounts::{Visitor, error_of};
use support::world::{Actor, World, visitor, world};
use uuid::Uuid;

const CREATE: &str = "/api/developers/keys/create";
const LIST: &str = "/api/developers/keys";
const ROLL: &str = "/api/developers/keys/roll";
const REVOKE: &str = "/api/developers/keys/revoke";
const REFERENCE: &str = "/api/developers/reference";

/// The cast's TOTP secret (twenty bytes of 7) as an authenticator app holds it.
const TOTP_SECRET: &str = "A4DQOBYHA4DQOBYHA4DQOBYHA4DQOBYH";

/// Ages `user`'s sessions' last second-factor check past the step-up window.
async fn make_stale(pool: &PgPool, user: Uuid) {
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(user)
        .execute(pool)
        .await
        .unwrap();
}

/// A fresh two-factor check with the current code.
async fn step_up(visitor: &mut Visitor<'_>) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let code = platform::identity::mfa::code_at(TOTP_SECRET, now).unwrap();
    let stepped = visitor.post("/api/auth/step-up", &[("code", &code)]).await;
    assert_eq!(stepped.status(), 200, "the step-up is accepted");
}

/// A key made through the server function, answered with its secret.
async fn create(visitor: &mut Visitor<'_>, form: &[(&str, &str)]) -> Result<Value, AppError> {
    let response = visitor.post(CREATE, form).await;
    if response.status() == 200 {
        Ok(response.json().await.unwrap())
    } else {
        Err(error_of(response).await)
    }
}

async fn list(visitor: &mut Visitor<'_>) -> (String, Value) {
    let response = visitor.post(LIST, &[]).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap();
    (text, value)
}

/// The status of `GET /v1/payments` with `secret` as the bearer key.
async fn api_status(server: &TestServer, secret: &str) -> u16 {
    server
        .client
        .get(server.url("/v1/payments"))
        .header("authorization", format!("Bearer {secret}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn key_rows(world: &World) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM api_keys")
        .fetch_one(&world.server.platform.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn viewers_and_finance_are_refused_the_pages_and_every_key_function(pool: PgPool) {
    let world = world(pool).await;
    for actor in [Actor::ViewerA, Actor::FinanceA] {
        let mut member = visitor(&world, actor).await;
        for page in ["/dashboard/developers", "/dashboard/developers/reference"] {
            assert_eq!(member.get(page).await.status(), 403, "{actor:?} {page}");
        }
        let calls: [(&str, &[(&str, &str)]); 5] = [
            (LIST, &[]),
            (
                CREATE,
                &[("name", "CI"), ("mode", "test"), ("access", "full")],
            ),
            (ROLL, &[("key_id", "x"), ("overlap_hours", "0")]),
            (REVOKE, &[("key_id", "x")]),
            (REFERENCE, &[]),
        ];
        for (path, form) in calls {
            let response = member.post(path, form).await;
            assert_eq!(response.status(), 403, "{actor:?} {path}");
            assert_eq!(error_of(response).await, AppError::Forbidden);
        }
    }
    assert_eq!(key_rows(&world).await, 0, "no refused call made a key");
    for actor in [Actor::OwnerA, Actor::AdminA, Actor::DeveloperA] {
        let mut member = visitor(&world, actor).await;
        let page = member.get("/dashboard/developers").await;
        assert_eq!(page.status(), 200, "{actor:?}");
        let html = page.text().await.unwrap();
        assert!(html.contains("API keys") && html.contains("Make a key"));
        assert!(
            html.contains(r#"href="/dashboard/developers""#),
            "{actor:?}: the navigation links the Developers page"
        );
    }
    // The navigation shows the link only to those the page admits.
    let mut viewer = visitor(&world, Actor::ViewerA).await;
    let dashboard = viewer
        .get("/dashboard/payments")
        .await
        .text()
        .await
        .unwrap();
    assert!(!dashboard.contains(r#"href="/dashboard/developers""#));
}
