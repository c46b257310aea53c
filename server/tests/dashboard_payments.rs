//! The merchant dashboard's payments through its server functions, against the real server
//! and Postgres: products, payment links and checkouts made and listed; invalid input
//! changes nothing; another merchant's ids are not found; viewers only read; Live Mode
//! only for a verified merchant that is not suspended; Test and Live never list each
//! other's objects. Also the console's Payments list, which shows every merchant's.

mod support;

use app::error::AppError;
use platform::audit::{Actor as AuditActor, ActorKind, RequestFacts};
use platform::gateway_accounts::{self, GatewayAccount};
use platform::payments::transition::{self, CardFacts, Change, Source};
use platform::payments::{Mode, attempts};
use reqwest::Response;
use secrecy::SecretString;
use serde_json::Value;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of};
use support::world::{Actor, World, visitor, world};
use uuid::Uuid;

async fn ok(response: Response) -> Value {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// The field a validation error names.
async fn invalid_field(response: Response) -> String {
    match error_of(response).await {
        AppError::Validation { field, .. } => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn set_flag(pool: &PgPool, merchant: Uuid, column: &str) {
    sqlx::query(&format!(
        "UPDATE merchants SET {column} = now() WHERE id = $1"
    ))
    .bind(merchant)
    .execute(pool)
    .await
    .unwrap();
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn create_product(visitor: &mut Visitor<'_>, name: &str, price: &str) -> Response {
    visitor
        .post(
            "/api/payments/create-product",
            &[("name", name), ("description", ""), ("price", price)],
        )
        .await
}

/// The visitor's products in the session's mode.
async fn products(visitor: &mut Visitor<'_>) -> Vec<Value> {
    ok(visitor.post("/api/payments/products", &[]).await)
        .await
        .as_array()
        .unwrap()
        .clone()
}

fn names(list: &[Value], key: &str) -> Vec<String> {
    list.iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

async fn product_id(visitor: &mut Visitor<'_>, name: &str) -> String {
    let list = products(visitor).await;
    let product = list
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no product {name}: {list:?}"));
    product["id"].as_str().unwrap().to_owned()
}

async fn create_link(visitor: &mut Visitor<'_>, fields: &[(&str, &str)]) -> Response {
    let mut form = vec![
        ("product", ""),
        ("title", ""),
        ("amount", ""),
        ("max_payments", ""),
        ("expires_at", ""),
    ];
    for (key, value) in fields {
        form.iter_mut().find(|(k, _)| k == key).unwrap().1 = value;
    }
    visitor.post("/api/payments/create-link", &form).await
}

/// A checkout as the form posts it: `lines` are `(product, name, price, quantity)`.
async fn create_checkout(
    visitor: &mut Visitor<'_>,
    lines: &[(&str, &str, &str, &str)],
    extra: &[(&str, &str)],
) -> Response {
    let mut form: Vec<(String, String)> = Vec::new();
    for (i, (product, name, price, quantity)) in lines.iter().enumerate() {
        for (field, value) in [
            ("product", product),
            ("name", name),
            ("price", price),
            ("quantity", quantity),
        ] {
            form.push((
                format!("checkout[items][{i}][{field}]"),
                (*value).to_owned(),
            ));
        }
    }
    for (key, value) in extra {
        form.push((format!("checkout[{key}]"), (*value).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    visitor.post("/api/payments/create-checkout", &form).await
}

async fn set_mode(visitor: &mut Visitor<'_>, mode: &str) -> Response {
    visitor
        .post("/api/dashboard/set-mode", &[("mode", mode)])
        .await
}

/// A buyer pays the checkout at `url` with a test card: the attempt as the Pay button
/// makes it, then the gateway's confirmed approval. Answers the payment's id.
async fn pay(world: &World, url: &str) -> String {
    let platform = &world.server.platform;
    let account = GatewayAccount {
        mode: Mode::Test,
        endpoints: payten::GatewayEndpoints::from_base("http://127.0.0.1:8600"),
        credentials: payten::Credentials {
            client_id: "520000001".into(),
            store_key: SecretString::from("SANDBOX-STORE-KEY-TEST"),
            api_user: "saleonix-api".into(),
            api_password: SecretString::from("SANDBOX-API-PASSWORD"),
        },
    };
    let mut conn = platform.pool.acquire().await.unwrap();
    gateway_accounts::save(&mut conn, &platform.config.secrets.field_keys, &account)
        .await
        .unwrap();
    let token = url.rsplit('/').next().unwrap();
    let facts = RequestFacts::default();
    let started = attempts::start(platform, token, "besa@example.com", &facts)
        .await
        .unwrap();
    let card = CardFacts {
        masked_pan: Some("557113******5575".into()),
        card_brand: Some("MASTERCARD".into()),
        auth_code: Some("A1B2C3".into()),
        proc_return_code: Some("00".into()),
        md_status: Some("1".into()),
        eci: Some("02".into()),
        liability_shifted: Some(true),
        ..CardFacts::default()
    };
    let gateway = AuditActor {
        kind: ActorKind::System,
        id: None,
    };
    let mut tx = platform.pool.begin().await.unwrap();
    transition::apply(
        &mut tx,
        platform,
        &started.order_id,
        Change::Paid(card),
        Source::Callback,
        gateway,
        &facts,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sqlx::query_scalar::<_, Uuid>("SELECT id FROM payments WHERE order_id = $1")
        .bind(&started.order_id)
        .fetch_one(&platform.pool)
        .await
        .unwrap()
        .to_string()
}

/// The lists' keyset cursor that pages past the payment `id`: its creation time and id.
async fn cursor_after(pool: &PgPool, id: &str) -> String {
    let created: time::OffsetDateTime =
        sqlx::query_scalar("SELECT created_at FROM payments WHERE id = $1")
            .bind(Uuid::parse_str(id).unwrap())
            .fetch_one(pool)
            .await
            .unwrap();
    format!("{}_{}", created.unix_timestamp_nanos(), id)
}

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
            list[1]["price_minor"].as_i64(),
            list[1]["currency"].as_str()
        ),
        (Some(1250), Some("EUR"))
    );
    assert_eq!(list[0]["price_minor"], 18000);

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
            links[1]["amount_minor"].as_i64(),
            links[1]["payments"].as_i64()
        ),
        (Some(1250), Some(0))
    );
    assert_eq!(
        (
            links[0]["amount_minor"].as_i64(),
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
            detail["payment"]["amount_minor"].as_i64()
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
    assert_eq!(
        detail["timeline"][2]["source"],
        "The gateway's server notified us"
    );
    let mut viewer_a = visitor(&world, Actor::ViewerA).await;
    ok(viewer_a
        .post("/api/payments/detail", &[("id", &payment_id)])
        .await)
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn the_payments_list_filters_and_pages(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let mut paid = Vec::new();
    for (name, price, reference) in [("Tea", "3.00", "ORD-1"), ("Rug", "180.00", "ORD-2")] {
        let url = ok(create_checkout(
            &mut owner,
            &[("", name, price, "1")],
            &[("reference", reference)],
        )
        .await)
        .await;
        paid.push(pay(&world, url.as_str().unwrap()).await);
    }
    let list = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("before", "")];
        form.extend(fields);
        form
    };
    let ids = |page: &Value| -> Vec<String> {
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = ok(owner.post("/api/payments/list", &list(vec![])).await).await;
    assert_eq!(
        ids(&all),
        [paid[1].clone(), paid[0].clone()],
        "newest first"
    );
    assert!(all["next_before"].is_null(), "one page only");
    let search = ok(owner
        .post(
            "/api/payments/list",
            &list(vec![("filter[search]", "ord-2")]),
        )
        .await)
    .await;
    assert_eq!(ids(&search), [paid[1].clone()]);
    let cheap = ok(owner
        .post(
            "/api/payments/list",
            &list(vec![("filter[max_amount]", "10")]),
        )
        .await)
    .await;
    assert_eq!(ids(&cheap), [paid[0].clone()]);
    let declined = ok(owner
        .post(
            "/api/payments/list",
            &list(vec![("filter[status]", "declined")]),
        )
        .await)
    .await;
    assert!(ids(&declined).is_empty());
    let email = ok(owner
        .post(
            "/api/payments/list",
            &list(vec![("filter[buyer_email]", "besa@")]),
        )
        .await)
    .await;
    assert_eq!(ids(&email).len(), 2);
    let bad = owner
        .post(
            "/api/payments/list",
            &list(vec![("filter[min_amount]", "lots")]),
        )
        .await;
    assert_eq!(invalid_field(bad).await, "min_amount");
    let bad = owner
        .post(
            "/api/payments/list",
            &list(vec![("filter[from]", "24/11/2026")]),
        )
        .await;
    assert_eq!(invalid_field(bad).await, "from");

    // Keyset paging: past the newest row, only the older one is left.
    let cursor = cursor_after(&pool, &paid[1]).await;
    let older = ok(owner
        .post("/api/payments/list", &[("before", cursor.as_str())])
        .await)
    .await;
    assert_eq!(ids(&older), [paid[0].clone()]);

    let overview = ok(owner.post("/api/payments/overview", &[]).await).await;
    let days = overview["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(
        (
            days[29]["payments"].as_i64(),
            days[29]["volume_minor"].as_i64()
        ),
        (Some(2), Some(18300)),
        "today"
    );
    assert_eq!(overview["statuses"], serde_json::json!([["paid", 2]]));
}

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

#[sqlx::test(migrations = "../migrations")]
async fn staff_list_every_merchants_payments_and_filter_them(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut paid = Vec::new();
    for (actor, reference) in [(Actor::OwnerA, "ORD-A"), (Actor::OwnerB, "ORD-B")] {
        let mut owner = visitor(&world, actor).await;
        let url = ok(create_checkout(
            &mut owner,
            &[("", "Tea", "3.00", "1")],
            &[("reference", reference)],
        )
        .await)
        .await;
        paid.push(pay(&world, url.as_str().unwrap()).await);
    }
    let mut staff = visitor(&world, Actor::StaffView).await;
    let mut list = async |fields: &[(&str, &str)]| {
        let mut form = vec![("before", "")];
        form.extend_from_slice(fields);
        ok(staff.post("/api/admin/payments/list", &form).await).await
    };
    let ids = |page: &Value| -> Vec<String> {
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["payment"]["id"].as_str().unwrap().to_owned())
            .collect()
    };

    // Both merchants' payments, newest first, each with its merchant and mode.
    let all = list(&[]).await;
    assert_eq!(ids(&all), [paid[1].clone(), paid[0].clone()]);
    assert_eq!(
        (
            all["rows"][0]["merchant_name"].as_str(),
            all["rows"][0]["mode"].as_str()
        ),
        (Some("Prizren Filigree"), Some("test"))
    );
    assert_eq!(all["rows"][1]["merchant_name"], "Dardania Crafts");
    assert!(all["next_before"].is_null(), "one page only");

    assert_eq!(
        ids(&list(&[("filter[merchant]", "dardania")]).await),
        [paid[0].clone()]
    );
    assert!(ids(&list(&[("filter[mode]", "live")]).await).is_empty());
    assert_eq!(
        ids(&list(&[("filter[mode]", "test"), ("filter[status]", "paid")]).await).len(),
        2
    );
    assert!(ids(&list(&[("filter[status]", "declined")]).await).is_empty());
    let order_id = all["rows"][1]["payment"]["order_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ids(&list(&[("filter[search]", order_id.as_str())]).await),
        [paid[0].clone()]
    );
    assert_eq!(ids(&list(&[("filter[search]", "besa@")]).await).len(), 2);
    let bad = staff
        .post(
            "/api/admin/payments/list",
            &[("before", ""), ("filter[mode]", "sandbox")],
        )
        .await;
    assert_eq!(invalid_field(bad).await, "mode");

    // Keyset paging across merchants: past the newest row, only the older one is left.
    let cursor = cursor_after(&pool, &paid[1]).await;
    let older = ok(staff
        .post("/api/admin/payments/list", &[("before", cursor.as_str())])
        .await)
    .await;
    assert_eq!(ids(&older), [paid[0].clone()]);
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_with_payments_view_read_any_merchants_payment(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    let url = ok(create_checkout(
        &mut owner_a,
        &[("", "Tea", "3.00", "1")],
        &[("reference", "ORD-A")],
    )
    .await)
    .await;
    let payment_id = pay(&world, url.as_str().unwrap()).await;

    // Staff belong to no merchant, yet read merchant A's payment with its timeline.
    let mut staff = visitor(&world, Actor::StaffView).await;
    let detail = ok(staff
        .post("/api/admin/payments/detail", &[("id", &payment_id)])
        .await)
    .await;
    assert_eq!(detail["merchant_name"], "Dardania Crafts");
    assert_eq!(
        (
            detail["payment"]["id"].as_str(),
            detail["payment"]["status"].as_str()
        ),
        (Some(payment_id.as_str()), Some("paid"))
    );
    assert_eq!(detail["payment"]["reference"], "ORD-A");
    assert_eq!(detail["timeline"].as_array().unwrap().len(), 3);
    assert_eq!(detail["can_refund"], false, "refunds at view only");
    assert_eq!(
        detail["three_d_secure"],
        "Cardholder authenticated (mdStatus 1, ECI 02); liability for fraud shifted to the card's issuer",
        "the chargeback evidence"
    );

    let unknown = Uuid::new_v4().to_string();
    let missing = staff
        .post("/api/admin/payments/detail", &[("id", unknown.as_str())])
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(error_of(missing).await, AppError::NotFound);
}
