//! Rate limits on the account endpoints, across instances and behind a trusted proxy.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn account_endpoints_are_rate_limited_across_instances(pool: PgPool) {
    let tight = |s: &mut platform::config::Settings| {
        let one = platform::config::LimitRule {
            max: 1,
            window_secs: 3600,
        };
        s.rate_limits.sign_in_per_account.max = 3;
        s.rate_limits.sign_up_per_account = one;
        s.rate_limits.verification_per_account = one;
        s.rate_limits.reset_per_account = one;
    };
    let first = start_with(pool.clone(), tight).await;
    let second_pool = PgPoolOptions::new()
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let second = start_with(second_pool, tight).await;

    // Sign-in: three attempts in all, whichever instance takes them.
    for server in [&first, &second, &first] {
        assert_eq!(
            Visitor::new(server)
                .sign_in("drita@example.com", "wrong-password-entirely")
                .await
                .status(),
            401
        );
    }
    let limited = Visitor::new(&second)
        .sign_in("drita@example.com", "wrong-password-entirely")
        .await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert!(matches!(
        error_of(limited).await,
        app::error::AppError::RateLimited { .. }
    ));

    for (path, form) in [
        (
            "/api/auth/sign-up",
            vec![
                ("full_name", "D"),
                ("business_name", "B"),
                ("email", "x@example.com"),
                ("password", PASSWORD),
            ],
        ),
        (
            "/api/auth/resend-verification",
            vec![("email", "x@example.com")],
        ),
        (
            "/api/auth/forgot-password",
            vec![("email", "x@example.com")],
        ),
    ] {
        assert_eq!(
            Visitor::new(&first).post(path, &form).await.status(),
            200,
            "{path}"
        );
        assert_eq!(
            Visitor::new(&second).post(path, &form).await.status(),
            429,
            "{path} on the other instance"
        );
    }
}

/// A sign-in attempt from `client` as a proxy in front would pass it on.
async fn proxied_sign_in(server: &support::TestServer, client: &str) -> u16 {
    let form = [
        ("email", "nobody@example.com"),
        ("password", "wrong-password-entirely"),
    ];
    let request = server
        .client
        .post(server.url("/api/auth/sign-in"))
        .header("sec-fetch-site", "same-origin");
    request
        .header("x-forwarded-for", client)
        .form(&form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited_and_recorded(pool: PgPool) {
    let server = start_with(pool.clone(), |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.sign_in_per_ip.max = 2;
    })
    .await;
    let statuses = [
        proxied_sign_in(&server, "198.51.100.7").await,
        proxied_sign_in(&server, "198.51.100.7").await,
        proxied_sign_in(&server, "198.51.100.7").await,
        proxied_sign_in(&server, "1.2.3.4, 198.51.100.8").await,
    ];
    assert_eq!(
        statuses,
        [401, 401, 429, 401],
        "each client behind the proxy has its own limit"
    );
    let ips: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT ip FROM audit.events WHERE event_type = 'auth.sign_in' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        ips,
        [
            Some("198.51.100.7".to_owned()),
            Some("198.51.100.7".to_owned()),
            Some("198.51.100.8".to_owned())
        ]
    );

    // Without trusted proxies the header is the client's own claim and changes nothing.
    let direct = start_with(pool.clone(), |settings| {
        settings.rate_limits.sign_in_per_ip.max = 1
    })
    .await;
    assert_eq!(proxied_sign_in(&direct, "203.0.113.1").await, 401);
    assert_eq!(
        proxied_sign_in(&direct, "203.0.113.2").await,
        429,
        "a forged header buys no fresh limit"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn ipv6_clients_share_a_limit_per_64(pool: PgPool) {
    let server = start_with(pool.clone(), |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.sign_in_per_ip.max = 2;
    })
    .await;
    let statuses = [
        proxied_sign_in(&server, "2001:db8:7:1::1").await,
        proxied_sign_in(&server, "2001:db8:7:1::2").await,
        proxied_sign_in(&server, "2001:db8:7:1:ffff:ffff:ffff:9").await,
        proxied_sign_in(&server, "2001:db8:7:2::1").await,
    ];
    assert_eq!(
        statuses,
        [401, 401, 429, 401],
        "one /64 is one client; the next /64 another"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn every_forwarded_for_line_is_read_so_a_line_of_the_clients_own_is_not_believed(
    pool: PgPool,
) {
    let server = start_with(pool.clone(), |settings| {
        settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        settings.rate_limits.sign_in_per_ip.max = 1;
    })
    .await;
    // The client sends a line of its own; the proxy appends the real address as a second line.
    let sign_in = async |own_line: &str| {
        let form = [
            ("email", "nobody@example.com"),
            ("password", "wrong-password-entirely"),
        ];
        let request = server
            .client
            .post(server.url("/api/auth/sign-in"))
            .header("sec-fetch-site", "same-origin");
        let request = request
            .header("x-forwarded-for", own_line)
            .header("x-forwarded-for", "198.51.100.8");
        request.form(&form).send().await.unwrap().status().as_u16()
    };
    assert_eq!(sign_in("1.2.3.4").await, 401);
    assert_eq!(
        sign_in("5.6.7.8").await,
        429,
        "a new line of its own buys the client no fresh limit"
    );
    let ips: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT ip FROM audit.events WHERE event_type = 'auth.sign_in' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        ips,
        [Some("198.51.100.8".to_owned())],
        "the trail names the address the proxy saw"
    );
}
