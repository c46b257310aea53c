//! Who the run pays and how much: only Live merchants that are due, verified, not
//! suspended, with an accepted bank account past its hold and not flagged, and exactly
//! their whole available balance when it reaches their minimum.

use platform::gateway_accounts::Mode;
use sqlx::PgPool;

use crate::books::{
    KOSOVO, assert_books_balance, balances, bank_account, credit, daily, merchant, payable,
    payouts_of, run_now,
};
use crate::support;

#[sqlx::test(migrations = "../migrations")]
async fn the_run_pays_only_eligible_merchants_exactly_their_available_balance(pool: PgPool) {
    let server = support::start(pool.clone()).await;
    let platform = &server.platform;
    let paid = payable(platform, "Dardania Crafts").await;
    credit(&pool, paid, Mode::Live, 10_000).await;
    credit(&pool, paid, Mode::Live, 2_345).await;
    credit(&pool, paid, Mode::Test, 99_900).await;

    let small = payable(platform, "Small Shop").await;
    credit(&pool, small, Mode::Live, 999).await;
    let negative = payable(platform, "Owing Shop").await;
    credit(&pool, negative, Mode::Live, -500).await;
    let test_only = payable(platform, "Sandbox Shop").await;
    credit(&pool, test_only, Mode::Test, 50_000).await;

    let today = {
        let mut conn = pool.acquire().await.unwrap();
        platform::ledger::today(&mut conn).await.unwrap()
    };
    let not_due_weekly = payable(platform, "Weekly Shop").await;
    let other_weekday = i16::from(today.weekday().number_from_monday() % 5) + 1;
    sqlx::query("UPDATE merchant_settlement SET payout_schedule = 'weekly', payout_weekday = $2 WHERE merchant_id = $1")
        .bind(not_due_weekly)
        .bind(other_weekday)
        .execute(&pool)
        .await
        .unwrap();
    credit(&pool, not_due_weekly, Mode::Live, 5_000).await;
    let not_due_monthly = payable(platform, "Monthly Shop").await;
    sqlx::query("UPDATE merchant_settlement SET payout_schedule = 'monthly', payout_month_day = $2 WHERE merchant_id = $1")
        .bind(not_due_monthly)
        .bind(i16::from(today.day() % 28) + 1)
        .execute(&pool)
        .await
        .unwrap();
    credit(&pool, not_due_monthly, Mode::Live, 5_000).await;
    let high_minimum = payable(platform, "Patient Shop").await;
    daily(&pool, high_minimum, 100_000).await;
    credit(&pool, high_minimum, Mode::Live, 99_999).await;

    // The 72-hour hold after a change of account.
    let held = merchant(&pool, "Changed Account Shop").await;
    bank_account(platform, held, "Changed Account Shop", KOSOVO, 71).await;
    daily(&pool, held, 1_000).await;
    credit(&pool, held, Mode::Live, 5_000).await;
    // A payout to this account came back.
    let flagged = payable(platform, "Returned Shop").await;
    sqlx::query("UPDATE bank_accounts SET payout_returned_at = now() WHERE merchant_id = $1")
        .bind(flagged)
        .execute(&pool)
        .await
        .unwrap();
    credit(&pool, flagged, Mode::Live, 5_000).await;
    let suspended = payable(platform, "Suspended Shop").await;
    sqlx::query("UPDATE merchants SET suspended_at = now() WHERE id = $1")
        .bind(suspended)
        .execute(&pool)
        .await
        .unwrap();
    credit(&pool, suspended, Mode::Live, 5_000).await;
    let unreviewed_account = payable(platform, "Unreviewed Account Shop").await;
    sqlx::query(
        "UPDATE kyc_items SET state = 'submitted' WHERE merchant_id = $1 AND item = 'bank_account'",
    )
    .bind(unreviewed_account)
    .execute(&pool)
    .await
    .unwrap();
    credit(&pool, unreviewed_account, Mode::Live, 5_000).await;
    let restricted = payable(platform, "Restricted Shop").await;
    sqlx::query("UPDATE kyc_applications SET restricted_at = now() WHERE merchant_id = $1")
        .bind(restricted)
        .execute(&pool)
        .await
        .unwrap();
    credit(&pool, restricted, Mode::Live, 5_000).await;

    let report = run_now(platform, None).await;
    assert_eq!((report.batches.len(), report.payouts), (1, 1), "{report:?}");
    let payouts = payouts_of(&pool, paid).await;
    assert_eq!(payouts.len(), 1);
    assert_eq!(
        (payouts[0].2, payouts[0].3.as_str()),
        (12_345, "created"),
        "the whole Live balance, not the Test one"
    );
    assert!(
        payouts[0].1.starts_with("SXP") && payouts[0].1.len() <= 35,
        "{}",
        payouts[0].1
    );
    assert_eq!(
        balances(&pool, paid).await,
        (0, 12_345),
        "moved from available to in payout"
    );
    for (id, available) in [
        (small, 999),
        (negative, -500),
        (not_due_weekly, 5_000),
        (not_due_monthly, 5_000),
        (high_minimum, 99_999),
        (held, 5_000),
        (flagged, 5_000),
        (suspended, 5_000),
        (unreviewed_account, 5_000),
        (restricted, 5_000),
    ] {
        assert!(payouts_of(&pool, id).await.is_empty(), "{id} was paid");
        assert_eq!(balances(&pool, id).await, (available, 0));
    }
    let batch: (String, String, Option<uuid::Uuid>) =
        sqlx::query_as("SELECT mode::text, status::text, created_by FROM payout_batches")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(batch, ("live".into(), "created".into(), None));
    assert_books_balance(&pool).await;

    // New money the same day waits for the next payout day: one payout a day.
    credit(&pool, paid, Mode::Live, 4_000).await;
    let again = run_now(platform, None).await;
    assert_eq!(again.payouts, 0, "{again:?}");
    assert_eq!(balances(&pool, paid).await, (4_000, 12_345));
    assert_eq!(
        crate::books::audit(&pool, "payout_batch.create")
            .await
            .len(),
        1
    );
    assert_books_balance(&pool).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn the_schema_refuses_test_mode_payouts_backward_moves_and_self_approval(pool: PgPool) {
    let server = support::start(pool.clone()).await;
    let platform = &server.platform;
    let merchant_id = payable(platform, "Dardania Crafts").await;
    credit(&pool, merchant_id, Mode::Live, 5_000).await;
    let staff = crate::books::staff(&pool, "runner@saleonix.test").await;
    let report = run_now(platform, Some(&staff)).await;
    let batch_id = report.batches[0];

    let test_batch =
        sqlx::query("INSERT INTO payout_batches (id, mode, currency) VALUES ($1, 'test', 'EUR')")
            .bind(uuid::Uuid::new_v4())
            .execute(&pool)
            .await;
    assert!(
        test_batch.is_err(),
        "Test Mode money never reaches a bank file"
    );
    let own = sqlx::query("UPDATE payout_batches SET status = 'approved', approved_by = created_by, approved_at = now() WHERE id = $1")
        .bind(batch_id)
        .execute(&pool)
        .await;
    assert!(
        own.unwrap_err()
            .to_string()
            .contains("payout_batches_four_eyes")
    );
    let skip =
        sqlx::query("UPDATE payouts SET status = 'sent', sent_at = now() WHERE batch_id = $1")
            .bind(batch_id)
            .execute(&pool)
            .await;
    assert!(skip.unwrap_err().to_string().contains("cannot become"));
    let bigger =
        sqlx::query("UPDATE payouts SET amount_minor = amount_minor + 1 WHERE batch_id = $1")
            .bind(batch_id)
            .execute(&pool)
            .await;
    assert!(bigger.is_err());
    let zero = sqlx::query("UPDATE payouts SET amount_minor = 0 WHERE batch_id = $1")
        .bind(batch_id)
        .execute(&pool)
        .await;
    assert!(zero.is_err());
    // A payout to another merchant's account.
    let other = payable(platform, "Other Shop").await;
    let other_account: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM bank_accounts WHERE merchant_id = $1")
            .bind(other)
            .fetch_one(&pool)
            .await
            .unwrap();
    let stolen = sqlx::query(
        "INSERT INTO payouts (id, batch_id, merchant_id, bank_account_id, mode, currency, amount_minor, run_on, end_to_end_id)
         VALUES (gen_random_uuid(), $1, $2, $3, 'live', 'EUR', 100, current_date - 1, 'SXPSTOLEN')",
    )
    .bind(batch_id)
    .bind(merchant_id)
    .bind(other_account)
    .execute(&pool)
    .await;
    assert!(stolen.unwrap_err().to_string().contains("foreign key"));
}
