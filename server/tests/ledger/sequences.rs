//! Random sequences of what happens to a merchant's money (sales, refunds, releases,
//! staff adjustments), each applied through the code that does it for real, with the
//! books checked after every step: they balance, every balance is the sum of its lines, no
//! account goes below zero but those allowed to, and what Saleonix owes the merchant
//! (available + pending + reserve + in payout) is the net of everything that happened.
//!
//! Sequences come from proptest's generators; on a failure the sequence is printed.

use platform::audit::{Actor, ActorKind, RequestFacts};
use platform::gateway_accounts::Mode;
use platform::ledger::{self, AccountKind, EntryKind, Line, NewEntry, release};
use platform::payments::transition::{self, CardFacts, Change, NewAttempt, Source};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use sqlx::PgPool;
use uuid::Uuid;

use super::books;
use super::support::checkout::{Shop, shop};

#[derive(Debug, Clone)]
enum Step {
    /// A sale of this many cents.
    Sell(i64),
    /// A refund of this share (per mille) of what is left of the n-th sale.
    Refund { sale: usize, per_mille: i64 },
    /// Every hold due: released.
    Release,
    /// Staff credit (positive) or debit the merchant's available balance.
    Adjust(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1i64..=200_000).prop_map(Step::Sell),
        3 => (0usize..12, 1i64..=1_000).prop_map(|(sale, per_mille)| Step::Refund { sale, per_mille }),
        1 => Just(Step::Release),
        1 => (-5_000i64..=5_000).prop_filter("a movement", |a| *a != 0).prop_map(Step::Adjust),
    ]
}

struct Sale {
    order_id: String,
    amount_minor: i64,
    refunded_minor: i64,
}

fn system() -> Actor {
    Actor { kind: ActorKind::System, id: None }
}

async fn sell(shop: &Shop, n: usize, amount_minor: i64) -> (Sale, i64) {
    let platform = &shop.server.platform;
    let price = format!("{}.{:02}", amount_minor / 100, amount_minor % 100);
    let token = shop.checkout(Mode::Test, &price).await;
    let session_id: Uuid = sqlx::query_scalar("SELECT id FROM checkout_sessions WHERE token = $1")
        .bind(&token)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    let order_id = format!("seq{n}{}", &Uuid::new_v4().simple().to_string()[..10]);
    let mut tx = shop.pool().begin().await.unwrap();
    let attempt = NewAttempt {
        merchant_id: shop.merchant_id,
        mode: Mode::Test,
        session_id,
        order_id: &order_id,
        gateway_client_id: payten_sandbox::config::DEV_CLIENT_ID,
        amount_minor,
        currency: "EUR",
        buyer_email: "buyer@example.com",
    };
    let facts = RequestFacts::default();
    let payment_id = transition::create(&mut tx, &attempt, system(), &facts).await.unwrap();
    for change in [Change::Send, Change::Paid(CardFacts::default())] {
        transition::apply(&mut tx, platform, &order_id, change, Source::StatusQuery, system(), &facts).await.unwrap();
    }
    tx.commit().await.unwrap();
    let net: i64 = sqlx::query_scalar("SELECT net_minor FROM payment_fees WHERE payment_id = $1")
        .bind(payment_id)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    (Sale { order_id, amount_minor, refunded_minor: 0 }, net)
}

/// A refund the gateway made, as `refunds::settle` applies it: held first, then refunded.
async fn refund(shop: &Shop, sale: &mut Sale, amount_minor: i64) {
    let mut tx = shop.pool().begin().await.unwrap();
    sqlx::query("UPDATE payments SET refund_pending_minor = refund_pending_minor + $2 WHERE order_id = $1")
        .bind(&sale.order_id)
        .bind(amount_minor)
        .execute(&mut *tx)
        .await
        .unwrap();
    let whole = sale.refunded_minor + amount_minor == sale.amount_minor;
    let change = Change::Refund { amount_minor, whole };
    let facts = RequestFacts::default();
    transition::apply(&mut tx, &shop.server.platform, &sale.order_id, change, Source::Refund, system(), &facts).await.unwrap();
    tx.commit().await.unwrap();
    sale.refunded_minor += amount_minor;
}

async fn adjust(shop: &Shop, n: usize, amount_minor: i64) {
    let mut tx = shop.pool().begin().await.unwrap();
    let entry = NewEntry {
        kind: EntryKind::Adjustment,
        mode: Mode::Test,
        merchant_id: Some(shop.merchant_id),
        currency: "EUR",
        cause: format!("sequence:{}:{n}", Uuid::new_v4()),
        payment_id: None,
        memo: Some("sequence"),
        created_by: None,
        lines: vec![Line::debit(AccountKind::FeeRevenue, amount_minor), Line::credit(AccountKind::MerchantAvailable, amount_minor)],
    };
    ledger::post(&mut tx, &entry).await.unwrap();
    tx.commit().await.unwrap();
}

/// No account below zero but those allowed to be.
async fn assert_signs(pool: &PgPool) {
    let accounts: Vec<(AccountKind, i64)> =
        sqlx::query_as("SELECT kind, balance_minor FROM ledger_accounts").fetch_all(pool).await.unwrap();
    for (kind, stored) in accounts {
        assert!(kind.may_go_negative() || kind.reading(stored) >= 0, "{} reads {}", kind.as_str(), kind.reading(stored));
    }
}

/// Runs `steps`; `owed` is what Saleonix owed the merchant before them, and after.
async fn run(shop: &Shop, steps: &[Step], owed: &mut i64) {
    let mut sales: Vec<Sale> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        match *step {
            Step::Sell(amount) => {
                let (sale, net) = sell(shop, n, amount).await;
                *owed += net;
                sales.push(sale);
            }
            Step::Refund { sale, per_mille } => {
                let Some(sale) = sales.get_mut(sale) else { continue };
                let left = sale.amount_minor - sale.refunded_minor;
                let amount = (left * per_mille / 1_000).max(1).min(left);
                if left > 0 {
                    refund(shop, sale, amount).await;
                    *owed -= amount;
                }
            }
            Step::Release => {
                sqlx::query("UPDATE ledger_holds SET release_on = current_date - 1 WHERE released_at IS NULL")
                    .execute(shop.pool())
                    .await
                    .unwrap();
                release::release_due(&shop.server.platform).await.unwrap();
            }
            Step::Adjust(amount) => {
                adjust(shop, n, amount).await;
                *owed += amount;
            }
        }
        books::assert_consistent(shop.pool()).await;
        assert_signs(shop.pool()).await;
        let (available, pending, reserve, in_payout) = books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await;
        assert_eq!(available + pending + reserve + in_payout, *owed, "after step {n}: {step:?}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_books_hold_over_random_sequences(pool: PgPool) {
    let shop = shop(pool).await;
    sqlx::query("INSERT INTO merchant_settlement (merchant_id, reserve_bp, reserve_days) VALUES ($1, 750, 30)")
        .bind(shop.merchant_id)
        .execute(shop.pool())
        .await
        .unwrap();
    let mut runner = TestRunner::new(Config { cases: 12, ..Config::default() });
    let sequences = proptest::collection::vec(step(), 1..24);
    let mut owed = 0;
    for _ in 0..12 {
        let steps = sequences.new_tree(&mut runner).unwrap().current();
        println!("sequence: {steps:?}");
        run(&shop, &steps, &mut owed).await;
    }
}
