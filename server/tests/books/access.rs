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

/// What the staff-only functions of the books could change, as row counts.
async fn books_fingerprint(pool: &PgPool) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "ledger_entries",
        "ledger_adjustments",
        "fee_schedules",
        "merchant_settlement",
        "payout_batches",
        "payouts",
        "payout_statement_imports",
        "chargebacks",
        "audit.events",
    ] {
        let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap();
        counts.push(count);
    }
    counts
}

/// The third layer (issue 17 item 7) in the books: every staff-only function of the
/// ledger, payouts and chargebacks checks the `StaffScope` it is given before anything
/// else, so a scope for another module, or its own module at `view`, is refused by the
/// platform itself and changes nothing.
#[sqlx::test(migrations = "../migrations")]
async fn the_books_refuse_a_staff_scope_for_another_module_or_at_view(pool: PgPool) {
    use domain::{MerchantId, Money, PaymentId};
    use platform::audit::RequestFacts;
    use platform::chargebacks::ChargebackError;
    use platform::chargebacks::record::{self, NewChargeback};
    use platform::chargebacks::transition::{self as chargeback, Decision};
    use platform::identity::roles::{Level, Module, StaffScope};
    use platform::identity::users::load_active;
    use platform::ledger::adjustments::{self, NewAdjustment};
    use platform::ledger::change::ChangeError;
    use platform::ledger::fees::{self, NewSchedule};
    use platform::ledger::settlement::{self, NewTerms};
    use platform::payouts::transition::{self as payout, Move};
    use platform::payouts::{PayoutError, import, pain001, run};
    use uuid::Uuid;

    let world = world(pool.clone()).await;
    let platform = &world.server.platform;
    let staff = load_active(&pool, world.users[&Actor::StaffAct])
        .await
        .unwrap()
        .unwrap();
    let scope = |module, level| StaffScope::of(&staff, module, level).unwrap();
    let facts = RequestFacts::default();
    let merchant = MerchantId::from_uuid(world.merchant_a);
    let today = time::OffsetDateTime::now_utc().date();
    let before = books_fingerprint(&pool).await;

    // Payouts, adjustments: the payouts module at `act`.
    for wrong in [
        scope(Module::Payments, Level::Act),
        scope(Module::Payouts, Level::View),
    ] {
        fn refused<T>(result: &Result<T, PayoutError>) -> bool {
            matches!(result, Err(PayoutError::Forbidden(_)))
        }
        assert!(refused(&run::run(platform, Some(&wrong), &facts).await));
        let id = Uuid::new_v4();
        for step in [
            Move::Approve {
                batch_id: id,
                staff: &wrong,
            },
            Move::Send {
                batch_id: id,
                staff: &wrong,
            },
            Move::Paid {
                payout_id: id,
                staff: &wrong,
            },
            Move::Returned {
                payout_id: id,
                staff: &wrong,
                reason: "Account closed",
            },
        ] {
            assert!(refused(&payout::apply(platform, step, &facts).await));
        }
        let csv = b"2026-11-30,1.00,SXP1\n";
        assert!(refused(
            &import::import(platform, &wrong, "statement.csv", csv, &facts).await
        ));
        assert!(refused(
            &pain001::batch_file(platform, id, &wrong, &facts).await
        ));
        let new = NewAdjustment {
            mode: "live".into(),
            direction: "credit".into(),
            amount: "1.00".into(),
            counter_account: "gateway_fees".into(),
            reason: "A refused adjustment".into(),
        };
        let requested = adjustments::request(platform, &wrong, merchant, &new, &facts).await;
        assert!(matches!(requested, Err(ChangeError::Forbidden(_))));
        let decided = adjustments::decide(platform, &wrong, id, true, &facts).await;
        assert!(matches!(decided, Err(ChangeError::Forbidden(_))));
    }

    // Fee schedules and settlement terms: the merchants module at `act`.
    for wrong in [
        scope(Module::Payouts, Level::Act),
        scope(Module::Merchants, Level::View),
    ] {
        let new = NewSchedule {
            percent: "1".into(),
            fixed_euro: "0".into(),
            effective_from: (today + time::Duration::days(1)).to_string(),
        };
        let added = fees::add_merchant_schedule(platform, &wrong, merchant, &new, &facts).await;
        assert!(matches!(added, Err(ChangeError::Forbidden(_))));
        let terms = NewTerms {
            delay_days: "3".into(),
            ..NewTerms::default()
        };
        let set = settlement::set_terms(platform, &wrong, merchant, &terms, &facts).await;
        assert!(matches!(set, Err(ChangeError::Forbidden(_))));
    }

    // Chargebacks: the payments module at `act`.
    for wrong in [
        scope(Module::Payouts, Level::Act),
        scope(Module::Payments, Level::View),
    ] {
        let new = NewChargeback {
            request_id: Uuid::new_v4(),
            payment_id: PaymentId::from_uuid(Uuid::new_v4()),
            amount: Money::eur(1_000),
            reason_code: "10.4".into(),
            reported_on: today,
            evidence_due_on: today + time::Duration::days(10),
        };
        let recorded = record::record(platform, &wrong, &new, &facts).await;
        assert!(matches!(recorded, Err(ChargebackError::Forbidden(_))));
        let decided =
            chargeback::decide(platform, &wrong, Uuid::new_v4(), Decision::Won, &facts).await;
        assert!(matches!(decided, Err(ChargebackError::Forbidden(_))));
    }

    assert_eq!(
        books_fingerprint(&pool).await,
        before,
        "a refused scope changes nothing, not even the audit trail"
    );
}
