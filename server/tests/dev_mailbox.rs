//! `/dev/mailbox` exists in development without SMTP, lists the mail the worker delivered
//! there, and is an ordinary 404 everywhere else.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;

use platform::config::{Environment, Settings};
use platform::mail::{OutgoingMail, Transport, deliver_due, enqueue};
use sqlx::PgPool;
use support::{TestServer, start_with};

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("saleonix-dev-mailbox-{}", uuid::Uuid::new_v4()))
}

/// Like `support::start_with`, with an SMTP URL among the secrets as well.
async fn start_with_smtp(pool: PgPool, adjust: impl FnOnce(&mut Settings)) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut platform = support::platform(pool, format!("http://{addr}"), adjust);
    Arc::get_mut(&mut platform.config).unwrap().secrets.smtp_url =
        Some("smtp://127.0.0.1:2525".to_owned().into());
    support::serve(listener, platform)
}

#[sqlx::test(migrations = "../migrations")]
async fn development_without_smtp_lists_the_delivered_mail(pool: PgPool) {
    let dir = temp_dir();
    let server = start_with(pool.clone(), |settings| {
        settings.mail.mailbox_dir = dir.clone()
    })
    .await;

    let empty = server
        .client
        .get(server.url("/dev/mailbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 200, "an empty mailbox is a page too");
    assert!(empty.text().await.unwrap().contains("0 messages"));

    // Queued and delivered the way the server's worker does it.
    let keys = test_keys();
    let settings = Settings::default().mail;
    let link = "http://127.0.0.1:3000/verify-email?token=abc&next=%2Fdashboard";
    for (to, subject) in [
        ("luan@example.com", "Confirm your address"),
        ("arta@example.com", "<Reset> & more"),
    ] {
        let mut conn = pool.acquire().await.unwrap();
        let body = format!("Hello,\n\nOpen {link} to go on.\n").into();
        enqueue(
            &mut conn,
            &keys,
            &OutgoingMail {
                to: to.into(),
                subject: subject.into(),
                body,
            },
        )
        .await
        .unwrap();
        drop(conn);
        deliver_due(&pool, &keys, &Transport::Mailbox(dir.clone()), &settings)
            .await
            .unwrap();
    }

    let response = server
        .client
        .get(server.url("/dev/mailbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert!(
        headers.get("content-security-policy").is_some(),
        "the usual security headers apply"
    );
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    assert_eq!(headers.get("x-robots-tag").unwrap(), "noindex, nofollow");
    assert!(
        headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));

    let luan = html
        .find("<article class=\"mail\" data-to=\"luan@example.com\">")
        .expect("Luan's mail is listed");
    let arta = html
        .find("<article class=\"mail\" data-to=\"arta@example.com\">")
        .expect("Arta's mail is listed");
    assert!(arta < luan, "newest first");
    let escaped_link = link.replace('&', "&amp;");
    assert!(
        html[luan..].contains(&format!("<a href=\"{escaped_link}\">{escaped_link}</a>")),
        "{html}"
    );
    assert!(html[luan..].contains("<h2>Confirm your address</h2>"));
    assert!(
        html.contains("<h2>&lt;Reset&gt; &amp; more</h2>"),
        "subjects are escaped"
    );
}

fn test_keys() -> platform::field_crypto::KeyRing {
    let key = secrecy::SecretBox::new(Box::new([5u8; 32]));
    platform::field_crypto::KeyRing::new(1, vec![(1, key)]).unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn with_smtp_configured_the_page_does_not_exist(pool: PgPool) {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("20261124T100000.000000000Z-x.eml"),
        "To: luan@example.com\r\nSubject: s\r\n\r\nbody\r\n",
    )
    .unwrap();
    let server = start_with_smtp(pool, |settings| settings.mail.mailbox_dir = dir.clone()).await;
    let response = server
        .client
        .get(server.url("/dev/mailbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(!response.text().await.unwrap().contains("luan@example.com"));
}

#[sqlx::test(migrations = "../migrations")]
async fn production_has_no_mailbox_page(pool: PgPool) {
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("20261124T100000.000000000Z-x.eml"),
        "To: luan@example.com\r\nSubject: s\r\n\r\nbody\r\n",
    )
    .unwrap();
    let server = start_with(pool, |settings| {
        settings.env = Environment::Production;
        settings.mail.mailbox_dir = dir.clone();
    })
    .await;
    let response = server
        .client
        .get(server.url("/dev/mailbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(!response.text().await.unwrap().contains("luan@example.com"));
}
