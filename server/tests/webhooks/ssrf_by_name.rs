//! The address checks by name, through a fixed table of names ([`Names`]) in place of DNS.

use std::net::IpAddr;

use domain::Mode;
use platform::config::Environment;
use platform::webhooks::ssrf::Refusal;
use platform::webhooks::{WebhookError, delivery, endpoints};
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::names::Names;
use crate::ssrf::{last_attempt_refused, new, platform_in, record_event};
use crate::support::checkout::merchant;
use crate::support::receiver::{Answer, Receiver};
use crate::world::{facts, world};

/// The receiver's port: a name pointed at 127.0.0.1 with it would reach the receiver.
fn port(receiver: &Receiver) -> u16 {
    reqwest::Url::parse(&receiver.url).unwrap().port().unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn names_resolving_to_any_private_address_are_refused_at_registration(pool: PgPool) {
    let w = world(pool).await;
    let names = Names::default();
    let platform = names.for_platform(w.platform());
    let refused: [(&str, &[&str]); 11] = [
        ("loopback.shop.test", &["127.0.0.1"]),
        ("ten.shop.test", &["10.20.30.40"]),
        ("one-seven-two.shop.test", &["172.16.8.1"]),
        ("home.shop.test", &["192.168.1.20"]),
        ("metadata.shop.test", &["169.254.169.254"]),
        ("cgnat.shop.test", &["100.64.12.1"]),
        ("v6-loopback.shop.test", &["::1"]),
        ("unique-local.shop.test", &["fd12:3456::7"]),
        ("link-local.shop.test", &["fe80::1"]),
        ("mapped.shop.test", &["::ffff:127.0.0.1"]),
        // Public and private at once: the client might connect to either.
        ("mixed.shop.test", &["93.184.216.34", "10.0.0.7"]),
    ];
    for (name, addrs) in refused {
        names.set(name, addrs);
        let url = format!("https://{name}/hooks");
        let result = endpoints::create(&platform, &w.scope, Mode::Live, &new(&url), &facts()).await;
        let private: IpAddr = addrs.last().unwrap().parse().unwrap();
        assert!(
            matches!(result, Err(WebhookError::Refused(Refusal::NotPublic(ip))) if ip == private),
            "{name} ({addrs:?}) must be refused, got {result:?}"
        );
    }
    // A name no one knows is refused too, and one with only public addresses is accepted.
    assert!(matches!(
        endpoints::create(
            &platform,
            &w.scope,
            Mode::Live,
            &new("https://nowhere.shop.test/"),
            &facts()
        )
        .await,
        Err(WebhookError::Refused(Refusal::Unresolvable))
    ));
    names.set(
        "hooks.shop.test",
        &["93.184.216.34", "2606:4700:4700::1111"],
    );
    endpoints::create(
        &platform,
        &w.scope,
        Mode::Live,
        &new("https://hooks.shop.test/hooks"),
        &facts(),
    )
    .await
    .unwrap();
    let stored = endpoints::list(&platform.pool, &w.scope, Mode::Live)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1, "nothing refused was stored");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_name_re_pointed_at_a_private_address_after_registration_is_refused_at_delivery(
    pool: PgPool,
) {
    // Production: even Test Mode endpoints must reach only public addresses, and plain
    // http lets the receiver see any request that got through.
    let secrets_file = std::env::temp_dir().join(format!(
        "saleonix-test-{}/secrets.toml",
        uuid::Uuid::new_v4()
    ));
    let names = Names::default();
    let production =
        names.for_platform(&platform_in(&pool, Environment::Production, &secrets_file));
    let (merchant_id, scope) = merchant(&pool, "Dardania Crafts", true).await;
    let receiver = Receiver::start(Answer::Status(200)).await;
    let url = format!("http://hooks.shop.test:{}/hooks", port(&receiver));
    names.set("hooks.shop.test", &["93.184.216.34"]);
    let created = endpoints::create(&production, &scope, Mode::Test, &new(&url), &facts())
        .await
        .unwrap();

    // The name now answers with the receiver's own address, as DNS could at any time.
    names.set("hooks.shop.test", &["127.0.0.1"]);
    record_event(&production, merchant_id, "pay_1").await;
    let report = delivery::deliver_due(&production, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!((report.attempted, report.delivered), (1, 0));
    assert!(
        receiver.received().is_empty(),
        "nothing reached the private address"
    );
    assert!(last_attempt_refused(&pool, &scope, Mode::Test, &created.endpoint).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn deliveries_connect_to_the_address_the_platform_resolver_gives(pool: PgPool) {
    // Development, Test Mode: any address may be reached, so the name's answer is used as is.
    let w = world(pool).await;
    let names = Names::default();
    let platform = names.for_platform(w.platform());
    names.set("shop.test", &["127.0.0.1"]);
    let url = format!("http://shop.test:{}/hooks", port(&w.receiver));
    endpoints::create(&platform, &w.scope, Mode::Test, &new(&url), &facts())
        .await
        .unwrap();
    record_event(&platform, w.merchant_id, "pay_1").await;
    let report = delivery::deliver_due(&platform, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(w.receiver.received().len(), 1);
    assert_eq!(
        w.receiver.received()[0].header("host"),
        format!("shop.test:{}", port(&w.receiver))
    );
}
