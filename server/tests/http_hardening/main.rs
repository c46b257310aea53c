//! The promises of the hardened HTTP layer, checked on real responses: pages, static
//! files, server functions, error responses; CSRF; health; well-known files; and the
//! Security page, each of whose sentences the README maps to its proof.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;
// In a directory of its own: a new file at the top of `tests/` would be a new binary.
mod internal_errors;
mod security_page;
mod shutdown;
mod static_files;

use reqwest::Response;
use reqwest::header::HeaderMap;
use sqlx::PgPool;
use support::{TestServer, start, start_with};

const CONTACT: &str = "/api/public/contact";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_else(|| panic!("missing header {name}"))
}

/// The headers every response must carry, whatever produced it.
fn assert_hardened(response: &Response) {
    let h = response.headers();
    let csp = header(h, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "'wasm-unsafe-eval'",
        "form-action 'self' http://127.0.0.1:8600/fim/est3Dgate https://pgw.bkt-ks.com/fim/est3Dgate",
    ] {
        assert!(
            csp.contains(directive),
            "CSP of {} lacks {directive}: {csp}",
            response.url()
        );
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(header(h, "x-content-type-options"), "nosniff");
    assert_eq!(header(h, "x-frame-options"), "DENY");
    assert_eq!(
        header(h, "referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    assert_eq!(header(h, "cross-origin-opener-policy"), "same-origin");
    let permissions = header(h, "permissions-policy");
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
        assert!(permissions.contains(feature), "{permissions}");
    }
    assert!(
        h.get("x-request-id").is_some(),
        "every response names its request id"
    );
}

fn nonce_of(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce in the CSP") + 7;
    csp[start..].split('\'').next().unwrap().to_owned()
}

async fn contact(server: &TestServer, email: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = server.client.post(server.url(CONTACT)).form(&[
        ("name", "Luan Hoxha"),
        ("email", email),
        ("business_name", "Rugs of Prizren"),
        ("message", "We sell handmade rugs."),
    ]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

async fn contact_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM contact_requests")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_carry_a_fresh_nonce_that_the_hydration_scripts_use(pool: PgPool) {
    let server = start(pool).await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = server.client.get(server.url("/")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_hardened(&response);
        assert_eq!(header(response.headers(), "cache-control"), "no-store");
        let nonce = nonce_of(header(response.headers(), "content-security-policy"));
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the hydration script carries the header's nonce"
        );
        assert!(html.contains("Card payments for Kosovo"));
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a new nonce per response");
    assert!(nonces[0].len() >= 22, "at least 128 bits");
}

#[sqlx::test(migrations = "../migrations")]
async fn static_files_error_pages_and_server_functions_are_hardened_too(pool: PgPool) {
    let server = start(pool).await;

    let css = server
        .client
        .get(server.url("/pkg/saleonix.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        css.status(),
        200,
        "run `cargo leptos build` first: the site must exist"
    );
    assert_hardened(&css);
    assert_eq!(header(css.headers(), "cache-control"), "no-cache");

    let missing = server
        .client
        .get(server.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_hardened(&missing);
    assert_eq!(header(missing.headers(), "cache-control"), "no-store");
    assert!(missing.text().await.unwrap().contains("Page not found"));

    let function = contact(
        &server,
        "not-an-email",
        &[("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(function.status(), 422);
    assert_hardened(&function);
    assert_eq!(header(function.headers(), "cache-control"), "no-store");
    assert!(
        function.text().await.unwrap().contains("email"),
        "the error names the field"
    );

    for path in ["/healthz", "/robots.txt", "/.well-known/security.txt"] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_hardened(&response);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_internal_error_is_a_hardened_500_that_reveals_nothing(pool: PgPool) {
    let server = start(pool.clone()).await;
    pool.close().await;
    let response = contact(
        &server,
        "luan@example.com",
        &[("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(response.status(), 500);
    assert_hardened(&response);
    assert_eq!(header(response.headers(), "cache-control"), "no-store");
    let body = response.text().await.unwrap();
    let error: app::error::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(
        error,
        app::error::AppError::Internal,
        "the client shows its generic message"
    );
    let body = body.to_lowercase();
    for leak in ["sqlx", "pool", "postgres", "closed"] {
        assert!(!body.contains(leak), "the body leaks {leak}: {body}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_cross_site_post_is_refused_and_changes_nothing(pool: PgPool) {
    let server = start(pool.clone()).await;
    for headers in [
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")][..],
    ] {
        let response = contact(&server, "luan@example.com", headers).await;
        assert_eq!(response.status(), 403, "{headers:?}");
        assert_hardened(&response);
    }
    assert_eq!(contact_rows(&pool).await, 0, "nothing was stored");

    let same_origin = [
        ("sec-fetch-site", "same-origin"),
        ("origin", server.base.as_str()),
    ];
    let accepted = contact(&server, "luan@example.com", &same_origin).await;
    assert!(
        accepted.status().is_success() || accepted.status().is_redirection(),
        "{}",
        accepted.status()
    );
    assert_eq!(contact_rows(&pool).await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_plain_form_post_without_wasm_is_redirected_to_the_thank_you(pool: PgPool) {
    let server = start(pool.clone()).await;
    let response = contact(
        &server,
        "luan@example.com",
        &[
            ("sec-fetch-site", "same-origin"),
            ("accept", "text/html"),
            ("referer", &server.url("/")),
        ],
    )
    .await;
    assert_eq!(response.status(), 302);
    assert_eq!(
        header(response.headers(), "location"),
        "/?contact=sent#contact"
    );
    let thanks = server
        .client
        .get(server.url("/?contact=sent"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(thanks.contains("We have your message"));
}

#[sqlx::test(migrations = "../migrations")]
async fn hsts_is_sent_only_over_https(pool: PgPool) {
    let plain = start(pool.clone()).await;
    let response = plain
        .client
        .get(plain.url("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none(),
        "an untrusted proxy header is ignored"
    );

    let proxied = start_with(pool, |s| s.trust_forwarded_proto = true).await;
    let response = proxied
        .client
        .get(proxied.url("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(response.headers(), "strict-transport-security"),
        "max-age=63072000; includeSubDomains"
    );
    assert!(
        header(response.headers(), "content-security-policy").contains("upgrade-insecure-requests")
    );
    let response = proxied.client.get(proxied.url("/")).send().await.unwrap();
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn admin_surfaces_are_unindexed(pool: PgPool) {
    let server = start(pool).await;
    let robots = server
        .client
        .get(server.url("/robots.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "Disallow: /admin",
        "Disallow: /dashboard",
        "Disallow: /api/",
    ] {
        assert!(robots.contains(line), "{robots}");
    }
    for path in ["/admin", "/admin/merchants", "/dashboard"] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(
            header(response.headers(), "x-robots-tag"),
            "noindex, nofollow",
            "{path}"
        );
    }
    let public = server
        .client
        .get(server.url("/security"))
        .send()
        .await
        .unwrap();
    assert!(
        public.headers().get("x-robots-tag").is_none(),
        "public pages stay indexable"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn security_txt_follows_rfc_9116(pool: PgPool) {
    let server = start(pool).await;
    let response = server
        .client
        .get(server.url("/.well-known/security.txt"))
        .send()
        .await
        .unwrap();
    assert!(header(response.headers(), "content-type").starts_with("text/plain"));
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Contact: mailto:security@saleonix.example\n"),
        "{body}"
    );
    assert!(
        body.contains("Expires: 2027-11-24T00:00:00.000Z\n"),
        "{body}"
    );
    assert!(body.contains(&format!(
        "Canonical: {}/.well-known/security.txt",
        server.base
    )));
}

#[sqlx::test(migrations = "../migrations")]
async fn readiness_follows_the_database_and_its_schema(pool: PgPool) {
    let server = start(pool.clone()).await;
    let get = |path: &'static str| server.client.get(server.url(path)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    // A schema without this build's newest migration (a release started before its
    // `migrate`, or a database restored from before it): out of the rotation.
    let newest: i64 = sqlx::query_scalar(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)
         RETURNING version",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let behind = get("/readyz").await.unwrap();
    assert_eq!(behind.status(), 503);
    assert_eq!(
        behind.text().await.unwrap(),
        "database schema behind this build"
    );
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, 'restored', true, '\\x00', 0)",
    )
    .bind(newest)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    pool.close().await;
    assert_eq!(get("/readyz").await.unwrap().status(), 503);
    assert_eq!(
        get("/healthz").await.unwrap().status(),
        200,
        "the process itself is fine"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_contact_form_is_rate_limited_per_ip_with_retry_after(pool: PgPool) {
    let server = start_with(pool.clone(), |s| s.rate_limits.contact_per_ip.max = 2).await;
    let same_origin = [("sec-fetch-site", "same-origin")];
    for _ in 0..2 {
        assert!(
            !contact(&server, "luan@example.com", &same_origin)
                .await
                .status()
                .is_client_error()
        );
    }
    let limited = contact(&server, "luan@example.com", &same_origin).await;
    assert_eq!(limited.status(), 429);
    assert_hardened(&limited);
    let retry_after: u64 = header(limited.headers(), "retry-after").parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    let error: app::error::AppError = serde_json::from_str(&limited.text().await.unwrap()).unwrap();
    assert!(matches!(error, app::error::AppError::RateLimited { .. }));
    assert_eq!(
        contact_rows(&pool).await,
        2,
        "the limited request stored nothing"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unacceptable_request_id_is_replaced_and_the_request_still_audited(pool: PgPool) {
    let server = start(pool.clone()).await;
    let sign_in = async |request_id: &str| {
        let form = [
            ("email", "nobody@example.com"),
            ("password", "wrong-password-entirely"),
        ];
        let request = server
            .client
            .post(server.url("/api/auth/sign-in"))
            .header("sec-fetch-site", "same-origin");
        let response = request
            .header("x-request-id", request_id)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            401,
            "refused for the password, whatever the id"
        );
        header(response.headers(), "x-request-id").to_owned()
    };
    let long = "x".repeat(300);
    for sent in [
        long.as_str(),
        "probe id with spaces",
        "../etc;passwd",
        &"a".repeat(65),
    ] {
        let answered = sign_in(sent).await;
        assert_ne!(answered, sent);
        assert!(
            uuid::Uuid::parse_str(&answered).is_ok(),
            "a generated id: {answered}"
        );
        let recorded: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT request_id FROM audit.events WHERE event_type = 'auth.sign_in' AND request_id = $1",
        )
        .bind(&answered)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            recorded.len(),
            1,
            "the failed sign-in is audited under the id the answer names"
        );
    }
    // A plain id from a proxy in front is kept, in the answer and the trail.
    assert_eq!(sign_in("edge-42.a_b").await, "edge-42.a_b");
    let kept: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit.events WHERE request_id = 'edge-42.a_b'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(kept, 1);
}
