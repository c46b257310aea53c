//! Signing up and verifying an address, and a sign-up that fails half-way.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_merchant_signs_up_verifies_signs_in_and_out(pool: PgPool) {
    let server = start(pool.clone()).await;
    let response = sign_up(&server, "Drita@Example.com", PASSWORD).await;
    assert_eq!(location(&response), "/check-email");

    let (phc, verified, role, business): (String, bool, String, String) = sqlx::query_as(
        "SELECT u.password_hash, u.email_verified_at IS NOT NULL, mm.role::text, m.business_name
         FROM users u JOIN merchant_members mm ON mm.user_id = u.id JOIN merchants m ON m.id = mm.merchant_id
         WHERE u.email = 'drita@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "the documented parameters: {phc}"
    );
    assert!(!verified);
    assert_eq!(
        (role.as_str(), business.as_str()),
        ("owner", "Dardania Crafts")
    );

    let refused = Visitor::new(&server)
        .sign_in("drita@example.com", PASSWORD)
        .await;
    assert_eq!(
        refused.status(),
        401,
        "no sign-in before the email is verified"
    );
    assert_eq!(
        error_of(refused).await,
        app::error::AppError::InvalidCredentials
    );

    let token = token_from_mail(&server, "drita@example.com", "/verify-email").await;
    let verified = Visitor::new(&server)
        .post("/api/auth/verify-email", &[("token", &token)])
        .await;
    assert_eq!(location(&verified), "/sign-in?verified=1");
    let again = Visitor::new(&server)
        .post("/api/auth/verify-email", &[("token", &token)])
        .await;
    assert_eq!(again.status(), 422);
    assert!(
        error_of(again)
            .await
            .to_string()
            .contains("already been used")
    );

    let mut visitor = signed_in(&server, "DRITA@example.com ", PASSWORD).await;
    let cookie = visitor.cookie.clone().expect("a session cookie");
    let dashboard = visitor.get("/dashboard").await;
    assert_eq!(dashboard.status(), 200);
    assert!(dashboard.text().await.unwrap().contains("Dardania Crafts"));

    let out = visitor.post("/api/auth/sign-out", &[]).await;
    assert_eq!(location(&out), "/sign-in?signed_out=1");
    assert!(visitor.cookie.is_none(), "the cookie is removed");
    visitor.cookie = Some(cookie);
    assert!(
        !visitor.is_signed_in().await,
        "the old cookie opens nothing after sign-out"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_sign_up_input_names_the_field_and_creates_nothing(pool: PgPool) {
    let server = start(pool.clone()).await;
    for (password, expected) in [
        ("short", "at least 12"),
        ("password1234", "too easy to guess"),
    ] {
        let response = sign_up(&server, "luan@example.com", password).await;
        assert_eq!(response.status(), 422);
        match error_of(response).await {
            app::error::AppError::Validation { field, message } => {
                assert_eq!(field, "password");
                assert!(message.contains(expected), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mails: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((users, mails), (0, 0));
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_up_again_creates_nothing_and_tells_the_owner(pool: PgPool) {
    let server = start(pool.clone()).await;
    verified_account(&server, "drita@example.com").await;
    let first = location(&sign_up(&server, "luan@example.com", PASSWORD).await).to_owned();
    let again = sign_up(&server, "drita@example.com", "another-strong-pass-81").await;
    assert_eq!(
        location(&again),
        first,
        "the same answer as for a new address"
    );
    let users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE email = 'drita@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(users, 1);
    assert!(mails_to(&server, "drita@example.com").await[0].contains("already has one"));
    signed_in(&server, "drita@example.com", PASSWORD).await; // the password did not change
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sign_up_that_fails_midway_leaves_neither_account_nor_audit_row(pool: PgPool) {
    let server = start(pool.clone()).await;
    // Refused at commit, after every row of the sign-up (its audit row included) was
    // written: all of them must roll back together.
    sqlx::raw_sql(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
         CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON users
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse();",
    )
    .execute(&pool)
    .await
    .unwrap();
    let response = sign_up(&server, "drita@example.com", PASSWORD).await;
    assert_eq!(response.status(), 500);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mails: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    let rows = audit_rows(&pool, "auth.sign_up").await;
    assert_eq!((users, mails, rows.len()), (0, 0, 0));
}
