//! An application from the queue to approval, and decisions its state does not allow.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn staff_review_an_application_from_the_queue_to_approval_and_live_mode_opens(pool: PgPool) {
    let world = world(pool.clone()).await;
    let document = submitted(
        &world.server.platform,
        world.merchant_a,
        world.users[&Actor::OwnerA],
    )
    .await;
    let merchant = world.merchant_a.to_string();
    assert!(!live(&world, world.merchant_a).await);
    assert_eq!(live_access(&world).await, "AwaitingVerification");

    let mut viewer = visitor(&world, Actor::StaffView).await;
    let queue = ok(viewer.post("/api/admin/kyc/queue", &[]).await).await;
    assert_eq!(queue[0]["merchant_id"], merchant.as_str());
    assert_eq!(queue[0]["waiting"], "2 h 0 min");
    let landing = ok(viewer.post("/api/admin/overview", &[]).await).await;
    assert_eq!(
        landing["merchants_awaiting_review"], 1,
        "the landing counts submitted applications"
    );

    let response = viewer
        .post("/api/admin/kyc/application", &[("merchant_id", &merchant)])
        .await;
    let body = response.text().await.unwrap();
    assert!(
        !body.contains(PERSONAL_NUMBER) && !body.contains("content_enc"),
        "no personal number or content: {body}"
    );
    let view: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (view["status"].as_str(), view["can_act"].as_bool()),
        (Some("submitted"), Some(false))
    );
    let person = &view["people"][0];
    assert_eq!(person["heading"], "Legal representative and owner (100 %)");
    assert!(
        person["facts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == "•••••••890"),
        "masked: {person}"
    );
    let href = format!("/api/admin/kyc/files/{document}");
    assert_eq!(
        (
            view["documents"][0]["href"].as_str(),
            view["documents"][0]["size"].as_str()
        ),
        (Some(href.as_str()), Some("2 KB"))
    );
    assert!(
        view["business"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == "811234567")
    );

    let mut staff = visitor(&world, Actor::StaffAct).await;
    accept_all(&mut staff, &merchant).await;
    let view = ok(staff
        .post("/api/admin/kyc/application", &[("merchant_id", &merchant)])
        .await)
    .await;
    assert_eq!(
        view["approve_blocked"],
        Value::Null,
        "every item accepted, no hit: approval is open"
    );
    ok(approve(&mut staff, &merchant).await).await;

    assert_eq!(
        states(&world.server.platform, world.merchant_a).await.0,
        "approved"
    );
    assert!(
        live(&world, world.merchant_a).await,
        "approval opens Live Mode"
    );
    assert_eq!(live_access(&world).await, "Open");
    assert!(
        ok(viewer.post("/api/admin/kyc/queue", &[]).await)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    let staff_id = Some(world.users[&Actor::StaffAct]);
    let audit = audit_types(&pool, world.merchant_a).await;
    assert_eq!(audit.len(), 7);
    assert!(
        audit[..6]
            .iter()
            .all(|row| *row == ("kyc.item.accept".into(), "staff".into(), staff_id))
    );
    assert_eq!(audit[6], ("kyc.approve".into(), "staff".into(), staff_id));
    let mail = &mails_to(&world.server, "ownera@example.com").await[0];
    assert!(mail.contains("Live Mode is open"), "{mail}");
    // Admins of the merchant are told too; viewers are not.
    assert_eq!(
        mails_to(&world.server, "unverified@example.com")
            .await
            .len(),
        1
    );
    assert!(
        mails_to(&world.server, "viewera@example.com")
            .await
            .is_empty()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn decisions_the_state_does_not_allow_are_refused_and_change_nothing(pool: PgPool) {
    let world = world(pool).await;
    let platform = &world.server.platform;
    let merchant = world.merchant_a.to_string();
    let mut staff = visitor(&world, Actor::StaffAct).await;

    // No application: not found, and staff never create one.
    assert_eq!(
        error_of(accept(&mut staff, &merchant, "business").await).await,
        AppError::NotFound
    );
    assert_eq!(
        error_of(approve(&mut staff, &Uuid::new_v4().to_string()).await).await,
        AppError::NotFound
    );
    let created: i64 = sqlx::query_scalar("SELECT count(*) FROM kyc_applications")
        .fetch_one(&platform.pool)
        .await
        .unwrap();
    assert_eq!(created, 0);

    // A draft the merchant has not sent.
    let mut conn = platform.pool.acquire().await.unwrap();
    platform::kyc::ensure_application(&mut conn, domain::MerchantId::from_uuid(world.merchant_a))
        .await
        .unwrap();
    let before = snapshot(platform, world.merchant_a).await;
    assert_eq!(
        refusal(accept(&mut staff, &merchant, "business").await)
            .await
            .0,
        "application"
    );
    assert_eq!(
        refusal(ask_changes(&mut staff, &merchant, "business", "Fix it.").await)
            .await
            .0,
        "application"
    );
    assert_eq!(
        refusal(approve(&mut staff, &merchant).await).await.0,
        "application"
    );
    assert_eq!(
        refusal(reject(&mut staff, &merchant, "No.").await).await.0,
        "application"
    );
    assert_eq!(snapshot(platform, world.merchant_a).await, before);

    // Submitted: bad input, approving too early, accepting twice.
    submitted(platform, world.merchant_a, world.users[&Actor::OwnerA]).await;
    let before = snapshot(platform, world.merchant_a).await;
    assert_eq!(
        refusal(ask_changes(&mut staff, &merchant, "people", "   ").await)
            .await
            .0,
        "reason"
    );
    assert_eq!(
        refusal(ask_changes(&mut staff, &merchant, "people", &"x".repeat(1001)).await)
            .await
            .0,
        "reason"
    );
    assert_eq!(
        refusal(accept(&mut staff, &merchant, "everything").await)
            .await
            .0,
        "item"
    );
    assert_eq!(
        refusal(reject(&mut staff, &merchant, "").await).await.0,
        "reason"
    );
    let (field, message) = refusal(approve(&mut staff, &merchant).await).await;
    assert_eq!(
        (field.as_str(), message.as_str()),
        (
            "application",
            "Accept every checklist item before approving."
        )
    );
    assert_eq!(
        refusal(reverify(&mut staff, &merchant, "people", tomorrow()).await)
            .await
            .0,
        "application"
    );
    assert_eq!(snapshot(platform, world.merchant_a).await, before);
    ok(accept(&mut staff, &merchant, "business").await).await;
    assert_eq!(
        refusal(accept(&mut staff, &merchant, "business").await)
            .await
            .0,
        "application"
    );

    // Changes asked for: the application goes back to the merchant; approving waits.
    ok(ask_changes(
        &mut staff,
        &merchant,
        "people",
        "The date of birth does not match the ID.",
    )
    .await)
    .await;
    let (status, items) = states(platform, world.merchant_a).await;
    assert_eq!(
        (status.as_str(), items[1].as_str()),
        ("changes_requested", "changes_requested")
    );
    assert_eq!(
        refusal(ask_changes(&mut staff, &merchant, "people", "Again.").await)
            .await
            .0,
        "application"
    );
    let mut admin = visitor(&world, Actor::Admin).await;
    assert_eq!(
        refusal(approve(&mut admin, &merchant).await).await.0,
        "application"
    );

    // Rejected: final.
    ok(reject(
        &mut admin,
        &merchant,
        "The business is not registered in Kosovo.",
    )
    .await)
    .await;
    let before = snapshot(platform, world.merchant_a).await;
    for response in [
        accept(&mut staff, &merchant, "bank_account").await,
        ask_changes(&mut staff, &merchant, "bank_account", "Fix it.").await,
        approve(&mut admin, &merchant).await,
        reject(&mut admin, &merchant, "Again.").await,
        reverify(&mut staff, &merchant, "business", tomorrow()).await,
    ] {
        assert_eq!(refusal(response).await.0, "application");
    }
    assert_eq!(snapshot(platform, world.merchant_a).await, before);
    assert_eq!(states(platform, world.merchant_a).await.0, "rejected");
}
