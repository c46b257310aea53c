//! The third layer (issue 17 item 7): a staff-only platform function checks the
//! `StaffScope` it is given, so a scope for another module, or the right module at `view`,
//! is refused by the platform itself, without HTTP, and changes nothing.

use platform::audit::RequestFacts;
use platform::identity::roles::StaffScope;
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
            merchant,
            Flag::Suspended,
            true,
            &facts,
        )
        .await;
        assert!(
            matches!(flagged, Err(MerchantError::Forbidden(_))),
            "{scope:?}: {flagged:?}"
        );
        let approved = platform::kyc::review::approve(platform, &scope, merchant, &facts).await;
        assert!(
            matches!(approved, Err(KycError::Forbidden(_))),
            "{scope:?}: {approved:?}"
        );
        let rejected =
            platform::kyc::review::reject(platform, &scope, merchant, "Wrong", &facts).await;
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
    platform::merchants::set_flag(platform, &act, merchant, Flag::Suspended, true, &facts)
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
