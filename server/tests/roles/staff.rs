//! Staff permissions: step-up, enrolment, deactivation, merchant verification and refunds.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn staff_permissions_change_with_step_up_and_apply_on_the_next_request(pool: PgPool) {
    let world = world(pool.clone()).await;
    let staff_id = world.users[&Actor::StaffView];
    let mut staff = visitor(&world, Actor::StaffView).await;
    assert_eq!(staff.post("/api/admin/merchants", &[]).await.status(), 200);

    let mut admin = visitor(&world, Actor::Admin).await;
    let only_payments = [
        ("user_id", staff_id.to_string()),
        ("grants[payments]", "view".to_owned()),
        ("grants[merchants]", "none".to_owned()),
    ];
    let form: Vec<(&str, &str)> = only_payments
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    // A stale step-up is refused and changes nothing.
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&Actor::Admin])
        .execute(&pool)
        .await
        .unwrap();
    let stale = admin.post("/api/admin/staff/set-permissions", &form).await;
    assert_eq!(error_of(stale).await, AppError::StepUpRequired);
    assert_eq!(staff.post("/api/admin/merchants", &[]).await.status(), 200);

    let mut admin = visitor(&world, Actor::Admin).await;
    let bad: Vec<(&str, &str)> = vec![("user_id", form[0].1), ("grants[payments]", "everything")];
    assert!(matches!(
        error_of(admin.post("/api/admin/staff/set-permissions", &bad).await).await,
        AppError::Validation { .. }
    ));
    assert_eq!(
        admin
            .post("/api/admin/staff/set-permissions", &form)
            .await
            .status(),
        200
    );
    let listed = staff.post("/api/admin/merchants", &[]).await;
    assert_eq!(
        error_of(listed).await,
        AppError::Forbidden,
        "the same session loses the module at once"
    );
    assert_eq!(staff.get("/admin/merchants").await.status(), 403);

    let grants: Vec<(Module, Level)> =
        sqlx::query_as("SELECT module, level FROM staff_permissions WHERE user_id = $1")
            .bind(staff_id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(grants, [(Module::Payments, Level::View)]);
    let (detail, denied): (serde_json::Value, i64) = sqlx::query_as(
        "SELECT (SELECT detail FROM audit.events WHERE event_type = 'staff.permissions_changed'),
                (SELECT count(*) FROM audit.events WHERE event_type = 'access.denied' AND actor_id = $1)",
    )
    .bind(staff_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(detail["after"], serde_json::json!({ "payments": "view" }));
    assert_eq!(denied, 2, "each refusal of a signed-in user is audited");

    // An administrator cannot be edited as staff; a merchant's user is not staff either.
    let owner = world.users[&Actor::OwnerA].to_string();
    let not_staff = admin
        .post(
            "/api/admin/staff/set-permissions",
            &[("user_id", owner.as_str()), ("grants[audit]", "view")],
        )
        .await;
    assert_eq!(not_staff.status(), 404);
    // Arguments that do not decode are the caller's mistake, and say so.
    let garbled = admin
        .post("/api/admin/staff/set-permissions", &[("nonsense", "1")])
        .await;
    assert_eq!(garbled.status(), 400);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_invited_staff_member_must_enrol_and_a_deactivated_one_is_signed_out(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut admin = visitor(&world, Actor::Admin).await;
    let email = "arta@saleonix.example";
    let invite = [
        ("email", email),
        ("full_name", "Arta Krasniqi"),
        ("grants[payments]", "act"),
    ];
    assert_eq!(
        admin
            .post("/api/admin/staff/invite", &invite)
            .await
            .status(),
        200
    );
    let token = token_from_mail(&world.server, email, "/accept-invitation").await;
    let mut arta = Visitor::new(&world.server);
    arta.post(
        "/api/auth/accept-invitation",
        &[("token", &token), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(
        location(&arta.sign_in(email, PASSWORD).await),
        "/account/two-factor"
    );
    assert_eq!(location(&arta.get("/admin").await), "/account/two-factor");

    let arta_id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&pool)
        .await
        .unwrap();
    let deactivated = admin
        .post(
            "/api/admin/staff/deactivate",
            &[("user_id", &arta_id.to_string())],
        )
        .await;
    assert_eq!(deactivated.status(), 200);
    assert_eq!(location(&arta.get("/account").await), "/sign-in");
    assert_eq!(arta.sign_in(email, PASSWORD).await.status(), 401);
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_with_the_merchants_module_verify_a_merchant_by_approving_its_application(
    pool: PgPool,
) {
    let world = world(pool.clone()).await;
    support::applications::submitted(
        &world.server.platform,
        world.merchant_a,
        world.users[&Actor::OwnerA],
    )
    .await;
    let merchant = world.merchant_a.to_string();
    let approve = [("merchant_id", merchant.as_str())];
    let mut viewer = visitor(&world, Actor::StaffView).await;
    assert_eq!(
        error_of(viewer.post("/api/admin/kyc/approve", &approve).await).await,
        AppError::Forbidden
    );
    let mut actor = visitor(&world, Actor::StaffAct).await;
    support::applications::accept_all(&mut actor, &merchant).await;
    assert_eq!(
        actor
            .post("/api/admin/kyc/approve", &approve)
            .await
            .status(),
        200
    );
    let verified: bool =
        sqlx::query_scalar("SELECT verified_at IS NOT NULL FROM merchants WHERE id = $1")
            .bind(world.merchant_a)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(verified);
    let detail: serde_json::Value = viewer
        .post("/api/admin/merchants/detail", &[("id", merchant.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            detail["merchant"]["verified"].as_bool(),
            detail["can_act"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(detail["merchant"]["kyc_status"], "approved");
    let (actor_id, merchant_id): (Option<Uuid>, Option<Uuid>) = sqlx::query_as(
        "SELECT actor_id, merchant_id FROM audit.events WHERE event_type = 'kyc.approve'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (actor_id, merchant_id),
        (Some(world.users[&Actor::StaffAct]), Some(world.merchant_a))
    );
}

/// Posts a staff refund of `amount` (euro) of the payment `payment_id` with a fresh request id.
async fn staff_refund(visitor: &mut Visitor<'_>, payment_id: &str, amount: &str) -> Response {
    let request_id = Uuid::new_v4().to_string();
    let form = [
        ("payment_id", payment_id),
        ("request_id", request_id.as_str()),
        ("amount", amount),
        ("reason", ""),
    ];
    visitor.post("/api/admin/refunds/refund", &form).await
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_refunds_above_the_threshold_need_a_fresh_step_up(pool: PgPool) {
    let world = world(pool.clone()).await;
    let unknown = Uuid::new_v4().to_string();
    let mut stale = visitor(&world, Actor::StaffAct).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&Actor::StaffAct])
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        error_of(staff_refund(&mut stale, &unknown, "150.00").await).await,
        AppError::StepUpRequired
    );
    // At the threshold (100.00) no step-up is asked for: the refund goes on, and finds no
    // such payment.
    assert_eq!(
        error_of(staff_refund(&mut stale, &unknown, "100.00").await).await,
        AppError::NotFound
    );
    let mut fresh = visitor(&world, Actor::StaffAct).await;
    assert_eq!(
        error_of(staff_refund(&mut fresh, &unknown, "150.00").await).await,
        AppError::NotFound
    );
    let mut viewer = visitor(&world, Actor::StaffView).await;
    assert_eq!(
        error_of(staff_refund(&mut viewer, &unknown, "1.00").await).await,
        AppError::Forbidden
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn only_a_platform_administrator_is_offered_a_members_two_factor_reset(pool: PgPool) {
    let world = world(pool).await;
    let page = format!("/admin/merchants/{}", world.merchant_a);
    let owner = world.users[&Actor::OwnerA].to_string();
    let mut admin = visitor(&world, Actor::Admin).await;
    let html = admin.get(&page).await.text().await.unwrap();
    assert!(
        html.contains("Reset two-factor") && html.contains(&format!(r#"value="{owner}""#)),
        "the console's path for a merchant's member who lost their phone"
    );
    let mut staff = visitor(&world, Actor::StaffAct).await;
    let answer = staff.get(&page).await;
    assert_eq!(answer.status(), 200);
    assert!(!answer.text().await.unwrap().contains("Reset two-factor"));
}
