//! What following subscriptions costs (issue 22): gateway calls and database time per
//! 10,000 active monthly subscriptions a day.
//!
//! `SUBSCRIPTIONS` buyers (default 300) sign up for a monthly plan of 12 payments through
//! the real path against a Payten sandbox in this process (the checkout, Pay with consent,
//! the sandbox's card and 3-D Secure pages, the verified return). The sandbox's clock then
//! moves a month on, which charges every second installment, and the worker's passes
//! (`follow::poll_due`) record them. Measured:
//! - the pass over every due series: its time per series, and the gateway's status query
//!   alone per series (the same queries timed apart), the difference being the platform's
//!   own work (the database and the recording of the installment as a payment);
//! - a pass with nothing due (what the worker costs each minute between charges).
//!
//! A monthly series is asked about once per installment (two hours after its planned
//! charge), so 10,000 monthly subscriptions take about 10,000 / 30.4 = 329 series queries
//! a day, plus 1,440 idle passes; the summary multiplies out.
//!
//! Needs Postgres; it works in a database of its own, `saleonix_bench_subscriptions`,
//! made afresh:
//!   cargo bench -p platform --bench subscription_polling
//! (`SALEONIX_DATABASE_URL` points elsewhere; `SUBSCRIPTIONS` changes the load.)

// Benchmark code: a failed unwrap is the benchmark stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use domain::Money;
use payten::PaymentGateway as _;
use payten_sandbox::buyer::{Buyer, HtmlForm, PASSWORD_3DS, forms};
use payten_sandbox::{Sandbox, SandboxConfig};
use platform::Platform;
use platform::audit::RequestFacts;
use platform::gateway_accounts::{self, GatewayAccount, Mode};
use platform::identity::roles::MerchantScope;
use platform::identity::users;
use platform::payments::gateway_results::{self, Channel};
use platform::payments::sessions::{self, NewSession};
use platform::payments::{attempts, gateways};
use platform::subscriptions::Interval;
use platform::subscriptions::follow;
use platform::subscriptions::plans::{self, NewPlan};
use secrecy::SecretString;
use support::Database;
use uuid::Uuid;

mod support;

const APPROVE: &str = "5571135571135575";

fn knob(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The platform with the sandbox as its Test Mode gateway, and a verified merchant's scope.
async fn setup(sandbox: &Sandbox) -> (Platform, MerchantScope) {
    let endpoints = payten::GatewayEndpoints::from_base(&sandbox.base_url());
    let platform = support::platform_with("saleonix_bench_subscriptions", Database::Afresh, |s| {
        s.payten.test_gate_url = endpoints.gate_url.clone();
        s.payten.test_api_url = endpoints.api_url.clone();
    })
    .await;
    let store = payten_sandbox::StoreConfig::development();
    let account = GatewayAccount {
        mode: Mode::Test,
        endpoints,
        credentials: payten::Credentials {
            client_id: store.client_id.clone(),
            store_key: SecretString::from(store.store_key.clone()),
            api_user: store.api_user.clone(),
            api_password: SecretString::from(store.api_password.clone()),
        },
    };
    let mut conn = platform.pool.acquire().await.unwrap();
    gateway_accounts::save(&mut conn, &platform.config.secrets.field_keys, &account)
        .await
        .unwrap();
    let (merchant_id, user_id) = (Uuid::new_v4(), Uuid::new_v4());
    sqlx::query(
        "WITH m AS (INSERT INTO merchants (id, business_name, verified_at) VALUES ($1, 'Coffee Club', now())),
              u AS (INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
                    VALUES ($2, 'owner@coffee.test', 'Owner', 'merchant',
                            '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', now()))
         INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, 'owner')",
    )
    .bind(merchant_id)
    .bind(user_id)
    .execute(&platform.pool)
    .await
    .unwrap();
    let user = users::load_active(&platform.pool, user_id)
        .await
        .unwrap()
        .unwrap();
    (platform, MerchantScope::of(&user).unwrap())
}

/// Buyer `n` signs up for `plan` through the checkout, the sandbox's pages and the return.
async fn sign_up(platform: &Platform, scope: &MerchantScope, plan: Uuid, buyer: &Buyer, n: usize) {
    let new = NewSession {
        plan: Some(plan),
        ..NewSession::default()
    };
    let (_, token) = sessions::create(
        &platform.pool,
        scope,
        Mode::Test,
        &new,
        &RequestFacts::default(),
    )
    .await
    .unwrap();
    let [_, a, b, c] = u32::try_from(n).unwrap().to_be_bytes();
    let facts = RequestFacts {
        ip: Some(format!("10.{a}.{b}.{c}")),
        ..RequestFacts::default()
    };
    let email = format!("buyer{n}@example.com");
    let started = attempts::start(platform, &token, &email, true, i18n::Locale::en, &facts)
        .await
        .unwrap();
    let gate = HtmlForm {
        method: "post".into(),
        action: started.form.action.clone(),
        fields: started.form.fields.clone(),
    };
    let page = buyer.card_and_3ds(&gate, APPROVE, PASSWORD_3DS).await;
    let back = forms(&page).into_iter().next().expect("the return form");
    gateway_results::handle(platform, back.fields, Channel::Return, &facts)
        .await
        .unwrap();
}

fn per(total: Duration, n: usize) -> Duration {
    total / u32::try_from(n.max(1)).unwrap()
}

fn main() {
    let count = knob("SUBSCRIPTIONS", 300);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // No server takes the callbacks: one failed try each, the return settles every payment.
        let config = SandboxConfig {
            callback_attempts: 1,
            ..SandboxConfig::default()
        };
        let sandbox = Sandbox::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let (platform, scope) = setup(&sandbox).await;
        let new = NewPlan {
            name: "Coffee of the month".into(),
            amount: Money::eur(990),
            interval: Interval::Month,
            count: 1,
            installments: 12,
            until_cancelled: false,
            product_id: None,
        };
        let plan = plans::create(&platform.pool, &scope, Mode::Test, &new, &RequestFacts::default())
            .await
            .unwrap();
        let buyer = Buyer::new(sandbox.base_url());
        let started = Instant::now();
        for n in 0..count {
            sign_up(&platform, &scope, plan.id, &buyer, n).await;
        }
        println!("{count} sign-ups in {:.1?}", started.elapsed());
        let series: Vec<String> =
            sqlx::query_scalar("SELECT recurring_id FROM subscriptions WHERE recurring_id IS NOT NULL")
                .fetch_all(&platform.pool)
                .await
                .unwrap();
        assert_eq!(series.len(), count, "every sign-up has its series");

        // A month on at the gateway: every second installment is charged.
        let advanced = reqwest::Client::new()
            .post(format!("{}/sandbox/clock", sandbox.base_url()))
            .json(&serde_json::json!({ "days": 32 }))
            .send()
            .await
            .unwrap();
        assert!(advanced.status().is_success());

        // The gateway's status query alone, for every series.
        let account = gateways::for_mode(&platform, Mode::Test).await.unwrap();
        let client = gateways::status_client(&platform, &account).unwrap();
        let started = Instant::now();
        for id in &series {
            client.recurring_status(id).await.unwrap();
        }
        let gateway = started.elapsed();

        // The worker's passes over every due series.
        let due = time::OffsetDateTime::now_utc() + time::Duration::days(33);
        let started = Instant::now();
        let (mut polled, mut paid) = (0, 0);
        loop {
            let report = follow::poll_due(&platform, due).await.unwrap();
            if report.polled == 0 {
                break;
            }
            polled += report.polled;
            paid += report.paid;
        }
        let passes = started.elapsed();
        assert_eq!((polled, paid), (u32::try_from(count).unwrap(), u32::try_from(count).unwrap()));

        // A pass with nothing due.
        let idle_passes = 200;
        let started = Instant::now();
        for _ in 0..idle_passes {
            follow::poll_due(&platform, time::OffsetDateTime::now_utc())
                .await
                .unwrap();
        }
        let idle = per(started.elapsed(), idle_passes);

        let per_series = per(passes, count);
        let gateway_per = per(gateway, count);
        let own = per_series.saturating_sub(gateway_per);
        let daily_polls = 10_000.0 / 30.44;
        println!("per due series: {per_series:.2?} in all, of which the gateway's query {gateway_per:.2?}, the platform's own {own:.2?}");
        println!("idle pass: {idle:.2?}");
        println!(
            "per 10,000 monthly subscriptions a day: {daily_polls:.0} gateway queries, {:.1} s of platform work, {:.1} s of idle passes (1,440)",
            daily_polls * own.as_secs_f64(),
            1_440.0 * idle.as_secs_f64()
        );
    });
}
