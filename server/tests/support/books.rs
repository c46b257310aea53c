//! Setting up payable merchants and reading the books, shared by the payout tests.

use domain::{Currency, MerchantId};
use platform::Platform;
use platform::audit::RequestFacts;
use platform::field_crypto::FieldSlot;
use platform::gateway_accounts::Mode;
use platform::identity::roles::{Level, Module, StaffScope};
use platform::ledger::{self, AccountKind, EntryKind, Line, NewEntry};
use platform::payouts::run::{self, RunReport};
use platform::payouts::transition::{self, Move};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::checkout::staff_user;

pub const KOSOVO: &str = "XK051212012345678906";

/// A valid IBAN of `country` with `bban`: the check digits computed (ISO 7064 mod 97-10).
pub fn iban(country: &str, bban: &str) -> String {
    let digits: String = format!("{bban}{country}00")
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c.to_string()
            } else {
                (c as u32 - 'A' as u32 + 10).to_string()
            }
        })
        .collect();
    let rest = digits
        .bytes()
        .fold(0u32, |rest, b| (rest * 10 + u32::from(b - b'0')) % 97);
    format!("{country}{:02}{bban}", 98 - rest)
}

/// A merchant with an owner (no session): verified, KYC approved, not yet with an account.
pub async fn merchant(pool: &PgPool, name: &str) -> Uuid {
    let (id, _) = crate::support::checkout::merchant(pool, name, true).await;
    approve_kyc(pool, id).await;
    id
}

/// The application approved with its bank account item accepted, as staff leave it.
pub async fn approve_kyc(pool: &PgPool, merchant_id: Uuid) {
    sqlx::query("UPDATE merchants SET verified_at = coalesce(verified_at, now()) WHERE id = $1")
        .bind(merchant_id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO kyc_applications (merchant_id, status, submitted_at, decided_at) VALUES ($1, 'approved', now(), now())
         ON CONFLICT (merchant_id) DO UPDATE SET status = 'approved'",
    )
    .bind(merchant_id)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO kyc_items (merchant_id, item, state, reviewed_at) VALUES ($1, 'bank_account', 'accepted', now())
         ON CONFLICT (merchant_id, item) DO UPDATE SET state = 'accepted', reason = NULL",
    )
    .bind(merchant_id)
    .execute(pool)
    .await
    .unwrap();
}

/// Sets the merchant's bank account (encrypted like `kyc::bank_account::set`), payouts to
/// it starting `hours_from_now` (negative: already started). Returns its id.
pub async fn bank_account(
    platform: &Platform,
    merchant_id: Uuid,
    holder: &str,
    iban: &str,
    hours_from_now: i32,
) -> Uuid {
    let id = Uuid::new_v4();
    let sealed = platform
        .config
        .secrets
        .field_keys
        .encrypt(
            FieldSlot {
                table: "bank_accounts",
                column: "iban_enc",
                row: &id.to_string(),
            },
            iban.as_bytes(),
        )
        .unwrap();
    let masked = format!("{} **** **** **** {}", &iban[..4], &iban[iban.len() - 4..]);
    let creator: Uuid =
        sqlx::query_scalar("SELECT user_id FROM merchant_members WHERE merchant_id = $1 LIMIT 1")
            .bind(merchant_id)
            .fetch_one(&platform.pool)
            .await
            .unwrap();
    sqlx::query(
        "UPDATE bank_accounts SET retired_at = now() WHERE merchant_id = $1 AND retired_at IS NULL",
    )
    .bind(merchant_id)
    .execute(&platform.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO bank_accounts (id, merchant_id, holder_name, iban_enc, iban_masked, created_by, payouts_from)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(hours => $7))",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(holder)
    .bind(sealed)
    .bind(masked)
    .bind(creator)
    .bind(hours_from_now)
    .execute(&platform.pool)
    .await
    .unwrap();
    id
}

/// A merchant ready to be paid every day: approved, with a current account.
pub async fn payable(platform: &Platform, name: &str) -> Uuid {
    let id = merchant(&platform.pool, name).await;
    bank_account(platform, id, name, KOSOVO, -1).await;
    daily(&platform.pool, id, 1_000).await;
    id
}

pub async fn daily(pool: &PgPool, merchant_id: Uuid, minimum_minor: i64) {
    sqlx::query(
        "INSERT INTO merchant_settlement (merchant_id, payout_schedule, payout_minimum_minor) VALUES ($1, 'daily', $2)
         ON CONFLICT (merchant_id) DO UPDATE SET payout_schedule = 'daily', payout_minimum_minor = $2",
    )
    .bind(merchant_id)
    .bind(minimum_minor)
    .execute(pool)
    .await
    .unwrap();
}

/// Moves `amount_minor` (negative: takes it) into the merchant's available balance in
/// `mode`, as a staff adjustment against the gateway's clearing account.
pub async fn credit(pool: &PgPool, merchant_id: Uuid, mode: Mode, amount_minor: i64) {
    let entry = NewEntry {
        kind: EntryKind::Adjustment,
        mode,
        merchant_id: Some(MerchantId::from_uuid(merchant_id)),
        currency: Currency::Eur,
        cause: format!("test:{}", Uuid::new_v4()),
        payment_id: None,
        memo: Some("Opening credit"),
        created_by: None,
        lines: vec![
            Line::debit(AccountKind::GatewayClearing, amount_minor),
            Line::credit(AccountKind::MerchantAvailable, amount_minor),
        ],
    };
    let mut tx = pool.begin().await.unwrap();
    ledger::post(&mut tx, &entry).await.unwrap().unwrap();
    tx.commit().await.unwrap();
}

/// `(available, in_payout)` of the merchant's Live EUR books, as the merchant reads them.
pub async fn balances(pool: &PgPool, merchant_id: Uuid) -> (i64, i64) {
    let mut conn = pool.acquire().await.unwrap();
    let merchant_id = MerchantId::from_uuid(merchant_id);
    let all = ledger::balances::of_merchant(&mut conn, merchant_id, Mode::Live)
        .await
        .unwrap();
    all.iter()
        .find(|b| b.currency == Currency::Eur)
        .map(|b| (b.available.minor(), b.in_payout.minor()))
        .unwrap_or((0, 0))
}

/// The books balance: every mode and currency sums to zero, and every account's balance is
/// the sum of its lines.
pub async fn assert_books_balance(pool: &PgPool) {
    let unbalanced: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT mode::text, currency::text, sum(balance_minor)::bigint FROM ledger_accounts
         GROUP BY mode, currency HAVING sum(balance_minor) <> 0",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(unbalanced.is_empty(), "{unbalanced:?}");
    let drifted: Vec<(i64,)> = sqlx::query_as(
        "SELECT a.id FROM ledger_accounts a LEFT JOIN ledger_lines l ON l.account_id = a.id
         GROUP BY a.id HAVING a.balance_minor <> coalesce(sum(l.amount_minor), 0)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(drifted.is_empty(), "{drifted:?}");
}

pub async fn run_now(platform: &Platform, staff: Option<&StaffScope>) -> RunReport {
    run::run(platform, staff, &RequestFacts::default())
        .await
        .unwrap()
}

/// A staff member with payouts `act` (and nothing else), as the scope the payout steps
/// take.
pub async fn staff(pool: &PgPool, email: &str) -> StaffScope {
    let user = staff_user(pool, email, &[(Module::Payouts, Level::Act)]).await;
    StaffScope::of(&user, Module::Payouts, Level::Act).unwrap()
}

/// Runs, approves (by `approver`) and sends: the batch and its payouts, sent.
pub async fn sent_batch(platform: &Platform, approver: &StaffScope) -> Uuid {
    let report = run_now(platform, None).await;
    let batch_id = report.batches[0];
    let facts = RequestFacts::default();
    transition::apply(
        platform,
        Move::Approve {
            batch_id,
            staff: approver,
        },
        &facts,
    )
    .await
    .unwrap();
    transition::apply(
        platform,
        Move::Send {
            batch_id,
            staff: approver,
        },
        &facts,
    )
    .await
    .unwrap();
    batch_id
}

/// The merchant's payouts as `(id, end_to_end_id, amount, status)`.
pub async fn payouts_of(pool: &PgPool, merchant_id: Uuid) -> Vec<(Uuid, String, i64, String)> {
    sqlx::query_as(
        "SELECT id, end_to_end_id, amount_minor, status::text FROM payouts WHERE merchant_id = $1 ORDER BY created_at",
    )
    .bind(merchant_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Audit rows `type:outcome:reason` of this type.
pub async fn audit(pool: &PgPool, event_type: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT event_type || ':' || outcome::text || ':' || coalesce(reason, '') FROM audit.events
         WHERE event_type = $1 ORDER BY id",
    )
    .bind(event_type)
    .fetch_all(pool)
    .await
    .unwrap()
}
