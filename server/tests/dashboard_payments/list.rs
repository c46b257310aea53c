//! The payments list and detail, for the merchant and for staff.

use super::*;

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
            days[29]["volume"]["minor"].as_i64()
        ),
        (Some(2), Some(18300)),
        "today"
    );
    assert_eq!(overview["statuses"], serde_json::json!([["paid", 2]]));
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
