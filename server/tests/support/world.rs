//! A cast for authorisation tests: two merchants and a staff member of each kind, with
//! sessions minted straight into the store (signed like the real cookie), so each test
//! reaches any actor in one line.

use std::collections::HashMap;

use platform::field_crypto::FieldSlot;
use platform::identity::roles::Module;
use platform::identity::sessions::{AUTH_KEY, PgSessionStore, SessionAuth};
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use tower_sessions::SessionStore;
use tower_sessions::cookie::{Cookie, CookieJar, Key};
use tower_sessions::session::{Id, Record};
use uuid::Uuid;

use super::accounts::{PASSWORD, Visitor};
use super::{TestServer, start};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    Anonymous,
    Unverified,
    PendingMfa,
    OwnerA,
    AdminA,
    FinanceA,
    DeveloperA,
    ViewerA,
    OwnerB,
    StaffWithoutModule,
    StaffView,
    StaffAct,
    Admin,
}

pub const ACTORS: [Actor; 13] = [
    Actor::Anonymous,
    Actor::Unverified,
    Actor::PendingMfa,
    Actor::OwnerA,
    Actor::AdminA,
    Actor::FinanceA,
    Actor::DeveloperA,
    Actor::ViewerA,
    Actor::OwnerB,
    Actor::StaffWithoutModule,
    Actor::StaffView,
    Actor::StaffAct,
    Actor::Admin,
];

/// Two merchants and a staff member of each kind, all with two-factor on (so step-up
/// checks pass on a fresh session and only the role decides).
pub struct World {
    pub server: TestServer,
    /// The password's hash, computed once: every account of the cast shares it.
    password_hash: String,
    pub users: HashMap<Actor, Uuid>,
    pub merchant_a: Uuid,
    pub merchant_b: Uuid,
}

async fn insert_user(
    pool: &PgPool,
    password_hash: &str,
    email: &str,
    kind: &str,
    verified: bool,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
         VALUES ($1, $2, 'Test Person', $3::user_kind, $4, CASE WHEN $5 THEN now() END)",
    )
    .bind(id)
    .bind(email)
    .bind(kind)
    .bind(password_hash)
    .bind(verified)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A merchant row with only its business name: its id.
pub async fn insert_merchant(pool: &PgPool, name: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO merchants (id, business_name) VALUES ($1, $2)")
        .bind(id)
        .bind(name)
        .execute(pool)
        .await
        .unwrap();
    id
}

async fn add_member(pool: &PgPool, merchant: Uuid, user: Uuid, role: &str) {
    sqlx::query("INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, $3::merchant_role)")
        .bind(merchant)
        .bind(user)
        .bind(role)
        .execute(pool)
        .await
        .unwrap();
}

async fn grant_all(pool: &PgPool, user: Uuid, level: &str) {
    sqlx::query(
        "INSERT INTO staff_permissions (user_id, module, level)
         SELECT $1, m, $2::permission_level FROM unnest(enum_range(NULL::staff_module)) m",
    )
    .bind(user)
    .bind(level)
    .execute(pool)
    .await
    .unwrap();
}

async fn enable_mfa(server: &TestServer, user: Uuid) {
    let slot = FieldSlot {
        table: "user_mfa",
        column: "totp_secret",
        row: &user.to_string(),
    };
    let sealed = server
        .platform
        .config
        .secrets
        .field_keys
        .encrypt(slot, &[7u8; 20])
        .unwrap();
    sqlx::query("INSERT INTO user_mfa (user_id, totp_secret, enabled_at) VALUES ($1, $2, now())")
        .bind(user)
        .bind(sealed)
        .execute(&server.platform.pool)
        .await
        .unwrap();
}

pub async fn world(pool: PgPool) -> World {
    cast(start(pool).await).await
}

/// The cast on a server already started (a shop's, with its gateways).
pub async fn cast(server: TestServer) -> World {
    let pool = server.platform.pool.clone();
    let merchant_a = insert_merchant(&pool, "Dardania Crafts").await;
    let merchant_b = insert_merchant(&pool, "Prizren Filigree").await;
    let mut users = HashMap::new();
    let password_hash = platform::password::hash(&SecretString::from(PASSWORD)).unwrap();
    let plan = [
        (Actor::Unverified, "merchant", false),
        (Actor::PendingMfa, "merchant", true),
        (Actor::OwnerA, "merchant", true),
        (Actor::AdminA, "merchant", true),
        (Actor::FinanceA, "merchant", true),
        (Actor::DeveloperA, "merchant", true),
        (Actor::ViewerA, "merchant", true),
        (Actor::OwnerB, "merchant", true),
        (Actor::StaffWithoutModule, "staff", true),
        (Actor::StaffView, "staff", true),
        (Actor::StaffAct, "staff", true),
        (Actor::Admin, "platform_admin", true),
    ];
    for (actor, kind, verified) in plan {
        let id = insert_user(
            &pool,
            &password_hash,
            &format!("{actor:?}@example.com").to_lowercase(),
            kind,
            verified,
        )
        .await;
        enable_mfa(&server, id).await;
        users.insert(actor, id);
    }
    add_member(&pool, merchant_a, users[&Actor::OwnerA], "owner").await;
    add_member(&pool, merchant_a, users[&Actor::AdminA], "admin").await;
    add_member(&pool, merchant_a, users[&Actor::FinanceA], "finance").await;
    add_member(&pool, merchant_a, users[&Actor::DeveloperA], "developer").await;
    add_member(&pool, merchant_a, users[&Actor::ViewerA], "viewer").await;
    add_member(&pool, merchant_a, users[&Actor::Unverified], "admin").await;
    add_member(&pool, merchant_b, users[&Actor::OwnerB], "owner").await;
    add_member(&pool, merchant_b, users[&Actor::PendingMfa], "owner").await;
    grant_all(&pool, users[&Actor::StaffView], "view").await;
    grant_all(&pool, users[&Actor::StaffAct], "act").await;
    World {
        server,
        password_hash,
        users,
        merchant_a,
        merchant_b,
    }
}

/// A staff member with two-factor on holding exactly `grants` (module, `view`/`act`), for
/// tests of one module's guard.
pub async fn staff_holding(world: &World, name: &str, grants: &[(Module, &str)]) -> Uuid {
    let pool = &world.server.platform.pool;
    let email = format!("{name}@example.com");
    let id = insert_user(pool, &world.password_hash, &email, "staff", true).await;
    enable_mfa(&world.server, id).await;
    for (module, level) in grants {
        sqlx::query(
            "INSERT INTO staff_permissions (user_id, module, level)
             VALUES ($1, $2, $3::permission_level)",
        )
        .bind(id)
        .bind(module)
        .bind(level)
        .execute(pool)
        .await
        .unwrap();
    }
    id
}

/// A session for `actor` as sign-in would leave it, with its second factor passed just now
/// (or still due, for the pending actor), and the signed cookie a browser would send.
pub async fn session_cookie(world: &World, actor: Actor) -> Option<String> {
    let user_id = *world.users.get(&actor)?;
    Some(user_session_cookie(world, user_id, actor == Actor::PendingMfa).await)
}

/// A session of `user_id` (see [`session_cookie`]).
pub async fn user_session_cookie(world: &World, user_id: Uuid, pending: bool) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let auth = SessionAuth {
        user_id,
        signed_in_at: now,
        last_seen_at: now,
        ip: "127.0.0.1".into(),
        user_agent: "matrix".into(),
        awaiting_second_factor: pending,
        second_factor_at: (!pending).then_some(now),
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
    format!(
        "saleonix-session={}",
        jar.get("saleonix-session").unwrap().value()
    )
}

pub async fn visitor<'a>(world: &'a World, actor: Actor) -> Visitor<'a> {
    let mut visitor = Visitor::new(&world.server);
    visitor.cookie = session_cookie(world, actor).await;
    visitor
}
