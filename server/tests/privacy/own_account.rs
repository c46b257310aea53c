//! A merchant team member's own data from the dashboard: a copy by a mailed single-use
//! link, and closing the account. An owner with a team hands the business over first; the
//! last member takes the merchant with them, and it takes no more money.

use domain::Mode;
use platform::api::keys::{self, NewKey, Permissions};
use platform::audit::RequestFacts;
use platform::identity::users::load_active;
use platform::payments::PaymentError;
use platform::payments::sessions::{self, NewItem, NewSession};
use platform::privacy::requests::{RequestError, own_account};
use secrecy::SecretString;
use sqlx::PgPool;
use uuid::Uuid;

use super::export::{file_in, files_of};
use crate::support::accounts::{PASSWORD, Visitor, error_of, location, mails_to, token_from_mail};
use crate::support::checkout::shop;
use crate::support::world::{Actor, visitor, world};

#[sqlx::test(migrations = "../migrations")]
async fn a_member_gets_a_copy_of_their_own_data_by_a_link_that_works_once(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut finance = visitor(&world, Actor::FinanceA).await;
    let asked = finance.post("/api/account/export-data", &[]).await;
    assert_eq!(asked.status(), 200);

    let token = token_from_mail(&world.server, "financea@example.com", "/privacy/export").await;
    let download = || async {
        Visitor::new(&world.server)
            .post("/api/public/privacy/export", &[("token", &token)])
            .await
    };
    let answer = download().await;
    assert_eq!(answer.headers()["content-type"], "application/zip");
    let files = files_of(&answer.bytes().await.unwrap());
    let account = file_in(&files, "account.json");
    assert!(
        account.contains("financea@example.com")
            && account.contains("Dardania Crafts")
            && account.contains("\"finance\""),
        "{account}"
    );
    assert!(
        !files
            .iter()
            .any(|(_, text)| text.contains("ownera@example.com")),
        "nothing about another member of the team"
    );
    assert_eq!(location(&download().await), "/privacy/export?failed=used");

    let (kind, status, actor): (String, String, String) = sqlx::query_as(
        "SELECT r.kind::text, r.status::text, e.actor_kind::text
         FROM privacy_requests r JOIN audit.events e ON e.target_id = r.id::text
         WHERE r.email = 'financea@example.com' AND e.event_type = 'data_subject.export'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), status.as_str(), actor.as_str()),
        ("access", "fulfilled", "user"),
        "recorded as an answered access request, made by the member"
    );
}

async fn transfer(visitor: &mut Visitor<'_>, to: Uuid) -> reqwest::Response {
    let to = to.to_string();
    visitor
        .post("/api/team/transfer-ownership", &[("user_id", &to)])
        .await
}

async fn role_of(pool: &PgPool, user: Uuid) -> Option<String> {
    sqlx::query_scalar("SELECT role::text FROM merchant_members WHERE user_id = $1")
        .bind(user)
        .fetch_optional(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_owner_hands_the_business_over_and_then_leaves_for_good(pool: PgPool) {
    let world = world(pool.clone()).await;
    let (owner_id, admin_id) = (world.users[&Actor::OwnerA], world.users[&Actor::AdminA]);
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let close = [("password", PASSWORD), ("understood", "yes")];

    let refused = error_of(owner.post("/api/account/close", &close).await).await;
    assert!(
        refused.to_string().contains("make one of them the owner"),
        "{refused}"
    );
    assert_eq!(role_of(&pool, owner_id).await.as_deref(), Some("owner"));

    // Ownership goes only to a member of this team who accepted and has two-factor on.
    let to = |who: Actor| world.users[&who];
    let unverified = error_of(transfer(&mut owner, to(Actor::Unverified)).await).await;
    assert!(unverified.to_string().contains("accept"), "{unverified}");
    sqlx::query("DELETE FROM user_mfa WHERE user_id = $1")
        .bind(world.users[&Actor::ViewerA])
        .execute(&pool)
        .await
        .unwrap();
    let no_mfa = error_of(transfer(&mut owner, to(Actor::ViewerA)).await).await;
    assert!(no_mfa.to_string().contains("two-factor"), "{no_mfa}");
    let other_merchant = transfer(&mut owner, to(Actor::OwnerB)).await;
    assert_eq!(other_merchant.status(), 404);
    let mut admin = visitor(&world, Actor::AdminA).await;
    let not_owner = transfer(&mut admin, owner_id).await;
    assert_eq!(not_owner.status(), 403, "an admin cannot take the business");
    assert_eq!(role_of(&pool, owner_id).await.as_deref(), Some("owner"));

    let handed = transfer(&mut owner, admin_id).await;
    assert_eq!(handed.status(), 200);
    assert_eq!(role_of(&pool, admin_id).await.as_deref(), Some("owner"));
    assert_eq!(role_of(&pool, owner_id).await.as_deref(), Some("admin"));
    assert!(
        mails_to(&world.server, "admina@example.com")
            .await
            .iter()
            .any(|mail| mail.contains("You are now the owner"))
    );

    let wrong = error_of(
        owner
            .post(
                "/api/account/close",
                &[("password", "not-it"), ("understood", "yes")],
            )
            .await,
    )
    .await;
    assert!(wrong.for_field("password").is_some(), "{wrong}");
    let unticked = error_of(
        owner
            .post("/api/account/close", &[("password", PASSWORD)])
            .await,
    )
    .await;
    assert!(unticked.for_field("understood").is_some(), "{unticked}");
    assert_eq!(role_of(&pool, owner_id).await.as_deref(), Some("admin"));

    let closed = owner.post("/api/account/close", &close).await;
    assert_eq!(location(&closed), "/sign-in?closed=1");
    assert!(!owner.is_signed_in().await, "this session ended");
    let (email, disabled): (String, bool) =
        sqlx::query_as("SELECT email, disabled_at IS NOT NULL FROM users WHERE id = $1")
            .bind(owner_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(email.ends_with("@erased.invalid") && disabled, "{email}");
    assert_eq!(role_of(&pool, owner_id).await, None, "they left the team");
    let mut again = Visitor::new(&world.server);
    again.sign_in("ownera@example.com", PASSWORD).await;
    assert!(
        !again.is_signed_in().await,
        "the old password opens nothing"
    );
    let mails = mails_to(&world.server, "ownera@example.com").await;
    assert_eq!(
        mails.len(),
        1,
        "earlier mail is erased; the last one says so"
    );
    assert!(
        mails[0].contains("your Saleonix account is closed"),
        "{}",
        mails[0]
    );
    let merchant_open: bool =
        sqlx::query_scalar("SELECT closed_at IS NULL FROM merchants WHERE id = $1")
            .bind(world.merchant_a)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(merchant_open, "the business goes on with its new owner");
    let outcomes: Vec<String> = sqlx::query_scalar(
        "SELECT outcome::text FROM audit.events WHERE event_type = 'account.close' AND actor_id = $1
         ORDER BY id",
    )
    .bind(owner_id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(outcomes, ["failure", "success"], "the wrong password too");
    let report = platform::audit::verify_chain(&pool).await.unwrap();
    assert_eq!(
        report.first_broken, None,
        "the chain verifies after the erasure"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_member_without_two_factor_closes_with_the_password_alone(pool: PgPool) {
    let world = world(pool.clone()).await;
    let viewer_id = world.users[&Actor::ViewerA];
    sqlx::query("DELETE FROM user_mfa WHERE user_id = $1")
        .bind(viewer_id)
        .execute(&pool)
        .await
        .unwrap();
    let mut viewer = visitor(&world, Actor::ViewerA).await;
    let closed = viewer
        .post(
            "/api/account/close",
            &[("password", PASSWORD), ("understood", "yes")],
        )
        .await;
    assert_eq!(location(&closed), "/sign-in?closed=1");
    assert_eq!(role_of(&pool, viewer_id).await, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_last_member_takes_the_merchant_with_them_and_it_takes_no_more_money(pool: PgPool) {
    let shop = shop(pool.clone()).await;
    let facts = RequestFacts::default();
    // The closing runs as the role production connects as, so a missing grant fails here.
    let platform = &platform::Platform {
        pool: crate::support::as_app_role(&pool).await,
        ..shop.server.platform.clone()
    };
    let owner_id = shop.scope.user_id().unwrap();
    let hash = platform::password::hash(&SecretString::from(PASSWORD)).unwrap();
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(owner_id)
        .bind(hash)
        .execute(&pool)
        .await
        .unwrap();
    let owner = load_active(&pool, owner_id).await.unwrap().unwrap();
    let new_key = NewKey {
        name: "Shop".into(),
        mode: Mode::Test,
        permissions: Permissions::Full,
    };
    let key = keys::create(&shop.server.platform, &shop.scope, new_key, &facts)
        .await
        .unwrap();
    let open_checkout = shop.checkout(Mode::Test, "10.00").await;

    // A refund still waiting for the bank keeps the merchant open.
    let (_, order_id) = shop.paid("25.00").await;
    sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, mode, request_id, amount_minor, currency, method, requested_via)
         SELECT gen_random_uuid(), id, merchant_id, mode, gen_random_uuid(), 100, currency, 'credit', 'console'
         FROM payments WHERE order_id = $1",
    )
    .bind(&order_id)
    .execute(&pool)
    .await
    .unwrap();
    let password = || SecretString::from(PASSWORD);
    let refused = own_account::close(platform, &owner, password(), &facts).await;
    match refused {
        Err(RequestError::NotAllowed(reason)) => assert!(reason.contains("refund"), "{reason}"),
        other => panic!("not refused: {other:?}"),
    }
    let still: bool = sqlx::query_scalar("SELECT closed_at IS NULL FROM merchants WHERE id = $1")
        .bind(shop.merchant_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(still, "nothing changed");
    sqlx::query("DELETE FROM refunds")
        .execute(&pool)
        .await
        .unwrap();

    let closed = own_account::close(platform, &owner, password(), &facts)
        .await
        .unwrap();
    assert!(closed.merchant_closed);
    assert_eq!(closed.erased.payments_kept, 0, "a merchant is not a buyer");
    let (merchant_closed, keys_live): (bool, i64) = sqlx::query_as(
        "SELECT m.closed_at IS NOT NULL,
                (SELECT count(*) FROM api_keys k WHERE k.merchant_id = m.id AND k.revoked_at IS NULL)
         FROM merchants m WHERE m.id = $1",
    )
    .bind(shop.merchant_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(merchant_closed);
    assert_eq!(keys_live, 0);
    let (console, team) =
        platform::merchants::get(&pool, domain::MerchantId::from_uuid(shop.merchant_id))
            .await
            .unwrap()
            .unwrap();
    assert!(console.closed, "staff see it closed");
    assert!(team.is_empty(), "no one left to sign in");
    let api = shop
        .http
        .get(shop.server.url("/v1/payments"))
        .bearer_auth(secrecy::ExposeSecret::expose_secret(&key.secret))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401, "its API key no longer works");

    let buyer = shop.press_pay(&open_checkout, "drita@example.com").await;
    assert_eq!(buyer.status(), 403);
    assert!(buyer.text().await.unwrap().contains("closed"));
    let new = NewSession {
        items: vec![NewItem::Custom {
            name: "Mug".into(),
            unit_amount: platform::payments::parse_euro("price", "5.00").unwrap(),
            quantity: 1,
        }],
        success_url: "https://shop.example/thanks".into(),
        cancel_url: "https://shop.example/cart".into(),
        ..NewSession::default()
    };
    let made = sessions::create(&pool, &shop.scope, Mode::Test, &new, &facts).await;
    assert!(
        matches!(made, Err(PaymentError::MerchantClosed)),
        "{made:?}"
    );
}
