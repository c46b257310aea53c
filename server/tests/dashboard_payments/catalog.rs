//! Products, payment links and checkouts made from the dashboard, and what is refused.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_member_makes_products_links_and_checkouts_and_sees_them_listed(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let pay_prefix = format!("{}/pay/", world.server.base);

    ok(create_product(&mut owner, "Filigree earrings", "12.50").await).await;
    ok(create_product(&mut owner, "Wool rug", "180").await).await;
    let earrings = product_id(&mut owner, "Filigree earrings").await;
    let list = products(&mut owner).await;
    assert_eq!(
        names(&list, "name"),
        ["Wool rug", "Filigree earrings"],
        "newest first"
    );
    assert_eq!(
        (
            list[1]["price"]["minor"].as_i64(),
            list[1]["price"]["currency"].as_str()
        ),
        (Some(1250), Some("EUR"))
    );
    assert_eq!(list[0]["price"]["minor"], 18000);

    let url = ok(create_link(&mut owner, &[("product", &earrings)]).await).await;
    let url = url.as_str().unwrap();
    let token = url
        .strip_prefix(&pay_prefix)
        .unwrap_or_else(|| panic!("{url} is not under {pay_prefix}"));
    assert!(token.starts_with("pl_") && token.len() == 25, "{token}");
    let tomorrow = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]"
        ))
        .unwrap();
    let fields = [
        ("title", "Gift card"),
        ("amount", "25.00"),
        ("max_payments", "3"),
        ("expires_at", tomorrow.as_str()),
    ];
    ok(create_link(&mut owner, &fields).await).await;
    let links = ok(owner.post("/api/payments/links", &[]).await).await;
    let links = links.as_array().unwrap();
    assert_eq!(names(links, "title"), ["Gift card", "Filigree earrings"]);
    assert_eq!(links[1]["url"], url);
    assert_eq!(
        (
            links[1]["amount"]["minor"].as_i64(),
            links[1]["payments"].as_i64()
        ),
        (Some(1250), Some(0))
    );
    assert_eq!(
        (
            links[0]["amount"]["minor"].as_i64(),
            links[0]["max_payments"].as_i64()
        ),
        (Some(2500), Some(3))
    );
    assert!(
        links[0]["expires"]
            .as_str()
            .unwrap()
            .starts_with(&tomorrow[..10])
    );
    assert!(links[1]["expires"].is_null());

    let lines = [
        (earrings.as_str(), "", "", "2"),
        ("", "Gift wrap", "1.50", "1"),
        ("", "", "", "1"),
    ];
    let extra = [
        ("buyer_email", "Besa@Example.com"),
        ("reference", "ORD-7"),
        ("expires_in_minutes", "60"),
    ];
    let url = ok(create_checkout(&mut owner, &lines, &extra).await).await;
    let token = url
        .as_str()
        .unwrap()
        .strip_prefix(&pay_prefix)
        .unwrap()
        .to_owned();
    assert!(token.starts_with("cs_"), "{token}");
    let (amount, minutes, email, mode): (i64, f64, String, Mode) = sqlx::query_as(
        "SELECT amount_minor, extract(epoch FROM expires_at - created_at)::float8 / 60, buyer_email, mode
         FROM checkout_sessions WHERE token = $1",
    )
    .bind(&token)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (amount, minutes, email.as_str(), mode),
        (2 * 1250 + 150, 60.0, "besa@example.com", Mode::Test)
    );
    let items: Vec<(String, i64, i32)> = sqlx::query_as(
        "SELECT name, unit_amount_minor, quantity FROM checkout_items ORDER BY position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        items,
        [
            ("Filigree earrings".to_owned(), 1250, 2),
            ("Gift wrap".to_owned(), 150, 1)
        ],
        "the empty line is no item"
    );
    let recent = ok(owner.post("/api/payments/checkouts", &[]).await).await;
    assert_eq!(recent[0]["url"], url);
    assert_eq!(
        (
            recent[0]["status"].as_str(),
            recent[0]["reference"].as_str()
        ),
        (Some("open"), Some("ORD-7"))
    );

    let default_expiry =
        ok(create_checkout(&mut owner, &[("", "Tea", "3.00", "1")], &[]).await).await;
    let hours: f64 = sqlx::query_scalar("SELECT extract(epoch FROM expires_at - created_at)::float8 / 3600 FROM checkout_sessions WHERE token = $1")
        .bind(default_expiry.as_str().unwrap().rsplit('/').next().unwrap())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        hours, 24.0,
        "a checkout is payable for 24 hours unless told otherwise"
    );

    ok(owner
        .post("/api/payments/archive-product", &[("id", &earrings)])
        .await)
    .await;
    let list = products(&mut owner).await;
    assert_eq!(
        names(&list, "name"),
        ["Wool rug", "Filigree earrings"],
        "archived last"
    );
    assert_eq!(
        (list[0]["archived"].as_bool(), list[1]["archived"].as_bool()),
        (Some(false), Some(true))
    );
    let link_id = links[0]["id"].as_str().unwrap();
    ok(owner
        .post("/api/payments/archive-link", &[("id", link_id)])
        .await)
    .await;
    let links = ok(owner.post("/api/payments/links", &[]).await).await;
    assert_eq!(
        (
            links[1]["archived"].as_bool(),
            links[1]["available"].as_bool()
        ),
        (Some(true), Some(false))
    );

    let events: Vec<String> = sqlx::query_scalar(
        "SELECT event_type FROM audit.events WHERE event_type LIKE 'product.%' OR event_type LIKE 'payment_link.%'
            OR event_type LIKE 'checkout_session.%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            "product.create",
            "product.create",
            "payment_link.create",
            "payment_link.create",
            "checkout_session.create",
            "checkout_session.create",
            "product.archive",
            "payment_link.archive",
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn invalid_input_is_refused_beside_its_field_and_changes_nothing(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;

    assert_eq!(
        invalid_field(create_product(&mut owner, "Earrings", "12.505").await).await,
        "price"
    );
    assert_eq!(
        invalid_field(create_product(&mut owner, "Earrings", "0").await).await,
        "price"
    );
    assert_eq!(
        invalid_field(create_product(&mut owner, " ", "12.50").await).await,
        "name"
    );
    assert_eq!(count(&pool, "products").await, 0);

    let custom = [("", "Tea", "3.00", "1")];
    let short = create_checkout(&mut owner, &custom, &[("expires_in_minutes", "10")]).await;
    assert_eq!(invalid_field(short).await, "expires_in_minutes");
    let long = create_checkout(&mut owner, &custom, &[("expires_in_minutes", "1441")]).await;
    assert_eq!(invalid_field(long).await, "expires_in_minutes");
    assert_eq!(
        invalid_field(create_checkout(&mut owner, &[], &[]).await).await,
        "items"
    );
    assert_eq!(
        invalid_field(create_checkout(&mut owner, &[("", "Tea", "3.00", "0")], &[]).await).await,
        "quantity"
    );
    assert_eq!(
        invalid_field(create_checkout(&mut owner, &[("", "Tea", "3.005", "1")], &[]).await).await,
        "item_price"
    );
    let bad_return = create_checkout(
        &mut owner,
        &custom,
        &[("success_url", "javascript:alert(1)")],
    )
    .await;
    assert_eq!(invalid_field(bad_return).await, "success_url");
    let bad_email =
        create_checkout(&mut owner, &custom, &[("buyer_email", "not an address")]).await;
    assert_eq!(invalid_field(bad_email).await, "buyer_email");
    assert_eq!(count(&pool, "checkout_sessions").await, 0);

    assert_eq!(
        invalid_field(create_link(&mut owner, &[("title", "Gift"), ("amount", "12.505")]).await)
            .await,
        "amount"
    );
    assert_eq!(
        invalid_field(
            create_link(
                &mut owner,
                &[("title", "Gift"), ("amount", "5"), ("max_payments", "0")]
            )
            .await
        )
        .await,
        "max_payments"
    );
    let past = create_link(
        &mut owner,
        &[
            ("title", "Gift"),
            ("amount", "5"),
            ("expires_at", "2020-01-01T10:00"),
        ],
    )
    .await;
    assert_eq!(invalid_field(past).await, "expires_at");
    assert_eq!(count(&pool, "payment_links").await, 0);

    // An archived product can be sold neither by a new link nor in a new checkout.
    ok(create_product(&mut owner, "Earrings", "12.50").await).await;
    let earrings = product_id(&mut owner, "Earrings").await;
    ok(owner
        .post("/api/payments/archive-product", &[("id", &earrings)])
        .await)
    .await;
    assert_eq!(
        invalid_field(create_link(&mut owner, &[("product", &earrings)]).await).await,
        "product"
    );
    assert_eq!(
        invalid_field(create_checkout(&mut owner, &[(&earrings, "", "", "1")], &[]).await).await,
        "items"
    );
    assert_eq!(
        error_of(
            owner
                .post("/api/payments/archive-product", &[("id", &earrings)])
                .await
        )
        .await,
        AppError::NotFound
    );
    assert_eq!(
        (
            count(&pool, "payment_links").await,
            count(&pool, "checkout_sessions").await
        ),
        (0, 0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn another_merchants_products_links_and_payments_are_not_found(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    ok(create_product(&mut owner_a, "Earrings", "12.50").await).await;
    let earrings = product_id(&mut owner_a, "Earrings").await;
    ok(create_link(&mut owner_a, &[("product", &earrings)]).await).await;
    let links = ok(owner_a.post("/api/payments/links", &[]).await).await;
    let link_id = links[0]["id"].as_str().unwrap().to_owned();
    let checkout = ok(create_checkout(&mut owner_a, &[(&earrings, "", "", "1")], &[]).await).await;
    let payment_id = pay(&world, checkout.as_str().unwrap()).await;

    let mut owner_b = visitor(&world, Actor::OwnerB).await;
    assert_eq!(
        error_of(
            owner_b
                .post("/api/payments/archive-product", &[("id", &earrings)])
                .await
        )
        .await,
        AppError::NotFound
    );
    assert_eq!(
        error_of(
            owner_b
                .post("/api/payments/archive-link", &[("id", &link_id)])
                .await
        )
        .await,
        AppError::NotFound
    );
    assert_eq!(
        error_of(
            owner_b
                .post("/api/payments/detail", &[("id", &payment_id)])
                .await
        )
        .await,
        AppError::NotFound
    );
    assert_eq!(
        invalid_field(create_link(&mut owner_b, &[("product", &earrings)]).await).await,
        "product"
    );
    assert_eq!(
        invalid_field(create_checkout(&mut owner_b, &[(&earrings, "", "", "1")], &[]).await).await,
        "items"
    );
    assert!(products(&mut owner_b).await.is_empty());
    assert_eq!(
        ok(owner_b.post("/api/payments/links", &[]).await).await,
        serde_json::json!([])
    );
    assert_eq!(
        ok(owner_b.post("/api/payments/checkouts", &[]).await).await,
        serde_json::json!([])
    );
    let page = ok(owner_b.post("/api/payments/list", &[("before", "")]).await).await;
    assert_eq!(page["rows"], serde_json::json!([]));
    let archived: bool = sqlx::query_scalar("SELECT archived_at IS NOT NULL FROM products")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!archived, "merchant A's product is untouched");

    // Merchant A's own member sees all of it, which shows the refusals above are the scope.
    let detail = ok(owner_a
        .post("/api/payments/detail", &[("id", &payment_id)])
        .await)
    .await;
    assert_eq!(
        (
            detail["payment"]["status"].as_str(),
            detail["payment"]["amount"]["minor"].as_i64()
        ),
        (Some("paid"), Some(1250))
    );
    assert_eq!(
        (
            detail["masked_card"].as_str(),
            detail["card_brand"].as_str()
        ),
        (Some("557113******5575"), Some("MASTERCARD"))
    );
    assert_eq!(detail["auth_code"], "A1B2C3");
    assert_eq!(detail["items"][0]["name"], "Earrings");
    let steps: Vec<(Option<&str>, Option<&str>)> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| (entry["from_status"].as_str(), entry["to_status"].as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (None, Some("created")),
            (Some("created"), Some("pending")),
            (Some("pending"), Some("paid"))
        ]
    );
    // The wire carries the source's code; the page shows its label.
    assert_eq!(detail["timeline"][2]["source"], "callback");
    assert_eq!(
        domain::TimelineSource::Callback.label(),
        "The gateway's server notified us"
    );
    let mut viewer_a = visitor(&world, Actor::ViewerA).await;
    ok(viewer_a
        .post("/api/payments/detail", &[("id", &payment_id)])
        .await)
    .await;
}
