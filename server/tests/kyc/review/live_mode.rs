//! What decisions, overdue re-verification, suspensions and sanctions hits do to Live Mode.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn rejection_closes_live_mode_and_tells_the_merchant_why(pool: PgPool) {
    let world = world(pool.clone()).await;
    let merchant = approved(&world).await;
    let mut staff = visitor(&world, Actor::StaffAct).await;
    ok(reverify(&mut staff, &merchant, "bank_proof", tomorrow()).await).await;
    resubmit(&world.server.platform, world.merchant_a, Item::BankProof).await;
    assert!(
        live(&world, world.merchant_a).await,
        "Live stays open while the update is reviewed"
    );
    let mut admin = visitor(&world, Actor::Admin).await;
    ok(reject(
        &mut admin,
        &merchant,
        "The bank letter belongs to another company.",
    )
    .await)
    .await;
    assert!(!live(&world, world.merchant_a).await);
    assert_eq!(live_access(&world).await, "AwaitingVerification");
    let mail = &mails_to(&world.server, "ownera@example.com").await[0];
    assert!(
        mail.contains("The bank letter belongs to another company.")
            && mail.contains("Live Mode is closed"),
        "{mail}"
    );
    let last = audit_types(&pool, world.merchant_a).await.pop().unwrap();
    assert_eq!(
        last,
        (
            "kyc.reject".into(),
            "staff".into(),
            Some(world.users[&Actor::Admin])
        )
    );
    let reason: Option<String> =
        sqlx::query_scalar("SELECT reason FROM audit.events WHERE event_type = 'kyc.reject'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason, None, "staff's words stay out of the audit trail");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_overdue_re_verification_restricts_the_merchant_to_test_mode_until_approved_again(
    pool: PgPool,
) {
    let world = world(pool.clone()).await;
    let platform = &world.server.platform;
    let merchant = approved(&world).await;
    let mut staff = visitor(&world, Actor::StaffAct).await;
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(
        refusal(reverify(&mut staff, &merchant, "identity_documents", today).await)
            .await
            .0,
        "due"
    );
    let tampered = [
        ("merchant_id", merchant.as_str()),
        ("item", "people"),
        ("reason", "Update it."),
        ("due", "31/12/2099"),
    ];
    assert_eq!(
        refusal(
            staff
                .post("/api/admin/kyc/request-reverification", &tampered)
                .await
        )
        .await
        .0,
        "due"
    );
    assert_eq!(
        error_of(reverify(&mut staff, "not-an-id", "people", tomorrow()).await).await,
        AppError::NotFound
    );
    ok(reverify(&mut staff, &merchant, "identity_documents", tomorrow()).await).await;
    let (status, items) = states(platform, world.merchant_a).await;
    assert_eq!(
        (status.as_str(), items[3].as_str()),
        ("approved", "changes_requested")
    );
    let mail = &mails_to(&world.server, "ownera@example.com").await[0];
    assert!(
        mail.contains("Your identity document has expired.")
            && mail.contains(&format!("by {}", tomorrow())),
        "{mail}"
    );
    assert!(
        live(&world, world.merchant_a).await,
        "open until the deadline"
    );

    let now = time::OffsetDateTime::now_utc();
    assert_eq!(
        platform::kyc::review::restrict_overdue(platform, now)
            .await
            .unwrap(),
        0
    );
    sqlx::query("UPDATE kyc_applications SET reverification_due_at = now() - interval '1 hour' WHERE merchant_id = $1")
        .bind(world.merchant_a)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        platform::kyc::review::restrict_overdue(platform, now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        platform::kyc::review::restrict_overdue(platform, now)
            .await
            .unwrap(),
        0,
        "once only"
    );
    assert!(!live(&world, world.merchant_a).await, "Live closes");
    assert_eq!(live_access(&world).await, "Restricted");
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let test = owner
        .post(
            "/api/payments/create-product",
            &[("name", "Rug"), ("description", ""), ("price", "18")],
        )
        .await;
    ok(test).await;
    let restrict = audit_types(&pool, world.merchant_a).await.pop().unwrap();
    assert_eq!(restrict, ("kyc.restrict".into(), "system".into(), None));
    let mail = &mails_to(&world.server, "ownera@example.com").await[0];
    assert!(
        mail.contains("Live Mode is closed") && mail.contains("send the application again"),
        "{mail}"
    );

    // The merchant updates the item; another staff member approves: Live opens again.
    resubmit(platform, world.merchant_a, Item::IdentityDocuments).await;
    let mut admin = visitor(&world, Actor::Admin).await;
    ok(accept(&mut admin, &merchant, "identity_documents").await).await;
    ok(approve(&mut admin, &merchant).await).await;
    assert_eq!(live_access(&world).await, "Open");
    let cleared: (bool, bool) =
        sqlx::query_as("SELECT reverification_due_at IS NULL, restricted_at IS NULL FROM kyc_applications WHERE merchant_id = $1")
            .bind(world.merchant_a)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(cleared, (true, true));
}

#[sqlx::test(migrations = "../migrations")]
async fn instances_running_the_restriction_at_once_restrict_each_merchant_once(pool: PgPool) {
    let world = world(pool.clone()).await;
    let platform = &world.server.platform;
    for merchant in [world.merchant_a, world.merchant_b] {
        submitted(platform, merchant, world.users[&Actor::OwnerA]).await;
    }
    // Both approved, both past a re-verification deadline.
    sqlx::query("UPDATE merchants SET verified_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE kyc_applications SET status = 'approved', reverification_due_at = now() - interval '1 day'")
        .execute(&pool)
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let (one, two) = tokio::join!(
        platform::kyc::review::restrict_overdue(platform, now),
        platform::kyc::review::restrict_overdue(platform, now)
    );
    assert_eq!(one.unwrap() + two.unwrap(), 2);
    let restrictions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit.events WHERE event_type = 'kyc.restrict'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(restrictions, 2);
    let verified: i64 =
        sqlx::query_scalar("SELECT count(*) FROM merchants WHERE verified_at IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(verified, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_suspension_still_closes_live_mode_of_an_approved_merchant_and_verification_is_no_switch(
    pool: PgPool,
) {
    let world = world(pool.clone()).await;
    let merchant = approved(&world).await;
    let mut staff = visitor(&world, Actor::StaffAct).await;
    ok(staff
        .post(
            "/api/admin/merchants/set-flag",
            &[("id", &merchant), ("flag", "suspended"), ("on", "true")],
        )
        .await)
    .await;
    assert!(!live(&world, world.merchant_a).await);
    assert_eq!(live_access(&world).await, "Suspended");
    ok(staff
        .post(
            "/api/admin/merchants/set-flag",
            &[("id", &merchant), ("flag", "suspended"), ("on", "false")],
        )
        .await)
    .await;
    assert_eq!(live_access(&world).await, "Open");

    // The old verify switch is gone: neither granting nor revoking goes through.
    for on in ["true", "false"] {
        let form = [("id", merchant.as_str()), ("flag", "verified"), ("on", on)];
        assert_eq!(
            refusal(staff.post("/api/admin/merchants/set-flag", &form).await)
                .await
                .0,
            "flag"
        );
    }
    assert!(live(&world, world.merchant_a).await);
    let list = ok(staff.post("/api/admin/merchants", &[]).await).await;
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == merchant.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (row["kyc_status"].as_str(), row["verified"].as_bool()),
        (Some("approved"), Some(true))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_open_sanctions_hit_blocks_approval_until_staff_decide_it(pool: PgPool) {
    use platform::kyc::sanctions::{self, list};
    let world = world(pool).await;
    let platform = &world.server.platform;
    list::load_sample_if_none(&platform.pool).await.unwrap();
    submitted(platform, world.merchant_a, world.users[&Actor::OwnerA]).await;
    // An owner who is on the sample list, as screening on submission would find them.
    support::business::person(
        &platform.pool,
        world.merchant_a,
        "Dragoljub Djurdjevic",
        "1959-07-21",
        false,
        Some(30),
    )
    .await;
    let mut tx = platform.pool.begin().await.unwrap();
    assert_eq!(
        sanctions::screen_application(&mut tx, domain::MerchantId::from_uuid(world.merchant_a))
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();

    let merchant = world.merchant_a.to_string();
    let mut staff = visitor(&world, Actor::StaffAct).await;
    accept_all(&mut staff, &merchant).await;
    let (_, message) = refusal(approve(&mut staff, &merchant).await).await;
    assert!(message.contains("sanctions hit"), "{message}");
    assert!(
        !live(&world, world.merchant_a).await,
        "Live Mode stays closed"
    );

    let hit = sanctions::hits(
        &mut platform.pool.acquire().await.unwrap(),
        domain::MerchantId::from_uuid(world.merchant_a),
    )
    .await
    .unwrap()[0]
        .id
        .to_string();
    let decision = [
        ("merchant_id", merchant.as_str()),
        ("hit_id", hit.as_str()),
        ("decision", "false_positive"),
        (
            "note",
            "Born elsewhere; the passport on file is of another person.",
        ),
    ];
    ok(staff
        .post("/api/admin/kyc/sanctions/decide", &decision)
        .await)
    .await;
    ok(approve(&mut staff, &merchant).await).await;
    assert!(live(&world, world.merchant_a).await);
}
