//! What the database refuses whatever the code above it does: an entry that does not
//! balance, a line in another mode or another merchant's books, any change to the past,
//! a balance written by hand, a fee schedule back-dated.

use domain::{Currency, MerchantId};
use platform::gateway_accounts::Mode;
use platform::ledger::{self, AccountKind, EntryKind, LedgerError, Line, NewEntry};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::books;
use super::support::checkout::merchant;

fn entry(merchant_id: Uuid, mode: Mode, cause: &str, lines: Vec<Line>) -> NewEntry<'static> {
    NewEntry {
        kind: EntryKind::Adjustment,
        mode,
        merchant_id: Some(MerchantId::from_uuid(merchant_id)),
        currency: Currency::Eur,
        cause: cause.to_owned(),
        payment_id: None,
        memo: Some("test"),
        created_by: None,
        lines,
    }
}

fn credit_merchant(amount: i64) -> Vec<Line> {
    vec![
        Line::debit(AccountKind::FeeRevenue, amount),
        Line::credit(AccountKind::MerchantAvailable, amount),
    ]
}

async fn account(
    conn: &mut PgConnection,
    kind: AccountKind,
    merchant_id: Option<Uuid>,
    mode: Mode,
) -> i64 {
    let merchant_id = merchant_id.map(MerchantId::from_uuid);
    ledger::account_id(conn, kind, merchant_id, mode, Currency::Eur)
        .await
        .unwrap()
}

/// Inserts an entry and its lines by hand, as a faulty program might, and commits.
async fn raw_entry(
    pool: &PgPool,
    merchant_id: Option<Uuid>,
    mode: &str,
    lines: &[(i64, &str, i64)],
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ledger_entries (kind, mode, merchant_id, cause) VALUES ('adjustment', $1::payment_mode, $2, $3) RETURNING id",
    )
    .bind(mode)
    .bind(merchant_id)
    .bind(Uuid::new_v4().to_string())
    .fetch_one(&mut *tx)
    .await?;
    for (account_id, line_mode, amount) in lines {
        sqlx::query(
            "INSERT INTO ledger_lines (entry_id, account_id, mode, currency, amount_minor) VALUES ($1, $2, $3::payment_mode, 'EUR', $4)",
        )
        .bind(id)
        .bind(account_id)
        .bind(line_mode)
        .bind(amount)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

async fn entry_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_entry_that_does_not_balance_never_commits(pool: PgPool) {
    let (merchant_id, _) = merchant(&pool, "Dardania Crafts", true).await;
    let mut conn = pool.acquire().await.unwrap();
    let fee = account(&mut conn, AccountKind::FeeRevenue, None, Mode::Live).await;
    let available = account(
        &mut conn,
        AccountKind::MerchantAvailable,
        Some(merchant_id),
        Mode::Live,
    )
    .await;
    drop(conn);

    let off_by_one = raw_entry(
        &pool,
        Some(merchant_id),
        "live",
        &[(fee, "live", 1_000), (available, "live", -999)],
    )
    .await;
    assert!(
        off_by_one
            .unwrap_err()
            .to_string()
            .contains("does not balance")
    );
    let one_line = raw_entry(&pool, Some(merchant_id), "live", &[(fee, "live", 1_000)]).await;
    assert!(
        one_line
            .unwrap_err()
            .to_string()
            .contains("fewer than two lines")
    );
    let no_lines = raw_entry(&pool, Some(merchant_id), "live", &[]).await;
    assert!(
        no_lines
            .unwrap_err()
            .to_string()
            .contains("fewer than two lines")
    );
    assert_eq!(
        entry_count(&pool).await,
        0,
        "nothing of a refused entry is kept"
    );
    assert_eq!(
        books::merchant(&pool, merchant_id, Mode::Live).await,
        (0, 0, 0, 0),
        "and no balance moved"
    );

    // The code refuses before the database is asked.
    let mut conn = pool.acquire().await.unwrap();
    let lopsided = entry(
        merchant_id,
        Mode::Live,
        "lopsided",
        vec![Line::debit(AccountKind::FeeRevenue, 5)],
    );
    assert!(matches!(
        ledger::post(&mut conn, &lopsided).await,
        Err(LedgerError::Unbalanced(5))
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn test_and_live_books_never_share_an_entry(pool: PgPool) {
    let (merchant_id, _) = merchant(&pool, "Dardania Crafts", true).await;
    let mut conn = pool.acquire().await.unwrap();
    let live_fee = account(&mut conn, AccountKind::FeeRevenue, None, Mode::Live).await;
    let test_available = account(
        &mut conn,
        AccountKind::MerchantAvailable,
        Some(merchant_id),
        Mode::Test,
    )
    .await;
    drop(conn);

    // A Test account on a line that claims to be Live, and a Test line in a Live entry.
    let account_mode = raw_entry(
        &pool,
        Some(merchant_id),
        "live",
        &[(live_fee, "live", 100), (test_available, "live", -100)],
    )
    .await;
    assert!(
        account_mode
            .unwrap_err()
            .to_string()
            .contains("foreign key")
    );
    let entry_mode = raw_entry(
        &pool,
        Some(merchant_id),
        "live",
        &[(live_fee, "live", 100), (test_available, "test", -100)],
    )
    .await;
    assert!(entry_mode.unwrap_err().to_string().contains("foreign key"));
    assert_eq!(entry_count(&pool).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_merchants_accounts_move_only_in_its_own_entries(pool: PgPool) {
    let (ours, _) = merchant(&pool, "Dardania Crafts", true).await;
    let (theirs, _) = merchant(&pool, "Other Shop", true).await;
    let mut conn = pool.acquire().await.unwrap();
    let fee = account(&mut conn, AccountKind::FeeRevenue, None, Mode::Live).await;
    let their_available = account(
        &mut conn,
        AccountKind::MerchantAvailable,
        Some(theirs),
        Mode::Live,
    )
    .await;
    drop(conn);

    let crossed = raw_entry(
        &pool,
        Some(ours),
        "live",
        &[(fee, "live", 700), (their_available, "live", -700)],
    )
    .await;
    assert!(
        crossed
            .unwrap_err()
            .to_string()
            .contains("another merchant")
    );
    let unowned = raw_entry(
        &pool,
        None,
        "live",
        &[(fee, "live", 700), (their_available, "live", -700)],
    )
    .await;
    assert!(
        unowned
            .unwrap_err()
            .to_string()
            .contains("another merchant")
    );
    assert_eq!(
        books::merchant(&pool, theirs, Mode::Live).await,
        (0, 0, 0, 0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_past_cannot_be_changed_and_balances_follow_lines_only(pool: PgPool) {
    let (merchant_id, _) = merchant(&pool, "Dardania Crafts", true).await;
    let mut tx = pool.begin().await.unwrap();
    ledger::post(
        &mut tx,
        &entry(merchant_id, Mode::Live, "goodwill", credit_merchant(1_500)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        books::merchant(&pool, merchant_id, Mode::Live).await,
        (1_500, 0, 0, 0)
    );

    for statement in [
        "UPDATE ledger_lines SET amount_minor = amount_minor * 2",
        "DELETE FROM ledger_lines",
        "TRUNCATE ledger_lines CASCADE",
        "UPDATE ledger_entries SET memo = 'rewritten'",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries CASCADE",
        "UPDATE ledger_accounts SET balance_minor = balance_minor - 100000",
        "UPDATE ledger_accounts SET merchant_id = NULL WHERE merchant_id IS NOT NULL",
        "DELETE FROM ledger_accounts",
    ] {
        let refused = sqlx::query(statement).execute(&pool).await;
        assert!(refused.is_err(), "{statement} must be refused");
    }
    assert_eq!(
        books::merchant(&pool, merchant_id, Mode::Live).await,
        (1_500, 0, 0, 0),
        "the books are as posted"
    );
    books::assert_consistent(&pool).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cause_posts_once(pool: PgPool) {
    let (merchant_id, _) = merchant(&pool, "Dardania Crafts", true).await;
    let post = async |pool: &PgPool| {
        let mut tx = pool.begin().await.unwrap();
        let posted = ledger::post(
            &mut tx,
            &entry(
                merchant_id,
                Mode::Test,
                "adjustment:1",
                credit_merchant(250),
            ),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        posted
    };
    let (first, again) = (post(&pool).await, post(&pool).await);
    assert!(first.is_some());
    assert_eq!(again, None, "a retried cause posts nothing");
    assert_eq!(
        books::merchant(&pool, merchant_id, Mode::Test).await,
        (250, 0, 0, 0)
    );
    assert_eq!(
        books::merchant(&pool, merchant_id, Mode::Live).await,
        (0, 0, 0, 0),
        "Test money is not Live money"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_application_role_posts_but_cannot_write_a_balance(pool: PgPool) {
    let (merchant_id, _) = merchant(&pool, "Dardania Crafts", true).await;
    let app = super::support::as_app_role(&pool).await;
    let mut tx = app.begin().await.unwrap();
    ledger::post(
        &mut tx,
        &entry(merchant_id, Mode::Live, "as-app", credit_merchant(900)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        books::merchant(&pool, merchant_id, Mode::Live).await,
        (900, 0, 0, 0)
    );
    let written = sqlx::query("UPDATE ledger_accounts SET balance_minor = 0")
        .execute(&app)
        .await;
    assert!(
        written
            .unwrap_err()
            .to_string()
            .contains("permission denied")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn fee_schedules_never_start_in_the_past_nor_change(pool: PgPool) {
    let back_dated = sqlx::query(
        "INSERT INTO fee_schedules (id, percent_bp, fixed_minor, effective_from) VALUES ($1, 100, 0, now() - interval '1 day')",
    )
    .bind(Uuid::new_v4())
    .execute(&pool)
    .await;
    assert!(
        back_dated
            .unwrap_err()
            .to_string()
            .contains("check constraint")
    );
    let changed = sqlx::query("UPDATE fee_schedules SET percent_bp = 0")
        .execute(&pool)
        .await;
    assert!(changed.is_err(), "a schedule in effect is never rewritten");
}
