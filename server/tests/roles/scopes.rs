//! The third layer (issue 17 item 7): a staff-only platform function checks the
//! `StaffScope` it is given, so a scope for another module, or the right module at `view`,
//! is refused by the platform itself, without HTTP, and changes nothing.

use platform::audit::RequestFacts;
use platform::identity::roles::{AdminScope, StaffScope};
use platform::identity::users::load_active;
use platform::kyc::KycError;
use platform::merchants::{Flag, MerchantError};

use super::matrix::fingerprint;
use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_staff_scope_for_another_module_is_refused_by_the_platform_function(pool: PgPool) {
    let world = world(pool.clone()).await;
    let platform = &world.server.platform;
    let load = |actor: Actor| {
        let pool = pool.clone();
        let id = world.users[&actor];
        async move { load_active(&pool, id).await.unwrap().unwrap() }
    };
    let staff = load(Actor::StaffAct).await;
    let facts = RequestFacts::default();
    let payments = StaffScope::of(&staff, Module::Payments, Level::Act).unwrap();
    let merchants_view = StaffScope::of(&staff, Module::Merchants, Level::View).unwrap();
    let merchant = world.merchant_a;

    let before = fingerprint(&pool).await;
    for scope in [payments, merchants_view] {
        let flagged = platform::merchants::set_flag(
            platform,
            &scope,
            domain::MerchantId::from_uuid(merchant),
            Flag::Suspended,
            true,
            &facts,
        )
        .await;
        assert!(
            matches!(flagged, Err(MerchantError::Forbidden(_))),
            "{scope:?}: {flagged:?}"
        );
        let approved = platform::kyc::review::approve(
            platform,
            &scope,
            domain::MerchantId::from_uuid(merchant),
            &facts,
        )
        .await;
        assert!(
            matches!(approved, Err(KycError::Forbidden(_))),
            "{scope:?}: {approved:?}"
        );
        let rejected = platform::kyc::review::reject(
            platform,
            &scope,
            domain::MerchantId::from_uuid(merchant),
            "Wrong",
            &facts,
        )
        .await;
        assert!(
            matches!(rejected, Err(KycError::Forbidden(_))),
            "{scope:?}: {rejected:?}"
        );
    }
    assert_eq!(
        fingerprint(&pool).await,
        before,
        "a refused scope changed something"
    );

    // The scope the function needs: the merchant is suspended.
    let act = StaffScope::of(&staff, Module::Merchants, Level::Act).unwrap();
    platform::merchants::set_flag(
        platform,
        &act,
        domain::MerchantId::from_uuid(merchant),
        Flag::Suspended,
        true,
        &facts,
    )
    .await
    .unwrap();
    let suspended: bool =
        sqlx::query_scalar("SELECT suspended_at IS NOT NULL FROM merchants WHERE id = $1")
            .bind(merchant)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(suspended);

    // No scope for a merchant's member, nor `act` for staff holding `view`.
    let owner = load(Actor::OwnerA).await;
    assert!(StaffScope::of(&owner, Module::Merchants, Level::View).is_none());
    let viewer = load(Actor::StaffView).await;
    assert!(StaffScope::of(&viewer, Module::Merchants, Level::Act).is_none());
    assert!(StaffScope::of(&viewer, Module::Merchants, Level::View).is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sanctions_decision_needs_the_merchants_module_at_act(pool: PgPool) {
    let world = world(pool.clone()).await;
    let platform = &world.server.platform;
    let viewer = load_active(&pool, world.users[&Actor::StaffView])
        .await
        .unwrap()
        .unwrap();
    let view = StaffScope::of(&viewer, Module::Merchants, Level::View).unwrap();
    let before = fingerprint(&pool).await;
    let decided = platform::kyc::sanctions::decide(
        platform,
        &view,
        domain::MerchantId::from_uuid(world.merchant_a),
        uuid::Uuid::new_v4(),
        platform::kyc::sanctions::Decision::FalsePositive,
        "Not the same company.",
        &RequestFacts::default(),
    )
    .await;
    assert!(
        matches!(decided, Err(KycError::Forbidden(_))),
        "{decided:?}"
    );
    assert_eq!(fingerprint(&pool).await, before);
}

/// The administrator-only platform functions (staff accounts, gateway accounts, another
/// user's two-factor reset, the default fee schedule) take an `AdminScope`, which only a
/// platform administrator has: staff holding every module get none.
#[sqlx::test(migrations = "../migrations")]
async fn only_a_platform_administrator_has_an_admin_scope(pool: PgPool) {
    let world = world(pool.clone()).await;
    for module in Module::ALL {
        sqlx::query(
            "INSERT INTO staff_permissions (user_id, module, level) VALUES ($1, $2, 'act')
             ON CONFLICT (user_id, module) DO UPDATE SET level = 'act'",
        )
        .bind(world.users[&Actor::StaffAct])
        .bind(module)
        .execute(&pool)
        .await
        .unwrap();
    }
    for actor in [Actor::StaffAct, Actor::OwnerA, Actor::AdminA] {
        let user = load_active(&pool, world.users[&actor])
            .await
            .unwrap()
            .unwrap();
        assert!(AdminScope::of(&user).is_none(), "{actor:?}");
    }
    let admin = load_active(&pool, world.users[&Actor::Admin])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        AdminScope::of(&admin).map(|a| a.user_id()),
        Some(world.users[&Actor::Admin])
    );
}
