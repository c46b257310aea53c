//! Signing in with a second factor: codes, recovery codes, pending sessions and limits.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn signing_in_needs_the_second_factor_and_each_code_works_once(pool: PgPool) {
    let server = start(pool.clone()).await;
    let email = "drita@dardania.example";
    let Enrolled { secret, .. } = enrolled_merchant(&server, email).await;

    let mut visitor = pending(&server, email).await;
    for page in ["/dashboard", "/account", "/account/two-factor", "/admin"] {
        let response = visitor.get(page).await;
        assert_eq!(
            (response.status().as_u16(), location(&response)),
            (303, "/sign-in/two-factor"),
            "{page}"
        );
    }
    assert_eq!(visitor.get("/sign-in/two-factor").await.status(), 200);

    let wrong = visitor
        .post("/api/auth/second-factor", &[("code", "123456")])
        .await;
    assert_eq!(wrong.status(), 422);
    let pending_cookie = visitor.cookie.clone();
    let fresh = code(&secret, 1);
    let passed = visitor
        .post("/api/auth/second-factor", &[("code", &fresh)])
        .await;
    assert_eq!(location(&passed), "/dashboard");
    assert_ne!(
        visitor.cookie, pending_cookie,
        "the full session has a new id"
    );
    assert!(visitor.is_signed_in().await);

    // The same code again, from another sign-in: refused as a replay.
    let mut other = pending(&server, email).await;
    let replayed = other
        .post("/api/auth/second-factor", &[("code", &fresh)])
        .await;
    match error_of(replayed).await {
        AppError::Validation { field, message } => {
            assert_eq!(field, "code");
            assert!(message.contains("already been used"), "{message}");
        }
        other => panic!("expected a refused code, got {other:?}"),
    }
    assert_eq!(other.get("/dashboard").await.status(), 303);

    let sign_ins: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT detail FROM audit.events WHERE event_type = 'auth.sign_in' AND outcome = 'success' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let due = |value: bool| serde_json::json!({ "second_factor_due": value });
    assert_eq!(
        sign_ins,
        [due(false), due(true), due(true)],
        "the password step says a code is still due"
    );
    let outcomes = audit_outcomes(&pool, "auth.second_factor").await;
    let reasons: Vec<_> = outcomes
        .iter()
        .map(|(o, r)| (o.as_str(), r.as_deref()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("failure", Some("the code is not right")),
            ("success", None),
            ("failure", Some("the code has already been used")),
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_pending_session_is_refused_by_every_server_function_but_the_code(pool: PgPool) {
    let server = start(pool.clone()).await;
    let email = "drita@dardania.example";
    enrolled_merchant(&server, email).await;
    let mut visitor = pending(&server, email).await;
    let mut refused = 0;
    for (path, policy, _) in SERVER_FUNCTIONS {
        if matches!(policy, Policy::Public | Policy::SecondFactor) {
            continue;
        }
        let response = visitor.post(path, &[]).await;
        assert_eq!(response.status(), 401, "{path}");
        assert_eq!(
            error_of(response).await,
            AppError::SecondFactorRequired,
            "{path}"
        );
        refused += 1;
    }
    assert!(refused >= 10, "only {refused} functions were tried");
    // The one it may call, anyone else may not.
    let mut anonymous = Visitor::new(&server);
    assert_eq!(
        anonymous
            .post("/api/auth/second-factor", &[("code", "123456")])
            .await
            .status(),
        401
    );
    let me: Option<serde_json::Value> = visitor
        .post("/api/account/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me, None, "a pending session is nobody yet");
}

#[sqlx::test(migrations = "../migrations")]
async fn every_server_function_declares_a_policy_and_undeclared_ones_are_refused(pool: PgPool) {
    let server = start(pool).await;
    let mut registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    let mut declared: Vec<&str> = SERVER_FUNCTIONS.iter().map(|(path, _, _)| *path).collect();
    registered.sort_unstable();
    declared.sort_unstable();
    assert_eq!(
        registered, declared,
        "every server function needs exactly one entry in app::policy"
    );

    let mut visitor = Visitor::new(&server);
    let response = visitor.post("/api/admin/not-declared", &[]).await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_of(response).await, AppError::NotFound);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_recovery_code_works_once_and_tells_the_owner(pool: PgPool) {
    let server = start(pool.clone()).await;
    let email = "drita@dardania.example";
    let Enrolled { recovery_codes, .. } = enrolled_merchant(&server, email).await;
    // Typed loosely: upper case, without the dashes.
    let typed = recovery_codes[3].replace('-', "").to_uppercase();

    let mut visitor = pending(&server, email).await;
    let passed = visitor
        .post("/api/auth/second-factor", &[("code", &typed)])
        .await;
    assert_eq!(location(&passed), "/dashboard");
    assert!(visitor.is_signed_in().await);
    let notice = &mails_to(&server, email).await[0];
    assert!(
        notice.contains("recovery codes was just used") && notice.contains("You have 9 left"),
        "{notice}"
    );

    let mut again = pending(&server, email).await;
    let replayed = again
        .post("/api/auth/second-factor", &[("code", &recovery_codes[3])])
        .await;
    assert!(
        matches!(error_of(replayed).await, AppError::Validation { message, .. } if message.contains("already been used"))
    );
    let detail: serde_json::Value = sqlx::query_scalar(
        "SELECT detail FROM audit.events WHERE event_type = 'auth.second_factor' AND outcome = 'success'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        detail,
        serde_json::json!({ "method": "recovery_code", "remaining": 9 })
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn code_attempts_are_rate_limited_like_passwords(pool: PgPool) {
    let server = start_with(pool, |settings| {
        settings.rate_limits.sign_in_per_account.max = 3
    })
    .await;
    let email = "drita@dardania.example";
    let Enrolled { secret, .. } = enrolled_merchant(&server, email).await;
    let mut visitor = pending(&server, email).await;
    // The enrolment's own code was the first attempt of the window.
    for _ in 0..2 {
        assert_eq!(
            visitor
                .post("/api/auth/second-factor", &[("code", "000000")])
                .await
                .status(),
            422
        );
    }
    let limited = visitor
        .post("/api/auth/second-factor", &[("code", &code(&secret, 1))])
        .await;
    assert_eq!(
        limited.status(),
        429,
        "even the right code waits once the limit is reached"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_stranger_spending_the_account_limit_does_not_keep_its_two_factor_owner_out(
    pool: PgPool,
) {
    let server = start_with(pool.clone(), |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.sign_in_per_account.max = 4;
    })
    .await;
    let email = "drita@dardania.example";
    // The owner's own sign-in and the password typed again to enrol are the first two
    // attempts of the window (password checks count together, whichever the page).
    let Enrolled { secret, .. } = enrolled_merchant(&server, email).await;
    let stranger = "203.0.113.66";
    for expected in [401, 401, 429, 429] {
        let answer = Visitor::at(&server, stranger)
            .sign_in(email, "wrong-password-entirely")
            .await;
        assert_eq!(
            answer.status(),
            expected,
            "the stranger spends the account's limit"
        );
    }

    // Another address with no failures gets one check: a wrong password reads as the limit,
    // and that address has failed now, so even the right password is refused from it.
    assert_eq!(
        Visitor::at(&server, "203.0.113.67")
            .sign_in(email, "guess-number-one-here")
            .await
            .status(),
        429
    );
    assert_eq!(
        Visitor::at(&server, "203.0.113.67")
            .sign_in(email, PASSWORD)
            .await
            .status(),
        429
    );
    // So is any address of a failed IPv6 /64.
    assert_eq!(
        Visitor::at(&server, "2001:db8:66::1")
            .sign_in(email, "guess-number-two-here")
            .await
            .status(),
        429
    );
    assert_eq!(
        Visitor::at(&server, "2001:db8:66::2")
            .sign_in(email, PASSWORD)
            .await
            .status(),
        429
    );

    // The owner, from a clean address, with the password and then the code, gets in.
    let mut owner = Visitor::at(&server, "198.51.100.20");
    let password_step = owner.sign_in(email, PASSWORD).await;
    assert_eq!(
        location(&password_step),
        "/sign-in/two-factor",
        "past the spent limit, to the second factor only"
    );
    let passed = owner
        .post("/api/auth/second-factor", &[("code", &code(&secret, 1))])
        .await;
    assert_eq!(location(&passed), "/dashboard");
    assert!(owner.is_signed_in().await);
    let detail: serde_json::Value = sqlx::query_scalar(
        "SELECT detail FROM audit.events WHERE event_type = 'auth.sign_in' AND outcome = 'success' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        detail["past_account_limit"], true,
        "the trail says the limit was passed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_account_without_two_factor_stays_limited_even_for_the_right_password(pool: PgPool) {
    let server = start_with(pool.clone(), |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.sign_in_per_account.max = 3;
    })
    .await;
    let email = "besa@tea.example";
    verified_account(&server, email).await;
    for expected in [401, 401, 401, 429] {
        let answer = Visitor::at(&server, "203.0.113.66")
            .sign_in(email, "wrong-password-entirely")
            .await;
        assert_eq!(answer.status(), expected);
    }
    let answer = Visitor::at(&server, "198.51.100.20")
        .sign_in(email, PASSWORD)
        .await;
    assert_eq!(
        answer.status(),
        429,
        "a password alone never passes a spent limit"
    );
    assert!(matches!(
        error_of(answer).await,
        AppError::RateLimited { .. }
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_reset_keeps_two_factor_and_a_recovery_code_still_signs_in(pool: PgPool) {
    let server = start(pool).await;
    let enrolled = enrolled_merchant(&server, "vjosa@example.com").await;
    Visitor::new(&server)
        .post(
            "/api/auth/forgot-password",
            &[("email", "vjosa@example.com")],
        )
        .await;
    let token = token_from_mail(&server, "vjosa@example.com", "/reset-password").await;
    let reset = Visitor::new(&server)
        .post(
            "/api/auth/reset-password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&reset), "/sign-in?reset=1");

    // The new password alone opens nothing: the second factor is still asked for.
    let mut visitor = Visitor::new(&server);
    assert_eq!(
        location(&visitor.sign_in("vjosa@example.com", NEW_PASSWORD).await),
        "/sign-in/two-factor"
    );
    let passed = visitor
        .post(
            "/api/auth/second-factor",
            &[("code", &enrolled.recovery_codes[0])],
        )
        .await;
    assert_eq!(location(&passed), "/dashboard");
    assert!(
        visitor.is_signed_in().await,
        "a recovery code finishes the sign-in"
    );
}
