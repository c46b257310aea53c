//! The merchant API over HTTP (issue 21): keys, every endpoint with each permission and
//! mode, the other merchant's and the other mode's ids, idempotent replays, rate limits,
//! the error shape and the OpenAPI document.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use platform::api::keys::{self, NewKey, Permissions};
use platform::audit::RequestFacts;
use platform::gateway_accounts::Mode;
use platform::identity::roles::MerchantScope;
use secrecy::ExposeSecret;
use serde_json::Value;
use sqlx::PgPool;
use support::checkout::{Shop, shop_with};

mod balance_and_payouts;
mod catalog;
mod checkout_sessions;
mod document;
mod idempotency;
mod key_management;
mod refunds;
mod refusals;
mod subscriptions;
mod webhooks;

/// A shop with a Test and a Live key of full permissions.
struct ApiShop {
    shop: Shop,
    test_key: String,
    live_key: String,
}

impl ApiShop {
    fn pool(&self) -> &PgPool {
        self.shop.pool()
    }

    fn api(&self, key: &str) -> Api {
        Api {
            base: self.shop.server.base.clone(),
            key: Some(key.to_owned()),
        }
    }

    fn test(&self) -> Api {
        self.api(&self.test_key)
    }

    fn live(&self) -> Api {
        self.api(&self.live_key)
    }

    async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(self.pool())
            .await
            .unwrap()
    }

    /// The audit rows of `event_type`: (actor kind, outcome).
    async fn audited(&self, event_type: &str) -> Vec<(String, String)> {
        sqlx::query_as(
            "SELECT actor_kind::text, outcome::text FROM audit.events WHERE event_type = $1 ORDER BY id",
        )
        .bind(event_type)
        .fetch_all(self.pool())
        .await
        .unwrap()
    }
}

async fn api_shop(pool: PgPool) -> ApiShop {
    api_shop_with(pool, |_| {}).await
}

async fn api_shop_with(
    pool: PgPool,
    adjust: impl FnOnce(&mut platform::config::Settings),
) -> ApiShop {
    let shop = shop_with(pool, adjust).await;
    let test_key = key(&shop, &shop.scope, Mode::Test, Permissions::Full).await;
    let live_key = key(&shop, &shop.scope, Mode::Live, Permissions::Full).await;
    ApiShop {
        shop,
        test_key,
        live_key,
    }
}

/// A new key of `scope`'s merchant; its secret.
async fn key(shop: &Shop, scope: &MerchantScope, mode: Mode, permissions: Permissions) -> String {
    let new = NewKey {
        name: format!("{mode:?} key"),
        mode,
        permissions,
    };
    let created = keys::create(&shop.server.platform, scope, new, &RequestFacts::default())
        .await
        .unwrap();
    created.secret.expose_secret().to_owned()
}

/// A client of the API with a key (or none).
struct Api {
    base: String,
    key: Option<String>,
}

/// An answer: its status, headers and JSON body.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn id(&self) -> String {
        self.body["id"].as_str().unwrap().to_owned()
    }
}

impl Api {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = reqwest::Client::new().request(method, format!("{}{path}", self.base));
        match &self.key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    async fn send(request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("the API answered {status} with non-JSON: {text}"));
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        Self::send(self.request(reqwest::Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        Self::send(self.request(reqwest::Method::POST, path).json(&body)).await
    }

    async fn post_with_key(&self, path: &str, idempotency_key: &str, body: Value) -> Answer {
        Self::send(
            self.request(reqwest::Method::POST, path)
                .header("Idempotency-Key", idempotency_key)
                .json(&body),
        )
        .await
    }

    async fn post_raw(&self, path: &str, body: &'static str) -> Answer {
        Self::send(
            self.request(reqwest::Method::POST, path)
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }
}

/// A checkout session body of one line at `unit_amount` cents.
fn one_line(unit_amount: i64) -> Value {
    serde_json::json!({
        "line_items": [{"name": "Silver filigree earrings", "unit_amount": unit_amount, "quantity": 1}],
        "success_url": "https://shop.example/thanks",
    })
}

/// The error shape every failure has.
fn assert_error_shape(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    let error = &answer.body["error"];
    assert_eq!(error["code"], code, "{}", answer.body);
    for field in ["type", "message", "request_id"] {
        assert!(error[field].is_string(), "{field} in {}", answer.body);
    }
    assert!(error.get("param").is_some(), "{}", answer.body);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
}
