//! The Prometheus metrics an operator alerts on: every name is scraped from the metrics
//! listener, a payment moves its counters, and the queue figures are the database's.

use platform::metrics as names;
use tokio::net::TcpListener;

use super::*;

/// The value of the sample of `name` whose labels include every one of `labels`; 0 when
/// there is none (a counter appears with its first increment).
fn sample(scrape: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<f64> = scrape
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = series
                .split_once('{')
                .map_or((series, ""), |(name, rest)| (name, rest));
            let wanted = series_name == name
                && labels
                    .iter()
                    .all(|(key, value)| series_labels.contains(&format!("{key}=\"{value}\"")));
            wanted.then(|| value.parse().unwrap())
        })
        .collect();
    assert!(found.len() <= 1, "{name} {labels:?} matches {found:?}");
    found.first().copied().unwrap_or(0.0)
}

fn named(scrape: &str, name: &str) -> bool {
    scrape.lines().any(|line| {
        line.starts_with(name) && matches!(line.as_bytes().get(name.len()), Some(b' ' | b'{'))
    })
}

async fn scrape(address: std::net::SocketAddr) -> String {
    let response = reqwest::get(format!("http://{address}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.text().await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_metrics_name_every_signal_and_a_payment_moves_them(pool: PgPool) {
    let handle = server::metrics::install().unwrap();
    let shop = shop(pool).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (_stop, stop) = server::shutdown::channel();
    tokio::spawn(server::metrics::serve(
        listener,
        handle,
        shop.server.platform.clone(),
        stop,
    ));

    let before = scrape(address).await;
    for name in [
        names::RECONCILIATION_DUE,
        names::RECONCILIATION_OLDEST_DUE,
        names::OPEN_EXCEPTIONS,
        names::OUTBOX_DEPTH,
        names::OUTBOX_OLDEST,
        names::AUDIT_UNSEALED,
        names::WAL_ARCHIVING_FAILING,
        "saleonix_metrics_database_up",
        "saleonix_db_pool_connections",
        "saleonix_db_pool_idle_connections",
        "saleonix_db_pool_max_connections",
    ] {
        assert!(named(&before, name), "{name} missing from:\n{before}");
    }
    assert_eq!(sample(&before, "saleonix_metrics_database_up", &[]), 1.0);
    // This machine's Postgres archives nothing, so nothing has failed.
    assert_eq!(sample(&before, names::WAL_ARCHIVING_FAILING, &[]), 0.0);
    assert_eq!(
        sample(&before, "saleonix_db_pool_max_connections", &[]),
        f64::from(
            shop.server
                .platform
                .config
                .settings
                .database_max_connections
        )
    );
    // Before any check the age is absent, not a made-up zero.
    assert!(!named(&before, names::CHAIN_CHECK_AGE));

    // A payment, start to end.
    let test = [("mode", "test")];
    let (_, order_id) = shop.paid("25.00").await;
    let paid = scrape(address).await;
    for (state, moved) in [
        ("created", 1.0),
        ("pending", 1.0),
        ("paid", 1.0),
        ("declined", 0.0),
    ] {
        let labels = [test[0], ("state", state)];
        assert_eq!(
            sample(&paid, names::PAYMENTS, &labels) - sample(&before, names::PAYMENTS, &labels),
            moved,
            "{state}"
        );
    }
    assert!(sample(&paid, names::AUDIT_ROWS, &[("outcome", "success")]) >= 3.0);
    let pay_page = [
        ("route", "/pay/{token}"),
        ("method", "POST"),
        ("status", "200"),
    ];
    assert_eq!(
        sample(&paid, "saleonix_http_requests_total", &pay_page),
        1.0
    );
    let timed = [("route", "/pay/{token}"), ("method", "POST")];
    assert_eq!(
        sample(
            &paid,
            "saleonix_http_request_duration_seconds_count",
            &timed
        ),
        1.0
    );
    let query = [("operation", "order_status")];
    assert!(
        sample(
            &paid,
            "saleonix_gateway_request_duration_seconds_count",
            &query
        ) >= 1.0
    );
    // Labels are templates and names, never a buyer's token or an order id.
    assert!(!paid.contains(&order_id));

    // A callback whose signature was tampered with is refused and counted by its reason.
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "30.00").await;
    let (_, returns) = shop.pay(&token, APPROVE).await;
    let mut tampered = returns[0].fields.clone();
    for (name, value) in &mut tampered {
        if name == "HASH" {
            value.replace_range(..4, "AAAA");
        }
    }
    let refused = shop
        .http
        .post(shop.server.url("/pay/callback"))
        .form(&tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);

    // The gateway answering 503 to a status query counts as an error of that operation.
    shop.fault(serde_json::json!({ "kind": "api_server_error" }))
        .await;
    let platform = &shop.server.platform;
    let account = platform::payments::gateways::for_mode(platform, Mode::Test)
        .await
        .unwrap();
    let client = platform::payments::gateways::status_client(platform, &account).unwrap();
    assert!(client.api().order_status(&order_id).await.is_err());

    // The queues as the database has them: one payment overdue for reconciliation by
    // ten minutes, the receipt mail waiting, and a chain check just made.
    sqlx::query(
        "UPDATE payments SET recon_due_at = now() - interval '10 minutes' WHERE order_id = $1",
    )
    .bind(&order_id)
    .execute(shop.pool())
    .await
    .unwrap();
    platform::audit::verify_chain(shop.pool()).await.unwrap();
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert!(waiting >= 1, "the receipt is queued");

    let after = scrape(address).await;
    let refusal = [("channel", "callback"), ("reason", "bad_hash")];
    assert_eq!(sample(&after, names::ANSWERS_REFUSED, &refusal), 1.0);
    let failed = [("operation", "order_status"), ("error", "http_status")];
    assert_eq!(sample(&after, payten::api::ERRORS, &failed), 1.0);
    assert_eq!(sample(&after, names::RECONCILIATION_DUE, &test), 1.0);
    assert_eq!(
        sample(&after, names::RECONCILIATION_DUE, &[("mode", "live")]),
        0.0
    );
    assert!(sample(&after, names::RECONCILIATION_OLDEST_DUE, &test) >= 600.0);
    assert_eq!(sample(&after, names::OUTBOX_DEPTH, &[]), waiting as f64);
    assert!(sample(&after, names::OUTBOX_OLDEST, &[]) >= 0.0);
    assert!(sample(&after, names::CHAIN_CHECK_AGE, &[]) < 60.0);
    assert_eq!(sample(&after, names::CHAIN_CHECK_BROKEN, &[]), 0.0);
    // The sealer ran for the check: nothing is left unchained.
    assert_eq!(sample(&after, names::AUDIT_UNSEALED, &[]), 0.0);

    // Nothing public answers with the figures.
    assert_eq!(shop.get("/metrics").await.status(), 404);
}
