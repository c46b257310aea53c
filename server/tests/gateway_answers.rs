//! The gateway's answers as an attacker and an unlucky buyer send them: another currency on a
//! correctly signed return, the 3-D Secure evidence kept without its secrets, the account
//! check reached by correctly signed answers, floods of refused answers, and replays of a
//! valid approval. Everything goes through the real server and the Payten sandbox.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use payten::hash::ver3_hash;
use payten_sandbox::buyer::HtmlForm;
use payten_sandbox::config::DEV_STORE_KEY;
use platform::gateway_accounts::Mode;
use sqlx::PgPool;
use support::checkout::{APPROVE, Shop, field, shop, shop_with};

/// `form`'s fields with `change` applied, signed again with `store_key` as a holder of that
/// key could: the hash verifies, so only the platform's own checks stand in the way.
fn resigned(
    form: &HtmlForm,
    store_key: &str,
    change: impl Fn(&str, &mut String),
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = form
        .fields
        .iter()
        .filter(|(name, _)| name != "HASH")
        .cloned()
        .collect();
    for (name, value) in &mut fields {
        change(name, value);
    }
    let hash = ver3_hash(&fields, store_key);
    fields.push(("HASH".into(), hash));
    fields
}

async fn post_return(shop: &Shop, fields: &[(String, String)]) -> reqwest::Response {
    shop.http
        .post(shop.server.url("/pay/return"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn post_callback(shop: &Shop, fields: &[(String, String)]) -> reqwest::Response {
    shop.http
        .post(shop.server.url("/pay/callback"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// Audit rows of one event type: `outcome:reason`, oldest first.
async fn audited(shop: &Shop, event_type: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT outcome::text || ':' || coalesce(reason, '') FROM audit.events WHERE event_type = $1 ORDER BY id")
        .bind(event_type)
        .fetch_all(shop.pool())
        .await
        .unwrap()
}

async fn audit_rows(shop: &Shop) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit.events")
        .fetch_one(shop.pool())
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_return_in_another_currency_is_never_paid(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "45.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    assert_eq!(field(&returns[0], "currency"), "978");

    // The same number of minor units, in US dollars, correctly signed.
    let in_dollars = resigned(&returns[0], DEV_STORE_KEY, |name, value| {
        if name == "currency" {
            *value = "840".into();
        }
    });
    assert_eq!(post_return(&shop, &in_dollars).await.status(), 303);
    assert_eq!(
        shop.status(&order_id).await,
        "pending",
        "45.00 USD does not pay 45.00 EUR"
    );
    assert!(
        shop.timeline(&order_id)
            .await
            .contains(&"return:pending>:currency_differs_from_order".to_owned())
    );
    assert!(
        shop.audit(&order_id)
            .await
            .contains(&"payment.return:success:currency_differs_from_order".to_owned())
    );
    assert_eq!(
        post_callback(&shop, &in_dollars).await.status(),
        200,
        "the gateway is told it was received"
    );
    assert_eq!(shop.status(&order_id).await, "pending");
    let page = shop
        .get(&format!("/pay/result/{order_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Payment received"), "{page}");

    // The genuine answer, in euro, still pays it.
    assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
    assert_eq!(shop.status(&order_id).await, "paid");
}

/// A payment's status and 3-D Secure evidence: mdStatus, ECI, liability shifted.
async fn evidence(
    shop: &Shop,
    order_id: &str,
) -> (String, Option<String>, Option<String>, Option<bool>) {
    sqlx::query_as(
        "SELECT status::text, md_status, eci, liability_shifted FROM payments WHERE order_id = $1",
    )
    .bind(order_id)
    .fetch_one(shop.pool())
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_three_d_secure_result_is_kept_but_never_the_cavv_or_xid(pool: PgPool) {
    let shop = shop(pool).await;
    let mut secrets = Vec::new();
    let mut orders = Vec::new();
    for card in [APPROVE, "4355084355084358", "4000000000000309"] {
        let token = shop.checkout(Mode::Test, "20.00").await;
        let (order_id, returns) = shop.pay(&token, card).await;
        for name in ["cavv", "xid"] {
            let value = field(&returns[0], name);
            if !value.is_empty() {
                secrets.push(value.to_owned());
            }
        }
        shop.deliver(&returns[0]).await;
        shop.settled(&order_id).await;
        orders.push(order_id);
    }
    assert!(
        secrets.len() >= 4,
        "the sandbox sent CAVVs and XIDs: {secrets:?}"
    );

    let yes = |eci: &str| {
        (
            "paid".to_owned(),
            Some("1".to_owned()),
            Some(eci.to_owned()),
            Some(true),
        )
    };
    assert_eq!(
        evidence(&shop, &orders[0]).await,
        yes("02"),
        "Mastercard, authenticated"
    );
    assert_eq!(
        evidence(&shop, &orders[1]).await,
        yes("05"),
        "Visa, authenticated"
    );
    assert_eq!(
        evidence(&shop, &orders[2]).await,
        (
            "declined".to_owned(),
            Some("0".to_owned()),
            None,
            Some(false)
        ),
        "a failed 3-D Secure check is kept too, without a shift"
    );

    // No CAVV or XID value in any table, the audit trail included.
    let dump = shop.dump_every_table().await;
    assert!(
        dump.contains(&orders[0]),
        "the dump is real: it holds the payments"
    );
    for secret in &secrets {
        assert!(
            !dump.contains(secret.as_str()),
            "a CAVV or XID value ({secret}) is in the database"
        );
    }

    // The database refuses a liability shift without the evidence for it.
    let unfounded = sqlx::query("UPDATE payments SET eci = NULL WHERE order_id = $1")
        .bind(&orders[0])
        .execute(shop.pool())
        .await;
    assert!(unfounded.is_err(), "a shift needs its ECI");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_correctly_signed_test_answer_for_a_live_order_is_refused_as_wrong_account(pool: PgPool) {
    let shop = shop(pool).await;
    let live = shop.checkout(Mode::Live, "30.00").await;
    let live_order = field(&shop.to_gateway(&live).await, "oid").to_owned();
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let test = shop.checkout(Mode::Test, "30.00").await;
    let (test_order, returns) = shop.pay(&test, APPROVE).await;

    // Signed with the Test store key, whose hash verifies, but naming the Live order.
    let crossed = resigned(&returns[0], DEV_STORE_KEY, |name, value| {
        if name == "oid" || name == "ReturnOid" {
            *value = live_order.clone();
        }
    });
    let answer = post_return(&shop, &crossed).await;
    assert_eq!(answer.status(), 400);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("could not be verified")
    );
    assert_eq!(
        shop.status(&live_order).await,
        "pending",
        "the Live payment is untouched"
    );
    assert_eq!(shop.status(&test_order).await, "pending");
    assert_eq!(
        shop.audit(&live_order).await.last().unwrap(),
        "payment.return:denied:wrong_account"
    );
    let merchant: Option<uuid::Uuid> = sqlx::query_scalar(
        "SELECT merchant_id FROM audit.events WHERE event_type = 'payment.return' AND reason = 'wrong_account'",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(
        merchant,
        Some(shop.merchant_id),
        "the row names whose payment was aimed at"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_answer_from_an_unknown_client_id_is_refused_and_audited(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "30.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    let stranger = resigned(&returns[0], DEV_STORE_KEY, |name, value| {
        if name == "clientid" {
            *value = "999999999".into();
        }
    });
    let answer = post_callback(&shop, &stranger).await;
    assert_eq!(answer.status(), 400);
    assert_eq!(answer.text().await.unwrap(), "unknown_client");
    assert_eq!(shop.status(&order_id).await, "pending");
    assert_eq!(
        audited(&shop, "payment.callback").await,
        ["denied:unknown_client"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_flood_of_refused_answers_is_limited_and_audited_once_per_address_and_window(
    pool: PgPool,
) {
    let shop = shop_with(pool, |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.gateway_refusals_per_ip.max = 20;
    })
    .await;
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    let before = audit_rows(&shop).await;

    // 60 empty returns at once from one address.
    let flooder = "203.0.113.7";
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..60 {
        let (client, url) = (shop.http.clone(), shop.server.url("/pay/return"));
        tasks.spawn(async move {
            let answer = client
                .get(url)
                .header("x-forwarded-for", flooder)
                .send()
                .await
                .unwrap();
            (
                answer.status().as_u16(),
                answer.headers().contains_key("retry-after"),
            )
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.unwrap());
    }
    assert_eq!(
        answers.iter().filter(|a| **a == (400, false)).count(),
        20,
        "refused up to the limit: {answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|a| **a == (429, true)).count(),
        40,
        "then told to wait: {answers:?}"
    );
    assert_eq!(
        audit_rows(&shop).await - before,
        1,
        "one row for the whole burst so far"
    );

    // Another address is refused for its content, not its rate, and gets its own first row.
    let other = shop
        .http
        .get(shop.server.url("/pay/return"))
        .header("x-forwarded-for", "198.51.100.9")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 400);
    // A valid signed answer from the flooding address is never limited, as return or callback.
    let genuine = shop
        .http
        .post(&returns[0].action)
        .header("x-forwarded-for", flooder)
        .form(&returns[0].fields)
        .send()
        .await
        .unwrap();
    assert_eq!(genuine.status(), 303);
    assert_eq!(shop.status(&order_id).await, "paid");
    let callback = shop
        .http
        .post(shop.server.url("/pay/callback"))
        .header("x-forwarded-for", flooder)
        .form(&returns[0].fields)
        .send()
        .await;
    let callback = callback.unwrap();
    assert_eq!(callback.status(), 200);
    assert_eq!(callback.text().await.unwrap(), "Approved");

    // Once the window has closed, its count is audited once, whoever runs the report.
    let platform = &shop.server.platform;
    sqlx::query("UPDATE rate_limit_hits SET window_start = window_start - interval '1 hour' WHERE bucket = 'gateway-refusal-ip'")
        .execute(shop.pool())
        .await
        .unwrap();
    assert_eq!(
        platform::payments::refusals::report_closed_windows(platform)
            .await
            .unwrap(),
        1,
        "the lone refusal needs no count"
    );
    assert_eq!(
        platform::payments::refusals::report_closed_windows(platform)
            .await
            .unwrap(),
        0
    );
    let (refusals, ip): (serde_json::Value, Option<String>) = sqlx::query_as(
        "SELECT detail -> 'refusals', ip FROM audit.events WHERE event_type = 'payment.answers_refused'",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    // The count names the client network it was kept for: an IPv4 address is its own /32.
    assert_eq!(
        (refusals, ip),
        (serde_json::json!(60), Some(format!("{flooder}/32")))
    );
    assert_eq!(
        audited(&shop, "payment.return")
            .await
            .iter()
            .filter(|a| a.starts_with("denied:"))
            .count(),
        2,
        "one per address"
    );
    let flood_rows = audit_rows(&shop).await - before;
    assert!(
        flood_rows <= 6,
        "61 refusals, two answers: {flood_rows} audit rows"
    );
}

/// The fault rules the Test gateway still holds: a one-shot rule still listed never fired.
async fn faults_left(shop: &Shop) -> Vec<serde_json::Value> {
    let url = format!("{}/sandbox/faults", shop.test_gateway.base_url());
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_replayed_approval_of_a_paid_payment_asks_the_gateway_nothing(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    assert_eq!(shop.settled(&order_id).await, "paid");

    // Any API call about this order would now meet (and use up) this one-shot fault.
    shop.fault(serde_json::json!({ "kind": "api_server_error", "order_id": order_id }))
        .await;
    for _ in 0..3 {
        assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
        assert_eq!(post_callback(&shop, &returns[0].fields).await.status(), 200);
    }
    assert_eq!(shop.status(&order_id).await, "paid");
    assert_eq!(
        faults_left(&shop).await.len(),
        1,
        "no status query reached the gateway"
    );
    let timeline = shop.timeline(&order_id).await;
    assert_eq!(
        timeline
            .iter()
            .filter(|e| e.ends_with("paid>:duplicate"))
            .count(),
        6,
        "{timeline:?}"
    );

    // The observation holds: a pending payment's approval does query, and meets the fault.
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (pending, returns) = shop.pay(&token, APPROVE).await;
    shop.fault(serde_json::json!({ "kind": "api_server_error", "order_id": pending }))
        .await;
    assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
    assert_eq!(
        shop.status(&pending).await,
        "pending",
        "the query failed, so it waits"
    );
    assert_eq!(
        faults_left(&shop).await.len(),
        1,
        "the pending payment's query used its fault"
    );
}
