//! Enrolling, being made to enrol, turning two-factor off and an administrator's reset.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn enrolment_keeps_the_secret_encrypted_and_recovery_codes_as_digests(pool: PgPool) {
    let server = start(pool.clone()).await;
    let email = "drita@dardania.example";
    verified_account(&server, email).await;
    let mut visitor = signed_in(&server, email, PASSWORD).await;

    // The password comes first: without it no secret is made or shown, and the refusal is
    // audited.
    let wrong_password = visitor
        .post(
            "/api/account/two-factor/start",
            &[("password", "not-the-password-at-all")],
        )
        .await;
    assert!(
        matches!(error_of(wrong_password).await, AppError::Validation { field, .. } if field == "password")
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM user_mfa")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "no secret without the password");
    let refused: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT outcome::text, reason FROM audit.events WHERE event_type = 'mfa.enrolment_started'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        refused,
        [("failure".to_owned(), Some("wrong password".to_owned()))]
    );

    // A wrong first code leaves it off.
    let started = visitor
        .post("/api/account/two-factor/start", &[("password", PASSWORD)])
        .await;
    assert_eq!(started.status(), 200);
    let wrong = visitor
        .post("/api/account/two-factor/confirm", &[("code", "000000")])
        .await;
    assert!(matches!(error_of(wrong).await, AppError::Validation { field, .. } if field == "code"));
    let status: serde_json::Value = visitor
        .post("/api/account/two-factor", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["enabled"], false);

    let Enrolled {
        mut visitor,
        secret,
        recovery_codes,
    } = enrol(visitor).await;
    assert_eq!(recovery_codes.len(), 10);
    let status: serde_json::Value = visitor
        .post("/api/account/two-factor", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            status["enabled"].as_bool(),
            status["recovery_codes_left"].as_i64()
        ),
        (Some(true), Some(10))
    );

    let (user_id, stored): (Uuid, Vec<u8>) =
        sqlx::query_as("SELECT user_id, totp_secret FROM user_mfa")
            .fetch_one(&pool)
            .await
            .unwrap();
    let plain = totp_rs::Secret::Encoded(secret.clone()).to_bytes().unwrap();
    assert_eq!(plain.len(), 20, "a 160-bit secret");
    assert!(
        !stored.windows(plain.len()).any(|w| w == plain.as_slice()),
        "the secret's bytes are not stored"
    );
    assert!(
        !String::from_utf8_lossy(&stored).contains(&secret),
        "nor its base32 text"
    );
    let slot = FieldSlot {
        table: "user_mfa",
        column: "totp_secret",
        row: &user_id.to_string(),
    };
    let decrypted = server
        .platform
        .config
        .secrets
        .field_keys
        .decrypt(slot, &stored)
        .unwrap();
    assert_eq!(
        decrypted.expose_secret(),
        &plain,
        "it is the secret, encrypted under the field keys"
    );

    let digests: Vec<Vec<u8>> = sqlx::query_scalar("SELECT code_hash FROM mfa_recovery_codes")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(digests.len(), 10);
    for code in &recovery_codes {
        let bare = code.replace('-', "");
        assert!(
            digests
                .iter()
                .all(|d| !d.windows(bare.len()).any(|w| w == bare.as_bytes())),
            "{code} stored in clear"
        );
    }
    assert!(
        mails_to(&server, email).await[0].contains("Two-factor authentication was just turned on")
    );
    let outcomes = audit_outcomes(&pool, "mfa.enabled").await;
    assert_eq!(
        outcomes,
        [
            ("failure".into(), Some("the code is not right".into())),
            ("success".into(), None)
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_cannot_work_until_they_enrol(pool: PgPool) {
    let server = start(pool.clone()).await;
    for (email, kind) in [
        ("arta@saleonix.example", "staff"),
        ("besa@saleonix.example", "platform_admin"),
    ] {
        staff(&server, email, kind).await;
        let mut visitor = Visitor::new(&server);
        let response = visitor.sign_in(email, PASSWORD).await;
        assert_eq!(
            location(&response),
            "/account/two-factor",
            "{kind} is sent to enrolment"
        );
        for page in ["/dashboard", "/account", "/admin", "/admin/staff"] {
            let response = visitor.get(page).await;
            assert_eq!(
                (response.status().as_u16(), location(&response)),
                (303, "/account/two-factor"),
                "{kind} {page}"
            );
        }
        assert_eq!(visitor.get("/account/two-factor").await.status(), 200);
        for (path, policy, _) in SERVER_FUNCTIONS {
            if matches!(policy, Policy::SignedIn | Policy::PlatformAdmin) {
                let response = visitor.post(path, &[]).await;
                assert_eq!(response.status(), 403, "{kind} {path}");
                assert_eq!(
                    error_of(response).await,
                    AppError::EnrolmentRequired,
                    "{kind} {path}"
                );
            }
        }
        let mut enrolled = enrol(visitor).await.visitor;
        assert_eq!(
            enrolled.get("/account").await.status(),
            200,
            "{kind} works once enrolled"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn merchants_must_enrol_when_the_platform_says_so(pool: PgPool) {
    let server = start_with(pool, |settings| {
        settings.identity.mfa_required_for_merchants = true
    })
    .await;
    let email = "drita@dardania.example";
    verified_account(&server, email).await;
    let mut visitor = Visitor::new(&server);
    assert_eq!(
        location(&visitor.sign_in(email, PASSWORD).await),
        "/account/two-factor"
    );
    assert_eq!(
        location(&visitor.get("/dashboard").await),
        "/account/two-factor"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn password_guesses_at_enrolment_count_like_sign_in(pool: PgPool) {
    let server = start_with(pool, |settings| {
        settings.rate_limits.sign_in_per_account.max = 3;
    })
    .await;
    let email = "drita@dardania.example";
    verified_account(&server, email).await;
    // The sign-in itself was the first hit of the account's window.
    let mut visitor = signed_in(&server, email, PASSWORD).await;
    for _ in 0..2 {
        let guess = visitor
            .post(
                "/api/account/two-factor/start",
                &[("password", "a-wrong-guess-again")],
            )
            .await;
        assert!(
            [422, 429].contains(&guess.status().as_u16()),
            "{}",
            guess.status()
        );
    }
    let limited = visitor
        .post("/api/account/two-factor/start", &[("password", PASSWORD)])
        .await;
    assert!(
        matches!(error_of(limited).await, AppError::RateLimited { .. }),
        "past the sign-in limit even the right password waits"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn turning_it_off_needs_a_fresh_step_up_and_the_password(pool: PgPool) {
    let server = start(pool.clone()).await;
    let email = "drita@dardania.example";
    let Enrolled {
        mut visitor,
        secret,
        recovery_codes,
    } = enrolled_merchant(&server, email).await;

    // Six minutes after the last check: refused, whatever the password.
    age_second_factor(&pool, email, 6 * 60).await;
    let stale = visitor
        .post("/api/account/two-factor/disable", &[("password", PASSWORD)])
        .await;
    assert_eq!(stale.status(), 403);
    assert_eq!(error_of(stale).await, AppError::StepUpRequired);
    let stale = visitor
        .post("/api/account/two-factor/recovery-codes", &[])
        .await;
    assert_eq!(error_of(stale).await, AppError::StepUpRequired);

    // Four minutes after: still fresh.
    assert_eq!(
        visitor
            .post("/api/auth/step-up", &[("code", &code(&secret, 1))])
            .await
            .status(),
        200
    );
    age_second_factor(&pool, email, 4 * 60).await;
    let regenerated = visitor
        .post("/api/account/two-factor/recovery-codes", &[])
        .await;
    assert_eq!(regenerated.status(), 200);
    let new_codes: Vec<String> = regenerated.json().await.unwrap();
    assert!(new_codes.iter().all(|code| !recovery_codes.contains(code)));

    let wrong = visitor
        .post(
            "/api/account/two-factor/disable",
            &[("password", "not-the-password-at-all")],
        )
        .await;
    assert!(
        matches!(error_of(wrong).await, AppError::Validation { field, .. } if field == "password")
    );
    let off = visitor
        .post("/api/account/two-factor/disable", &[("password", PASSWORD)])
        .await;
    assert_eq!(location(&off), "/account/two-factor?disabled=1");
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM user_mfa")
            .fetch_one(&pool)
            .await
            .unwrap(),
        0
    );
    assert!(mails_to(&server, email).await[0].contains("You turned off two-factor authentication"));

    // Signing in is back to the password alone; the old recovery codes are gone.
    let mut fresh = Visitor::new(&server);
    assert_eq!(
        location(&fresh.sign_in(email, PASSWORD).await),
        "/dashboard"
    );
    let outcomes = audit_outcomes(&pool, "mfa.disabled").await;
    assert_eq!(
        outcomes,
        [
            ("failure".into(), Some("wrong password".into())),
            ("success".into(), None)
        ]
    );
    assert_eq!(
        audit_outcomes(&pool, "auth.step_up").await,
        [("success".into(), None)]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_administrator_resets_someone_elses_two_factor_only_with_step_up(pool: PgPool) {
    let server = start(pool.clone()).await;
    let merchant_email = "drita@dardania.example";
    let Enrolled {
        visitor: mut merchant,
        ..
    } = enrolled_merchant(&server, merchant_email).await;
    let merchant_id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(merchant_email)
        .fetch_one(&pool)
        .await
        .unwrap();

    // A merchant, however fresh their own check, may not.
    let refused = merchant
        .post(
            "/api/admin/users/reset-two-factor",
            &[("user_id", &merchant_id.to_string())],
        )
        .await;
    assert_eq!(error_of(refused).await, AppError::Forbidden);

    let admin_email = "besa@saleonix.example";
    let admin_id = staff(&server, admin_email, "platform_admin").await;
    let mut admin = Visitor::new(&server);
    admin.sign_in(admin_email, PASSWORD).await;
    let Enrolled {
        visitor: mut admin,
        secret,
        ..
    } = enrol(admin).await;
    age_second_factor(&pool, admin_email, 6 * 60).await;
    let target = [("user_id", merchant_id.to_string())];
    let target: Vec<(&str, &str)> = target.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stale = admin
        .post("/api/admin/users/reset-two-factor", &target)
        .await;
    assert_eq!(error_of(stale).await, AppError::StepUpRequired);
    assert_eq!(
        admin
            .post("/api/auth/step-up", &[("code", &code(&secret, 1))])
            .await
            .status(),
        200
    );
    assert_eq!(
        admin
            .post("/api/admin/users/reset-two-factor", &target)
            .await
            .status(),
        200
    );

    assert!(
        !merchant.is_signed_in().await,
        "the merchant's sessions ended"
    );
    let mfa_rows: i64 = sqlx::query_scalar("SELECT count(*) FROM user_mfa WHERE user_id = $1")
        .bind(merchant_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mfa_rows, 0);
    assert!(
        mails_to(&server, merchant_email).await[0]
            .contains("administrator reset two-factor authentication")
    );
    let (actor_kind, actor_id, target_id): (String, Option<Uuid>, Option<String>) = sqlx::query_as(
        "SELECT actor_kind::text, actor_id, target_id FROM audit.events WHERE event_type = 'mfa.reset'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (actor_kind.as_str(), actor_id, target_id),
        ("staff", Some(admin_id), Some(merchant_id.to_string()))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_dashboard_leads_members_who_move_money_or_change_the_team_to_enrol(pool: PgPool) {
    let server = start(pool.clone()).await;
    let email = "drita@dardania.example";
    verified_account(&server, email).await;
    let mut visitor = signed_in(&server, email, PASSWORD).await;
    const BANNER: &str = "Turn on two-factor authentication.";
    let set_role = |role: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query("UPDATE merchant_members SET role = $1::merchant_role")
                .bind(role)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    for (role, shown) in [
        ("owner", true),
        ("admin", true),
        ("finance", true),
        ("developer", false),
        ("viewer", false),
    ] {
        set_role(role).await;
        let page = visitor.get("/dashboard").await.text().await.unwrap();
        assert_eq!(page.contains(BANNER), shown, "{role}");
        assert_eq!(
            page.contains(r#"<a href="/account/two-factor">Set up two-factor authentication</a>"#),
            shown,
            "{role}"
        );
    }
    set_role("owner").await;
    let mut visitor = enrol(visitor).await.visitor;
    let page = visitor.get("/dashboard").await.text().await.unwrap();
    assert!(!page.contains(BANNER), "gone once two-factor is on");
}
