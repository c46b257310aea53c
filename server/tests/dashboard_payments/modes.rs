//! Test and Live Mode: who may switch, when Live opens, and what each mode lists.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_viewer_reads_and_switches_mode_but_creates_and_archives_nothing(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    ok(create_product(&mut owner, "Earrings", "12.50").await).await;
    let earrings = product_id(&mut owner, "Earrings").await;

    let mut viewer = visitor(&world, Actor::ViewerA).await;
    assert_eq!(names(&products(&mut viewer).await, "name"), ["Earrings"]);
    let state = ok(viewer.post("/api/dashboard/mode", &[]).await).await;
    assert_eq!(
        (state["mode"].as_str(), state["can_edit"].as_bool()),
        (Some("test"), Some(false))
    );
    ok(set_mode(&mut viewer, "test").await).await;
    assert_eq!(
        error_of(create_product(&mut viewer, "Rug", "180").await).await,
        AppError::Forbidden
    );
    assert_eq!(
        error_of(create_link(&mut viewer, &[("product", &earrings)]).await).await,
        AppError::Forbidden
    );
    assert_eq!(
        error_of(create_checkout(&mut viewer, &[(&earrings, "", "", "1")], &[]).await).await,
        AppError::Forbidden
    );
    assert_eq!(
        error_of(
            viewer
                .post("/api/payments/archive-product", &[("id", &earrings)])
                .await
        )
        .await,
        AppError::Forbidden
    );
    assert_eq!(count(&pool, "products").await, 1);
    assert_eq!(
        (
            count(&pool, "payment_links").await,
            count(&pool, "checkout_sessions").await
        ),
        (0, 0)
    );
    let archived: bool = sqlx::query_scalar("SELECT archived_at IS NOT NULL FROM products")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!archived);
}

#[sqlx::test(migrations = "../migrations")]
async fn live_mode_opens_only_to_a_verified_merchant_that_is_not_suspended(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;

    // Unverified: Live is refused and the dashboard says why.
    assert_eq!(
        invalid_field(set_mode(&mut owner, "live").await).await,
        "mode"
    );
    let state = ok(owner.post("/api/dashboard/mode", &[]).await).await;
    assert_eq!(
        (state["mode"].as_str(), state["live"].as_str()),
        (Some("test"), Some("AwaitingVerification"))
    );
    ok(create_product(&mut owner, "Test earrings", "12.50").await).await;

    // Verified: Live opens, and what is made there is Live.
    set_flag(&pool, world.merchant_a, "verified_at").await;
    ok(set_mode(&mut owner, "live").await).await;
    let state = ok(owner.post("/api/dashboard/mode", &[]).await).await;
    assert_eq!(
        (state["mode"].as_str(), state["live"].as_str()),
        (Some("live"), Some("Open"))
    );
    ok(create_product(&mut owner, "Live earrings", "12.50").await).await;
    let modes: Vec<(String, Mode)> =
        sqlx::query_as("SELECT name, mode FROM products ORDER BY created_at")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        modes,
        [
            ("Test earrings".to_owned(), Mode::Test),
            ("Live earrings".to_owned(), Mode::Live)
        ]
    );

    // Suspended while the session still asks for Live: a change is refused, not made in
    // Test; reading falls back to Test, and Live cannot be chosen again.
    set_flag(&pool, world.merchant_a, "suspended_at").await;
    assert_eq!(
        invalid_field(create_product(&mut owner, "Rug", "180").await).await,
        "mode"
    );
    assert_eq!(count(&pool, "products").await, 2);
    let state = ok(owner.post("/api/dashboard/mode", &[]).await).await;
    assert_eq!(
        (state["mode"].as_str(), state["live"].as_str()),
        (Some("test"), Some("Suspended"))
    );
    assert_eq!(
        names(&products(&mut owner).await, "name"),
        ["Test earrings"]
    );
    assert_eq!(
        invalid_field(set_mode(&mut owner, "live").await).await,
        "mode"
    );

    // A suspended merchant's member still works in Test Mode.
    ok(create_product(&mut owner, "Test rug", "180").await).await;
    let mode: Mode = sqlx::query_scalar("SELECT mode FROM products WHERE name = 'Test rug'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, Mode::Test);
}

#[sqlx::test(migrations = "../migrations")]
async fn test_and_live_objects_are_listed_only_in_their_own_mode(pool: PgPool) {
    let world = world(pool.clone()).await;
    set_flag(&pool, world.merchant_a, "verified_at").await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let mut made = Vec::new();
    for mode in ["test", "live"] {
        ok(set_mode(&mut owner, mode).await).await;
        let name = format!("{mode} earrings");
        ok(create_product(&mut owner, &name, "12.50").await).await;
        let id = product_id(&mut owner, &name).await;
        let link = ok(create_link(&mut owner, &[("product", &id)]).await).await;
        let checkout = ok(create_checkout(&mut owner, &[(&id, "", "", "1")], &[]).await).await;
        made.push((name, link, checkout));
    }
    let test_payment = pay(&world, made[0].2.as_str().unwrap()).await;

    for (mode, (name, link, checkout)) in ["test", "live"].into_iter().zip(&made) {
        ok(set_mode(&mut owner, mode).await).await;
        assert_eq!(
            names(&products(&mut owner).await, "name"),
            [name.as_str()],
            "{mode}"
        );
        let links = ok(owner.post("/api/payments/links", &[]).await).await;
        assert_eq!(
            names(links.as_array().unwrap(), "url"),
            [link.as_str().unwrap()],
            "{mode}"
        );
        let checkouts = ok(owner.post("/api/payments/checkouts", &[]).await).await;
        assert_eq!(
            names(checkouts.as_array().unwrap(), "url"),
            [checkout.as_str().unwrap()],
            "{mode}"
        );
        let page = ok(owner.post("/api/payments/list", &[("before", "")]).await).await;
        let rows = names(page["rows"].as_array().unwrap(), "id");
        assert_eq!(
            rows,
            if mode == "test" {
                vec![test_payment.clone()]
            } else {
                vec![]
            },
            "{mode}"
        );
    }

    // A Test product cannot be sold from Live Mode (nor the reverse).
    let test_product = sqlx::query_scalar::<_, Uuid>("SELECT id FROM products WHERE mode = 'test'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        invalid_field(create_link(&mut owner, &[("product", &test_product.to_string())]).await)
            .await,
        "product"
    );
    assert_eq!(count(&pool, "payment_links").await, 2);
}
