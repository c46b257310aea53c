//! The gateway accounts: each mode's account must use the gate and the API configured for
//! that mode, and platform administrators set the Live account in the console's Settings
//! module (step-up, audited, secrets write-only). Against the real router, Postgres and
//! the two Payten sandboxes of `support::checkout` (Test, and one standing in for BKT).

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use app::error::AppError;
use platform::gateway_accounts::Mode;
use platform::payments::{PaymentError, gateways};
use sqlx::PgPool;
use support::accounts::{Visitor, error_of};
use support::checkout::{
    APPROVE, LIVE_API_PASSWORD, LIVE_API_USER, LIVE_CLIENT_ID, LIVE_STORE_KEY, Shop, field, shop,
};
use support::world::{Actor, World, cast, visitor};

const SAVE: &str = "/api/admin/settings/gateway/save";
const NEW_STORE_KEY: &str = "LIVE-ROTATED-STORE-KEY";

fn live_form<'a>(
    client_id: &'a str,
    store_key: &'a str,
    api_password: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("mode", "live"),
        ("client_id", client_id),
        ("api_user", LIVE_API_USER),
        ("store_key", store_key),
        ("api_password", api_password),
    ]
}

/// The Live row as the database holds it: client id, ciphertexts and when it changed.
async fn live_row(shop: &Shop) -> Option<(String, Vec<u8>, Vec<u8>)> {
    sqlx::query_as("SELECT client_id, store_key_enc, api_password_enc FROM gateway_accounts WHERE mode = 'live'")
        .fetch_optional(shop.pool())
        .await
        .unwrap()
}

async fn test_row(shop: &Shop) -> (String, Vec<u8>, Vec<u8>, String) {
    sqlx::query_as("SELECT client_id, store_key_enc, api_password_enc, updated_at::text FROM gateway_accounts WHERE mode = 'test'")
        .fetch_one(shop.pool())
        .await
        .unwrap()
}

/// `(outcome, reason, detail)` of every `gateway_account.update` audit row, oldest first.
async fn audited(shop: &Shop) -> Vec<(String, Option<String>, serde_json::Value)> {
    sqlx::query_as(
        "SELECT outcome::text, reason, detail FROM audit.events
         WHERE event_type = 'gateway_account.update'
            OR (event_type = 'access.denied' AND reason = 'step-up required' AND detail->>'path' = $1)
         ORDER BY id",
    )
    .bind(SAVE)
    .fetch_all(shop.pool())
    .await
    .unwrap()
}

/// A Live checkout paid with an approving card through the live gateway: its final status.
async fn live_payment(shop: &Shop) -> (String, String) {
    let token = shop.checkout(Mode::Live, "30.00").await;
    let gate = shop.to_gateway(&token).await;
    assert_eq!(
        gate.action,
        format!("{}/fim/est3Dgate", shop.live_gateway.base_url())
    );
    let order_id = field(&gate, "oid").to_owned();
    assert_eq!(field(&gate, "clientid"), LIVE_CLIENT_ID);
    shop.pay_at_gateway(&gate, APPROVE).await;
    let status = shop.settled(&order_id).await;
    (order_id, status)
}

fn assert_no_secret(text: &str, what: &str) {
    for secret in [LIVE_STORE_KEY, LIVE_API_PASSWORD, NEW_STORE_KEY] {
        assert!(!text.contains(secret), "{what} holds a secret: {text}");
    }
}

async fn stale_step_up(world: &World, actor: Actor) -> Visitor<'_> {
    let stale = visitor(world, actor).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&actor])
        .execute(&world.server.platform.pool)
        .await
        .unwrap();
    stale
}

#[sqlx::test(migrations = "../migrations")]
async fn an_account_whose_api_url_is_not_its_mode_s_is_refused(pool: PgPool) {
    let shop = shop(pool).await;
    let platform = &shop.server.platform;
    assert!(
        gateways::for_mode(platform, Mode::Live).await.is_ok(),
        "the configured Live account is used"
    );
    // The gate is still the configured one; only the API, where the password goes, moved.
    sqlx::query("UPDATE gateway_accounts SET api_url = 'https://collector.example/fim/api' WHERE mode = 'live'")
        .execute(shop.pool())
        .await
        .unwrap();
    let refused = gateways::for_mode(platform, Mode::Live).await;
    assert!(
        matches!(refused, Err(PaymentError::GatewayMisconfigured(Mode::Live))),
        "{refused:?}"
    );
    let token = shop.checkout(Mode::Live, "30.00").await;
    assert_ne!(
        shop.press_pay(&token, "buyer@example.com").await.status(),
        200,
        "no Live payment starts"
    );
    let payments: i64 = sqlx::query_scalar("SELECT count(*) FROM payments")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(payments, 0);

    // Nor may the Test account send its API calls to the Live API.
    let live_api = platform.config.settings.payten.live_api_url.clone();
    sqlx::query("UPDATE gateway_accounts SET api_url = $1 WHERE mode = 'test'")
        .bind(live_api)
        .execute(shop.pool())
        .await
        .unwrap();
    let refused = gateways::for_mode(platform, Mode::Test).await;
    assert!(
        matches!(refused, Err(PaymentError::GatewayMisconfigured(Mode::Test))),
        "{refused:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_admin_sets_the_live_account_with_step_up_and_live_checkouts_use_it(pool: PgPool) {
    let shop = shop(pool).await;
    sqlx::query("DELETE FROM gateway_accounts WHERE mode = 'live'")
        .execute(shop.pool())
        .await
        .unwrap();
    let world = cast(shop.server.clone()).await;
    let test_before = test_row(&shop).await;
    let form = live_form(LIVE_CLIENT_ID, LIVE_STORE_KEY, LIVE_API_PASSWORD);

    // Without a fresh second-factor check: refused, nothing saved, the refusal audited.
    let mut stale = stale_step_up(&world, Actor::Admin).await;
    assert_eq!(
        error_of(stale.post(SAVE, &form).await).await,
        AppError::StepUpRequired
    );
    assert!(live_row(&shop).await.is_none());
    let denied = audited(&shop).await;
    assert_eq!(denied.len(), 1);
    assert_eq!(
        (denied[0].0.as_str(), denied[0].1.as_deref()),
        ("denied", Some("step-up required"))
    );

    // Staff, even holding every module at `act`, may not change it.
    let mut staff = visitor(&world, Actor::StaffAct).await;
    assert_eq!(
        error_of(staff.post(SAVE, &form).await).await,
        AppError::Forbidden
    );

    // Bad input: a field error, and nothing half-saved.
    let mut admin = visitor(&world, Actor::Admin).await;
    let bad = admin
        .post(
            SAVE,
            &live_form("52000077x", LIVE_STORE_KEY, LIVE_API_PASSWORD),
        )
        .await;
    assert!(
        matches!(error_of(bad).await, AppError::Validation { field, .. } if field == "client_id")
    );
    let missing = admin
        .post(SAVE, &live_form(LIVE_CLIENT_ID, LIVE_STORE_KEY, ""))
        .await;
    assert!(
        matches!(error_of(missing).await, AppError::Validation { field, .. } if field == "api_password")
    );
    assert!(live_row(&shop).await.is_none());

    let saved = admin.post(SAVE, &form).await;
    assert_eq!(saved.status(), 200);
    assert_no_secret(&saved.text().await.unwrap(), "the answer");
    let (client_id, store_key_enc, _) = live_row(&shop).await.unwrap();
    assert_eq!(client_id, LIVE_CLIENT_ID);
    let account = gateways::for_mode(&shop.server.platform, Mode::Live)
        .await
        .unwrap();
    assert_eq!(
        account.endpoints,
        gateways::configured(&shop.server.platform.config.settings.payten, Mode::Live)
    );
    assert_eq!(
        test_row(&shop).await,
        test_before,
        "the Test account is untouched"
    );

    // A Live checkout now goes through the saved account, end to end (the callback is
    // verified with the saved store key).
    let (order_id, status) = live_payment(&shop).await;
    assert_eq!(status, "paid", "{order_id}");

    // Staff with settings `view` see the account without its secrets; so does the page.
    let mut viewer = visitor(&world, Actor::StaffView).await;
    let shown = viewer
        .post("/api/admin/settings/gateway", &[])
        .await
        .text()
        .await
        .unwrap();
    assert_no_secret(&shown, "the settings");
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["can_edit"], false);
    let live = &shown["accounts"][1];
    assert_eq!(
        (live["mode"].as_str(), live["account"]["client_id"].as_str()),
        (Some("live"), Some(LIVE_CLIENT_ID))
    );
    let set = live["account"]["store_key_set"].as_str().unwrap();
    assert!(
        set.starts_with("set on ") && set.ends_with(" by Test Person"),
        "{set}"
    );
    let page = admin.get("/admin/settings").await.text().await.unwrap();
    assert!(
        page.contains("Live Mode gateway account") && page.contains("Save the Live Mode account"),
        "{page}"
    );
    assert_no_secret(&page, "the page");

    // Rotating a secret of the same store: a blank field keeps the other one.
    let rotated = admin
        .post(SAVE, &live_form(LIVE_CLIENT_ID, NEW_STORE_KEY, ""))
        .await;
    assert_eq!(rotated.status(), 200);
    let (_, rotated_enc, _) = live_row(&shop).await.unwrap();
    assert_ne!(rotated_enc, store_key_enc);
    let account = gateways::for_mode(&shop.server.platform, Mode::Live)
        .await
        .unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(account.credentials.store_key.expose_secret(), NEW_STORE_KEY);
    assert_eq!(
        account.credentials.api_password.expose_secret(),
        LIVE_API_PASSWORD,
        "kept"
    );

    // A Live payment was made with this client id: it cannot change, so that payment
    // keeps its account for refunds and reconciliation.
    let moved = admin
        .post(
            SAVE,
            &live_form("520000999", LIVE_STORE_KEY, LIVE_API_PASSWORD),
        )
        .await;
    assert!(
        matches!(error_of(moved).await, AppError::Validation { field, .. } if field == "client_id")
    );
    assert_eq!(live_row(&shop).await.unwrap().0, LIVE_CLIENT_ID);

    // The audit trail: the refusal and the two saves, with mode and client id, no secret.
    let rows = audited(&shop).await;
    let outcomes: Vec<&str> = rows
        .iter()
        .map(|(outcome, _, _)| outcome.as_str())
        .collect();
    assert_eq!(outcomes, ["denied", "success", "success"]);
    assert_eq!(rows[1].2["mode"], "live");
    assert_eq!(rows[1].2["client_id"], LIVE_CLIENT_ID);
    assert_eq!(rows[2].2["replaced"], serde_json::json!(["store_key"]));
    let trail: String = sqlx::query_scalar("SELECT string_agg(e::text, ' ') FROM audit.events e")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_no_secret(&trail, "the audit trail");
}
