//! Step-up and two-factor where money or power moves (issue 17 items 1, 2 and 4): a session
//! whose last second-factor check is older than the window is refused every such action,
//! with nothing changed and the refusal audited, by the route guard and (guard off) by the
//! function itself; a fresh check lets the same call through. Members without two-factor
//! are sent to enrol before refunds and team changes.

use std::collections::HashMap;

use support::checkout::shop;
use support::world::{World, cast};

use super::matrix::{arguments, fingerprint, post, refusal, row};
use super::*;

/// Every step-up action of item 1 and the ones before it, with who may do it and the
/// arguments that make it need step-up (an owner's invitation, a staff refund above the
/// threshold). Written by hand, not read from the policy table.
const STEP_UP_ACTIONS: &[(&str, Actor, &str)] = &[
    ("/api/payments/refund", Actor::OwnerA, ""),
    ("/api/team/invite", Actor::OwnerA, ""),
    ("/api/team/change-role", Actor::OwnerA, ""),
    ("/api/team/remove", Actor::OwnerA, ""),
    ("/api/kyc/bank-account/set", Actor::OwnerA, ""),
    ("/api/payouts/schedule", Actor::OwnerA, ""),
    ("/api/developers/keys/create", Actor::OwnerA, ""),
    ("/api/developers/keys/roll", Actor::OwnerA, ""),
    ("/api/developers/keys/revoke", Actor::OwnerA, ""),
    ("/api/developers/webhooks/create", Actor::OwnerA, ""),
    ("/api/developers/webhooks/update", Actor::OwnerA, ""),
    ("/api/developers/webhooks/rotate", Actor::OwnerA, ""),
    ("/api/developers/webhooks/delete", Actor::OwnerA, ""),
    ("/api/account/two-factor/recovery-codes", Actor::OwnerA, ""),
    ("/api/account/two-factor/disable", Actor::OwnerA, ""),
    ("/api/account/close", Actor::OwnerA, ""),
    // The last of the owner's: once it passes, they are an admin.
    ("/api/team/transfer-ownership", Actor::OwnerA, ""),
    ("/api/admin/reconciliation/close", Actor::StaffAct, ""),
    ("/api/admin/risk/set-rule", Actor::StaffAct, ""),
    ("/api/admin/risk/add-block", Actor::StaffAct, ""),
    ("/api/admin/risk/remove-block", Actor::StaffAct, ""),
    ("/api/admin/risk/merchant-limit", Actor::StaffAct, ""),
    ("/api/admin/merchants/set-flag", Actor::StaffAct, ""),
    ("/api/admin/kyc/approve", Actor::StaffAct, ""),
    ("/api/admin/kyc/reject", Actor::StaffAct, ""),
    ("/api/admin/kyc/request-reverification", Actor::StaffAct, ""),
    ("/api/admin/kyc/bank-account/reveal", Actor::StaffAct, ""),
    ("/api/admin/kyc/sanctions/decide", Actor::StaffAct, ""),
    ("/api/admin/audit/export", Actor::StaffAct, ""),
    ("/api/admin/support/requests/export", Actor::StaffAct, ""),
    ("/api/admin/support/requests/erase", Actor::StaffAct, ""),
    ("/api/admin/payouts/run", Actor::StaffAct, ""),
    ("/api/admin/payouts/approve", Actor::StaffAct, ""),
    ("/api/admin/payouts/sent", Actor::StaffAct, ""),
    ("/api/admin/payouts/settle", Actor::StaffAct, ""),
    ("/api/admin/ledger/adjust", Actor::StaffAct, ""),
    ("/api/admin/ledger/decide", Actor::StaffAct, ""),
    ("/api/admin/chargebacks/record", Actor::StaffAct, ""),
    ("/api/admin/chargebacks/decide", Actor::StaffAct, ""),
    ("/api/admin/fees/merchant", Actor::StaffAct, ""),
    ("/api/admin/settlement/set", Actor::StaffAct, ""),
    (
        "/api/admin/refunds/refund",
        Actor::StaffAct,
        "payment_id={nobody}&request_id={nobody}&amount=150.00&reason=x",
    ),
    ("/api/admin/fees/default", Actor::Admin, ""),
    ("/api/admin/settings/gateway/save", Actor::Admin, ""),
    ("/api/admin/staff/invite", Actor::Admin, ""),
    ("/api/admin/staff/set-permissions", Actor::Admin, ""),
    ("/api/admin/staff/deactivate", Actor::Admin, ""),
    ("/api/admin/users/reset-two-factor", Actor::Admin, ""),
];

/// The cast's TOTP secret (twenty bytes of 7) as an app holds it.
const SECRET: &str = "A4DQOBYHA4DQOBYHA4DQOBYHA4DQOBYH";

async fn make_stale(pool: &PgPool, user: Uuid) {
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(user)
        .execute(pool)
        .await
        .unwrap();
}

async fn denials(pool: &PgPool, user: Uuid, path: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'access.denied'
         AND reason = 'step-up required' AND actor_id = $1 AND detail->>'path' = $2",
    )
    .bind(user)
    .bind(path)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn stale_then_fresh(world: &World) {
    let pool = world.server.platform.pool.clone();
    let mut visitors = HashMap::new();
    for actor in [Actor::OwnerA, Actor::StaffAct, Actor::Admin] {
        let visitor = visitor(world, actor).await;
        make_stale(&pool, world.users[&actor]).await;
        visitors.insert(actor, visitor);
    }
    let before = fingerprint(&pool).await;
    for (path, actor, args) in STEP_UP_ACTIONS {
        let args = arguments(world, if args.is_empty() { row(path).3 } else { args });
        let visitor = visitors.get_mut(actor).unwrap();
        let refused = refusal(post(visitor, path, &args).await).await;
        assert_eq!(
            refused,
            Some(AppError::StepUpRequired),
            "{path} with a stale step-up"
        );
        assert_eq!(
            denials(&pool, world.users[actor], path).await,
            1,
            "{path}: the refusal is audited once"
        );
    }
    assert_eq!(
        fingerprint(&pool).await,
        before,
        "a refused action changed something"
    );

    for (actor, visitor) in &mut visitors {
        let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
        let code = platform::identity::mfa::code_at(SECRET, now).unwrap();
        let stepped = visitor.post("/api/auth/step-up", &[("code", &code)]).await;
        assert_eq!(stepped.status(), 200, "{actor:?} steps up");
    }
    for (path, actor, args) in STEP_UP_ACTIONS {
        let args = arguments(world, if args.is_empty() { row(path).3 } else { args });
        let visitor = visitors.get_mut(actor).unwrap();
        let refused = refusal(post(visitor, path, &args).await).await;
        assert_eq!(refused, None, "{path} after a fresh step-up");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_step_up_action_refuses_a_stale_session_and_passes_after_step_up(pool: PgPool) {
    stale_then_fresh(&world(pool).await).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn without_the_route_guard_the_functions_ask_for_step_up_themselves(pool: PgPool) {
    stale_then_fresh(&cast(support::start_without_route_guard(pool).await).await).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn members_without_two_factor_must_turn_it_on_before_refunds_and_team_changes(pool: PgPool) {
    let world = world(pool.clone()).await;
    for actor in [Actor::OwnerA, Actor::FinanceA] {
        sqlx::query("DELETE FROM user_mfa WHERE user_id = $1")
            .bind(world.users[&actor])
            .execute(&pool)
            .await
            .unwrap();
    }
    let before = fingerprint(&pool).await;
    let viewer_invite = "email=new-viewer@example.com&full_name=New&role=viewer";
    let calls = [
        (
            Actor::OwnerA,
            "/api/payments/refund",
            row("/api/payments/refund").3,
        ),
        (
            Actor::FinanceA,
            "/api/payments/refund",
            row("/api/payments/refund").3,
        ),
        (Actor::OwnerA, "/api/team/invite", viewer_invite),
        (
            Actor::OwnerA,
            "/api/team/change-role",
            row("/api/team/change-role").3,
        ),
        (Actor::OwnerA, "/api/team/remove", row("/api/team/remove").3),
        (
            Actor::OwnerA,
            "/api/team/resend-invitation",
            row("/api/team/resend-invitation").3,
        ),
    ];
    for (actor, path, args) in calls {
        let mut visitor = visitor(&world, actor).await;
        let refused = refusal(post(&mut visitor, path, &arguments(&world, args)).await).await;
        assert_eq!(
            refused,
            Some(AppError::EnrolmentRequired),
            "{actor:?} {path}"
        );
    }
    assert_eq!(fingerprint(&pool).await, before);
    // With two-factor on, inviting a viewer needs no step-up: a stale session may.
    let mut admin = visitor(&world, Actor::AdminA).await;
    make_stale(&pool, world.users[&Actor::AdminA]).await;
    let invited = post(
        &mut admin,
        "/api/team/invite",
        &arguments(&world, viewer_invite),
    )
    .await;
    assert_eq!(invited.status(), 200);
}

/// Fifty refunds of 100 € are not fifty small ones: the threshold weighs what the same
/// staff member refunded in the last 24 hours plus the new refund.
#[sqlx::test(migrations = "../migrations")]
async fn the_staff_refund_threshold_counts_the_last_day_of_the_same_staff_member(pool: PgPool) {
    let shop = shop(pool.clone()).await;
    let world = cast(shop.server.clone()).await;
    let (payment, _) = shop.paid("150.00").await;
    let payment = payment.to_string();
    let refund = |amount: &'static str| {
        let payment = payment.clone();
        vec![
            ("payment_id".to_owned(), payment),
            ("request_id".to_owned(), Uuid::new_v4().to_string()),
            ("amount".to_owned(), amount.to_owned()),
            ("reason".to_owned(), "Returned".to_owned()),
        ]
    };
    let mut staff = visitor(&world, Actor::StaffAct).await;
    make_stale(&pool, world.users[&Actor::StaffAct]).await;
    let first = post(&mut staff, "/api/admin/refunds/refund", &refund("60.00")).await;
    assert_eq!(
        first.status(),
        200,
        "60 € alone is under the 100 € threshold"
    );
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM refunds")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 1);
    let second = post(&mut staff, "/api/admin/refunds/refund", &refund("60.00")).await;
    assert_eq!(refusal(second).await, Some(AppError::StepUpRequired));
    assert_eq!(count().await, 1, "the refused refund was not made");
    // A fresh step-up lets the same member refund past the threshold.
    let mut fresh = visitor(&world, Actor::StaffAct).await;
    let third = post(&mut fresh, "/api/admin/refunds/refund", &refund("60.00")).await;
    assert_eq!(
        third.status(),
        200,
        "after a fresh step-up the same refund goes"
    );
    assert_eq!(count().await, 2);
}
