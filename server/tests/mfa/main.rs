//! Two-factor authentication against the real server and Postgres: enrolment, the second
//! step of signing in, recovery codes, the policy on every server function, mandatory
//! enrolment for staff, step-up expiry and an administrator's reset.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
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

mod enrolment;
mod sign_in;

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
    let started = visitor
        .post("/api/account/two-factor/start", &[("password", PASSWORD)])
        .await;
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
    .bind(platform::password::hash(&SecretString::from(PASSWORD)).unwrap())
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
