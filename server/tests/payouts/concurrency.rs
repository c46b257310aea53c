//! A refund and a payout run at the same moment, on two connections: the run locks the
//! merchant's available balance before reading it, so a refund that commits during the
//! run is either seen by it or comes after it, and its money is never paid out.

use std::time::Duration;

use domain::{Currency, MerchantId};
use platform::gateway_accounts::Mode;
use platform::ledger::{self, AccountKind, EntryKind, Line, NewEntry};
use sqlx::PgPool;
use uuid::Uuid;

use crate::books::{assert_books_balance, balances, credit, payable, payouts_of, run_now};

fn refund(merchant_id: Uuid, amount_minor: i64) -> NewEntry<'static> {
    NewEntry {
        kind: EntryKind::PaymentRefund,
        mode: Mode::Live,
        merchant_id: Some(MerchantId::from_uuid(merchant_id)),
        currency: Currency::Eur,
        cause: format!("test-refund:{}", Uuid::new_v4()),
        payment_id: None,
        memo: Some("Refund"),
        created_by: None,
        lines: vec![
            Line::debit(AccountKind::MerchantAvailable, amount_minor),
            Line::credit(AccountKind::GatewayClearing, amount_minor),
        ],
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refund_that_commits_during_a_run_is_never_paid_out(pool: PgPool) {
    let server = crate::support::start(pool.clone()).await;
    let platform = server.platform.clone();
    let merchant = payable(&platform, "Dardania Crafts").await;
    credit(&pool, merchant, Mode::Live, 10_000).await;

    // The refund posts first and holds the account's row until it commits.
    let mut refunding = pool.begin().await.unwrap();
    ledger::post(&mut refunding, &refund(merchant, 3_000))
        .await
        .unwrap()
        .unwrap();
    let run = tokio::spawn({
        let platform = platform.clone();
        async move { run_now(&platform, None).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!run.is_finished(), "the run waits for the refund's lock");
    refunding.commit().await.unwrap();
    let report = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.payouts, 1);
    assert_eq!(
        payouts_of(&pool, merchant).await[0].2,
        7_000,
        "what the refund took is not paid out"
    );
    assert_eq!(balances(&pool, merchant).await, (0, 7_000));
    assert_books_balance(&pool).await;
}
