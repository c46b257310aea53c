//! Who may decide: a second reviewer, a fresh second factor, and only staff who act.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn the_staff_member_who_asked_for_changes_cannot_approve_unless_the_platform_has_one_reviewer(
    pool: PgPool,
) {
    let world = world(pool).await;
    let platform = &world.server.platform;
    submitted(platform, world.merchant_a, world.users[&Actor::OwnerA]).await;
    let merchant = world.merchant_a.to_string();
    let mut staff = visitor(&world, Actor::StaffAct).await;
    ok(ask_changes(
        &mut staff,
        &merchant,
        "identity_documents",
        "The back side of the ID card is missing.",
    )
    .await)
    .await;
    let mail = &mails_to(&world.server, "ownera@example.com").await[0];
    assert!(
        mail.contains("\"Identity documents\"")
            && mail.contains("The back side of the ID card is missing."),
        "{mail}"
    );
    assert!(mail.contains("/dashboard/verification"), "{mail}");
    let audit = audit_types(&platform.pool, world.merchant_a).await;
    assert_eq!(
        audit,
        [(
            "kyc.item.request_changes".into(),
            "staff".into(),
            Some(world.users[&Actor::StaffAct])
        )]
    );

    resubmit(platform, world.merchant_a, Item::IdentityDocuments).await;
    accept_all(&mut staff, &merchant).await;
    let before = snapshot(platform, world.merchant_a).await;
    let (_, message) = refusal(approve(&mut staff, &merchant).await).await;
    assert!(message.starts_with("Four eyes"), "{message}");
    assert_eq!(snapshot(platform, world.merchant_a).await, before);
    let view = ok(staff
        .post("/api/admin/kyc/application", &[("merchant_id", &merchant)])
        .await)
    .await;
    assert!(
        view["approve_blocked"]
            .as_str()
            .unwrap()
            .starts_with("Four eyes")
    );
    ok(approve(&mut visitor(&world, Actor::Admin).await, &merchant).await).await;
    assert!(live(&world, world.merchant_a).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn with_a_single_reviewer_the_one_who_asked_for_changes_approves(pool: PgPool) {
    let server = support::start_with(pool, |settings| settings.kyc.single_reviewer = true).await;
    let world = cast(server).await;
    let platform = &world.server.platform;
    submitted(platform, world.merchant_a, world.users[&Actor::OwnerA]).await;
    let merchant = world.merchant_a.to_string();
    let mut staff = visitor(&world, Actor::StaffAct).await;
    ok(ask_changes(
        &mut staff,
        &merchant,
        "business",
        "The trading name is misspelt.",
    )
    .await)
    .await;
    resubmit(platform, world.merchant_a, Item::Business).await;
    accept_all(&mut staff, &merchant).await;
    ok(approve(&mut staff, &merchant).await).await;
    assert!(live(&world, world.merchant_a).await);
}

#[sqlx::test(migrations = "../migrations")]
async fn approval_and_rejection_need_a_fresh_second_factor_and_a_refusal_is_audited(pool: PgPool) {
    let world = world(pool.clone()).await;
    let platform = &world.server.platform;
    submitted(platform, world.merchant_a, world.users[&Actor::OwnerA]).await;
    let merchant = world.merchant_a.to_string();
    let mut staff = visitor(&world, Actor::StaffAct).await;
    accept_all(&mut staff, &merchant).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&Actor::StaffAct])
        .execute(&pool)
        .await
        .unwrap();
    let before = snapshot(platform, world.merchant_a).await;
    assert_eq!(
        error_of(approve(&mut staff, &merchant).await).await,
        AppError::StepUpRequired
    );
    assert_eq!(
        error_of(reject(&mut staff, &merchant, "Not today.").await).await,
        AppError::StepUpRequired
    );
    assert_eq!(
        snapshot(platform, world.merchant_a).await,
        before,
        "nothing changed, no mail"
    );
    let denied: Vec<(Option<Uuid>, String, Option<String>, Value)> = sqlx::query_as(
        "SELECT merchant_id, outcome::text, reason, detail FROM audit.events WHERE event_type = 'access.denied' AND actor_id = $1 ORDER BY id",
    )
    .bind(world.users[&Actor::StaffAct])
    .fetch_all(&pool)
    .await
    .unwrap();
    // Refused by the route guard, which reads the function's row (not its arguments).
    let paths: Vec<&str> = denied
        .iter()
        .map(|(_, _, _, detail)| detail["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/api/admin/kyc/approve", "/api/admin/kyc/reject"]);
    assert!(denied.iter().all(|(_, outcome, reason, _)| {
        outcome == "denied" && reason.as_deref() == Some("step-up required")
    }));
    // Item decisions are not step-up actions: they stay open on the stale session.
    ok(ask_changes(&mut staff, &merchant, "people", "Add the second owner.").await).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn only_staff_who_act_decide_and_merchants_reach_no_part_of_the_review(pool: PgPool) {
    let world = world(pool).await;
    let platform = &world.server.platform;
    submitted(platform, world.merchant_a, world.users[&Actor::OwnerA]).await;
    let merchant = world.merchant_a.to_string();
    let decisions: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "/api/admin/kyc/accept-item",
            vec![("merchant_id", &merchant), ("item", "business")],
        ),
        (
            "/api/admin/kyc/request-changes",
            vec![
                ("merchant_id", &merchant),
                ("item", "business"),
                ("reason", "Fix it."),
            ],
        ),
        ("/api/admin/kyc/approve", vec![("merchant_id", &merchant)]),
        (
            "/api/admin/kyc/reject",
            vec![("merchant_id", &merchant), ("reason", "No.")],
        ),
        (
            "/api/admin/kyc/request-reverification",
            vec![
                ("merchant_id", &merchant),
                ("item", "business"),
                ("reason", "x"),
                ("due", "2099-01-01"),
            ],
        ),
    ];
    let before = snapshot(platform, world.merchant_a).await;
    for actor in [
        Actor::StaffView,
        Actor::StaffWithoutModule,
        Actor::OwnerA,
        Actor::OwnerB,
    ] {
        let mut someone = visitor(&world, actor).await;
        for (path, form) in &decisions {
            assert_eq!(
                error_of(someone.post(path, form).await).await,
                AppError::Forbidden,
                "{actor:?} {path}"
            );
        }
    }
    for (path, form) in &decisions {
        assert_eq!(
            error_of(Visitor::new(&world.server).post(path, form).await).await,
            AppError::Unauthenticated
        );
    }
    assert_eq!(snapshot(platform, world.merchant_a).await, before);

    // Reading: merchants and staff without the module are refused, at the function and the page.
    for actor in [Actor::OwnerA, Actor::StaffWithoutModule] {
        let mut someone = visitor(&world, actor).await;
        let read = someone
            .post("/api/admin/kyc/application", &[("merchant_id", &merchant)])
            .await;
        assert_eq!(error_of(read).await, AppError::Forbidden);
        assert_eq!(
            someone
                .get(&format!("/admin/kyc/{merchant}"))
                .await
                .status(),
            403
        );
        assert_eq!(someone.get("/admin/kyc").await.status(), 403);
    }
    let mut viewer = visitor(&world, Actor::StaffView).await;
    let page = viewer.get(&format!("/admin/kyc/{merchant}")).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let mut actor = visitor(&world, Actor::StaffAct).await;
    let acting = actor
        .get(&format!("/admin/kyc/{merchant}"))
        .await
        .text()
        .await
        .unwrap();
    // The page as the server renders it: a viewer gets no decision form, an actor gets them.
    for form in [
        "Accept business details",
        "Ask for changes",
        "Reject the application",
    ] {
        assert!(!page.contains(form) && acting.contains(form), "{form}");
    }
    assert!(page.contains("You can read this application") && page.contains("•••••••890"));
    assert!(!page.contains(PERSONAL_NUMBER) && !acting.contains(PERSONAL_NUMBER));
    let view = ok(viewer
        .post("/api/admin/kyc/application", &[("merchant_id", &merchant)])
        .await)
    .await;
    assert_eq!(
        view["can_act"], false,
        "the page shows a viewer no decision"
    );
    let denials: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit.events WHERE event_type = 'access.denied'")
            .fetch_one(&platform.pool)
            .await
            .unwrap();
    assert!(
        denials >= 20,
        "the guard audits each refusal of a signed-in user: {denials}"
    );
}
