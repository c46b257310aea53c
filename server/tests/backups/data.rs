//! The platform's database on a private cluster: its schema from the platform's own
//! migrations, the demo seed, and payments written batch by batch by the platform's own
//! code (`payments::transition::create`: the payment, its timeline row and its audit row),
//! their audit rows chained by the platform's sealer.

use std::path::Path;

use domain::MerchantId;
use platform::audit::{Actor, ActorKind, RequestFacts};
use platform::config::Environment;
use platform::payments::Mode;
use platform::payments::transition::{self, NewAttempt};
use platform::secrets::Secrets;
use sqlx::PgPool;
use sqlx::migrate::MigrateDatabase as _;
use uuid::Uuid;

use crate::cluster::Cluster;

/// Creates the `saleonix` database on `cluster`, migrated and seeded as a fresh
/// development database is (a merchant, its Test gateway account with field-encrypted
/// credentials, staff), with field keys in `secrets_file`.
pub async fn platform_database(cluster: &Cluster, secrets_file: &Path) -> PgPool {
    let url = cluster.url("saleonix");
    sqlx::Postgres::create_database(&url).await.unwrap();
    let pool = PgPool::connect(&url).await.unwrap();
    platform::db::MIGRATOR.run(&pool).await.unwrap();
    let secrets = Secrets::load(Environment::Development, secrets_file).unwrap();
    platform::seed::seed_demo(
        &pool,
        &secrets.field_keys,
        payten::GatewayEndpoints::from_base("http://127.0.0.1:9"),
    )
    .await
    .unwrap();
    pool
}

/// Writes `count` payment attempts in one transaction, with order ids `<prefix>-00000`
/// onwards and buyer `email(i)`, then seals their audit rows into the chain.
pub async fn write_payments(
    pool: &PgPool,
    prefix: &str,
    count: u32,
    email: impl Fn(u32) -> String,
) {
    let merchant_id: Uuid = sqlx::query_scalar("SELECT id FROM merchants")
        .fetch_one(pool)
        .await
        .unwrap();
    let client_id: String =
        sqlx::query_scalar("SELECT client_id FROM gateway_accounts WHERE mode = 'test'")
            .fetch_one(pool)
            .await
            .unwrap();
    let buyer = Actor {
        kind: ActorKind::Anonymous,
        id: None,
    };
    let facts = RequestFacts {
        ip: Some("192.0.2.44".into()),
        user_agent: Some("restore drill".into()),
        request_id: None,
    };
    let mut tx = pool.begin().await.unwrap();
    for i in 0..count {
        let amount_minor = 1_000 + i64::from(i);
        // The checkout the buyer pays, as `sessions::create` stores one.
        let session_id = Uuid::new_v4();
        let token = format!("cs_{}", &Uuid::new_v4().simple().to_string()[..22]);
        sqlx::query(
            "INSERT INTO checkout_sessions (id, merchant_id, mode, token, amount_minor, currency, created_at, expires_at)
             VALUES ($1, $2, 'test', $3, $4, 'EUR', now(), now() + interval '1 hour')",
        )
        .bind(session_id)
        .bind(merchant_id)
        .bind(&token)
        .bind(amount_minor)
        .execute(&mut *tx)
        .await
        .unwrap();
        let order_id = format!("{prefix}-{i:05}");
        let buyer_email = email(i);
        let attempt = NewAttempt {
            merchant_id: MerchantId::from_uuid(merchant_id),
            mode: Mode::Test,
            session_id,
            order_id: &order_id,
            gateway_client_id: &client_id,
            amount_minor,
            currency: "EUR",
            buyer_email: Some(&buyer_email),
            buyer_locale: i18n::Locale::sq,
        };
        transition::create(&mut tx, &attempt, buyer, &facts)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    platform::audit::seal(pool).await.unwrap();
}

/// How many of a batch's payments, and of their audit rows, `pool`'s database holds.
pub async fn written(pool: &PgPool, prefix: &str) -> (i64, i64) {
    let pattern = format!("{prefix}-%");
    let payments: i64 = sqlx::query_scalar("SELECT count(*) FROM payments WHERE order_id LIKE $1")
        .bind(&pattern)
        .fetch_one(pool)
        .await
        .unwrap();
    let audit_rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events
         WHERE event_type = 'payment.create' AND target_id LIKE $1 AND seq IS NOT NULL",
    )
    .bind(&pattern)
    .fetch_one(pool)
    .await
    .unwrap();
    (payments, audit_rows)
}
