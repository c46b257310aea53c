//! Two-factor authentication against the real server and Postgres: enrolment, the second
//! step of signing in, recovery codes, the policy on every server function, mandatory
//! enrolment for staff, step-up expiry and an administrator's reset.

mod support;

use app::error::AppError;
use app::policy::{Policy, SERVER_FUNCTIONS};
use platform::field_crypto::FieldSlot;
use platform::identity::mfa::code_at;
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use support::accounts::{
    NEW_PASSWORD, PASSWORD, Visitor, error_of, location, mails_to, signed_in, token_from_mail,
    verified_account,
};
use support::{TestServer, start, start_with};
use uuid::Uuid;

fn unix_now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp() as u64
}

/// The code an app shows `steps` 30-second steps from now (one either side is accepted).
fn code(secret: &str, steps: i64) -> String {
    code_at(secret, unix_now().saturating_add_signed(steps * 30)).expect("the secret is base32")
}

struct Enrolled<'a> {
    visitor: Visitor<'a>,
    secret: String,
    recovery_codes: Vec<String>,
}

/// Turns two-factor authentication on for the signed-in `visitor` with a code for the
/// current step (so the next fresh code is the one for the step after).
async fn enrol<'a>(mut visitor: Visitor<'a>) -> Enrolled<'a> {
    let started = visitor.post("/api/account/two-factor/start", &[]).await;
    assert_eq!(started.status(), 200);
    let view: serde_json::Value = started.json().await.unwrap();
    let secret = view["secret"].as_str().unwrap().to_owned();
    assert!(
        view["qr_svg"].as_str().unwrap().starts_with("<svg"),
        "the QR code is inline SVG"
    );
    let confirmed = visitor
        .post(
            "/api/account/two-factor/confirm",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let recovery_codes: Vec<String> = confirmed.json().await.unwrap();
    Enrolled {
        visitor,
        secret,
        recovery_codes,
    }
}

async fn enrolled_merchant<'a>(server: &'a TestServer, email: &str) -> Enrolled<'a> {
    verified_account(server, email).await;
    enrol(signed_in(server, email, PASSWORD).await).await
}

/// A verified staff member or administrator, created as the platform's staff tooling will.
async fn staff(server: &TestServer, email: &str, kind: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
         VALUES ($1, $2, 'Arta Krasniqi', $3::user_kind, $4, now())",
    )
    .bind(id)
    .bind(email)
    .bind(kind)
    .bind(platform::password::hash(&SecretString::from(PASSWORD)))
    .execute(&server.platform.pool)
    .await
    .unwrap();
    id
}

/// Signs in with the password and answers `/sign-in/two-factor`: a pending session.
async fn pending<'a>(server: &'a TestServer, email: &str) -> Visitor<'a> {
    let mut visitor = Visitor::new(server);
    let response = visitor.sign_in(email, PASSWORD).await;
    assert_eq!(location(&response), "/sign-in/two-factor");
    visitor
}

/// Moves the user's last second-factor check `secs` into the past.
async fn age_second_factor(pool: &PgPool, email: &str, secs: i64) {
    sqlx::query(
        "UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}',
             to_jsonb((data -> 'auth' ->> 'second_factor_at')::bigint - $2))
         WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(email)
    .bind(secs)
    .execute(pool)
    .await
    .unwrap();
}

async fn audit_outcomes(pool: &PgPool, event_type: &str) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT outcome::text, reason FROM audit.events WHERE event_type = $1 ORDER BY id",
    )
    .bind(event_type)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn enrolment_keeps_the_secret_encrypted_and_recovery_codes_as_digests(pool: PgPool) {
    let server = start(pool.clone()).await;
    let email = "drita@dardania.example";
    verified_account(&server, email).await;
    let mut visitor = signed_in(&server, email, PASSWORD).await;

    // A wrong first code leaves it off.
    visitor.post("/api/account/two-factor/start", &[]).await;
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
    for (path, policy) in SERVER_FUNCTIONS {
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
    let mut declared: Vec<&str> = SERVER_FUNCTIONS.iter().map(|(path, _)| *path).collect();
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
        for (path, policy) in SERVER_FUNCTIONS {
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
        settings.rate_limits.sign_in_per_account.max = 3;
    })
    .await;
    let email = "drita@dardania.example";
    // The owner's own sign-in to enrol is the first attempt of the window.
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
