//! Payments taken before the books existed enter them with the migration that makes the
//! books, so every captured euro is accounted for from the first day, and the books carry
//! on from there.

use std::borrow::Cow;

use platform::gateway_accounts::Mode;
use platform::ledger::AccountKind;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use uuid::Uuid;

use super::books::{self, assert_consistent, entries_of};

const LEDGER_MIGRATION: i64 = 20261129000020;

/// A payment in `status` with `refunded_minor` back, as the code before the books left it.
async fn old_payment(
    pool: &PgPool,
    merchant_id: Uuid,
    status: &str,
    amount_minor: i64,
    refunded_minor: i64,
) -> Uuid {
    let session_id = Uuid::new_v4();
    let token: String = format!("cs_{}", &Uuid::new_v4().simple().to_string()[..22]);
    sqlx::query(
        "INSERT INTO checkout_sessions (id, merchant_id, mode, token, amount_minor, currency, expires_at)
         VALUES ($1, $2, 'live', $3, $4, 'EUR', now() + interval '1 hour')",
    )
    .bind(session_id)
    .bind(merchant_id)
    .bind(token)
    .bind(amount_minor)
    .execute(pool)
    .await
    .unwrap();
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO payments (id, merchant_id, mode, session_id, order_id, gateway_client_id, amount_minor, currency,
                               status, refunded_minor, paid_at)
         VALUES ($1, $2, 'live', $3, $4, '520000777', $5, 'EUR', $6::text::payment_status, $7,
                 CASE WHEN $6 <> 'declined' THEN now() - interval '40 days' END)",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(session_id)
    .bind(&id.simple().to_string()[..20])
    .bind(amount_minor)
    .bind(status)
    .bind(refunded_minor)
    .execute(pool)
    .await
    .unwrap();
    id
}

#[sqlx::test(migrations = false)]
async fn payments_taken_before_the_books_enter_them_at_no_fee(pool: PgPool) {
    let before = Migrator {
        migrations: Cow::Owned(
            platform::db::MIGRATOR
                .iter()
                .filter(|m| m.version < LEDGER_MIGRATION)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.unwrap();
    let merchant_id = Uuid::new_v4();
    sqlx::query("INSERT INTO merchants (id, business_name, verified_at) VALUES ($1, 'Dardania Crafts', now())")
        .bind(merchant_id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO gateway_accounts (mode, gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc)
         VALUES ('live', 'https://gate.example/fim/est3Dgate', 'https://gate.example/fim/api', '520000777', 'api', '\\x00', '\\x00')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let paid = old_payment(&pool, merchant_id, "paid", 4_500, 0).await;
    let part = old_payment(&pool, merchant_id, "partially_refunded", 2_000, 500).await;
    let duplicate = old_payment(&pool, merchant_id, "duplicate", 1_000, 1_000).await;
    old_payment(&pool, merchant_id, "declined", 9_900, 0).await;

    platform::db::MIGRATOR.run(&pool).await.unwrap();

    assert_eq!(entries_of(&pool, paid).await, ["payment_paid"]);
    assert_eq!(
        entries_of(&pool, part).await,
        ["payment_paid", "payment_refund"]
    );
    assert_eq!(
        entries_of(&pool, duplicate).await,
        ["duplicate_capture", "duplicate_return"]
    );
    // 45.00 + 20.00 - 5.00, available at once; nothing of the declined attempt.
    assert_eq!(
        books::merchant(&pool, merchant_id, Mode::Live).await,
        (6_000, 0, 0, 0)
    );
    assert_eq!(
        books::platform(&pool, AccountKind::GatewayClearing, Mode::Live).await,
        6_000
    );
    assert_eq!(
        books::platform(&pool, AccountKind::BuyerReturns, Mode::Live).await,
        0
    );
    assert_eq!(
        books::platform(&pool, AccountKind::FeeRevenue, Mode::Live).await,
        0,
        "no fee existed then"
    );
    let fee: (i64, i64, Option<Uuid>) = sqlx::query_as(
        "SELECT fee_minor, net_minor, schedule_id FROM payment_fees WHERE payment_id = $1",
    )
    .bind(paid)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(fee, (0, 4_500, None));
    assert_consistent(&pool).await;
}
