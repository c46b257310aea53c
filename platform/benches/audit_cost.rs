//! What the audit trail adds to a sign-in and to a checkout's Pay request:
//! - one `auth.sign_in` row written on its own (the chain's advisory lock, the row hash,
//!   the insert and commit) against the whole credentials check it belongs to (one
//!   Argon2id verification plus that row);
//! - the Pay request's two rows (`payment.create`, `payment.send`) in one transaction
//!   against the whole request (the attempt, its timeline, the signed form and those rows).
//!
//! Needs Postgres; it works in a database of its own, `saleonix_bench`, made afresh:
//!   cargo bench -p platform --bench audit_cost
//! (`SALEONIX_DATABASE_URL` points elsewhere; the default is the local server.)

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use platform::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use platform::config::{Config, Environment, Settings};
use platform::identity::accounts;
use platform::secrets::Secrets;
use platform::{Platform, db};
use secrecy::SecretString;
use sqlx::migrate::MigrateDatabase;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "vivid-otter-lantern-92";

async fn setup() -> Platform {
    let url = std::env::var("SALEONIX_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/saleonix_bench".to_owned());
    let _ = sqlx::Postgres::drop_database(&url).await;
    let settings = Settings { database_url: url, ..Settings::default() };
    let pool = db::prepare(&settings).await.expect("a Postgres server to benchmark against");
    let secrets_file = std::env::temp_dir().join(format!("saleonix-bench-{}/secrets.toml", std::process::id()));
    let secrets = Secrets::load(Environment::Development, &secrets_file).expect("development secrets");
    sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
         VALUES (gen_random_uuid(), $1, 'Bench', 'merchant', $2, now())",
    )
    .bind(EMAIL)
    .bind(platform::password::hash(&SecretString::from(PASSWORD)))
    .execute(&pool)
    .await
    .expect("the bench user");
    let platform = Platform::new(pool, Arc::new(Config { settings, secrets }));
    let sandbox = payten::GatewayEndpoints::from_base("http://127.0.0.1:8600");
    platform::seed::seed_demo(&platform.pool, &platform.config.secrets.field_keys, sandbox).await.expect("the demo seed");
    sqlx::query(
        "INSERT INTO checkout_sessions (id, merchant_id, mode, token, amount_minor, currency, expires_at)
         SELECT gen_random_uuid(), id, 'test', $1, 4500, 'EUR', now() + interval '1 hour' FROM merchants",
    )
    .bind(CHECKOUT)
    .execute(&platform.pool)
    .await
    .expect("a checkout");
    platform
}

const CHECKOUT: &str = "cs_benchbenchbenchbenchbe";

fn audit_cost(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    let platform = runtime.block_on(setup());
    let facts = RequestFacts {
        ip: Some("192.0.2.7".into()),
        user_agent: Some("Mozilla/5.0 (bench)".into()),
        request_id: Some("bench".into()),
    };
    let event = Event::new("auth.sign_in", Actor { kind: ActorKind::User, id: None }, Outcome::Success);

    c.bench_function("audit row on its own (auth.sign_in)", |b| {
        b.to_async(&runtime).iter(|| audit::record_alone(&platform.pool, &event, &facts));
    });
    c.bench_function("sign-in credentials check (Argon2id + audit row)", |b| {
        b.to_async(&runtime).iter(|| accounts::check_credentials(&platform, EMAIL, SecretString::from(PASSWORD), &facts));
    });

    let buyer = Actor { kind: ActorKind::Anonymous, id: None };
    let (create, send) = (Event::new("payment.create", buyer, Outcome::Success), Event::new("payment.send", buyer, Outcome::Success));
    c.bench_function("the Pay request's two audit rows on their own", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut tx = platform.pool.begin().await.unwrap();
            audit::record(&mut tx, &create, &facts).await.unwrap();
            audit::record(&mut tx, &send, &facts).await.unwrap();
            tx.commit().await.unwrap();
        });
    });
    c.bench_function("checkout Pay request (attempt, timeline, signed form, audit rows)", |b| {
        b.to_async(&runtime).iter(|| platform::payments::attempts::start(&platform, CHECKOUT, "buyer@example.com", &facts));
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = audit_cost
}
criterion_main!(benches);
