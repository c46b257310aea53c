//! Fee schedules and settlement terms: never retroactive, a merchant's override charged on
//! its next payment, a new settlement delay given to its next payment's release day, and
//! each change audited.

use platform::ledger::calendar;
use serde_json::Value;
use sqlx::PgPool;
use support::accounts::error_of;
use support::world::{Actor, visitor};
use time::{Date, Duration};

use crate::{audit_rows, shop_of_a, support};

async fn today(pool: &PgPool) -> Date {
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Belgrade')::date")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn schedules(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM fee_schedules")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_fee_schedule_is_never_retroactive_and_an_override_charges_the_next_payment(
    pool: PgPool,
) {
    let (shop, world) = shop_of_a(pool.clone()).await;
    let (before, _) = shop.paid("10.00").await;
    let today = today(&pool).await;
    let merchant = world.merchant_a.to_string();

    // Yesterday is refused with a field error, and nothing is written.
    let mut admin = visitor(&world, Actor::Admin).await;
    let yesterday = (today - Duration::days(1)).to_string();
    let refused = admin
        .post(
            "/api/admin/fees/default",
            &[
                ("percent", "1.50"),
                ("fixed", "0.10"),
                ("effective_from", &yesterday),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        error_of(refused)
            .await
            .for_field("effective_from")
            .unwrap()
            .contains("today or later")
    );
    let bad = admin
        .post(
            "/api/admin/fees/default",
            &[
                ("percent", "2.905"),
                ("fixed", "0.10"),
                ("effective_from", &today.to_string()),
            ],
        )
        .await;
    assert!(error_of(bad).await.for_field("percent").is_some());
    let backdated = sqlx::query(
        "INSERT INTO fee_schedules (id, percent_bp, fixed_minor, effective_from) VALUES (gen_random_uuid(), 100, 0, now() - interval '1 day')",
    )
    .execute(&pool)
    .await;
    assert!(
        backdated.is_err(),
        "the schema refuses a schedule that starts in the past"
    );
    assert_eq!(schedules(&pool).await, 1, "only the schema's default");

    // A default that starts next week is listed as upcoming beside the current one.
    let next_week = (today + Duration::days(7)).to_string();
    let added = admin
        .post(
            "/api/admin/fees/default",
            &[
                ("percent", "2.50"),
                ("fixed", "0.20"),
                ("effective_from", &next_week),
            ],
        )
        .await;
    assert_eq!(added.status(), 200);
    let list: Value = admin
        .post("/api/admin/fees", &[])
        .await
        .json()
        .await
        .unwrap();
    let states: Vec<(String, bool)> = list["default"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["percent"].as_str().unwrap().to_owned(),
                s["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [("2.90 %".to_owned(), true), ("2.50 %".to_owned(), false)]
    );

    // Merchant A's own schedule from today: 1.00 % + 0.10 on 10.00 is 0.20, VAT 0.04.
    let mut staff = visitor(&world, Actor::StaffAct).await;
    let set = staff
        .post(
            "/api/admin/fees/merchant",
            &[
                ("merchant_id", &merchant),
                ("percent", "1"),
                ("fixed", "0.10"),
                ("effective_from", &today.to_string()),
            ],
        )
        .await;
    assert_eq!(set.status(), 200);
    let (after, _) = shop.paid("10.00").await;

    let mut owner = visitor(&world, Actor::OwnerA).await;
    let fees = |detail: Value| {
        (
            detail["fees"]["fee"]["minor"].as_i64(),
            detail["fees"]["vat"]["minor"].as_i64(),
            detail["fees"]["net"]["minor"].as_i64(),
        )
    };
    let old: Value = owner
        .post("/api/payments/detail", &[("id", &before.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        fees(old),
        (Some(54), Some(10), Some(936)),
        "the earlier payment keeps what it was charged"
    );
    let new: Value = owner
        .post("/api/payments/detail", &[("id", &after.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fees(new), (Some(20), Some(4), Some(976)));

    // Another merchant still pays the default.
    let listed: Value = staff
        .post(
            "/api/admin/fees",
            &[("merchant_id", &world.merchant_b.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["merchant"], serde_json::json!([]));
    assert_eq!(
        audit_rows(&pool, "fee_schedule.create").await,
        ["success:", "success:"]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_new_settlement_delay_gives_the_next_payment_its_release_day(pool: PgPool) {
    let (shop, world) = shop_of_a(pool.clone()).await;
    let merchant = world.merchant_a.to_string();
    let mut staff = visitor(&world, Actor::StaffAct).await;

    let bad = staff
        .post(
            "/api/admin/settlement/set",
            &[
                ("merchant_id", &merchant),
                ("delay_days", "3"),
                ("reserve_percent", "60"),
                ("reserve_days", "30"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(error_of(bad).await.for_field("reserve_percent").is_some());
    let no_days = staff
        .post(
            "/api/admin/settlement/set",
            &[
                ("merchant_id", &merchant),
                ("delay_days", "3"),
                ("reserve_percent", "10"),
            ],
        )
        .await;
    assert!(error_of(no_days).await.for_field("reserve_days").is_some());

    let (first, _) = shop.paid("10.00").await;
    let set = staff
        .post(
            "/api/admin/settlement/set",
            &[
                ("merchant_id", &merchant),
                ("delay_days", "2"),
                ("reserve_percent", "10"),
                ("reserve_days", "30"),
            ],
        )
        .await;
    assert_eq!(set.status(), 200);
    let terms: Value = staff
        .post("/api/admin/settlement", &[("merchant_id", &merchant)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            terms["delay_days"].as_i64(),
            terms["reserve_percent"].as_str()
        ),
        (Some(2), Some("10.00 %"))
    );
    let (second, _) = shop.paid("10.00").await;

    let holds = |payment| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (String, i64, Date)>(
                "SELECT kind, amount_minor, release_on FROM ledger_holds WHERE payment_id = $1 ORDER BY kind",
            )
            .bind(payment)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let today = today(&pool).await;
    let holidays = calendar::holidays_from(&mut pool.acquire().await.unwrap(), today)
        .await
        .unwrap();
    let first_holds = holds(first).await;
    assert_eq!(
        first_holds,
        [(
            "pending".to_owned(),
            936,
            calendar::add_business_days(today, 7, &holidays)
        )]
    );
    // 10 % of the 9.36 net (0.94) is held 30 days; the rest is released after 2 business days.
    assert_eq!(
        holds(second).await,
        [
            (
                "pending".to_owned(),
                842,
                calendar::add_business_days(today, 2, &holidays)
            ),
            ("reserve".to_owned(), 94, today + Duration::days(30)),
        ]
    );
    assert_eq!(
        audit_rows(&pool, "merchant.settlement.change").await,
        ["success:"]
    );
}
