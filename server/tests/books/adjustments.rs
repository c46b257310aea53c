//! Manual adjustments: posted at once up to the threshold, four eyes above it (the
//! requester cannot approve, the schema refuses it too), a stale second factor refused,
//! every step audited; and the console's ledger showing the entries with running balances.

use platform::gateway_accounts::Mode;
use platform::ledger::balances;
use serde_json::Value;
use sqlx::PgPool;
use support::accounts::error_of;
use support::world::{Actor, visitor, world};
use uuid::Uuid;

use crate::{audit_rows, stale_visitor, support};

async fn available(pool: &PgPool, merchant: Uuid, mode: Mode) -> i64 {
    let mut conn = pool.acquire().await.unwrap();
    balances::of_merchant(&mut conn, domain::MerchantId::from_uuid(merchant), mode)
        .await
        .unwrap()
        .first()
        .map(|b| b.available.minor())
        .unwrap_or(0)
}

fn form<'a>(merchant: &'a str, amount: &'a str) -> [(&'a str, &'a str); 6] {
    [
        ("merchant_id", merchant),
        ("mode", "live"),
        ("direction", "credit"),
        ("amount", amount),
        ("counter_account", "fee_revenue"),
        ("reason", "Goodwill refund of the fees of order SX-1"),
    ]
}

#[sqlx::test(migrations = "../migrations")]
async fn a_large_adjustment_waits_for_a_second_staff_member(pool: PgPool) {
    let world = world(pool.clone()).await;
    let merchant = world.merchant_a.to_string();
    let mut requester = visitor(&world, Actor::StaffAct).await;

    // Up to the threshold (500.00) it is posted at once.
    let small: Value = requester
        .post("/api/admin/ledger/adjust", &form(&merchant, "5.00"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(small["status"], "approved");
    assert_eq!(available(&pool, world.merchant_a, Mode::Live).await, 500);
    assert_eq!(
        available(&pool, world.merchant_a, Mode::Test).await,
        0,
        "Live only"
    );

    // Above it, it waits; the requester cannot approve their own.
    let large: Value = requester
        .post("/api/admin/ledger/adjust", &form(&merchant, "600.00"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (large["status"].as_str(), large["can_decide"].as_bool()),
        (Some("pending"), Some(false))
    );
    assert_eq!(available(&pool, world.merchant_a, Mode::Live).await, 500);
    let id = large["id"].as_str().unwrap().to_owned();
    let own = requester
        .post(
            "/api/admin/ledger/decide",
            &[("adjustment_id", id.as_str()), ("approve", "true")],
        )
        .await;
    assert_eq!(own.status(), 422);
    assert!(
        error_of(own)
            .await
            .for_field("decision")
            .unwrap()
            .contains("second staff member")
    );
    assert_eq!(available(&pool, world.merchant_a, Mode::Live).await, 500);

    // The schema holds it too: the requester deciding is refused by a CHECK.
    let by_hand = sqlx::query(
        "UPDATE ledger_adjustments SET status = 'rejected', decided_by = requested_by, decided_at = now() WHERE id = $1",
    )
    .bind(Uuid::parse_str(&id).unwrap())
    .execute(&pool)
    .await;
    assert!(by_hand.is_err(), "four eyes in the schema");

    // A second staff member approves: posted once; deciding again is refused.
    let mut second = visitor(&world, Actor::Admin).await;
    let waiting: Value = second
        .post("/api/admin/ledger/platform", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting["waiting"][0]["id"].as_str(), Some(id.as_str()));
    assert_eq!(waiting["waiting"][0]["can_decide"], true);
    let approved: Value = second
        .post(
            "/api/admin/ledger/decide",
            &[("adjustment_id", id.as_str()), ("approve", "true")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(approved["status"], "approved");
    assert_eq!(available(&pool, world.merchant_a, Mode::Live).await, 60_500);
    let again = second
        .post(
            "/api/admin/ledger/decide",
            &[("adjustment_id", id.as_str()), ("approve", "false")],
        )
        .await;
    assert_eq!(again.status(), 422);
    assert_eq!(available(&pool, world.merchant_a, Mode::Live).await, 60_500);
    let rewritten = sqlx::query(
        "UPDATE ledger_adjustments SET reason = 'Something else entirely' WHERE id = $1",
    )
    .bind(Uuid::parse_str(&id).unwrap())
    .execute(&pool)
    .await;
    assert!(rewritten.is_err(), "a decided adjustment never changes");

    // The console's ledger: newest first, each line with the balance after it.
    let ledger: Value = second
        .post(
            "/api/admin/ledger/merchant",
            &[("merchant_id", merchant.as_str()), ("mode", "live")],
        )
        .await
        .json()
        .await
        .unwrap();
    let entries = ledger["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["kind"], "adjustment");
    assert_eq!(
        entries[0]["reference"],
        "Goodwill refund of the fees of order SX-1"
    );
    let line = entries[0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["account"] == "merchant_available")
        .unwrap()
        .clone();
    assert_eq!(
        (
            line["amount"]["minor"].as_i64(),
            line["balance_after"]["minor"].as_i64()
        ),
        (Some(-60_000), Some(60_500))
    );
    assert_eq!(ledger["next_before"], Value::Null, "one page");
    let older: Value = second
        .post(
            "/api/admin/ledger/merchant",
            &[
                ("merchant_id", merchant.as_str()),
                ("mode", "live"),
                ("before", &entries[0]["id"].to_string()),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        older["entries"].as_array().unwrap().len(),
        1,
        "the page before the newest entry"
    );
    let months: Value = second
        .post("/api/admin/ledger/platform", &[])
        .await
        .json()
        .await
        .unwrap();
    let fee_revenue = months["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["account"] == "fee_revenue" && m["mode"] == "live")
        .unwrap()
        .clone();
    assert_eq!(
        fee_revenue["closing"]["minor"], -60_500,
        "goodwill came out of fee revenue"
    );

    assert_eq!(
        audit_rows(&pool, "ledger.adjustment.request").await,
        ["success:", "success:"]
    );
    assert_eq!(
        audit_rows(&pool, "ledger.adjustment.approve").await,
        ["denied:four eyes", "success:"]
    );
    assert_eq!(
        audit_rows(&pool, "ledger.adjustment.reject").await,
        ["denied:already decided"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_stale_second_factor_is_refused_and_audited(pool: PgPool) {
    let world = world(pool.clone()).await;
    let merchant = world.merchant_a.to_string();
    let mut stale = stale_visitor(&world, Actor::StaffAct).await;
    let refused = stale
        .post("/api/admin/ledger/adjust", &form(&merchant, "5.00"))
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        error_of(refused).await,
        app::error::AppError::StepUpRequired
    );
    let today = sqlx::query_scalar::<_, String>(
        "SELECT ((now() AT TIME ZONE 'Europe/Belgrade')::date + 1)::text",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    for (path, fields) in [
        (
            "/api/admin/settlement/set",
            vec![("merchant_id", merchant.as_str()), ("delay_days", "2")],
        ),
        (
            "/api/admin/fees/merchant",
            vec![
                ("merchant_id", merchant.as_str()),
                ("percent", "1"),
                ("fixed", "0"),
                ("effective_from", today.as_str()),
            ],
        ),
    ] {
        let response = stale.post(path, &fields).await;
        assert_eq!(response.status(), 403, "{path}");
    }
    let mut stale_admin = stale_visitor(&world, Actor::Admin).await;
    let response = stale_admin
        .post(
            "/api/admin/fees/default",
            &[
                ("percent", "1"),
                ("fixed", "0"),
                ("effective_from", today.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);

    let count = |table: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("ledger_adjustments").await, 0);
    assert_eq!(count("ledger_entries").await, 0);
    assert_eq!(count("merchant_settlement").await, 0);
    assert_eq!(count("fee_schedules").await, 1);
    let denied = audit_rows(&pool, "access.denied").await;
    assert_eq!(denied, ["denied:step-up required"; 4]);
}
