//! Making, rolling and revoking keys through the dashboard's server functions.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_key_needs_a_fresh_step_up_and_its_secret_is_shown_once_never_listed(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    make_stale(&pool, world.users[&Actor::OwnerA]).await;
    let form = [
        ("name", "Shop backend"),
        ("mode", "test"),
        ("access", "full"),
    ];
    assert_eq!(
        create(&mut owner, &form).await,
        Err(AppError::StepUpRequired),
        "a stale session makes no key"
    );
    assert_eq!(key_rows(&world).await, 0);

    step_up(&mut owner).await;
    // A plain form post (no WASM) would lose the secret in the redirect: it makes nothing.
    let plain = world
        .server
        .client
        .post(world.server.url(CREATE))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("referer", world.server.url("/dashboard/developers"))
        .header("cookie", owner.cookie.clone().unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(plain.status().is_redirection(), "{}", plain.status());
    assert_eq!(key_rows(&world).await, 0, "a post without WASM made a key");

    let made = create(&mut owner, &form).await.unwrap();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("sk_test_") && secret.len() >= 48);
    assert_eq!(made["name"], "Shop backend");
    assert_eq!(api_status(&world.server, &secret).await, 200);

    let (text, listed) = list(&mut owner).await;
    assert!(!text.contains(&secret), "the list carries the secret");
    let key = &listed["keys"][0];
    assert!(secret.starts_with(key["prefix"].as_str().unwrap()));
    assert_eq!(key["permissions"], "Full access");
    assert_eq!(key["created_by"], "Test Person");
    assert_eq!(key["status"], "Active");
    assert!(
        key["last_used"]
            .as_str()
            .unwrap()
            .ends_with("from 127.0.0.1"),
        "the last use shows its time and address: {key}"
    );
    assert!(
        listed["origin"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    // No answer but the first carries it: the page shows the list only.
    let page = owner
        .get("/dashboard/developers")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains(&secret));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'api_key.create' AND actor_id = $1",
    )
    .bind(world.users[&Actor::OwnerA])
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_developer_cannot_make_a_key_that_refunds_but_may_make_a_restricted_one(pool: PgPool) {
    let world = world(pool).await;
    let mut developer = visitor(&world, Actor::DeveloperA).await;
    let full = create(
        &mut developer,
        &[("name", "Everything"), ("mode", "test"), ("access", "full")],
    )
    .await;
    let Err(AppError::Denied { message }) = full else {
        panic!("a developer's full key: {full:?}");
    };
    assert!(
        message.contains("cannot do more than the member who makes it"),
        "{message}"
    );
    let refunds = create(
        &mut developer,
        &[
            ("name", "Refunds"),
            ("mode", "test"),
            ("access", "restricted"),
            ("grants[refunds]", "write"),
        ],
    )
    .await;
    assert!(
        matches!(refunds, Err(AppError::Denied { .. })),
        "{refunds:?}"
    );
    // The balance and payouts are read only: a write grant is refused on the form's field.
    let books = create(
        &mut developer,
        &[
            ("name", "Books"),
            ("mode", "test"),
            ("access", "restricted"),
            ("grants[payouts]", "write"),
        ],
    )
    .await;
    assert!(
        matches!(books, Err(AppError::Validation { ref field, ref message })
            if field == "access" && message.contains("read only")),
        "{books:?}"
    );
    assert_eq!(key_rows(&world).await, 0);

    let made = create(
        &mut developer,
        &[
            ("name", "Checkout only"),
            ("mode", "test"),
            ("access", "restricted"),
            ("grants[checkout_sessions]", "write"),
            ("grants[payments]", "read"),
            ("grants[refunds]", "none"),
            ("grants[balance]", "read"),
        ],
    )
    .await
    .unwrap();
    assert!(made["secret"].as_str().unwrap().starts_with("sk_test_"));
    let (_, listed) = list(&mut developer).await;
    assert_eq!(
        listed["keys"][0]["permissions"],
        "Checkout sessions: write; Payments: read; Balance: read"
    );

    // Field errors name their field; a merchant not verified has no Live keys.
    let unnamed = create(
        &mut developer,
        &[
            ("name", " "),
            ("mode", "test"),
            ("access", "restricted"),
            ("grants[payments]", "read"),
        ],
    )
    .await;
    assert!(
        matches!(unnamed, Err(AppError::Validation { ref field, .. }) if field == "name"),
        "{unnamed:?}"
    );
    let live = create(
        &mut developer,
        &[
            ("name", "Live"),
            ("mode", "live"),
            ("access", "restricted"),
            ("grants[payments]", "read"),
        ],
    )
    .await;
    assert!(
        matches!(live, Err(AppError::Validation { ref field, .. }) if field == "mode"),
        "{live:?}"
    );
    assert_eq!(key_rows(&world).await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rolled_key_ends_with_its_overlap_and_a_revoked_key_gets_401(pool: PgPool) {
    let world = world(pool).await;
    let mut admin = visitor(&world, Actor::AdminA).await;
    let form = [
        ("name", "Shop backend"),
        ("mode", "test"),
        ("access", "full"),
    ];
    let first = create(&mut admin, &form).await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, listed) = list(&mut admin).await;
    let first_id = listed["keys"][0]["id"].as_str().unwrap().to_owned();

    // Rolled with no overlap: the old key ends now, the new one works.
    let unknown_overlap = admin
        .post(ROLL, &[("key_id", &first_id), ("overlap_hours", "5")])
        .await;
    assert!(matches!(
        error_of(unknown_overlap).await,
        AppError::Validation { field, .. } if field == "overlap_hours"
    ));
    let rolled = admin
        .post(ROLL, &[("key_id", &first_id), ("overlap_hours", "0")])
        .await;
    assert_eq!(rolled.status(), 200);
    let rolled: Value = rolled.json().await.unwrap();
    let second = rolled["secret"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(api_status(&world.server, &first).await, 401);
    assert_eq!(api_status(&world.server, &second).await, 200);
    let (_, listed) = list(&mut admin).await;
    let old = listed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == first_id.as_str())
        .unwrap();
    assert!(old["status"].get("Expired").is_some(), "{old}");
    assert_eq!(old["can_roll"], false);
    let second_id = listed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] != first_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Revoked: refused by the API at once, and shown as revoked.
    let revoked = admin.post(REVOKE, &[("key_id", &second_id)]).await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(api_status(&world.server, &second).await, 401);
    let (_, listed) = list(&mut admin).await;
    let gone = listed["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == second_id.as_str())
        .unwrap();
    assert!(gone["status"].get("Revoked").is_some(), "{gone}");
    assert_eq!(gone["can_revoke"], false);
    // Again, or another merchant's owner: not found.
    let again = admin.post(REVOKE, &[("key_id", &second_id)]).await;
    assert_eq!(again.status(), 404);
    let mut other = visitor(&world, Actor::OwnerB).await;
    let foreign = other.post(REVOKE, &[("key_id", &first_id)]).await;
    assert_eq!(foreign.status(), 404);
}
