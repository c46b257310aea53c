//! Chargebacks against the real server, Postgres and the Payten sandbox: recording one
//! debits the merchant (pending first, then available, which may go negative), a win gives
//! it back, a loss moves nothing; the limits, roles, step-up, deadline and merchant scope
//! of every step; the mail, the audit rows, and books that balance throughout.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use app::error::AppError;
use platform::audit::RequestFacts;
use platform::identity::roles::MerchantScope;
use platform::payments::PaymentError;
use platform::payments::refunds::{self, RefundRequest, RefundStatus, Requester};
use reqwest::Response;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of, location, mails_to};
use support::checkout::{Shop, shop};
use support::kyc::{pdf, png};
use support::world::{Actor, World, cast, visitor};
use uuid::Uuid;

mod balances;
mod evidence;

const RECORD: &str = "/api/admin/chargebacks/record";
const DECIDE: &str = "/api/admin/chargebacks/decide";
const STATEMENT: &str = "/api/chargebacks/statement";

/// A shop whose payments belong to the cast's merchant A, so every actor of the cast
/// stands where a test needs them; and a finance member of A, who is told too.
async fn setup(pool: PgPool) -> (Shop, World) {
    let mut shop = shop(pool.clone()).await;
    let world = cast(shop.server.clone()).await;
    let owner = platform::identity::users::load_active(&pool, world.users[&Actor::OwnerA])
        .await
        .unwrap()
        .unwrap();
    shop.merchant_id = world.merchant_a;
    shop.scope = MerchantScope::of(&owner).unwrap();
    let keys = &shop.server.platform.config.secrets.field_keys;
    support::business::member(
        &pool,
        keys,
        world.merchant_a,
        "finance-a@example.com",
        "finance",
    )
    .await;
    (shop, world)
}

async fn today(pool: &PgPool) -> time::Date {
    platform::ledger::today(&mut pool.acquire().await.unwrap())
        .await
        .unwrap()
}

/// Records through the console as `staff` would: `(response, request id)`.
async fn record_as(
    staff: &mut Visitor<'_>,
    order_id: &str,
    amount: &str,
    due: time::Date,
) -> Response {
    let reported = (due - time::Duration::days(20)).to_string();
    let (request_id, due) = (Uuid::new_v4().to_string(), due.to_string());
    let form = [
        ("order_id", order_id),
        ("request_id", &request_id),
        ("amount", amount),
        ("reason_code", "10.4"),
        ("reported_on", &reported),
        ("evidence_due_on", &due),
    ];
    staff.post(RECORD, &form).await
}

/// Records a chargeback as staff with payments `act` and answers its id.
async fn record(world: &World, order_id: &str, amount: &str) -> Uuid {
    let due = today(&world.server.platform.pool).await + time::Duration::days(10);
    let response = record_as(
        &mut visitor(world, Actor::StaffAct).await,
        order_id,
        amount,
        due,
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json::<String>().await.unwrap().parse().unwrap()
}

async fn decide(world: &World, actor: Actor, id: Uuid, decision: &str) -> Response {
    visitor(world, actor)
        .await
        .post(DECIDE, &[("id", &id.to_string()), ("decision", decision)])
        .await
}

/// The merchant account's balance as the merchant reads it (credits less debits), cents.
async fn balance(pool: &PgPool, merchant: Uuid, kind: &str) -> i64 {
    let stored: Option<i64> = sqlx::query_scalar(
        "SELECT balance_minor FROM ledger_accounts WHERE merchant_id = $1 AND kind = $2::ledger_account_kind AND mode = 'test'",
    )
    .bind(merchant)
    .bind(kind)
    .fetch_optional(pool)
    .await
    .unwrap();
    -stored.unwrap_or(0)
}

/// What the acquirer owes Saleonix in Test Mode (debits less credits).
async fn clearing(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT coalesce(sum(balance_minor), 0)::bigint FROM ledger_accounts WHERE kind = 'gateway_clearing'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every entry balances, and every account's balance is the sum of its lines.
async fn assert_books_balance(pool: &PgPool) {
    let unbalanced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT entry_id FROM ledger_lines GROUP BY entry_id, currency HAVING sum(amount_minor) <> 0) e",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let drifted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ledger_accounts a
         WHERE a.balance_minor <> (SELECT coalesce(sum(amount_minor), 0) FROM ledger_lines l WHERE l.account_id = a.id)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((unbalanced, drifted), (0, 0));
}

async fn entries(pool: &PgPool, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM ledger_entries WHERE kind = $1::ledger_entry_kind")
        .bind(kind)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn status(pool: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status::text FROM chargebacks WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Audit rows about chargeback `id`: `event_type:actor_kind:outcome`.
async fn audit(pool: &PgPool, id: Uuid) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT event_type || ':' || actor_kind::text || ':' || outcome::text FROM audit.events
         WHERE target_type = 'chargeback' AND target_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn evidence_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM chargeback_evidence")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Posts a file as the chargeback page's upload form does (same-origin, multipart).
async fn upload(visitor: &Visitor<'_>, chargeback: &str, bytes: &[u8]) -> Response {
    let boundary = "----saleonix-test-boundary-chargeback";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"proof.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = visitor
        .server
        .client
        .post(
            visitor
                .server
                .url(&format!("/api/chargebacks/{chargeback}/evidence")),
        )
        .header("sec-fetch-site", "same-origin")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    if let Some(cookie) = &visitor.cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// A session whose second factor was passed long ago.
async fn stale_step_up<'a>(world: &'a World, actor: Actor) -> Visitor<'a> {
    let stale = visitor(world, actor).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&actor])
        .execute(&world.server.platform.pool)
        .await
        .unwrap();
    stale
}
