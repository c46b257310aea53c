//! `/v1/balance` and `/v1/payouts`: read only, each behind its own permission, read through
//! the dashboard's own functions; another merchant's payouts and the other mode's are not
//! found, and Test Mode, whose money is never paid out, lists none.

use std::collections::BTreeMap;

use domain::public_id::{Kind, encode};
use platform::api::keys::{self, Access, KeyError, NewKey, Permissions, Resource};
use platform::audit::RequestFacts;
use platform::gateway_accounts::Mode;
use sqlx::PgPool;
use uuid::Uuid;

use super::{Api, ApiShop, api_shop, assert_error_shape, key};
use crate::support::books::{KOSOVO, approve_kyc, bank_account, credit, daily, run_now};
use crate::support::checkout::merchant;

/// The shop made payable and paid out `amount_minor` of Live money by the run: the
/// payout's API id.
async fn paid_out(shop: &ApiShop, amount_minor: i64) -> String {
    let platform = &shop.shop.server.platform;
    let merchant_id = shop.shop.merchant_id;
    approve_kyc(shop.pool(), merchant_id).await;
    bank_account(platform, merchant_id, "Dardania Crafts", KOSOVO, -1).await;
    daily(shop.pool(), merchant_id, 1_000).await;
    credit(shop.pool(), merchant_id, Mode::Live, amount_minor).await;
    run_now(platform, None).await;
    let id: Uuid = sqlx::query_scalar("SELECT id FROM payouts WHERE merchant_id = $1")
        .bind(merchant_id)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    encode(Kind::Payout, id)
}

/// A client with a new key of the shop's in `mode` that reads `resource` and nothing else.
async fn reading_only(shop: &ApiShop, mode: Mode, resource: Resource) -> Api {
    let permissions = Permissions::Restricted(BTreeMap::from([(resource, Access::Read)]));
    shop.api(&key(&shop.shop, &shop.shop.scope, mode, permissions).await)
}

#[sqlx::test(migrations = "../migrations")]
async fn the_balance_is_the_keys_mode_and_needs_its_permission(pool: PgPool) {
    let shop = api_shop(pool).await;
    let merchant_id = shop.shop.merchant_id;
    credit(shop.pool(), merchant_id, Mode::Test, 2_500).await;
    credit(shop.pool(), merchant_id, Mode::Live, 12_345).await;
    credit(shop.pool(), merchant_id, Mode::Live, -345).await;

    let test = shop.test().get("/v1/balance").await;
    assert_eq!(test.status, 200, "{}", test.body);
    assert_eq!(test.body["object"], "balance");
    assert_eq!(test.body["livemode"], false);
    assert_eq!(
        test.body["available"],
        serde_json::json!([{"amount": 2_500, "currency": "EUR"}])
    );
    for part in ["pending", "reserved", "in_payout"] {
        assert_eq!(test.body[part][0]["amount"], 0, "{part}");
    }
    let live = shop.live().get("/v1/balance").await;
    assert_eq!(live.body["livemode"], true);
    assert_eq!(live.body["available"][0]["amount"], 12_000);

    // A restricted key reads it with `balance`, and only with it.
    let reader = reading_only(&shop, Mode::Test, Resource::Balance).await;
    assert_eq!(reader.get("/v1/balance").await.body, test.body);
    assert_error_shape(&reader.get("/v1/payouts").await, 403, "permission_denied");
    let payments = reading_only(&shop, Mode::Test, Resource::Payments).await;
    assert_error_shape(&payments.get("/v1/balance").await, 403, "permission_denied");
    assert_eq!(shop.audited("api.permission_denied").await.len(), 2);

    // Another merchant, without books yet, reads its own zero, never this one's money.
    let (_, other) = merchant(shop.pool(), "Other Shop", true).await;
    let stranger = shop.api(&key(&shop.shop, &other, Mode::Live, Permissions::Full).await);
    let theirs = stranger.get("/v1/balance").await;
    assert_eq!(
        theirs.body["available"],
        serde_json::json!([{"amount": 0, "currency": "EUR"}])
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn payouts_are_listed_and_read_by_the_merchants_live_keys_only(pool: PgPool) {
    let shop = api_shop(pool).await;
    let id = paid_out(&shop, 12_345).await;
    assert!(id.starts_with("po_"));
    let path = format!("/v1/payouts/{id}");

    let one = shop.live().get(&path).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["object"], "payout");
    assert_eq!(one.body["livemode"], true);
    assert_eq!(one.body["status"], "created");
    assert_eq!(one.body["amount"], 12_345);
    assert_eq!(one.body["currency"], "EUR");
    let destination = one.body["destination"].as_str().unwrap();
    assert!(
        destination.ends_with("8906") && !destination.contains(KOSOVO),
        "{destination}"
    );
    assert!(one.body["reference"].as_str().unwrap().starts_with("SXP"));
    let list = shop.live().get("/v1/payouts").await;
    assert_eq!(list.body["object"], "list");
    assert_eq!(list.body["url"], "/v1/payouts");
    assert_eq!(list.body["data"], serde_json::json!([one.body]));
    let created = shop.live().get("/v1/payouts?status=created").await;
    assert_eq!(created.body["data"].as_array().unwrap().len(), 1);
    let paid = shop.live().get("/v1/payouts?status=paid").await;
    assert_eq!(paid.body["data"], serde_json::json!([]));
    let bogus = shop.live().get("/v1/payouts?status=lost").await;
    assert_error_shape(&bogus, 400, "parameter_invalid");
    assert_eq!(bogus.body["error"]["param"], "status");
    let live_balance = shop.live().get("/v1/balance").await;
    assert_eq!(live_balance.body["available"][0]["amount"], 0);
    assert_eq!(live_balance.body["in_payout"][0]["amount"], 12_345);

    // Test Mode has no payouts: its list is empty and the Live payout is not found there
    // (the reach across modes is audited).
    let test_list = shop.test().get("/v1/payouts").await;
    assert_eq!(test_list.status, 200);
    assert_eq!(test_list.body["data"], serde_json::json!([]));
    assert_error_shape(&shop.test().get(&path).await, 404, "resource_missing");
    assert_eq!(shop.audited("api.wrong_mode").await.len(), 1);

    // A key restricted to payouts reads them; one restricted to something else does not.
    let reader = reading_only(&shop, Mode::Live, Resource::Payouts).await;
    assert_eq!(reader.get(&path).await.body, one.body);
    let balance_only = reading_only(&shop, Mode::Live, Resource::Balance).await;
    assert_error_shape(&balance_only.get(&path).await, 403, "permission_denied");
    assert_error_shape(
        &balance_only.get("/v1/payouts").await,
        403,
        "permission_denied",
    );

    // Another merchant's key finds nothing of it.
    let (_, other) = merchant(shop.pool(), "Other Shop", true).await;
    let stranger = shop.api(&key(&shop.shop, &other, Mode::Live, Permissions::Full).await);
    assert_error_shape(&stranger.get(&path).await, 404, "resource_missing");
    assert_eq!(
        stranger.get("/v1/payouts").await.body["data"],
        serde_json::json!([])
    );
    let cursor = stranger
        .get(&format!("/v1/payouts?starting_after={id}"))
        .await;
    assert_error_shape(&cursor, 400, "parameter_invalid");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_key_cannot_be_given_write_on_the_balance_or_payouts(pool: PgPool) {
    let shop = api_shop(pool).await;
    let before = shop.count("api_keys").await;
    for resource in [Resource::Balance, Resource::Payouts] {
        let new = NewKey {
            name: "Books writer".into(),
            mode: Mode::Test,
            permissions: Permissions::Restricted(BTreeMap::from([(resource, Access::Write)])),
        };
        let refused = keys::create(
            &shop.shop.server.platform,
            &shop.shop.scope,
            new,
            &RequestFacts::default(),
        )
        .await;
        assert!(
            matches!(
                refused,
                Err(KeyError::Invalid {
                    field: "access",
                    ..
                })
            ),
            "{resource:?}"
        );
    }
    assert_eq!(shop.count("api_keys").await, before);
    assert_eq!(
        shop.audited("api_key.create").await.len(),
        2,
        "only the shop's own two keys"
    );
}
