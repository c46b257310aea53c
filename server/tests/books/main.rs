//! The books as merchants and staff use them, against the real server, Postgres and the
//! Payten sandbox, in one test binary: the Balance page and its CSV (`balance`), fee
//! schedules and settlement terms (`terms`), adjustments and the console's ledger
//! (`adjustments`), and who may do what (`access`).

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod access;
mod adjustments;
mod balance;
mod terms;

use std::collections::HashMap;

use platform::identity::roles::MerchantScope;
use platform::identity::sessions::{AUTH_KEY, PgSessionStore, SessionAuth};
use secrecy::ExposeSecret;
use sqlx::PgPool;
use support::accounts::Visitor;
use support::checkout::{Shop, shop};
use support::world::{Actor, World, cast};
use tower_sessions::SessionStore;
use tower_sessions::cookie::{Cookie, CookieJar, Key};
use tower_sessions::session::{Id, Record};

/// A shop whose merchant is the cast's merchant A (verified, so Live Mode is open): its
/// payments are OwnerA's to see.
pub async fn shop_of_a(pool: PgPool) -> (Shop, World) {
    let mut shop = shop(pool.clone()).await;
    let world = cast(shop.server.clone()).await;
    sqlx::query("UPDATE merchants SET verified_at = now() WHERE id = $1")
        .bind(world.merchant_a)
        .execute(&pool)
        .await
        .unwrap();
    let owner = platform::identity::users::load_active(&pool, world.users[&Actor::OwnerA])
        .await
        .unwrap()
        .unwrap();
    shop.scope = MerchantScope::of(&owner).unwrap();
    shop.merchant_id = world.merchant_a;
    (shop, world)
}

/// A visitor for `actor` whose second factor was passed an hour ago: signed in, but
/// without a fresh check for a sensitive action.
pub async fn stale_visitor<'a>(world: &'a World, actor: Actor) -> Visitor<'a> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let auth = SessionAuth {
        user_id: world.users[&actor],
        signed_in_at: now - 3_600,
        last_seen_at: now,
        ip: "127.0.0.1".into(),
        user_agent: "books".into(),
        awaiting_second_factor: false,
        second_factor_at: Some(now - 3_600),
    };
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([(AUTH_KEY.to_owned(), serde_json::to_value(auth).unwrap())]),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
    };
    PgSessionStore::new(world.server.platform.pool.clone())
        .create(&mut record)
        .await
        .unwrap();
    let key = Key::from(
        world
            .server
            .platform
            .config
            .secrets
            .session_key
            .expose_secret(),
    );
    let mut jar = CookieJar::new();
    jar.signed_mut(&key)
        .add(Cookie::new("saleonix-session", record.id.to_string()));
    let mut visitor = Visitor::new(&world.server);
    visitor.cookie = Some(format!(
        "saleonix-session={}",
        jar.get("saleonix-session").unwrap().value()
    ));
    visitor
}

/// Audit rows of `event_type`: `outcome:reason`, oldest first.
pub async fn audit_rows(pool: &PgPool, event_type: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT outcome::text || ':' || coalesce(reason, '') FROM audit.events WHERE event_type = $1 ORDER BY id",
    )
    .bind(event_type)
    .fetch_all(pool)
    .await
    .unwrap()
}
