use std::sync::Arc;

use domain::{EventType, Mode};
use platform::Platform;
use platform::config::{Config, Environment, Settings};
use platform::identity::roles::MerchantScope;
use platform::secrets::Secrets;
use platform::webhooks::endpoints::{self, NewEndpoint};
use platform::webhooks::ssrf::Refusal;
use platform::webhooks::{WebhookError, delivery, log};
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::support::checkout::merchant;
use crate::support::receiver::{Answer, Receiver};
use crate::world::{World, facts, world};

pub fn new(url: &str) -> NewEndpoint {
    NewEndpoint {
        url: url.into(),
        ..NewEndpoint::default()
    }
}

async fn live(w: &World, url: &str) -> Result<endpoints::Created, WebhookError> {
    endpoints::create(w.platform(), &w.scope, Mode::Live, &new(url), &facts()).await
}

/// Records a Test Mode `payment.succeeded` about `object` for the merchant.
pub async fn record_event(platform: &Platform, merchant_id: uuid::Uuid, object: &str) {
    let mut tx = platform.pool.begin().await.unwrap();
    platform::events::record(
        &mut tx,
        domain::MerchantId::from_uuid(merchant_id),
        Mode::Test,
        EventType::PaymentSucceeded,
        object,
        serde_json::json!({ "id": object }),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Whether the endpoint's latest logged attempt was refused for its address, unanswered.
pub async fn last_attempt_refused(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    endpoint: &endpoints::Endpoint,
) -> bool {
    let page = log::attempts(pool, scope, mode, &endpoint.public_id(), 10, None)
        .await
        .unwrap();
    page.data[0].error_class.as_deref() == Some("refused_address")
        && page.data[0].response_status.is_none()
}

fn refused_address(result: Result<endpoints::Created, WebhookError>) -> bool {
    matches!(result, Err(WebhookError::Refused(Refusal::NotPublic(_))))
}

#[sqlx::test(migrations = "../migrations")]
async fn live_endpoints_must_use_https_and_reach_only_public_addresses(pool: PgPool) {
    let w = world(pool).await;
    assert!(matches!(
        live(&w, "http://93.184.216.34/hooks").await,
        Err(WebhookError::Invalid { field: "url", .. })
    ));
    for url in [
        "https://localhost:8443/hooks",
        "https://127.0.0.1/hooks",
        "https://[::1]/hooks",
        "https://10.0.0.5/hooks",
        "https://192.168.1.10/hooks",
        "https://100.64.1.1/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[fd00::1]/hooks",
        "https://0.0.0.0/hooks",
    ] {
        assert!(
            refused_address(live(&w, url).await),
            "{url} must be refused"
        );
    }
    assert!(matches!(
        live(&w, "https://user:pw@93.184.216.34/").await,
        Err(WebhookError::Invalid { .. })
    ));
    // A public address is accepted (an address literal: no DNS needed here).
    live(&w, "https://93.184.216.34/hooks").await.unwrap();
    // Nothing refused was stored.
    let stored = endpoints::list(&w.platform().pool, &w.scope, Mode::Live)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_live_endpoint_re_pointed_at_loopback_is_refused_at_delivery(pool: PgPool) {
    let w = world(pool).await;
    let created = endpoints::create(
        w.platform(),
        &w.scope,
        Mode::Live,
        &new("https://93.184.216.34/hooks"),
        &facts(),
    )
    .await
    .unwrap();
    // Its name now answers with this machine's address (as DNS could at any time).
    let port = w
        .receiver
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    sqlx::query("UPDATE webhook_endpoints SET url = $2 WHERE id = $1")
        .bind(created.endpoint.id)
        .bind(format!("https://localhost:{port}/hooks"))
        .execute(&w.platform().pool)
        .await
        .unwrap();
    w.event_in(Mode::Live, EventType::PaymentSucceeded, "pay_1")
        .await;
    assert_eq!(w.deliver(OffsetDateTime::now_utc()).await.delivered, 0);
    assert!(w.receiver.received().is_empty());
    assert!(
        last_attempt_refused(&w.platform().pool, &w.scope, Mode::Live, &created.endpoint).await
    );
}

/// A platform on `pool` with `env`, whose field keys are those of `secrets_file`.
pub fn platform_in(pool: &PgPool, env: Environment, secrets_file: &std::path::Path) -> Platform {
    let settings = Settings {
        env,
        ..Settings::default()
    };
    let secrets = Secrets::load(Environment::Development, secrets_file).unwrap();
    Platform::new(pool.clone(), Arc::new(Config { settings, secrets }))
}

#[sqlx::test(migrations = "../migrations")]
async fn test_endpoints_may_use_loopback_in_development_but_not_in_production(pool: PgPool) {
    let secrets_file = std::env::temp_dir().join(format!(
        "saleonix-test-{}/secrets.toml",
        uuid::Uuid::new_v4()
    ));
    let development = platform_in(&pool, Environment::Development, &secrets_file);
    let production = platform_in(&pool, Environment::Production, &secrets_file);
    let (merchant_id, scope) = merchant(&pool, "Dardania Crafts", true).await;
    let receiver = Receiver::start(Answer::Status(200)).await;

    let refused = endpoints::create(
        &production,
        &scope,
        Mode::Test,
        &new(&receiver.url),
        &facts(),
    )
    .await;
    assert!(refused_address(refused));
    let created = endpoints::create(
        &development,
        &scope,
        Mode::Test,
        &new(&receiver.url),
        &facts(),
    )
    .await
    .unwrap();

    record_event(&development, merchant_id, "pay_1").await;
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        delivery::deliver_due(&development, now)
            .await
            .unwrap()
            .delivered,
        1
    );
    assert_eq!(receiver.received().len(), 1);

    // The same endpoint, delivered by a production instance: refused, nothing sent.
    record_event(&development, merchant_id, "pay_2").await;
    let later = OffsetDateTime::now_utc() + time::Duration::seconds(1);
    let report = delivery::deliver_due(&production, later).await.unwrap();
    assert_eq!((report.attempted, report.delivered), (1, 0));
    assert_eq!(receiver.received().len(), 1);
    assert!(last_attempt_refused(&pool, &scope, Mode::Test, &created.endpoint).await);
}
