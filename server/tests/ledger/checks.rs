//! The nightly check finds a balance someone wrote around the triggers, and tells staff once.

use domain::{Currency, MerchantId};
use platform::gateway_accounts::Mode;
use platform::ledger::{self, AccountKind, EntryKind, Line, NewEntry, checks};
use platform::payments::reconciliation::{self, Resolution};
use sqlx::PgPool;

use super::support;
use super::support::checkout::merchant;

#[sqlx::test(migrations = "../migrations")]
async fn a_balance_written_around_the_triggers_opens_one_exception(pool: PgPool) {
    let server = support::start(pool.clone()).await;
    let (merchant_id, _) = merchant(&pool, "Dardania Crafts", true).await;
    let mut tx = pool.begin().await.unwrap();
    let entry = NewEntry {
        kind: EntryKind::Adjustment,
        mode: Mode::Live,
        merchant_id: Some(MerchantId::from_uuid(merchant_id)),
        currency: Currency::Eur,
        cause: "goodwill".into(),
        payment_id: None,
        memo: Some("test"),
        created_by: None,
        lines: vec![
            Line::debit(AccountKind::FeeRevenue, 1_200),
            Line::credit(AccountKind::MerchantAvailable, 1_200),
        ],
    };
    ledger::post(&mut tx, &entry).await.unwrap();
    tx.commit().await.unwrap();
    let clean = checks::verify_balances(&server.platform).await.unwrap();
    assert_eq!(
        (clean.accounts, clean.opened, clean.still_open),
        (2, 0, 0),
        "posted books agree with themselves"
    );

    // Only the database's owner, with the guard switched off, can do this.
    for statement in [
        "ALTER TABLE ledger_accounts DISABLE TRIGGER ledger_accounts_balance_from_lines",
        "UPDATE ledger_accounts SET balance_minor = balance_minor - 50000 WHERE merchant_id IS NOT NULL",
        "ALTER TABLE ledger_accounts ENABLE TRIGGER ledger_accounts_balance_from_lines",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    let found = checks::verify_balances(&server.platform).await.unwrap();
    assert_eq!((found.opened, found.still_open), (1, 0));
    let again = checks::verify_balances(&server.platform).await.unwrap();
    assert_eq!(
        (again.opened, again.still_open),
        (0, 1),
        "one exception however many nights"
    );

    let open = support::checkout::open_exceptions(&pool).await;
    assert_eq!(open.len(), 1);
    let exception = &open[0];
    assert_eq!(
        (exception.kind.as_str(), exception.order_id.as_str()),
        ("ledger_balance", "books: merchant_available")
    );
    assert_eq!(exception.merchant_name, "Dardania Crafts");
    assert!(
        exception.platform_state.contains("-51200") && exception.gateway_state.contains("-1200")
    );
    assert!(!exception.can_accept, "there is no gateway state to accept");
    let staff = support::checkout::staff_scope(
        &pool,
        platform::identity::roles::Module::Reconciliation,
        platform::identity::roles::Level::Act,
    )
    .await;
    let facts = platform::audit::RequestFacts::default();
    let accept = reconciliation::close(
        &server.platform,
        &staff,
        exception.id,
        Resolution::AcceptGateway,
        "x",
        &facts,
    )
    .await;
    assert!(matches!(
        accept,
        Err(platform::payments::PaymentError::Invalid {
            field: "resolution",
            ..
        })
    ));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'ledger.balance_mismatch'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}
