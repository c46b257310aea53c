//! The audit rows every identity flow leaves.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn every_identity_flow_leaves_its_audit_row_with_actor_ip_and_outcome(pool: PgPool) {
    let server = start_with(pool.clone(), |s| s.rate_limits.reset_per_account.max = 1).await;
    verified_account(&server, "drita@example.com").await;
    let drita: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'drita@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let anonymous = |outcome: &str, reason: Option<&str>| {
        (
            "anonymous".to_owned(),
            None,
            outcome.to_owned(),
            reason.map(str::to_owned),
            Some("127.0.0.1".to_owned()),
        )
    };
    let by_drita = |outcome: &str, reason: Option<&str>| {
        (
            "user".to_owned(),
            Some(drita),
            outcome.to_owned(),
            reason.map(str::to_owned),
            Some("127.0.0.1".to_owned()),
        )
    };
    assert_eq!(
        audit_rows(&pool, "auth.sign_up").await,
        vec![anonymous("success", None)]
    );
    assert_eq!(
        audit_rows(&pool, "auth.email_verification").await,
        vec![by_drita("success", None)]
    );

    Visitor::new(&server)
        .sign_in("drita@example.com", "wrong-password-entirely")
        .await;
    Visitor::new(&server)
        .sign_in("nobody@example.com", PASSWORD)
        .await;
    let mut visitor = signed_in(&server, "drita@example.com", PASSWORD).await;
    assert_eq!(
        audit_rows(&pool, "auth.sign_in").await,
        vec![
            anonymous("failure", Some("wrong password")),
            anonymous("failure", Some("unknown address")),
            by_drita("success", None)
        ]
    );

    visitor
        .post(
            "/api/account/change-password",
            &[
                ("current_password", "not-my-password"),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    visitor
        .post(
            "/api/account/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        audit_rows(&pool, "auth.password_change").await,
        vec![
            by_drita("failure", Some("wrong current password")),
            by_drita("success", None)
        ]
    );

    let mut phone = signed_in(&server, "drita@example.com", NEW_PASSWORD).await;
    let list: Vec<app::account::SessionView> = visitor
        .post("/api/account/sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    let other = list.iter().find(|s| !s.current).unwrap().handle.clone();
    visitor
        .post("/api/account/revoke-session", &[("handle", &other)])
        .await;
    assert_eq!(
        audit_rows(&pool, "auth.session_revoked").await,
        vec![by_drita("success", None)]
    );
    assert!(!phone.is_signed_in().await);
    visitor.post("/api/auth/sign-out", &[]).await;
    assert_eq!(
        audit_rows(&pool, "auth.sign_out").await,
        vec![by_drita("success", None)]
    );

    for _ in 0..3 {
        Visitor::new(&server)
            .post(
                "/api/auth/forgot-password",
                &[("email", "drita@example.com")],
            )
            .await;
    }
    assert_eq!(
        audit_rows(&pool, "auth.password_reset_requested").await,
        vec![anonymous("success", None)]
    );
    let refusals = audit_rows(&pool, "rate_limit.refused").await;
    assert_eq!(
        refusals,
        vec![anonymous("denied", Some("over the reset-account limit"))],
        "one row per window, not per request"
    );

    let token = token_from_mail(&server, "drita@example.com", "/reset-password").await;
    Visitor::new(&server)
        .post(
            "/api/auth/reset-password",
            &[("token", &token), ("password", PASSWORD)],
        )
        .await;
    Visitor::new(&server)
        .post(
            "/api/auth/reset-password",
            &[("token", &token), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        audit_rows(&pool, "auth.password_reset").await,
        vec![
            by_drita("success", None),
            anonymous("denied", Some("this link has already been used"))
        ]
    );

    let secrets: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE detail::text LIKE '%' || $1 || '%' OR reason LIKE '%' || $1 || '%'",
    )
    .bind(&token)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(secrets, 0, "no token in the trail");
    let report = platform::audit::verify_chain(&pool).await.unwrap();
    assert_eq!(report.first_broken, None);
}
