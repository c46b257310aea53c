//! The Balance page and its CSV: the numbers after a paid and a refunded payment, Test and
//! Live books apart, and another merchant's members seeing nothing of it.

use platform::gateway_accounts::Mode;
use platform::payments::refunds::{self, RefundRequest, Requester};
use serde_json::Value;
use sqlx::PgPool;
use support::checkout::{APPROVE, Shop};
use support::world::{Actor, visitor};
use uuid::Uuid;

use crate::{audit_rows, shop_of_a, support};

async fn refund_all(shop: &Shop, payment_id: Uuid, amount_minor: i64) {
    let request = RefundRequest {
        request_id: Uuid::new_v4(),
        amount: domain::Money::eur(amount_minor),
        reason: "Returned by the buyer".into(),
    };
    let owner = Requester::Merchant(shop.scope);
    let facts = platform::audit::RequestFacts::default();
    refunds::request(
        &shop.server.platform,
        domain::PaymentId::from_uuid(payment_id),
        &request,
        owner,
        &facts,
    )
    .await
    .unwrap();
}

/// `(available, pending, reserve, in payout)` of the first currency on the page.
fn numbers(view: &Value) -> (i64, i64, i64, i64) {
    let row = &view["balances"][0];
    let n = |key: &str| row[key]["minor"].as_i64().unwrap();
    (n("available"), n("pending"), n("reserve"), n("in_payout"))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_paid_and_a_refunded_payment_show_as_pending_and_a_negative_available(pool: PgPool) {
    let (shop, world) = shop_of_a(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;

    let empty: Value = owner.post("/api/balance", &[]).await.json().await.unwrap();
    assert_eq!(
        empty["balances"],
        serde_json::json!([]),
        "nothing before the first sale"
    );

    // 10.00 at the default 2.90 % + 0.25: fee 0.54, VAT 18 % of it 0.10, net 9.36.
    let (paid, _) = shop.paid("10.00").await;
    let view: Value = owner.post("/api/balance", &[]).await.json().await.unwrap();
    assert_eq!(view["mode"], "test");
    assert_eq!(numbers(&view), (0, 936, 0, 0));
    assert_eq!(view["releases"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(view["releases"][0]["amount"]["minor"], 936);
    assert_eq!(view["releases"][0]["kind"], "pending");
    let chart = view["chart"].as_array().unwrap();
    assert_eq!(chart.len(), 90);
    assert_eq!(
        chart[89][1]["held_minor"], 936,
        "today closes with the sale held"
    );
    assert_eq!(
        chart[0][1]["held_minor"], 0,
        "ninety days ago there was nothing"
    );

    // The payment's page splits it the same way.
    let detail: Value = owner
        .post("/api/payments/detail", &[("id", &paid.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["fees"],
        serde_json::json!({
            "gross": { "minor": 1000, "currency": "EUR" },
            "fee": { "minor": 54, "currency": "EUR" },
            "vat": { "minor": 10, "currency": "EUR" },
            "net": { "minor": 936, "currency": "EUR" },
        })
    );

    // A second sale refunded in full: its 9.36 comes out of its own pending money, and
    // the 0.64 of fee and VAT Saleonix keeps out of available, which goes below zero.
    let (second, _) = shop.paid("10.00").await;
    refund_all(&shop, second, 1_000).await;
    let view: Value = owner.post("/api/balance", &[]).await.json().await.unwrap();
    assert_eq!(numbers(&view), (-64, 936, 0, 0));

    // The accountant's CSV: one row per entry, amounts as numbers, never cached.
    let csv = owner.get("/api/balance/export.csv").await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["cache-control"], "no-store");
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("saleonix-ledger-test.csv")
    );
    let body = csv.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines[0], "date,type,gross,fee,vat,net,reference");
    assert_eq!(lines.len(), 4, "two sales and a refund: {body}");
    assert!(
        lines[1].contains(",payment_paid,10.00,0.54,0.10,9.36,SX"),
        "{body}"
    );
    assert!(
        lines[3].contains(",payment_refund,-10.00,0.00,0.00,-10.00,SX"),
        "{body}"
    );
    assert_eq!(audit_rows(&pool, "ledger.export").await, ["success:"]);
    let exported_for: Option<Uuid> = sqlx::query_scalar(
        "SELECT merchant_id FROM audit.events WHERE event_type = 'ledger.export'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(exported_for, Some(world.merchant_a));
}

#[sqlx::test(migrations = "../migrations")]
async fn test_and_live_books_never_mix_and_other_merchants_see_nothing(pool: PgPool) {
    let (shop, world) = shop_of_a(pool.clone()).await;
    shop.paid("10.00").await;

    // A Live sale of 20.00: fee 0.58 + 0.25 = 0.83, VAT 0.15, net 19.02.
    let token = shop.checkout(Mode::Live, "20.00").await;
    let (order_id, _) = shop.pay(&token, APPROVE).await;
    assert_eq!(shop.settled(&order_id).await, "paid");

    let mut owner = visitor(&world, Actor::OwnerA).await;
    let test: Value = owner.post("/api/balance", &[]).await.json().await.unwrap();
    assert_eq!(
        (test["mode"].as_str(), numbers(&test)),
        (Some("test"), (0, 936, 0, 0))
    );
    let test_csv = owner
        .get("/api/balance/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(test_csv.lines().count(), 2, "{test_csv}");
    assert!(
        !test_csv.contains(&order_id),
        "the Live sale is not in the Test books"
    );

    assert_eq!(
        owner
            .post("/api/dashboard/set-mode", &[("mode", "live")])
            .await
            .status(),
        200
    );
    let live: Value = owner.post("/api/balance", &[]).await.json().await.unwrap();
    assert_eq!(
        (live["mode"].as_str(), numbers(&live)),
        (Some("live"), (0, 1_902, 0, 0))
    );
    let live_csv = owner
        .get("/api/balance/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(live_csv.lines().count(), 2, "{live_csv}");
    assert!(live_csv.contains(&order_id), "{live_csv}");

    // Merchant B's owner sees an empty balance and an empty file, never A's.
    let mut other = visitor(&world, Actor::OwnerB).await;
    let theirs: Value = other.post("/api/balance", &[]).await.json().await.unwrap();
    assert_eq!(theirs["balances"], serde_json::json!([]));
    let their_csv = other
        .get("/api/balance/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(their_csv, "date,type,gross,fee,vat,net,reference\r\n");

    // A viewer of merchant A reads the same numbers as its owner.
    let mut viewer = visitor(&world, Actor::ViewerA).await;
    let seen: Value = viewer.post("/api/balance", &[]).await.json().await.unwrap();
    assert_eq!(numbers(&seen), (0, 936, 0, 0));
}
