//! Changing the payout account: step-up, who may, who is told, and held payouts.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_change_needs_step_up_tells_owners_and_admins_and_holds_payouts(pool: PgPool) {
    let log = captured_log();
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    let keys = &world.server.platform.config.secrets.field_keys;
    business(
        pool,
        world.merchant_a,
        "llc",
        "Dardania Crafts SH.P.K.",
        Some("Dardania Crafts"),
    )
    .await;
    member(pool, keys, world.merchant_a, "admin-a@example.com", "admin").await;
    member(
        pool,
        keys,
        world.merchant_a,
        "finance-a@example.com",
        "finance",
    )
    .await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        set(&mut owner, "Dardania Crafts", KOSOVO).await.status(),
        200
    );
    let new = iban("XK", "1305012345678901");
    let new_masked = format!("{} **** **** **** {}", &new[..4], &new[16..]);

    // Without a fresh second factor: refused, audited, nothing changed.
    let mut stale = stale_step_up(&world, Actor::OwnerA).await;
    assert_eq!(
        error_of(set(&mut stale, "Dardania Crafts", &new).await).await,
        AppError::StepUpRequired
    );
    let denied = audit_rows(&world, "access.denied").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(
        (denied[0].0.as_str(), denied[0].1.as_deref()),
        ("denied", Some("step-up required"))
    );
    assert!(
        denied[0].2.contains(SET.trim_start_matches("/api")),
        "{}",
        denied[0].2
    );
    assert_eq!(accounts(&world, world.merchant_a).await.len(), 1);

    // (Making the stale session aged every session of the owner's: sign in afresh.)
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let response = set(&mut owner, "Dardania Crafts SH.P.K.", &new).await;
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (
            answer["iban_masked"].as_str(),
            answer["on_hold"].as_bool(),
            answer["previous"].as_i64()
        ),
        (Some(new_masked.as_str()), Some(true), Some(1))
    );
    let stored = accounts(&world, world.merchant_a).await;
    assert_eq!(
        stored.iter().map(|a| a.3).collect::<Vec<_>>(),
        [true, false],
        "the old account retired"
    );
    let hold: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM payouts_from - now())::float8 / 3600 FROM bank_accounts WHERE merchant_id = $1 AND retired_at IS NULL",
    )
    .bind(world.merchant_a)
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(
        (71.9..=72.0).contains(&hold),
        "payouts start in {hold} hours"
    );

    // The notice: to every owner and admin, masked, with the hold and what to do.
    for to in ["ownera@example.com", "admin-a@example.com"] {
        let mails = mails_to(&world.server, to).await;
        assert_eq!(mails.len(), 1, "{to}");
        assert!(
            mails[0].contains(&new_masked)
                && mails[0].contains("72 hours")
                && mails[0].contains("did not make this change"),
            "{}",
            mails[0]
        );
        assert_no_iban(&mails[0], &new, "the mail");
    }
    assert!(
        mails_to(&world.server, "finance-a@example.com")
            .await
            .is_empty()
    );
    assert!(
        mails_to(&world.server, "viewera@example.com")
            .await
            .is_empty()
    );

    // The page shows the hold.
    let read: serde_json::Value = owner.post(READ, &[]).await.json().await.unwrap();
    assert_eq!(read["account"]["on_hold"], true);

    let rows = audit_rows(&world, "bank_account.change").await;
    assert_eq!(rows.len(), 2);
    assert!(rows[1].2.contains("\"first\": false"), "{}", rows[1].2);
    let trail: String = sqlx::query_scalar("SELECT string_agg(e::text, ' ') FROM audit.events e")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_no_iban(&trail, KOSOVO, "the audit trail");
    assert_no_iban(&trail, &new, "the audit trail");
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert_no_iban(&log, &new, "the server log");
}

#[sqlx::test(migrations = "../migrations")]
async fn only_owners_and_admins_of_the_merchant_change_it_and_only_staff_reveal_it(pool: PgPool) {
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    business(
        pool,
        world.merchant_a,
        "llc",
        "Dardania Crafts SH.P.K.",
        None,
    )
    .await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        set(&mut owner, "Dardania Crafts SH.P.K.", KOSOVO)
            .await
            .status(),
        200
    );
    let a = world.merchant_a.to_string();

    // Viewer, developer and finance members are refused, before anything is read.
    for role in ["viewer", "developer", "finance"] {
        sqlx::query("UPDATE merchant_members SET role = $2::merchant_role WHERE user_id = $1")
            .bind(world.users[&Actor::ViewerA])
            .bind(role)
            .execute(pool)
            .await
            .unwrap();
        let mut member = visitor(&world, Actor::ViewerA).await;
        assert_eq!(
            error_of(
                set(
                    &mut member,
                    "Dardania Crafts SH.P.K.",
                    &iban("XK", "1212012345678999")
                )
                .await
            )
            .await,
            AppError::Forbidden,
            "{role}"
        );
        assert_eq!(
            error_of(member.post(REVEAL, &[("merchant_id", &a)]).await).await,
            AppError::Forbidden,
            "{role}"
        );
    }

    // Merchant B sees none of A's account, and its own change cannot reach A's.
    let mut owner_b = visitor(&world, Actor::OwnerB).await;
    let read_b: serde_json::Value = owner_b.post(READ, &[]).await.json().await.unwrap();
    assert_eq!(read_b["account"], serde_json::Value::Null);
    assert_eq!(
        error_of(owner_b.post(REVEAL, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );
    assert_eq!(
        error_of(owner_b.post(STAFF_READ, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );
    let refused = set(
        &mut owner_b,
        "Dardania Crafts SH.P.K.",
        &iban("XK", "1212012345678999"),
    )
    .await;
    assert_eq!(
        field_of(error_of(refused).await).0,
        "holder_name",
        "B's own application has no business details"
    );
    assert_eq!(accounts(&world, world.merchant_a).await.len(), 1);
    assert!(accounts(&world, world.merchant_b).await.is_empty());
    // The owner cannot reveal their own full IBAN either: the reveal is staff's.
    assert_eq!(
        error_of(owner.post(REVEAL, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );

    // Staff without the merchants module are refused; with `view` they see it masked and
    // may reveal it, audited each time.
    let mut outsider = visitor(&world, Actor::StaffWithoutModule).await;
    assert_eq!(
        error_of(outsider.post(REVEAL, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );
    let mut staff = visitor(&world, Actor::StaffView).await;
    let shown: serde_json::Value = staff
        .post(STAFF_READ, &[("merchant_id", &a)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (shown["iban_masked"].as_str(), shown["previous"].as_i64()),
        (Some(MASKED), Some(0))
    );
    assert!(
        audit_rows(&world, "bank_account.view").await.is_empty(),
        "reading the mask is not a reveal"
    );
    let revealed: serde_json::Value = staff
        .post(REVEAL, &[("merchant_id", &a)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(revealed["iban"], "XK05 1212 0123 4567 8906");
    let views = audit_rows(&world, "bank_account.view").await;
    assert_eq!(views.len(), 1);
    assert!(
        views[0]
            .2
            .contains(&world.users[&Actor::StaffView].to_string())
    );
    assert_no_iban(&views[0].2, KOSOVO, "the reveal's audit row");
    let none = staff
        .post(REVEAL, &[("merchant_id", &world.merchant_b.to_string())])
        .await;
    assert_eq!(error_of(none).await, AppError::NotFound);
    assert_eq!(
        error_of(staff.post(REVEAL, &[("merchant_id", "not-an-id")]).await).await,
        AppError::NotFound
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_individual_business_pays_its_representative_and_a_change_meets_the_checklist(
    pool: PgPool,
) {
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    business(
        pool,
        world.merchant_a,
        "individual",
        "Arbër Kelmendi B.I.",
        None,
    )
    .await;

    let refused = set(&mut owner, "Arber Kelmendi", KOSOVO).await;
    assert!(
        field_of(error_of(refused).await)
            .1
            .contains("legal representative first")
    );
    person(
        pool,
        world.merchant_a,
        "Arbër Kelmendi",
        "1988-05-04",
        true,
        Some(100),
    )
    .await;
    let business_name = set(&mut owner, "Arbër Kelmendi B.I.", KOSOVO).await;
    assert!(
        field_of(error_of(business_name).await)
            .1
            .contains("legal representative's name")
    );
    assert_eq!(
        set(&mut owner, "ARBER KELMENDI", KOSOVO).await.status(),
        200
    );
    assert_eq!(
        state(pool, world.merchant_a, "bank_account").await,
        "submitted"
    );

    // After approval a change is allowed and leaves the accepted item alone...
    application_state(
        pool,
        world.merchant_a,
        "approved",
        "bank_account",
        "accepted",
    )
    .await;
    assert_eq!(
        set(
            &mut owner,
            "Arbër Kelmendi",
            &iban("XK", "1212012345670001")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        state(pool, world.merchant_a, "bank_account").await,
        "accepted"
    );
    // ...unless staff reopened the item: then it goes back for review.
    application_state(
        pool,
        world.merchant_a,
        "approved",
        "bank_account",
        "changes_requested",
    )
    .await;
    assert_eq!(
        set(
            &mut owner,
            "Arbër Kelmendi",
            &iban("XK", "1212012345670002")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        state(pool, world.merchant_a, "bank_account").await,
        "submitted"
    );

    // Saving the same account again changes nothing and sends no notice.
    let before = accounts(&world, world.merchant_a).await.len();
    let mails = mails_to(&world.server, "ownera@example.com").await.len();
    assert_eq!(
        set(
            &mut owner,
            "Arbër Kelmendi",
            &iban("XK", "1212012345670002")
        )
        .await
        .status(),
        200
    );
    assert_eq!(accounts(&world, world.merchant_a).await.len(), before);
    assert_eq!(
        mails_to(&world.server, "ownera@example.com").await.len(),
        mails
    );

    // A rejected application's account is frozen.
    application_state(
        pool,
        world.merchant_a,
        "rejected",
        "bank_account",
        "submitted",
    )
    .await;
    let frozen = set(
        &mut owner,
        "Arbër Kelmendi",
        &iban("XK", "1212012345670003"),
    )
    .await;
    let (field, message) = field_of(error_of(frozen).await);
    assert_eq!(field, "application");
    assert!(message.contains("rejected"), "{message}");
    let read: serde_json::Value = owner.post(READ, &[]).await.json().await.unwrap();
    assert_eq!(read["can_change"], false);
}
