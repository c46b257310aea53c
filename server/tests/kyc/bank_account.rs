//! The bank account payouts go to, through the real router and Postgres: validation as field
//! errors, encryption at rest, the mask everywhere (answers, mail, audit rows, the server's
//! log), step-up on every change, the owners' notice and the 72-hour payout hold, who may
//! change and who may reveal it, and how a change meets the KYC checklist.

use crate::support;

use std::sync::{Arc, Mutex, OnceLock};

use app::error::AppError;
use platform::field_crypto::FieldSlot;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of, mails_to};
use support::books::{KOSOVO, iban};
use support::business::{application_state, business, member, person};
use support::kyc::state;
use support::world::{Actor, World, visitor, world};

mod changes;
mod first_account;

const SET: &str = "/api/kyc/bank-account/set";
const READ: &str = "/api/kyc/bank-account";
const STAFF_READ: &str = "/api/admin/kyc/bank-account";
const REVEAL: &str = "/api/admin/kyc/bank-account/reveal";
const MASKED: &str = "XK05 **** **** **** 8906";

/// Everything the server logs from here on, at debug level and above.
fn captured_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        buffer
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn slot(row: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "bank_accounts",
        column: "iban_enc",
        row,
    }
}

fn field_of(error: AppError) -> (String, String) {
    match error {
        AppError::Validation { field, message } => (field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn set(visitor: &mut Visitor<'_>, holder: &str, iban: &str) -> reqwest::Response {
    visitor
        .post(SET, &[("holder_name", holder), ("iban", iban)])
        .await
}

async fn accounts(world: &World, merchant: uuid::Uuid) -> Vec<(uuid::Uuid, Vec<u8>, String, bool)> {
    sqlx::query_as("SELECT id, iban_enc, iban_masked, retired_at IS NOT NULL FROM bank_accounts WHERE merchant_id = $1 ORDER BY created_at")
        .bind(merchant)
        .fetch_all(&world.server.platform.pool)
        .await
        .unwrap()
}

/// `(outcome, reason, "<actor> <target> <detail>")` of each `event_type` row, oldest first.
async fn audit_rows(world: &World, event_type: &str) -> Vec<(String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT outcome::text, reason, concat_ws(' ', actor_id::text, target_id, detail::text)
         FROM audit.events WHERE event_type = $1 ORDER BY id",
    )
    .bind(event_type)
    .fetch_all(&world.server.platform.pool)
    .await
    .unwrap()
}

async fn stale_step_up(world: &World, actor: Actor) -> Visitor<'_> {
    let stale = visitor(world, actor).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&actor])
        .execute(&world.server.platform.pool)
        .await
        .unwrap();
    stale
}

fn assert_no_iban(text: &str, full: &str, what: &str) {
    assert!(!text.contains(full), "{what} holds the IBAN: {text}");
    assert!(
        !text.contains(&full[4..16]),
        "{what} holds the IBAN's hidden digits: {text}"
    );
}
