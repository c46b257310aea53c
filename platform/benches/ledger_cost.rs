//! What the books cost:
//! - posting a paid payment's entry (`ledger::sales::follow`: the fee schedule, the split,
//!   the five-line entry with its balance triggers, the hold, and the commit that checks
//!   the entry balances), which runs inside the payment's transition, against a baseline
//!   of a one-row write and its commit, which the transition pays anyway;
//! - reading a merchant's balances and upcoming releases (the Balance page's queries) with a
//!   million entries in the books.
//!
//! Needs Postgres; it works in a database of its own, `saleonix_bench_ledger`, which keeps
//! its million entries between runs (made once, a few minutes):
//!   cargo bench -p platform --bench ledger_cost
//! (`SALEONIX_DATABASE_URL` points elsewhere; the default is the local server.)

// Benchmark code: a failed unwrap is the benchmark stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use platform::Platform;
use platform::gateway_accounts::Mode;
use platform::ledger::{balances, sales};
use support::Database;
use uuid::Uuid;

mod support;

const ENTRIES: i64 = 1_000_000;
const MERCHANTS: i64 = 100;

async fn setup() -> (Platform, Uuid) {
    let platform = support::platform("saleonix_bench_ledger", Database::Kept).await;
    let pool = &platform.pool;
    let merchants: i64 = sqlx::query_scalar("SELECT count(*) FROM merchants")
        .fetch_one(pool)
        .await
        .unwrap();
    if merchants < MERCHANTS {
        sqlx::query(
            "INSERT INTO merchants (id, business_name, verified_at)
             SELECT gen_random_uuid(), 'Bench shop ' || g, now() FROM generate_series(1, $1) g",
        )
        .bind(MERCHANTS)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO gateway_accounts (mode, gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc)
             VALUES ('test', 'http://127.0.0.1:8600/fim/est3Dgate', 'http://127.0.0.1:8600/fim/api', '180000001', 'api',
                     '\\x00', '\\x00') ON CONFLICT DO NOTHING",
        )
        .execute(pool)
        .await
        .unwrap();
    }
    // A million two-line entries spread over the merchants, in transactions of 2,000 so
    // the balance rows' versions are pruned as they go.
    let mut entries: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(pool)
        .await
        .unwrap();
    while entries < ENTRIES {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query(
            "WITH m AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM merchants),
                  accounts AS (
                      INSERT INTO ledger_accounts (kind, merchant_id, mode, currency)
                      SELECT 'merchant_available'::ledger_account_kind, id, 'test'::payment_mode, 'EUR' FROM m
                      UNION ALL SELECT 'fee_revenue', NULL, 'test', 'EUR'
                      ON CONFLICT DO NOTHING RETURNING id)
             INSERT INTO ledger_entries (kind, mode, merchant_id, cause, memo)
             SELECT 'adjustment', 'test', m.id, 'bench:' || ($1 + g), 'bench'
             FROM generate_series(1, 2000) g JOIN m ON m.n = 1 + (($1 + g) % $2)",
        )
        .bind(entries)
        .bind(MERCHANTS)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO ledger_lines (entry_id, account_id, mode, currency, amount_minor)
             SELECT e.id, a.id, 'test', 'EUR', CASE WHEN a.kind = 'fee_revenue' THEN 100 ELSE -100 END
             FROM ledger_entries e
             JOIN ledger_accounts a ON a.mode = 'test' AND a.currency = 'EUR'
                  AND ((a.kind = 'fee_revenue' AND a.merchant_id IS NULL) OR (a.kind = 'merchant_available' AND a.merchant_id = e.merchant_id))
             WHERE e.id > (SELECT coalesce(max(entry_id), 0) FROM ledger_lines)
             ORDER BY e.id, a.id",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        entries += 2_000;
    }
    // As autovacuum would have by now: the planner's statistics of the loaded books.
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
    let merchant_id = sqlx::query_scalar("SELECT id FROM merchants ORDER BY id LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap();
    (platform, merchant_id)
}

/// A payment made paid by hand, its books not yet posted: what `follow` finds when the
/// transition has just written `paid`.
async fn paid_payment(platform: &Platform, merchant_id: Uuid) -> Uuid {
    let session_id = Uuid::new_v4();
    let id = Uuid::new_v4();
    sqlx::query(
        "WITH s AS (INSERT INTO checkout_sessions (id, merchant_id, mode, token, amount_minor, currency, expires_at)
                    VALUES ($1, $2, 'test', 'cs_' || substr(replace($3::text, '-', ''), 1, 22), 4500, 'EUR',
                            now() + interval '1 hour') RETURNING id)
         INSERT INTO payments (id, merchant_id, mode, session_id, order_id, gateway_client_id, amount_minor, currency,
                               status, paid_at, buyer_locale)
         SELECT $3, $2, 'test', s.id, substr(replace($3::text, '-', ''), 1, 20), '180000001', 4500, 'EUR', 'paid', now(), 'sq'
         FROM s",
    )
    .bind(session_id)
    .bind(merchant_id)
    .bind(id)
    .execute(&platform.pool)
    .await
    .unwrap();
    id
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (platform, merchant_id) = runtime.block_on(setup());

    c.bench_function("post a paid payment's entry (follow + commit)", |b| {
        b.to_async(&runtime).iter_custom(|iterations| {
            let platform = platform.clone();
            async move {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    let payment_id = paid_payment(&platform, merchant_id).await;
                    let started = Instant::now();
                    let mut tx = platform.pool.begin().await.unwrap();
                    sales::follow(&mut tx, &platform, payment_id).await.unwrap();
                    tx.commit().await.unwrap();
                    spent += started.elapsed();
                }
                spent
            }
        });
    });

    // The transition commits anyway (and waits for the WAL flush): this is what the books
    // add to, a one-row write to the payment and its commit.
    c.bench_function("baseline: a payment's one-row write and commit", |b| {
        b.to_async(&runtime).iter_custom(|iterations| {
            let platform = platform.clone();
            async move {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    let payment_id = paid_payment(&platform, merchant_id).await;
                    let started = Instant::now();
                    let mut tx = platform.pool.begin().await.unwrap();
                    sqlx::query("UPDATE payments SET updated_at = now() WHERE id = $1")
                        .bind(payment_id)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                    spent += started.elapsed();
                }
                spent
            }
        });
    });

    c.bench_function(
        "a merchant's balances and releases, 1,000,000 entries",
        |b| {
            b.to_async(&runtime).iter(|| async {
                let mut conn = platform.pool.acquire().await.unwrap();
                let merchant_id = domain::MerchantId::from_uuid(merchant_id);
                let balance = balances::of_merchant(&mut conn, merchant_id, Mode::Test)
                    .await
                    .unwrap();
                let upcoming = balances::upcoming_releases(&mut conn, merchant_id, Mode::Test)
                    .await
                    .unwrap();
                (balance, upcoming)
            });
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
