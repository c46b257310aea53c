//! TLS terminated by the server itself: HTTPS answers with HSTS, and the plain-HTTP
//! listener only redirects to the configured public origin.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use platform::config::TlsConfig;
use sqlx::PgPool;

#[sqlx::test(migrations = "../migrations")]
async fn https_carries_hsts_and_plain_http_redirects_to_the_public_origin(pool: PgPool) {
    let dir = std::env::temp_dir().join(format!("saleonix-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let tls = TlsConfig {
        cert_path: dir.join("cert.pem"),
        key_path: dir.join("key.pem"),
        redirect_listen: None,
    };
    std::fs::write(&tls.cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&tls.key_path, certified.signing_key.serialize_pem()).unwrap();

    let https = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (https_port, http_addr) = (
        https.local_addr().unwrap().port(),
        http.local_addr().unwrap(),
    );
    let origin = format!("https://localhost:{https_port}");
    let app = server::router(support::platform(pool, origin.clone(), |s| {
        s.tls = Some(tls.clone())
    }))
    .unwrap();
    tokio::spawn({
        let origin = origin.clone();
        async move {
            // The sender is dropped at once: a stop nobody can ask for never comes.
            let (_, stop) = server::shutdown::channel();
            server::tls::serve_on(app, https, &tls, Some(http), origin, stop)
                .await
                .unwrap()
        }
    });

    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true) // the self-signed certificate above
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(format!("{origin}/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers();
    assert_eq!(
        headers["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("upgrade-insecure-requests")
    );

    // The Host header is the attacker's to choose; the redirect ignores it.
    let redirect = client
        .get(format!("http://{http_addr}/security?from=plain"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 308);
    assert_eq!(
        redirect.headers()["location"],
        format!("{origin}/security?from=plain").as_str()
    );
}
