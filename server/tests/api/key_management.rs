//! Making, rolling and revoking keys: who may, what is stored, what is mailed, and what
//! each key can still do afterwards.

use std::collections::BTreeMap;

use platform::api::keys::{self, Access, KeyError, NewKey, Permissions, Resource};
use platform::audit::RequestFacts;
use platform::gateway_accounts::Mode;
use platform::identity::roles::MerchantScope;
use platform::identity::users::load_active;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use time::Duration;

use super::support::accounts::mails_to;
use super::support::checkout::{merchant, verified_user};
use super::{api_shop, one_line};

#[sqlx::test(migrations = "../migrations")]
async fn a_key_is_shown_once_stored_as_a_digest_and_mailed_to_the_owners(pool: PgPool) {
    let shop = api_shop(pool).await;
    let stored: Vec<(String, Vec<u8>)> = sqlx::query_as("SELECT prefix, digest FROM api_keys")
        .fetch_all(shop.pool())
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    let every_row = shop.shop.dump_every_table().await;
    for secret in [&shop.test_key, &shop.live_key] {
        assert!(
            !every_row.contains(secret.as_str()),
            "a secret key is stored"
        );
        assert!(stored.iter().any(|(prefix, _)| secret.starts_with(prefix)));
    }
    let owner: String = sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN merchant_members m ON m.user_id = u.id",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    let mails = mails_to(&shop.shop.server, &owner).await;
    assert_eq!(mails.len(), 2, "one mail per key made");
    assert!(mails.iter().all(|m| m.contains("was just created")));
    assert_eq!(shop.audited("api_key.create").await.len(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn only_owners_admins_and_developers_manage_keys_and_live_keys_need_live_mode(pool: PgPool) {
    let shop = api_shop(pool).await;
    let platform = &shop.shop.server.platform;
    let facts = RequestFacts::default();
    let checkouts_only = Permissions::Restricted(BTreeMap::from([(
        Resource::CheckoutSessions,
        Access::Write,
    )]));
    let mut developer = None;
    // The developer comes last: the scope kept for the checks after the loop.
    for (role, allowed) in [("viewer", false), ("finance", false), ("developer", true)] {
        let email = format!("{role}@shop.test");
        let user_id = verified_user(shop.pool(), &email, "Team", "merchant").await;
        sqlx::query(
            "INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, $3::merchant_role)",
        )
        .bind(shop.shop.merchant_id)
        .bind(user_id)
        .bind(role)
        .execute(shop.pool())
        .await
        .unwrap();
        let user = load_active(shop.pool(), user_id).await.unwrap().unwrap();
        let scope = MerchantScope::of(&user).unwrap();
        let new = NewKey {
            name: "CI".into(),
            mode: Mode::Test,
            permissions: checkouts_only.clone(),
        };
        let made = keys::create(platform, &scope, new, &facts).await;
        assert_eq!(made.is_ok(), allowed, "{role}");
        if !allowed {
            assert!(matches!(made, Err(KeyError::NotAllowed)));
        }
        developer = Some(scope);
    }
    // A developer may not refund in the dashboard, so cannot make or roll a key that can.
    let developer = developer.unwrap();
    let full = NewKey {
        name: "Everything".into(),
        mode: Mode::Test,
        permissions: Permissions::Full,
    };
    assert!(matches!(
        keys::create(platform, &developer, full, &facts).await,
        Err(KeyError::BeyondRole)
    ));
    let owners_key = keys::list(shop.pool(), &shop.shop.scope)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.mode == Mode::Test && k.permissions == Permissions::Full)
        .unwrap();
    assert!(matches!(
        keys::roll(platform, &developer, owners_key.id, Duration::ZERO, &facts).await,
        Err(KeyError::BeyondRole)
    ));
    assert_eq!(
        shop.test().get("/v1/payments").await.status,
        200,
        "the owner's key still works"
    );
    // An unverified merchant has no Live Mode, so no Live key.
    let (_, unverified) = merchant(shop.pool(), "New Shop", false).await;
    let new = NewKey {
        name: "Live".into(),
        mode: Mode::Live,
        permissions: Permissions::Full,
    };
    assert!(matches!(
        keys::create(platform, &unverified, new, &facts).await,
        Err(KeyError::LiveNotAllowed)
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rolled_key_works_through_its_overlap_and_a_revoked_one_never_again(pool: PgPool) {
    let shop = api_shop(pool).await;
    let platform = &shop.shop.server.platform;
    let facts = RequestFacts::default();
    let list = keys::list(shop.pool(), &shop.shop.scope).await.unwrap();
    let test_key = list.iter().find(|k| k.mode == Mode::Test).unwrap();

    let rolled = keys::roll(
        platform,
        &shop.shop.scope,
        test_key.id,
        Duration::hours(1),
        &facts,
    )
    .await
    .unwrap();
    let new_secret = rolled.secret.expose_secret().to_owned();
    assert_eq!(
        shop.test()
            .post("/v1/checkout_sessions", one_line(500))
            .await
            .status,
        200
    );
    assert_eq!(
        shop.api(&new_secret)
            .post("/v1/checkout_sessions", one_line(500))
            .await
            .status,
        200
    );
    // A key is rolled once; its successor is what rolls next.
    assert!(matches!(
        keys::roll(
            platform,
            &shop.shop.scope,
            test_key.id,
            Duration::ZERO,
            &facts
        )
        .await,
        Err(KeyError::NotFound)
    ));
    assert!(matches!(
        keys::roll(
            platform,
            &shop.shop.scope,
            rolled.key.id,
            Duration::days(8),
            &facts
        )
        .await,
        Err(KeyError::Invalid { .. })
    ));

    // Past the overlap the old key is refused, audited with the key as actor.
    sqlx::query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(test_key.id)
        .execute(shop.pool())
        .await
        .unwrap();
    let refused = shop.test().get("/v1/payments").await;
    super::assert_error_shape(&refused, 401, "api_key_expired");
    assert_eq!(
        shop.audited("api.key_expired").await,
        vec![("api_key".to_owned(), "denied".to_owned())]
    );

    keys::revoke(platform, &shop.shop.scope, rolled.key.id, &facts)
        .await
        .unwrap();
    let refused = shop.api(&new_secret).get("/v1/payments").await;
    assert_eq!(refused.code(), "api_key_expired");
    // The other merchant cannot revoke this merchant's key.
    let (_, other) = merchant(shop.pool(), "Other Shop", true).await;
    let live = list.iter().find(|k| k.mode == Mode::Live).unwrap();
    assert!(matches!(
        keys::revoke(platform, &other, live.id, &facts).await,
        Err(KeyError::NotFound)
    ));
    assert_eq!(shop.live().get("/v1/payments").await.status, 200);
    assert_eq!(shop.audited("api_key.roll").await.len(), 1);
    assert_eq!(shop.audited("api_key.revoke").await.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_keys_page_shows_last_use_and_a_suspended_merchant_loses_live_keys(pool: PgPool) {
    let shop = api_shop(pool).await;
    assert_eq!(shop.live().get("/v1/payments").await.status, 200);
    let list = keys::list(shop.pool(), &shop.shop.scope).await.unwrap();
    let live = list.iter().find(|k| k.mode == Mode::Live).unwrap();
    assert!(live.last_used_at.is_some());
    assert_eq!(live.last_used_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(live.created_by, "Shop Owner");
    let test = list.iter().find(|k| k.mode == Mode::Test).unwrap();
    assert!(test.last_used_at.is_none());

    sqlx::query("UPDATE merchants SET suspended_at = now() WHERE id = $1")
        .bind(shop.shop.merchant_id)
        .execute(shop.pool())
        .await
        .unwrap();
    let refused = shop.live().get("/v1/payments").await;
    super::assert_error_shape(&refused, 403, "live_mode_not_allowed");
    assert_eq!(shop.test().get("/v1/payments").await.status, 200);
}
