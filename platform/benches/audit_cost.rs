//! What the audit trail adds to a sign-in and to a checkout's Pay request:
//! - one `auth.sign_in` row written on its own (the personal digest, the insert and the
//!   commit; the sealer chains it later) against the whole credentials check it belongs
//!   to (one Argon2id verification plus that row);
//! - the Pay request's three rows (`risk.decision`, `payment.create`, `payment.send`) in
//!   one transaction against the whole request on a payment link, a new buyer each time
//!   (the link's checkout, the fraud checks, the attempt, its timeline, the signed form and
//!   those rows), and the fraud checks alone.
//!
//! Needs Postgres; it works in a database of its own, `saleonix_bench`, made afresh:
//!   cargo bench -p platform --bench audit_cost
//! (`SALEONIX_DATABASE_URL` points elsewhere; the default is the local server.)

// Benchmark code: a failed unwrap is the benchmark stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use platform::Platform;
use platform::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use platform::identity::accounts;
use platform::payments::risk;
use secrecy::SecretString;
use support::Database;

mod support;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "vivid-otter-lantern-92";

async fn setup() -> Platform {
    let platform = support::platform("saleonix_bench", Database::Afresh).await;
    sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
         VALUES (gen_random_uuid(), $1, 'Bench', 'merchant', $2, now())",
    )
    .bind(EMAIL)
    .bind(platform::password::hash(&SecretString::from(PASSWORD)).unwrap())
    .execute(&platform.pool)
    .await
    .expect("the bench user");
    let sandbox = payten::GatewayEndpoints::from_base("http://127.0.0.1:8600");
    platform::seed::seed_demo(&platform.pool, &platform.config.secrets.field_keys, sandbox)
        .await
        .expect("the demo seed");
    sqlx::query(
        "INSERT INTO checkout_sessions (id, merchant_id, mode, token, amount_minor, currency, expires_at)
         SELECT gen_random_uuid(), id, 'test', $1, 4500, 'EUR', now() + interval '1 hour' FROM merchants",
    )
    .bind(CHECKOUT)
    .execute(&platform.pool)
    .await
    .expect("a checkout");
    sqlx::query(
        "INSERT INTO payment_links (id, merchant_id, mode, token, title, amount_minor, currency)
         SELECT gen_random_uuid(), id, 'test', $1, 'Bench earrings', 4500, 'EUR' FROM merchants",
    )
    .bind(LINK)
    .execute(&platform.pool)
    .await
    .expect("a payment link");
    platform
}

/// A buyer of its own for each Pay: another address and email, as on a busy day, so every
/// fraud rule runs against the counts a real buyer meets and none fires.
fn nth_buyer(n: u32) -> (RequestFacts, String) {
    let [_, a, b, c] = n.to_be_bytes();
    let facts = RequestFacts {
        ip: Some(format!("10.{a}.{b}.{c}")),
        user_agent: Some("Mozilla/5.0 (bench)".into()),
        request_id: Some("bench".into()),
    };
    (facts, format!("buyer{n}@example.com"))
}

const LINK: &str = "pl_benchbenchbenchbenchbe";

const CHECKOUT: &str = "cs_benchbenchbenchbenchbe";

fn audit_cost(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    let platform = runtime.block_on(setup());
    let facts = RequestFacts {
        ip: Some("192.0.2.7".into()),
        user_agent: Some("Mozilla/5.0 (bench)".into()),
        request_id: Some("bench".into()),
    };
    let event = Event::new(
        "auth.sign_in",
        Actor {
            kind: ActorKind::User,
            id: None,
        },
        Outcome::Success,
    );

    c.bench_function("audit row on its own (auth.sign_in)", |b| {
        b.to_async(&runtime)
            .iter(|| audit::record_alone(&platform.pool, &event, &facts));
    });
    c.bench_function("sign-in credentials check (Argon2id + audit row)", |b| {
        b.to_async(&runtime).iter(|| {
            accounts::check_credentials(
                &platform,
                EMAIL,
                SecretString::from(PASSWORD),
                &facts,
                false,
            )
        });
    });

    let buyer = Actor {
        kind: ActorKind::Anonymous,
        id: None,
    };
    let rows = ["risk.decision", "payment.create", "payment.send"]
        .map(|name| Event::new(name, buyer, Outcome::Success));
    c.bench_function("the Pay request's three audit rows on their own", |b| {
        b.to_async(&runtime).iter(|| async {
            let mut tx = platform.pool.begin().await.unwrap();
            for row in &rows {
                audit::record(&mut tx, row, &facts).await.unwrap();
            }
            tx.commit().await.unwrap();
        });
    });
    let buyers = std::sync::atomic::AtomicU32::new(1);
    c.bench_function(
        "Pay on a payment link (its checkout, fraud checks, attempt, timeline, form, audit rows)",
        |b| {
            b.to_async(&runtime).iter(|| async {
                let (facts, email) =
                    nth_buyer(buyers.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
                platform::payments::attempts::start(
                    &platform,
                    LINK,
                    &email,
                    false,
                    i18n::Locale::en,
                    &facts,
                )
                .await
                .expect("Pay goes through")
            });
        },
    );

    let (merchant_id, session_id): (domain::MerchantId, uuid::Uuid) = runtime
        .block_on(
            sqlx::query_as("SELECT merchant_id, id FROM checkout_sessions WHERE token = $1")
                .bind(CHECKOUT)
                .fetch_one(&platform.pool),
        )
        .expect("the checkout");
    let attempt = risk::Attempt {
        merchant_id,
        mode: platform::payments::Mode::Test,
        session_id,
        ip: Some("192.0.2.7".parse().expect("an address")),
        email: "buyer@example.com",
        amount: domain::Money::eur(4500),
    };
    c.bench_function(
        "the fraud checks alone (five rules and the blocklists)",
        |b| {
            b.to_async(&runtime).iter(|| async {
                let mut conn = platform.pool.acquire().await.unwrap();
                risk::assess(&mut conn, &attempt).await.unwrap()
            });
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = audit_cost
}
criterion_main!(benches);
