//! The webhooks screens' server functions: who reaches them, the fresh two-factor check
//! before an endpoint is added or edited, its secret shown once, an edit that changes
//! types and one with an invalid URL that changes nothing, another merchant's endpoint not
//! found, Live endpoints kept to public https addresses, the delivery log after a test
//! event, and the event list.

use domain::{EventType, MerchantId, Mode};
use time::OffsetDateTime;

use super::*;

const ENDPOINTS: &str = "/api/developers/webhooks";
const ADD: &str = "/api/developers/webhooks/create";
const EDIT: &str = "/api/developers/webhooks/update";
const ENABLE: &str = "/api/developers/webhooks/set-enabled";
const ROTATE: &str = "/api/developers/webhooks/rotate";
const DELETE: &str = "/api/developers/webhooks/delete";
const TEST: &str = "/api/developers/webhooks/test";
const LOG: &str = "/api/developers/webhooks/log";
const RESEND: &str = "/api/developers/webhooks/resend";
const RESEND_FAILED: &str = "/api/developers/webhooks/resend-failed";
const EVENTS: &str = "/api/developers/events";

const PAGES: [&str; 3] = [
    "/dashboard/developers/webhooks",
    "/dashboard/developers/webhooks/we_0123",
    "/dashboard/developers/events",
];

async fn answer(
    visitor: &mut Visitor<'_>,
    path: &str,
    form: &[(&str, &str)],
) -> Result<Value, AppError> {
    let response = visitor.post(path, form).await;
    if response.status() == 200 {
        Ok(response.json().await.unwrap())
    } else {
        Err(error_of(response).await)
    }
}

/// Adds an endpoint to `url` for all events; answers the new secret's answer.
async fn add(visitor: &mut Visitor<'_>, url: &str) -> Result<Value, AppError> {
    answer(
        visitor,
        ADD,
        &[
            ("url", url),
            ("description", "Shop backend"),
            ("events", "all"),
        ],
    )
    .await
}

async fn endpoint_rows(world: &World) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM webhook_endpoints")
        .fetch_one(&world.server.platform.pool)
        .await
        .unwrap()
}

/// Every webhook function with `endpoint` as the endpoint's id.
fn calls(endpoint: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let id = || ("endpoint_id", endpoint.to_owned());
    vec![
        (
            EDIT,
            vec![
                id(),
                ("url", "http://127.0.0.1:9/elsewhere".into()),
                ("description", "Moved".into()),
                ("events", "chosen".into()),
                ("types[refund.failed]", "on".into()),
            ],
        ),
        (ENABLE, vec![id(), ("enabled", "false".into())]),
        (ROTATE, vec![id(), ("overlap_hours", "0".into())]),
        (DELETE, vec![id()]),
        (TEST, vec![id()]),
        (LOG, vec![id()]),
        (RESEND, vec![id(), ("event_id", "evt_00".into())]),
        (
            RESEND_FAILED,
            vec![id(), ("since", "2026-11-30T08:00".into())],
        ),
    ]
}

fn form<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Sets `user`'s sessions' last second-factor check to now.
async fn make_fresh(pool: &PgPool, user: Uuid) {
    sqlx::query(
        "UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}',
           to_jsonb(extract(epoch FROM now())::bigint)) WHERE user_id = $1",
    )
    .bind(user)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn viewers_and_finance_are_refused_the_webhook_pages_and_functions(pool: PgPool) {
    let world = world(pool).await;
    for actor in [Actor::ViewerA, Actor::FinanceA] {
        let mut member = visitor(&world, actor).await;
        for page in PAGES {
            assert_eq!(member.get(page).await.status(), 403, "{actor:?} {page}");
        }
        let mut all = calls("we_0123");
        all.push((ENDPOINTS, vec![]));
        all.push((EVENTS, vec![]));
        all.push((
            ADD,
            vec![
                ("url", "http://127.0.0.1:9/".into()),
                ("description", String::new()),
                ("events", "all".into()),
            ],
        ));
        for (path, pairs) in all {
            let response = member.post(path, &form(&pairs)).await;
            assert_eq!(response.status(), 403, "{actor:?} {path}");
            assert_eq!(error_of(response).await, AppError::Forbidden);
        }
    }
    assert_eq!(endpoint_rows(&world).await, 0);
    let mut developer = visitor(&world, Actor::DeveloperA).await;
    for page in PAGES {
        assert_eq!(developer.get(page).await.status(), 200, "{page}");
    }
    let developers = developer
        .get("/dashboard/developers")
        .await
        .text()
        .await
        .unwrap();
    assert!(developers.contains(r#"href="/dashboard/developers/webhooks""#));
    assert!(developers.contains(r#"href="/dashboard/developers/events""#));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_endpoint_needs_a_fresh_step_up_and_its_secret_is_shown_once(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let url = world.server.url("/webhook-receiver");
    make_stale(&pool, world.users[&Actor::OwnerA]).await;
    assert_eq!(add(&mut owner, &url).await, Err(AppError::StepUpRequired));
    assert_eq!(
        endpoint_rows(&world).await,
        0,
        "a stale session added nothing"
    );

    step_up(&mut owner).await;
    let added = add(&mut owner, &url).await.unwrap();
    let secret = added["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(added["mode"], "test");
    let id = added["endpoint_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("we_"));

    let response = owner.post(ENDPOINTS, &[]).await;
    let text = response.text().await.unwrap();
    assert!(!text.contains(&secret), "the list carries the secret");
    let listed: Value = serde_json::from_str(&text).unwrap();
    let row = &listed["endpoints"][0];
    assert_eq!(
        (row["id"].as_str(), row["url"].as_str()),
        (Some(id.as_str()), Some(url.as_str()))
    );
    assert_eq!(row["event_types"], "All events");
    assert_eq!(row["enabled"], true);
    let page = owner
        .get("/dashboard/developers/webhooks")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&url) && !page.contains(&secret));

    // Disabling is reversible and needs no fresh check; the list says why.
    make_stale(&pool, world.users[&Actor::OwnerA]).await;
    answer(
        &mut owner,
        ENABLE,
        &[("endpoint_id", &id), ("enabled", "false")],
    )
    .await
    .unwrap();
    let listed = answer(&mut owner, ENDPOINTS, &[]).await.unwrap();
    assert_eq!(
        listed["endpoints"][0]["disabled_because"],
        "Disabled by your team"
    );
    // Rotating and deleting need the fresh check again.
    for (path, form) in [
        (
            ROTATE,
            vec![("endpoint_id", id.as_str()), ("overlap_hours", "24")],
        ),
        (DELETE, vec![("endpoint_id", id.as_str())]),
    ] {
        assert_eq!(
            answer(&mut owner, path, &form).await,
            Err(AppError::StepUpRequired),
            "{path}"
        );
    }
    // A second code in the same 30 seconds would be a replay: the check is made fresh as
    // a code would make it.
    make_fresh(&pool, world.users[&Actor::OwnerA]).await;
    let rotated = answer(
        &mut owner,
        ROTATE,
        &[("endpoint_id", &id), ("overlap_hours", "24")],
    )
    .await
    .unwrap();
    let new_secret = rotated["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);
    answer(&mut owner, DELETE, &[("endpoint_id", &id)])
        .await
        .unwrap();
    assert_eq!(endpoint_rows(&world).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn another_merchants_endpoint_is_not_found_by_any_function(pool: PgPool) {
    let world = world(pool).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    let added = add(&mut owner_a, &world.server.url("/webhook-receiver"))
        .await
        .unwrap();
    let id = added["endpoint_id"].as_str().unwrap().to_owned();

    let mut owner_b = visitor(&world, Actor::OwnerB).await;
    for (path, pairs) in calls(&id) {
        assert_eq!(
            answer(&mut owner_b, path, &form(&pairs)).await,
            Err(AppError::NotFound),
            "{path}"
        );
    }
    let listed = answer(&mut owner_b, ENDPOINTS, &[]).await.unwrap();
    assert_eq!(listed["endpoints"], serde_json::json!([]));
    let theirs = answer(&mut owner_a, ENDPOINTS, &[]).await.unwrap();
    let row = &theirs["endpoints"][0];
    assert_eq!(row["enabled"], true, "untouched by the other merchant");
    assert_eq!(
        (&row["event_types"], &row["description"]),
        (
            &serde_json::json!("All events"),
            &serde_json::json!("Shop backend")
        ),
        "not edited by the other merchant"
    );
}

/// Edits endpoint `id`: its URL, description and the chosen `types` (none: all events).
async fn edit(
    visitor: &mut Visitor<'_>,
    id: &str,
    url: &str,
    types: &[&str],
) -> Result<Value, AppError> {
    let boxes: Vec<String> = types.iter().map(|t| format!("types[{t}]")).collect();
    let mut form = vec![
        ("endpoint_id", id),
        ("url", url),
        ("description", "Orders service"),
        ("events", if types.is_empty() { "all" } else { "chosen" }),
    ];
    form.extend(boxes.iter().map(|name| (name.as_str(), "on")));
    answer(visitor, EDIT, &form).await
}

async fn updates_audited(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'webhook_endpoint.update'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_merchant_edits_an_endpoints_types_after_a_fresh_step_up(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let url = world.server.url("/webhook-receiver");
    let added = add(&mut owner, &url).await.unwrap();
    let id = added["endpoint_id"].as_str().unwrap().to_owned();
    let types = ["refund.failed", "payment.succeeded"];

    make_stale(&pool, world.users[&Actor::OwnerA]).await;
    assert_eq!(
        edit(&mut owner, &id, &url, &types).await,
        Err(AppError::StepUpRequired)
    );
    step_up(&mut owner).await;
    let edited = edit(&mut owner, &id, &url, &types).await.unwrap();
    assert_eq!(
        edited["chosen_types"],
        serde_json::json!(["payment.succeeded", "refund.failed"])
    );

    let listed = answer(&mut owner, ENDPOINTS, &[]).await.unwrap();
    let row = &listed["endpoints"][0];
    assert_eq!(row["event_types"], "payment.succeeded, refund.failed");
    assert_eq!(row["description"], "Orders service");
    assert_eq!(updates_audited(&pool).await, 1);
    let page = owner
        .get(&format!("/dashboard/developers/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Events: payment.succeeded, refund.failed")
            && page.contains("Save the endpoint"),
        "the endpoint's page shows the new types and the edit form"
    );

    // Back to every type, including those added later.
    make_fresh(&pool, world.users[&Actor::OwnerA]).await;
    let edited = edit(&mut owner, &id, &url, &[]).await.unwrap();
    assert_eq!(edited["event_types"], "All events");
    assert_eq!(edited["chosen_types"], Value::Null);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_edit_with_an_invalid_url_changes_nothing(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut developer = visitor(&world, Actor::DeveloperA).await;
    let url = world.server.url("/webhook-receiver");
    let added = add(&mut developer, &url).await.unwrap();
    let id = added["endpoint_id"].as_str().unwrap().to_owned();

    for bad in [
        "ftp://shop.example/hooks",
        "not an address",
        "https://user:pw@shop.example/",
    ] {
        let refused = edit(&mut developer, &id, bad, &["refund.failed"]).await;
        assert!(
            matches!(&refused, Err(AppError::Validation { field, .. }) if field == "url"),
            "{bad}: {refused:?}"
        );
    }
    let refused = edit(&mut developer, &id, &url, &["customer.created"]).await;
    assert!(
        matches!(&refused, Err(AppError::Validation { field, .. }) if field == "event_types"),
        "{refused:?}"
    );
    let listed = answer(&mut developer, ENDPOINTS, &[]).await.unwrap();
    let row = &listed["endpoints"][0];
    assert_eq!(row["url"], url.as_str());
    assert_eq!(row["description"], "Shop backend");
    assert_eq!(row["event_types"], "All events");
    assert_eq!(updates_audited(&pool).await, 0, "no change was audited");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_live_endpoint_must_be_a_public_https_address(pool: PgPool) {
    let world = world(pool.clone()).await;
    sqlx::query("UPDATE merchants SET verified_at = now() WHERE id = $1")
        .bind(world.merchant_a)
        .execute(&pool)
        .await
        .unwrap();
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let switched = owner
        .post("/api/dashboard/set-mode", &[("mode", "live")])
        .await;
    assert_eq!(switched.status(), 200);
    for url in ["http://shop.example/webhooks", "https://127.0.0.1/webhooks"] {
        let refused = add(&mut owner, url).await;
        assert!(
            matches!(&refused, Err(AppError::Validation { field, .. }) if field == "url"),
            "{url}: {refused:?}"
        );
    }
    let Err(AppError::Validation { message, .. }) =
        add(&mut owner, "https://127.0.0.1/webhooks").await
    else {
        panic!("a loopback address is refused")
    };
    assert!(message.contains("must be public"), "{message}");
    assert_eq!(endpoint_rows(&world).await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_test_event_and_a_resend_show_in_the_delivery_log_and_recorded_events_in_the_list(
    pool: PgPool,
) {
    let world = world(pool.clone()).await;
    let mut developer = visitor(&world, Actor::DeveloperA).await;
    let added = add(&mut developer, &world.server.url("/webhook-receiver"))
        .await
        .unwrap();
    let id = added["endpoint_id"].as_str().unwrap().to_owned();
    let event = answer(&mut developer, TEST, &[("endpoint_id", &id)])
        .await
        .unwrap();
    let event = event.as_str().unwrap().to_owned();
    assert!(event.starts_with("evt_"));

    let mut log = Value::Null;
    for _ in 0..20 {
        platform::webhooks::delivery::deliver_due(
            &world.server.platform,
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
        log = answer(&mut developer, LOG, &[("endpoint_id", &id)])
            .await
            .unwrap();
        if log["attempts"].as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let attempt = &log["attempts"][0];
    assert_eq!(attempt["event_id"], event.as_str(), "{log}");
    assert_eq!(attempt["event_type"], "webhook.test");
    assert_eq!(attempt["attempt"], 1);
    assert_eq!(attempt["manual"], true);
    assert!(
        attempt["outcome"].as_str().unwrap().starts_with("HTTP "),
        "{attempt}"
    );
    let page = developer
        .get(&format!("/dashboard/developers/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&event) && page.contains("Delivery log"));

    // A resend is one more attempt of the same event; "resend the failed" answers a count.
    answer(
        &mut developer,
        RESEND,
        &[("endpoint_id", &id), ("event_id", &event)],
    )
    .await
    .unwrap();
    for _ in 0..20 {
        platform::webhooks::delivery::deliver_due(
            &world.server.platform,
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
        log = answer(&mut developer, LOG, &[("endpoint_id", &id)])
            .await
            .unwrap();
        if log["attempts"].as_array().is_some_and(|a| a.len() > 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(log["attempts"][0]["event_id"], event.as_str(), "{log}");
    assert_eq!(log["attempts"].as_array().unwrap().len(), 2, "{log}");
    let queued = answer(
        &mut developer,
        RESEND_FAILED,
        &[("endpoint_id", &id), ("since", "2026-01-01T00:00")],
    )
    .await
    .unwrap();
    assert!(queued.is_u64(), "{queued}");
    assert!(matches!(
        answer(&mut developer, RESEND_FAILED, &[("endpoint_id", &id), ("since", "soon")]).await,
        Err(AppError::Validation { field, .. }) if field == "since"
    ));

    // An event recorded by a change shows in the list, with its JSON.
    let mut tx = pool.begin().await.unwrap();
    platform::events::record(
        &mut tx,
        MerchantId::from_uuid(world.merchant_a),
        Mode::Test,
        EventType::PaymentSucceeded,
        "pay_0123",
        serde_json::json!({"id": "pay_0123", "object": "payment"}),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let listed = answer(&mut developer, EVENTS, &[]).await.unwrap();
    let shown = &listed["events"][0];
    assert_eq!(shown["kind"], "payment.succeeded", "{listed}");
    assert_eq!(shown["object_id"], "pay_0123");
    assert!(
        shown["json"]
            .as_str()
            .unwrap()
            .contains("\"object\": \"payment\"")
    );
    assert_eq!(listed["older"], Value::Null);
    let page = developer
        .get("/dashboard/developers/events")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("payment.succeeded") && page.contains("pay_0123"));
    // Another merchant sees none of it.
    let mut other = visitor(&world, Actor::OwnerB).await;
    let theirs = answer(&mut other, EVENTS, &[]).await.unwrap();
    assert_eq!(theirs["events"], serde_json::json!([]));
}

/// Records `count` failed attempts of one event at endpoint `id`, three to a minute (ties
/// on the time, so the page's cursor must order by id too), the newest a minute ago.
async fn many_attempts(pool: &PgPool, world: &World, count: i32) {
    let mut tx = pool.begin().await.unwrap();
    platform::events::record(
        &mut tx,
        MerchantId::from_uuid(world.merchant_a),
        Mode::Test,
        EventType::PaymentFailed,
        "pay_0123",
        serde_json::json!({"id": "pay_0123", "object": "payment"}),
    )
    .await
    .unwrap();
    // A manual delivery of its own: the event's own outbox row stays without attempts.
    let delivery = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_seq, object_id, manual, status, attempts, next_attempt_at)
         SELECT $1, w.id, e.id, e.seq, e.object_id, true, 'failed', $2, now()
         FROM webhook_endpoints w, events e WHERE e.object_id = 'pay_0123'",
    )
    .bind(delivery)
    .bind(count)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, attempt, attempted_at,
                                       response_status, duration_ms, error_class)
         SELECT gen_random_uuid(), d.id, d.endpoint_id, d.event_id, n,
                now() - make_interval(mins => 1 + (($1 - n) / 3)), 500, 12, 'http_status'
         FROM webhook_deliveries d, generate_series(1, $1) n WHERE d.id = $2",
    )
    .bind(count)
    .bind(delivery)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn older_attempts_page_past_the_newest_hundred_without_repeating_one(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut developer = visitor(&world, Actor::DeveloperA).await;
    let added = add(&mut developer, &world.server.url("/webhook-receiver"))
        .await
        .unwrap();
    let id = added["endpoint_id"].as_str().unwrap().to_owned();
    many_attempts(&pool, &world, 150).await;

    let first = answer(&mut developer, LOG, &[("endpoint_id", &id)])
        .await
        .unwrap();
    let attempt_numbers = |log: &Value| -> Vec<i64> {
        log["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["attempt"].as_i64().unwrap())
            .collect()
    };
    let newest = attempt_numbers(&first);
    assert_eq!(newest.len(), 100, "a page of 100");
    let cursor = first["older"].as_str().unwrap().to_owned();
    assert_eq!(first["attempts"][99]["id"], cursor.as_str());

    let second = answer(
        &mut developer,
        LOG,
        &[("endpoint_id", &id), ("older", &cursor)],
    )
    .await
    .unwrap();
    let mut every = attempt_numbers(&second);
    assert_eq!(every.len(), 50, "the second page holds the other 50");
    // The page boundary splits three attempts of one minute: none is lost or shown twice.
    every.extend(&newest);
    every.sort_unstable();
    assert_eq!(every, (1..=150).collect::<Vec<_>>(), "every attempt once");
    assert!(
        newest.iter().min() >= Some(&49),
        "the newest page holds the newest attempts: {newest:?}"
    );
    assert_eq!(second["older"], Value::Null, "nothing older");

    let page = developer
        .get(&format!("/dashboard/developers/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("?older={cursor}")),
        "the page links the older attempts"
    );
    let older_page = developer
        .get(&format!(
            "/dashboard/developers/webhooks/{id}?older={cursor}"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(older_page.contains("Newest attempts") && !older_page.contains("?older="));

    // Another merchant's cursor pages nothing of theirs; a made-up one is not found.
    let mut other = visitor(&world, Actor::OwnerB).await;
    assert_eq!(
        answer(&mut other, LOG, &[("endpoint_id", &id), ("older", &cursor)]).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        answer(
            &mut developer,
            LOG,
            &[("endpoint_id", &id), ("older", "attempt-7")]
        )
        .await,
        Err(AppError::NotFound)
    );
}
