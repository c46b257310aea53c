//! Subscriptions on the gateway's recurring series, end to end through the Payten sandbox:
//! a plan, the buyer's consent and sign-up on the hosted page, installments the sandbox
//! charges as its clock advances and the worker records by polling, declines and dunning,
//! cancelling from either side, and the buyer's portal.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod cancelling;
mod dunning;
mod following;
mod languages;
mod portal;
mod renewing;
mod series_unknown;
mod signing_up;

use domain::Money;
use payten_sandbox::buyer::{HtmlForm, forms};
use platform::gateway_accounts::Mode;
use platform::payments::sessions::{self, NewSession};
use platform::subscriptions::Interval;
use platform::subscriptions::follow::{self, Report};
use platform::subscriptions::plans::{self, NewPlan, Plan};
use sqlx::PgPool;
use support::accounts::mails_to;
use support::checkout::{APPROVE, Shop, field, merchant, shop};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const BUYER: &str = "buyer@example.com";

/// A Test Mode plan of the shop: 9.90 EUR every month, `installments` payments.
async fn monthly_plan(shop: &Shop, installments: u16) -> Plan {
    let new = NewPlan {
        name: "Coffee of the month".into(),
        amount: Money::eur(990),
        interval: Interval::Month,
        count: 1,
        installments,
        until_cancelled: false,
        product_id: None,
    };
    make_plan(shop, &new).await
}

/// A Test Mode plan of the shop.
async fn make_plan(shop: &Shop, new: &NewPlan) -> Plan {
    plans::create(
        shop.pool(),
        &shop.scope,
        Mode::Test,
        new,
        &Default::default(),
    )
    .await
    .unwrap()
}

/// A checkout that signs the buyer up for `plan`.
async fn plan_checkout(shop: &Shop, plan: &Plan) -> String {
    let new = NewSession {
        plan: Some(plan.id),
        success_url: "https://shop.example/thanks".into(),
        ..NewSession::default()
    };
    sessions::create(
        shop.pool(),
        &shop.scope,
        Mode::Test,
        &new,
        &Default::default(),
    )
    .await
    .unwrap()
    .1
}

/// Presses Pay on a plan's checkout, with or without ticking the consent.
async fn press_pay(shop: &Shop, token: &str, consent: bool) -> reqwest::Response {
    press_pay_as(shop, token, BUYER, consent).await
}

async fn press_pay_as(shop: &Shop, token: &str, email: &str, consent: bool) -> reqwest::Response {
    let mut form = vec![("email", email)];
    if consent {
        form.push(("consent", "yes"));
    }
    shop.http
        .post(shop.server.url(&format!("/pay/{token}")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Signs up for `plan` with the approving card: the first order id and the gate form.
async fn sign_up(shop: &Shop, plan: &Plan) -> (String, HtmlForm) {
    let token = plan_checkout(shop, plan).await;
    pay_plan_checkout(shop, &token, BUYER).await
}

/// The buyer `email` agrees and pays the plan's checkout `token`.
async fn pay_plan_checkout(shop: &Shop, token: &str, email: &str) -> (String, HtmlForm) {
    pay_plan_checkout_in(shop, token, email, "en").await
}

/// The same on a browser that asks for `accept_language`.
async fn pay_plan_checkout_in(
    shop: &Shop,
    token: &str,
    email: &str,
    accept_language: &str,
) -> (String, HtmlForm) {
    let form = [("email", email), ("consent", "yes")];
    let gate = shop.gate_in(token, &form, accept_language).await;
    let order_id = field(&gate, "oid").to_owned();
    let returns = shop.pay_at_gateway(&gate, APPROVE).await;
    shop.deliver(&returns[0]).await;
    assert_eq!(shop.settled(&order_id).await, "paid");
    (order_id, gate)
}

/// The words of the consent stored with the sign-up payment `order_id`.
async fn consent_of(shop: &Shop, order_id: &str) -> String {
    sqlx::query_scalar(
        "SELECT c.text FROM subscription_consents c JOIN payments p ON p.id = c.payment_id WHERE p.order_id = $1",
    )
    .bind(order_id)
    .fetch_one(shop.pool())
    .await
    .unwrap()
}

/// The subscription the payment with `order_id` started: its id, status and series id.
async fn subscription_of(shop: &Shop, order_id: &str) -> (Uuid, String, Option<String>) {
    sqlx::query_as(
        "SELECT s.id, s.status::text, s.recurring_id FROM subscriptions s
         JOIN payments p ON p.id = s.first_payment_id WHERE p.order_id = $1",
    )
    .bind(order_id)
    .fetch_one(shop.pool())
    .await
    .unwrap()
}

async fn status(shop: &Shop, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status::text FROM subscriptions WHERE id = $1")
        .bind(id)
        .fetch_one(shop.pool())
        .await
        .unwrap()
}

/// `(installment, order id, status)` of every payment of the subscription, in order.
async fn installments(shop: &Shop, id: Uuid) -> Vec<(i16, String, String)> {
    sqlx::query_as(
        "SELECT installment, order_id, status::text FROM payments WHERE subscription_id = $1 ORDER BY installment",
    )
    .bind(id)
    .fetch_all(shop.pool())
    .await
    .unwrap()
}

/// Moves the Test gateway's clock on by `days`, charging what falls due.
async fn advance_gateway(shop: &Shop, days: u64) {
    let url = format!("{}/sandbox/clock", shop.test_gateway.base_url());
    let answer = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "days": days }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
}

/// Changes the Test gateway's series `recurring_id` (`{"decline": 2}`, `{"cancel": true}`).
async fn change_series(shop: &Shop, recurring_id: &str, change: serde_json::Value) {
    let url = format!(
        "{}/sandbox/series/{recurring_id}",
        shop.test_gateway.base_url()
    );
    let answer = reqwest::Client::new()
        .post(url)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
}

/// One worker pass as if `days` had passed on the platform's clock too.
async fn poll_after(shop: &Shop, days: i64) -> Report {
    let now = OffsetDateTime::now_utc() + Duration::days(days);
    follow::poll_due(&shop.server.platform, now).await.unwrap()
}
