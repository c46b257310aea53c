//! Roles and guards against the real server and Postgres: the authorisation matrix of every
//! page and server function against every kind of actor, IDOR attempts across merchants,
//! invitations, permission changes taking effect at once, and the audit of denials.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use app::error::AppError;
use app::policy::{PAGES, Policy, SERVER_FUNCTIONS};
use platform::identity::roles::{Level, Module};
use platform::identity::users::MerchantRole;
use reqwest::Response;
use sqlx::PgPool;
use support::accounts::{PASSWORD, Visitor, error_of, location, mails_to, token_from_mail};
use support::start;
use support::world::{ACTORS, Actor, visitor, world};
use uuid::Uuid;

mod invitations;
mod matrix;
mod matrix_table;
mod policies;
mod scopes;
mod staff;
mod step_up;
mod team;
