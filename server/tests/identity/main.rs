//! Identity against the real server and Postgres: sign-up, verification, sign-in and out,
//! sessions, password reset and change, rate limits, and what none of them may reveal.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use std::time::Instant;

use reqwest::Response;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use support::accounts::{
    NEW_PASSWORD, PASSWORD, Visitor, error_of, location, mails_to, sign_up, signed_in,
    token_from_mail, verified_account,
};
use support::{start, start_with};

mod audit;
mod limits;
mod sessions;
mod sign_in;
mod sign_up;

fn session_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.contains("saleonix-session="))
        .expect("a session cookie")
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
