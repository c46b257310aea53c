//! Identity against the real server and Postgres: sign-up, verification, sign-in and out,
//! sessions, password reset and change, rate limits, and what none of them may reveal.

mod support;

use std::time::{Duration, Instant};

use reqwest::Response;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use support::accounts::{
    NEW_PASSWORD, PASSWORD, Visitor, error_of, location, mails_to, sign_up, signed_in,
    token_from_mail, verified_account,
};
use support::{start, start_with};

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
async fn a_failed_sign_in_says_the_same_whatever_the_reason(pool: PgPool) {
    let server = start(pool.clone()).await;
    verified_account(&server, "known@example.com").await;
    verified_account(&server, "disabled@example.com").await;
    sqlx::query("UPDATE users SET disabled_at = now() WHERE email = 'disabled@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        location(&sign_up(&server, "unverified@example.com", PASSWORD).await),
        "/check-email"
    );

    let mut answers = Vec::new();
    for (email, password) in [
        ("nobody@example.com", PASSWORD),
        ("known@example.com", "wrong-password-entirely"),
        ("unverified@example.com", PASSWORD),
        ("disabled@example.com", PASSWORD),
    ] {
        let response = Visitor::new(&server).sign_in(email, password).await;
        answers.push((
            response.status(),
            response.headers().get("set-cookie").is_some(),
            response.text().await.unwrap(),
        ));
    }
    assert_eq!(answers[0].0, 401);
    assert!(!answers[0].1, "no session for a failed sign-in");
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:#?}");
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_and_known_addresses_take_about_the_same_time(pool: PgPool) {
    let server = start_with(pool, |s| {
        s.identity.uniform_answer_ms =
            platform::config::IdentitySettings::default().uniform_answer_ms;
        s.rate_limits.sign_in_per_ip.max = 1000;
        s.rate_limits.sign_in_per_account.max = 1000;
        s.rate_limits.reset_per_ip.max = 1000;
        s.rate_limits.reset_per_account.max = 1000;
    })
    .await;
    verified_account(&server, "known@example.com").await;
    let timed = |path: &'static str, form: Vec<(&'static str, &'static str)>| {
        let server = &server;
        async move {
            let mut samples = Vec::new();
            let mut answers = Vec::new();
            for _ in 0..7 {
                let started = Instant::now();
                let response = Visitor::new(server).post(path, &form).await;
                samples.push(started.elapsed());
                answers.push((
                    response.status(),
                    response.headers().get("location").cloned(),
                    response.text().await.unwrap(),
                ));
            }
            (median(samples), answers[0].clone())
        }
    };
    let pairs = [
        (
            "/api/auth/sign-in",
            vec![("email", "nobody@example.com"), ("password", PASSWORD)],
            vec![
                ("email", "known@example.com"),
                ("password", "wrong-password-entirely"),
            ],
        ),
        (
            "/api/auth/forgot-password",
            vec![("email", "nobody@example.com")],
            vec![("email", "known@example.com")],
        ),
    ];
    for (path, unknown, known) in pairs {
        let (unknown_time, unknown_answer) = timed(path, unknown).await;
        let (known_time, known_answer) = timed(path, known).await;
        assert_eq!(
            unknown_answer, known_answer,
            "{path}: the same status, location and body"
        );
        let ratio = unknown_time.as_secs_f64() / known_time.as_secs_f64();
        assert!(
            (0.8..1.25).contains(&ratio),
            "{path}: unknown {unknown_time:?} vs known {known_time:?}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_reset_link_works_once_ends_every_session_and_expires(pool: PgPool) {
    let server = start(pool.clone()).await;
    verified_account(&server, "drita@example.com").await;
    let mut laptop = signed_in(&server, "drita@example.com", PASSWORD).await;
    let mut phone = signed_in(&server, "drita@example.com", PASSWORD).await;

    let forgot = Visitor::new(&server)
        .post(
            "/api/auth/forgot-password",
            &[("email", "drita@example.com")],
        )
        .await;
    let unknown = Visitor::new(&server)
        .post(
            "/api/auth/forgot-password",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(
        (forgot.status(), location(&forgot)),
        (unknown.status(), location(&unknown))
    );
    assert!(mails_to(&server, "nobody@example.com").await.is_empty());
    let token = token_from_mail(&server, "drita@example.com", "/reset-password").await;
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM account_tokens WHERE token_hash = convert_to($1, 'UTF8')",
    )
    .bind(&token)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, 0, "only a digest is stored");

    let weak = Visitor::new(&server)
        .post(
            "/api/auth/reset-password",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(
        weak.status(),
        422,
        "a weak password leaves the link unspent"
    );
    assert!(laptop.is_signed_in().await);

    let reset = Visitor::new(&server)
        .post(
            "/api/auth/reset-password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&reset), "/sign-in?reset=1");
    assert!(
        !laptop.is_signed_in().await && !phone.is_signed_in().await,
        "every session ended"
    );
    assert_eq!(
        Visitor::new(&server)
            .sign_in("drita@example.com", PASSWORD)
            .await
            .status(),
        401
    );
    signed_in(&server, "drita@example.com", NEW_PASSWORD).await;
    assert!(
        mails_to(&server, "drita@example.com").await[0]
            .contains("password of your Saleonix account was just changed")
    );

    let replay = Visitor::new(&server)
        .post(
            "/api/auth/reset-password",
            &[("token", &token), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(replay.status(), 422);
    assert!(
        error_of(replay)
            .await
            .to_string()
            .contains("already been used")
    );

    Visitor::new(&server)
        .post(
            "/api/auth/forgot-password",
            &[("email", "drita@example.com")],
        )
        .await;
    let late = token_from_mail(&server, "drita@example.com", "/reset-password").await;
    sqlx::query(
        "UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
    )
    .execute(&pool)
    .await
    .unwrap();
    let expired = Visitor::new(&server)
        .post(
            "/api/auth/reset-password",
            &[("token", &late), ("password", PASSWORD)],
        )
        .await;
    assert!(error_of(expired).await.to_string().contains("expired"));
    signed_in(&server, "drita@example.com", NEW_PASSWORD).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_issues_a_new_session_id(pool: PgPool) {
    let server = start(pool).await;
    verified_account(&server, "drita@example.com").await;
    let mut visitor = Visitor::new(&server);
    visitor.cookie = Some("saleonix-session=planted-by-an-attacker".into());
    visitor.sign_in("drita@example.com", PASSWORD).await;
    let first = visitor.cookie.clone().unwrap();
    assert!(!first.contains("planted"));
    visitor.sign_in("drita@example.com", PASSWORD).await;
    let second = visitor.cookie.clone().unwrap();
    assert_ne!(first, second, "signing in again rotates the id");
    assert!(visitor.is_signed_in().await);
    visitor.cookie = Some(first);
    assert!(!visitor.is_signed_in().await, "the id from before is dead");
}

fn session_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.contains("saleonix-session="))
        .expect("a session cookie")
}

#[sqlx::test(migrations = "../migrations")]
async fn the_session_cookie_is_locked_down(pool: PgPool) {
    let plain = start(pool.clone()).await;
    verified_account(&plain, "drita@example.com").await;
    let cookie = session_cookie(
        &Visitor::new(&plain)
            .sign_in("drita@example.com", PASSWORD)
            .await,
    );
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(
        cookie.starts_with("saleonix-session=") && !cookie.contains("Secure"),
        "plain-HTTP development: {cookie}"
    );

    let https = start_with(pool, |s| {
        s.public_url = "https://pay.saleonix.example".into()
    })
    .await;
    let cookie = session_cookie(
        &Visitor::new(&https)
            .sign_in("drita@example.com", PASSWORD)
            .await,
    );
    assert!(cookie.starts_with("__Host-saleonix-session="), "{cookie}");
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_end_when_idle_or_too_old(pool: PgPool) {
    let server = start(pool.clone()).await;
    verified_account(&server, "drita@example.com").await;
    let mut idle = signed_in(&server, "drita@example.com", PASSWORD).await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(!idle.is_signed_in().await);

    let mut old = signed_in(&server, "drita@example.com", PASSWORD).await;
    assert!(old.is_signed_in().await);
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,signed_in_at}', '0')")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        !old.is_signed_in().await,
        "past the absolute lifetime, however recently used"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signed_in_pages_and_functions_refuse_anonymous_visitors(pool: PgPool) {
    let server = start(pool).await;
    let mut visitor = Visitor::new(&server);
    for page in ["/dashboard", "/account"] {
        let response = visitor.get(page).await;
        assert_eq!(
            (response.status().as_u16(), location(&response)),
            (303, "/sign-in"),
            "{page}"
        );
    }
    let calls: [(&str, &[(&str, &str)]); 4] = [
        ("/api/account/sessions", &[]),
        ("/api/account/sign-out-everywhere", &[]),
        ("/api/account/revoke-session", &[("handle", "00")]),
        (
            "/api/account/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        ),
    ];
    for (function, form) in calls {
        let response = visitor.post(function, form).await;
        assert_eq!(response.status(), 401, "{function}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_are_listed_and_ended_only_by_their_owner(pool: PgPool) {
    let server = start(pool).await;
    verified_account(&server, "drita@example.com").await;
    verified_account(&server, "luan@example.com").await;
    let mut laptop = signed_in(&server, "drita@example.com", PASSWORD).await;
    let mut phone = signed_in(&server, "drita@example.com", PASSWORD).await;
    let mut other = signed_in(&server, "luan@example.com", PASSWORD).await;

    let list: Vec<app::account::SessionView> = laptop
        .post("/api/account/sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s.current).count(), 1);
    assert!(list.iter().all(|s| s.ip == "127.0.0.1"));
    let phone_handle = list.iter().find(|s| !s.current).unwrap().handle.clone();

    let theirs: Vec<app::account::SessionView> = other
        .post("/api/account/sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    let refused = laptop
        .post(
            "/api/account/revoke-session",
            &[("handle", &theirs[0].handle)],
        )
        .await;
    assert_eq!(
        refused.status(),
        404,
        "another account's session is not ours to end"
    );
    assert!(other.is_signed_in().await);

    let ended = laptop
        .post("/api/account/revoke-session", &[("handle", &phone_handle)])
        .await;
    assert_eq!(location(&ended), "/account?session=ended");
    assert!(!phone.is_signed_in().await);
    assert!(laptop.is_signed_in().await);

    let everywhere = laptop.post("/api/account/sign-out-everywhere", &[]).await;
    assert_eq!(location(&everywhere), "/sign-in?signed_out=1");
    assert!(!laptop.is_signed_in().await);
}

#[sqlx::test(migrations = "../migrations")]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(pool: PgPool) {
    let server = start(pool).await;
    verified_account(&server, "drita@example.com").await;
    let mut laptop = signed_in(&server, "drita@example.com", PASSWORD).await;
    let mut phone = signed_in(&server, "drita@example.com", PASSWORD).await;

    let wrong = laptop
        .post(
            "/api/account/change-password",
            &[
                ("current_password", "not-my-password"),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        error_of(wrong)
            .await
            .for_field("current_password")
            .as_deref(),
        Some("That is not your current password.")
    );
    assert!(
        phone.is_signed_in().await,
        "a refused change changes nothing"
    );

    let changed = laptop
        .post(
            "/api/account/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&changed), "/account?password=changed");
    assert!(
        laptop.is_signed_in().await,
        "the session that changed it stays"
    );
    assert!(!phone.is_signed_in().await);
    signed_in(&server, "drita@example.com", NEW_PASSWORD).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn account_endpoints_are_rate_limited_across_instances(pool: PgPool) {
    let tight = |s: &mut platform::config::Settings| {
        let one = platform::config::LimitRule {
            max: 1,
            window_secs: 3600,
        };
        s.rate_limits.sign_in_per_account.max = 3;
        s.rate_limits.sign_up_per_account = one;
        s.rate_limits.verification_per_account = one;
        s.rate_limits.reset_per_account = one;
    };
    let first = start_with(pool.clone(), tight).await;
    let second_pool = PgPoolOptions::new()
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let second = start_with(second_pool, tight).await;

    // Sign-in: three attempts in all, whichever instance takes them.
    for server in [&first, &second, &first] {
        assert_eq!(
            Visitor::new(server)
                .sign_in("drita@example.com", "wrong-password-entirely")
                .await
                .status(),
            401
        );
    }
    let limited = Visitor::new(&second)
        .sign_in("drita@example.com", "wrong-password-entirely")
        .await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert!(matches!(
        error_of(limited).await,
        app::error::AppError::RateLimited { .. }
    ));

    for (path, form) in [
        (
            "/api/auth/sign-up",
            vec![
                ("full_name", "D"),
                ("business_name", "B"),
                ("email", "x@example.com"),
                ("password", PASSWORD),
            ],
        ),
        (
            "/api/auth/resend-verification",
            vec![("email", "x@example.com")],
        ),
        (
            "/api/auth/forgot-password",
            vec![("email", "x@example.com")],
        ),
    ] {
        assert_eq!(
            Visitor::new(&first).post(path, &form).await.status(),
            200,
            "{path}"
        );
        assert_eq!(
            Visitor::new(&second).post(path, &form).await.status(),
            429,
            "{path} on the other instance"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn without_wasm_a_failed_sign_in_returns_to_the_form_with_its_error(pool: PgPool) {
    let server = start(pool).await;
    let form = server
        .client
        .post(server.url("/api/auth/sign-in"))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("referer", server.url("/sign-in"))
        .form(&[
            ("email", "nobody@example.com"),
            ("password", "wrong-password-entirely"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        form.status(),
        302,
        "a browser form follows a redirect, not an error status"
    );
    let back = location(&form).to_owned();
    assert!(back.starts_with(&server.url("/sign-in?")), "{back}");
    let page = server
        .client
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("We could not sign you in"),
        "the page shows the error"
    );
}

/// The audit rows of `event_type`, oldest first: (actor kind, actor id, outcome, reason, ip).
async fn audit_rows(
    pool: &PgPool,
    event_type: &str,
) -> Vec<(
    String,
    Option<uuid::Uuid>,
    String,
    Option<String>,
    Option<String>,
)> {
    sqlx::query_as(
        "SELECT actor_kind::text, actor_id, outcome::text, reason, ip FROM audit.events WHERE event_type = $1 ORDER BY id",
    )
    .bind(event_type)
    .fetch_all(pool)
    .await
    .unwrap()
}

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

/// A sign-in attempt from `client` as a proxy in front would pass it on.
async fn proxied_sign_in(server: &support::TestServer, client: &str) -> u16 {
    let form = [
        ("email", "nobody@example.com"),
        ("password", "wrong-password-entirely"),
    ];
    let request = server
        .client
        .post(server.url("/api/auth/sign-in"))
        .header("sec-fetch-site", "same-origin");
    request
        .header("x-forwarded-for", client)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited_and_recorded(pool: PgPool) {
    let server = start_with(pool.clone(), |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.sign_in_per_ip.max = 2;
    })
    .await;
    let statuses = [
        proxied_sign_in(&server, "198.51.100.7").await,
        proxied_sign_in(&server, "198.51.100.7").await,
        proxied_sign_in(&server, "198.51.100.7").await,
        proxied_sign_in(&server, "1.2.3.4, 198.51.100.8").await,
    ];
    assert_eq!(
        statuses,
        [401, 401, 429, 401],
        "each client behind the proxy has its own limit"
    );
    let ips: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT ip FROM audit.events WHERE event_type = 'auth.sign_in' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        ips,
        [
            Some("198.51.100.7".to_owned()),
            Some("198.51.100.7".to_owned()),
            Some("198.51.100.8".to_owned())
        ]
    );

    // Without trusted proxies the header is the client's own claim and changes nothing.
    let direct = start_with(pool.clone(), |settings| {
        settings.rate_limits.sign_in_per_ip.max = 1
    })
    .await;
    assert_eq!(proxied_sign_in(&direct, "203.0.113.1").await, 401);
    assert_eq!(
        proxied_sign_in(&direct, "203.0.113.2").await,
        429,
        "a forged header buys no fresh limit"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn ipv6_clients_share_a_limit_per_64(pool: PgPool) {
    let server = start_with(pool.clone(), |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.sign_in_per_ip.max = 2;
    })
    .await;
    let statuses = [
        proxied_sign_in(&server, "2001:db8:7:1::1").await,
        proxied_sign_in(&server, "2001:db8:7:1::2").await,
        proxied_sign_in(&server, "2001:db8:7:1:ffff:ffff:ffff:9").await,
        proxied_sign_in(&server, "2001:db8:7:2::1").await,
    ];
    assert_eq!(
        statuses,
        [401, 401, 429, 401],
        "one /64 is one client; the next /64 another"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn every_forwarded_for_line_is_read_so_a_line_of_the_clients_own_is_not_believed(
    pool: PgPool,
) {
    let server = start_with(pool.clone(), |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.sign_in_per_ip.max = 1;
    })
    .await;
    // The client sends a line of its own; the proxy appends the real address as a second line.
    let sign_in = async |own_line: &str| {
        let form = [
            ("email", "nobody@example.com"),
            ("password", "wrong-password-entirely"),
        ];
        let request = server
            .client
            .post(server.url("/api/auth/sign-in"))
            .header("sec-fetch-site", "same-origin");
        let request = request
            .header("x-forwarded-for", own_line)
            .header("x-forwarded-for", "198.51.100.8");
        request.form(&form).send().await.unwrap().status().as_u16()
    };
    assert_eq!(sign_in("1.2.3.4").await, 401);
    assert_eq!(
        sign_in("5.6.7.8").await,
        429,
        "a new line of its own buys the client no fresh limit"
    );
    let ips: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT ip FROM audit.events WHERE event_type = 'auth.sign_in' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        ips,
        [Some("198.51.100.8".to_owned())],
        "the trail names the address the proxy saw"
    );
}
