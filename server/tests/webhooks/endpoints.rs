use domain::{EventType, Mode};
use platform::webhooks::endpoints::{self, Change, NewEndpoint};
use platform::webhooks::{WebhookError, log, resend};
use secrecy::ExposeSecret;
use sqlx::PgPool;
use time::Duration;

use crate::support::checkout::merchant;
use crate::world::{facts, world};

#[sqlx::test(migrations = "../migrations")]
async fn another_merchants_or_modes_endpoint_is_not_found(pool: PgPool) {
    let w = world(pool.clone()).await;
    let created = w.endpoint(None).await;
    let id = created.endpoint.public_id();
    let (_, stranger) = merchant(&pool, "Other Shop", true).await;
    let p = w.platform();
    let not_found = |r: Result<(), WebhookError>| matches!(r, Err(WebhookError::NotFound));

    for (scope, mode) in [(&stranger, Mode::Test), (&w.scope, Mode::Live)] {
        assert!(not_found(
            endpoints::get(&p.pool, scope, mode, &id).await.map(drop)
        ));
        let change = Change {
            description: Some("mine now".into()),
            ..Change::default()
        };
        assert!(not_found(
            endpoints::update(p, scope, mode, &id, &change, &facts())
                .await
                .map(drop)
        ));
        assert!(not_found(
            endpoints::rotate_secret(p, scope, mode, &id, Duration::hours(1), &facts())
                .await
                .map(drop)
        ));
        assert!(not_found(
            endpoints::delete(p, scope, mode, &id, &facts()).await
        ));
        assert!(not_found(
            resend::send_test(p, scope, mode, &id, &facts())
                .await
                .map(drop)
        ));
        assert!(not_found(
            log::attempts(&p.pool, scope, mode, &id, 10, None)
                .await
                .map(drop)
        ));
        assert!(
            endpoints::list(&p.pool, scope, mode)
                .await
                .unwrap()
                .is_empty()
        );
    }
    // A malformed id, or another kind's, is not found either.
    for bad in ["we_nothex", "evt_0123456789abcdef0123456789abcdef", ""] {
        assert!(not_found(
            endpoints::get(&p.pool, &w.scope, Mode::Test, bad)
                .await
                .map(drop)
        ));
    }
    // And the owner still has it, unchanged.
    let still = endpoints::get(&p.pool, &w.scope, Mode::Test, &id)
        .await
        .unwrap();
    assert_eq!(still, created.endpoint);
}

#[sqlx::test(migrations = "../migrations")]
async fn changes_are_audited_and_the_secret_is_shown_once_and_stored_encrypted(pool: PgPool) {
    let w = world(pool).await;
    let created = w.endpoint(Some(vec![EventType::PaymentSucceeded])).await;
    let id = created.endpoint.public_id();
    let secret = created.secret.expose_secret().to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(
        created.endpoint.event_types,
        Some(vec![EventType::PaymentSucceeded])
    );
    let stored: Vec<u8> = sqlx::query_scalar("SELECT secret FROM webhook_endpoints WHERE id = $1")
        .bind(created.endpoint.id)
        .fetch_one(&w.platform().pool)
        .await
        .unwrap();
    let key = platform::webhooks::signing::key_of(&created.secret).unwrap();
    assert!(
        !stored
            .windows(key.len())
            .any(|window| window == key.as_slice())
    );
    assert!(!String::from_utf8_lossy(&stored).contains(&secret[6..]));

    let p = w.platform();
    let change = Change {
        event_types: Some(None),
        description: Some("all of them".into()),
        enabled: Some(false),
        ..Change::default()
    };
    let changed = endpoints::update(p, &w.scope, Mode::Test, &id, &change, &facts())
        .await
        .unwrap();
    assert_eq!((changed.event_types, changed.enabled), (None, false));
    assert_eq!(changed.disabled_reason.as_deref(), Some("merchant"));
    let rotated = endpoints::rotate_secret(
        p,
        &w.scope,
        Mode::Test,
        &id,
        endpoints::DEFAULT_OVERLAP,
        &facts(),
    )
    .await
    .unwrap();
    assert_ne!(rotated.expose_secret(), secret);
    endpoints::delete(p, &w.scope, Mode::Test, &id, &facts())
        .await
        .unwrap();
    assert!(matches!(
        endpoints::get(&p.pool, &w.scope, Mode::Test, &id).await,
        Err(WebhookError::NotFound)
    ));
    assert_eq!(
        w.audited().await,
        [
            "webhook_endpoint.create",
            "webhook_endpoint.update",
            "webhook_endpoint.rotate_secret",
            "webhook_endpoint.delete"
        ]
    );

    // Invalid input is refused before anything is written.
    let bad = [
        NewEndpoint {
            url: "ftp://93.184.216.34/".into(),
            ..NewEndpoint::default()
        },
        NewEndpoint {
            url: w.receiver.url.clone(),
            event_types: Some(vec![]),
            ..NewEndpoint::default()
        },
        NewEndpoint {
            url: w.receiver.url.clone(),
            event_types: Some(vec![EventType::WebhookTest]),
            ..NewEndpoint::default()
        },
    ];
    for new in bad {
        let refused = endpoints::create(p, &w.scope, Mode::Test, &new, &facts()).await;
        assert!(
            matches!(refused, Err(WebhookError::Invalid { .. })),
            "{new:?}"
        );
    }
    assert!(
        endpoints::list(&p.pool, &w.scope, Mode::Test)
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn live_endpoints_need_a_merchant_allowed_live_mode(pool: PgPool) {
    let w = world(pool.clone()).await;
    let (_, unverified) = merchant(&pool, "New Shop", false).await;
    let new = NewEndpoint {
        url: "https://93.184.216.34/hooks".into(),
        ..NewEndpoint::default()
    };
    let refused = endpoints::create(w.platform(), &unverified, Mode::Live, &new, &facts()).await;
    assert!(matches!(refused, Err(WebhookError::LiveNotAllowed)));
    endpoints::create(w.platform(), &w.scope, Mode::Live, &new, &facts())
        .await
        .unwrap();
}
