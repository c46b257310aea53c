//! Reading the books in tests, as a person would check them.

use domain::{Currency, MerchantId};
use platform::gateway_accounts::Mode;
use platform::ledger::{AccountKind, balances};
use sqlx::PgPool;
use uuid::Uuid;

/// The merchant's (available, pending, reserve, in payout) in euro cents.
pub async fn merchant(pool: &PgPool, merchant_id: Uuid, mode: Mode) -> (i64, i64, i64, i64) {
    let mut conn = pool.acquire().await.unwrap();
    let all = balances::of_merchant(&mut conn, MerchantId::from_uuid(merchant_id), mode)
        .await
        .unwrap();
    let eur = all
        .into_iter()
        .find(|b| b.currency == Currency::Eur)
        .unwrap_or_else(|| balances::Balance::zero(Currency::Eur));
    (
        eur.available.minor(),
        eur.pending.minor(),
        eur.reserve.minor(),
        eur.in_payout.minor(),
    )
}

/// A platform account's balance as people read it.
pub async fn platform(pool: &PgPool, kind: AccountKind, mode: Mode) -> i64 {
    let stored: Option<i64> = sqlx::query_scalar(
        "SELECT balance_minor FROM ledger_accounts WHERE kind = $1 AND merchant_id IS NULL AND mode = $2 AND currency = 'EUR'",
    )
    .bind(kind)
    .bind(mode)
    .fetch_optional(pool)
    .await
    .unwrap();
    kind.reading(stored.unwrap_or(0))
}

/// The books balance as a whole, and every account's kept balance is the sum of its lines.
pub async fn assert_consistent(pool: &PgPool) {
    let total: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(amount_minor), 0)::bigint FROM ledger_lines")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(total, 0, "debits equal credits");
    let drifted: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ledger_accounts a
         WHERE a.balance_minor <> (SELECT coalesce(sum(l.amount_minor), 0) FROM ledger_lines l WHERE l.account_id = a.id)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(drifted, 0, "every balance is the sum of its lines");
}

/// The kinds of the entries posted for a payment, oldest first.
pub async fn entries_of(pool: &PgPool, payment_id: Uuid) -> Vec<String> {
    sqlx::query_scalar("SELECT kind::text FROM ledger_entries WHERE payment_id = $1 ORDER BY id")
        .bind(payment_id)
        .fetch_all(pool)
        .await
        .unwrap()
}
