//! Who may read and change the books: each function refuses the roles it is not for.

use sqlx::PgPool;
use support::world::{Actor, visitor, world};

use crate::support;

#[sqlx::test(migrations = "../migrations")]
async fn each_part_of_the_books_refuses_the_wrong_roles(pool: PgPool) {
    let world = world(pool.clone()).await;
    let a = world.merchant_a.to_string();
    let tomorrow = sqlx::query_scalar::<_, String>(
        "SELECT ((now() AT TIME ZONE 'Europe/Belgrade')::date + 1)::text",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let adjust = [
        ("merchant_id", a.as_str()),
        ("mode", "test"),
        ("direction", "credit"),
        ("amount", "1.00"),
        ("counter_account", "gateway_fees"),
        ("reason", "A test of the refusals"),
    ];
    let fee = [
        ("merchant_id", a.as_str()),
        ("percent", "1"),
        ("fixed", "0"),
        ("effective_from", tomorrow.as_str()),
    ];
    let cases: Vec<(Actor, &str, Vec<(&str, &str)>, u16)> = vec![
        // The balance is for merchant members; staff and visitors are refused.
        (Actor::StaffAct, "/api/balance", vec![], 403),
        (Actor::Admin, "/api/balance", vec![], 403),
        (Actor::Anonymous, "/api/balance", vec![], 401),
        // The console's ledger needs payouts `view`, adjusting `act`.
        (
            Actor::OwnerA,
            "/api/admin/ledger/merchant",
            vec![("merchant_id", a.as_str())],
            403,
        ),
        (
            Actor::StaffWithoutModule,
            "/api/admin/ledger/merchant",
            vec![("merchant_id", a.as_str())],
            403,
        ),
        (
            Actor::StaffWithoutModule,
            "/api/admin/ledger/platform",
            vec![],
            403,
        ),
        (
            Actor::StaffView,
            "/api/admin/ledger/adjust",
            adjust.to_vec(),
            403,
        ),
        (
            Actor::OwnerA,
            "/api/admin/ledger/adjust",
            adjust.to_vec(),
            403,
        ),
        (
            Actor::StaffView,
            "/api/admin/ledger/decide",
            vec![("adjustment_id", a.as_str()), ("approve", "true")],
            403,
        ),
        // Fee schedules: the default is the administrators'; overrides and settlement
        // terms need merchants `act`.
        (
            Actor::StaffAct,
            "/api/admin/fees/default",
            fee[1..].to_vec(),
            403,
        ),
        (
            Actor::StaffView,
            "/api/admin/fees/merchant",
            fee.to_vec(),
            403,
        ),
        (Actor::OwnerA, "/api/admin/fees/merchant", fee.to_vec(), 403),
        (
            Actor::StaffView,
            "/api/admin/settlement/set",
            vec![("merchant_id", a.as_str()), ("delay_days", "0")],
            403,
        ),
        (
            Actor::OwnerA,
            "/api/admin/settlement",
            vec![("merchant_id", a.as_str())],
            403,
        ),
    ];
    for (actor, path, form, status) in cases {
        let mut who = visitor(&world, actor).await;
        let response = who.post(path, &form).await;
        assert_eq!(response.status().as_u16(), status, "{actor:?} {path}");
    }
    // The export is a plain route with the same guard.
    let mut staff = visitor(&world, Actor::StaffAct).await;
    assert_eq!(staff.get("/api/balance/export.csv").await.status(), 403);
    let mut anonymous = visitor(&world, Actor::Anonymous).await;
    assert_eq!(anonymous.get("/api/balance/export.csv").await.status(), 401);

    // Nothing was changed by any of them.
    let written: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM ledger_adjustments) + (SELECT count(*) FROM merchant_settlement)
                + (SELECT count(*) FROM fee_schedules) - 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(written, 0);
}
