//! The application's database role: the server works whole as `saleonix_app`, which may
//! change rows but not the schema, the migrations' record or the audit trail's past.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use sqlx::PgPool;
use support::accounts::{PASSWORD, Visitor, location, signed_in, verified_account};
use support::as_app_role;

#[sqlx::test(migrations = "../migrations")]
async fn the_server_works_whole_as_the_application_role(pool: PgPool) {
    let server = support::start(as_app_role(&pool).await).await;
    let email = "drita@dardania.example";
    verified_account(&server, email).await;
    let mut visitor = signed_in(&server, email, PASSWORD).await;
    assert_eq!(
        visitor.post("/api/account/sessions", &[]).await.status(),
        200
    );
    // Inviting needs two-factor on (issue 17 item 2): turn it on as a member would.
    let started = visitor
        .post("/api/account/two-factor/start", &[("password", PASSWORD)])
        .await;
    assert_eq!(started.status(), 200);
    let view: serde_json::Value = started.json().await.unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let code = platform::identity::mfa::code_at(view["secret"].as_str().unwrap(), now).unwrap();
    let confirmed = visitor
        .post(
            "/api/account/two-factor/confirm",
            &[("code", code.as_str())],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let invited = visitor
        .post(
            "/api/team/invite",
            &[
                ("email", "luan@dardania.example"),
                ("full_name", "Luan"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(invited.status(), 200);
    let mut contact = Visitor::new(&server);
    let sent = contact
        .post(
            "/api/public/contact",
            &[
                ("name", "Luan"),
                ("email", "luan@example.com"),
                ("business_name", ""),
                ("message", "Hi"),
            ],
        )
        .await;
    assert!(
        sent.status().is_success() || sent.status().is_redirection(),
        "{}",
        sent.status()
    );
    let ended = visitor.post("/api/account/sign-out-everywhere", &[]).await;
    assert_eq!(location(&ended), "/sign-in?signed_out=1");

    // The delivery worker's claims, updates and erasures, as the same role.
    let dir = std::env::temp_dir().join(format!("saleonix-app-role-{}", uuid::Uuid::new_v4()));
    let transport = platform::mail::Transport::Mailbox(dir);
    let config = &server.platform.config;
    let sent = platform::mail::deliver_due(
        &server.platform.pool,
        &config.secrets.field_keys,
        &transport,
        &config.settings.mail,
    )
    .await
    .unwrap();
    assert_eq!(
        sent, 3,
        "the verification, the two-factor notice and the invitation were delivered"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_application_role_cannot_change_the_schema_or_the_past(pool: PgPool) {
    let app = as_app_role(&pool).await;
    // Migrating needs the owner; checking the schema at start does not.
    assert!(
        platform::db::MIGRATOR.run(&app).await.is_err(),
        "the role cannot migrate"
    );
    platform::db::check_current(&app)
        .await
        .expect("a current schema passes the start-up check");
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert!(
        matches!(platform::db::check_current(&app).await, Err(platform::db::DbError::Behind(missing)) if missing.len() == 1)
    );
    for statement in [
        "DROP TABLE users",
        "ALTER TABLE users ADD COLUMN x int",
        "CREATE TABLE intruder (id int)",
        "DELETE FROM _sqlx_migrations",
        "UPDATE gateway_accounts SET mode = mode",
        // Deleting a contact message is allowed (retention and erasure must); rewriting one is not.
        "UPDATE contact_requests SET message = 'x'",
        "UPDATE audit.events SET event_type = 'x.y'",
        "TRUNCATE sessions",
    ] {
        let refused = sqlx::query(statement).execute(&app).await;
        assert!(
            refused.is_err(),
            "the application role could run: {statement}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_application_table_grants_the_application_role_something(pool: PgPool) {
    let ungranted: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('public', 'audit') AND c.relkind = 'r'
           AND NOT has_table_privilege('saleonix_app', c.oid, 'SELECT')
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        ungranted.is_empty(),
        "tables the server could not read as saleonix_app: {ungranted:?}"
    );
}
