//! The merchant dashboard's payments through its server functions, against the real server
//! and Postgres: products, payment links and checkouts made and listed; invalid input
//! changes nothing; another merchant's ids are not found; viewers only read; Live Mode
//! only for a verified merchant that is not suspended; Test and Live never list each
//! other's objects. Also the console's Payments list, which shows every merchant's.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use app::error::AppError;
use domain::TimelineSource;
use platform::audit::{Actor as AuditActor, ActorKind, RequestFacts};
use platform::gateway_accounts::{self, GatewayAccount};
use platform::payments::transition::{self, CardFacts, Change};
use platform::payments::{Mode, attempts};
use reqwest::Response;
use secrecy::SecretString;
use serde_json::Value;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of};
use support::world::{Actor, World, visitor, world};
use uuid::Uuid;

mod catalog;
mod list;
mod modes;

async fn ok(response: Response) -> Value {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// The field a validation error names.
async fn invalid_field(response: Response) -> String {
    match error_of(response).await {
        AppError::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn set_flag(pool: &PgPool, merchant: Uuid, column: &str) {
    sqlx::query(&format!(
        "UPDATE merchants SET {column} = now() WHERE id = $1"
    ))
    .bind(merchant)
    .execute(pool)
    .await
    .unwrap();
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn create_product(visitor: &mut Visitor<'_>, name: &str, price: &str) -> Response {
    visitor
        .post(
            "/api/payments/create-product",
            &[("name", name), ("description", ""), ("price", price)],
        )
        .await
}

/// The visitor's products in the session's mode.
async fn products(visitor: &mut Visitor<'_>) -> Vec<Value> {
    ok(visitor.post("/api/payments/products", &[]).await)
        .await
        .as_array()
        .unwrap()
        .clone()
}

fn names(list: &[Value], key: &str) -> Vec<String> {
    list.iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

async fn product_id(visitor: &mut Visitor<'_>, name: &str) -> String {
    let list = products(visitor).await;
    let product = list
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no product {name}: {list:?}"));
    product["id"].as_str().unwrap().to_owned()
}

async fn create_link(visitor: &mut Visitor<'_>, fields: &[(&str, &str)]) -> Response {
    let mut form = vec![
        ("product", ""),
        ("title", ""),
        ("amount", ""),
        ("max_payments", ""),
        ("expires_at", ""),
    ];
    for (key, value) in fields {
        form.iter_mut().find(|(k, _)| k == key).unwrap().1 = value;
    }
    visitor.post("/api/payments/create-link", &form).await
}

/// A checkout as the form posts it: `lines` are `(product, name, price, quantity)`.
async fn create_checkout(
    visitor: &mut Visitor<'_>,
    lines: &[(&str, &str, &str, &str)],
    extra: &[(&str, &str)],
) -> Response {
    let mut form: Vec<(String, String)> = Vec::new();
    for (i, (product, name, price, quantity)) in lines.iter().enumerate() {
        for (field, value) in [
            ("product", product),
            ("name", name),
            ("price", price),
            ("quantity", quantity),
        ] {
            form.push((
                format!("checkout[items][{i}][{field}]"),
                (*value).to_owned(),
            ));
        }
    }
    for (key, value) in extra {
        form.push((format!("checkout[{key}]"), (*value).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    visitor.post("/api/payments/create-checkout", &form).await
}

async fn set_mode(visitor: &mut Visitor<'_>, mode: &str) -> Response {
    visitor
        .post("/api/dashboard/set-mode", &[("mode", mode)])
        .await
}

/// A buyer pays the checkout at `url` with a test card: the attempt as the Pay button
/// makes it, then the gateway's confirmed approval. Answers the payment's id.
async fn pay(world: &World, url: &str) -> String {
    let platform = &world.server.platform;
    let account = GatewayAccount {
        mode: Mode::Test,
        endpoints: payten::GatewayEndpoints::from_base("http://127.0.0.1:8600"),
        credentials: payten::Credentials {
            client_id: "520000001".into(),
            store_key: SecretString::from("SANDBOX-STORE-KEY-TEST"),
            api_user: "saleonix-api".into(),
            api_password: SecretString::from("SANDBOX-API-PASSWORD"),
        },
    };
    let mut conn = platform.pool.acquire().await.unwrap();
    gateway_accounts::save(&mut conn, &platform.config.secrets.field_keys, &account)
        .await
        .unwrap();
    let token = url.rsplit('/').next().unwrap();
    let facts = RequestFacts::default();
    let started = attempts::start(
        platform,
        token,
        "besa@example.com",
        false,
        i18n::Locale::en,
        &facts,
    )
    .await
    .unwrap();
    let card = CardFacts {
        masked_pan: Some("557113******5575".into()),
        card_brand: Some("MASTERCARD".into()),
        auth_code: Some("A1B2C3".into()),
        proc_return_code: Some("00".into()),
        md_status: Some("1".into()),
        eci: Some("02".into()),
        liability_shifted: Some(true),
        ..CardFacts::default()
    };
    let gateway = AuditActor {
        kind: ActorKind::System,
        id: None,
    };
    let mut tx = platform.pool.begin().await.unwrap();
    transition::apply(
        &mut tx,
        platform,
        &started.order_id,
        Change::Paid(card),
        TimelineSource::Callback,
        gateway,
        &facts,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sqlx::query_scalar::<_, Uuid>("SELECT id FROM payments WHERE order_id = $1")
        .bind(&started.order_id)
        .fetch_one(&platform.pool)
        .await
        .unwrap()
        .to_string()
}

/// The lists' keyset cursor that pages past the payment `id`: its creation time and id.
async fn cursor_after(pool: &PgPool, id: &str) -> String {
    let created: time::OffsetDateTime =
        sqlx::query_scalar("SELECT created_at FROM payments WHERE id = $1")
            .bind(Uuid::parse_str(id).unwrap())
            .fetch_one(pool)
            .await
            .unwrap();
    format!("{}_{}", created.unix_timestamp_nanos(), id)
}
