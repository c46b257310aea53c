//! The staff review of KYC applications against the real server and Postgres: the queue
//! and one application as staff read it, every allowed and refused decision, four eyes,
//! step-up, who may decide, and what the outcome does to Live Mode (approval opens it;
//! rejection, an overdue re-verification and a suspension close it), with the mails.
//! Applications are built in the database (`support::applications`): the merchant's forms
//! are another part of the issue.

use crate::support;

use app::error::AppError;
use platform::kyc::Item;
use platform::payments::{Mode, effective_mode};
use reqwest::Response;
use serde_json::Value;
use sqlx::PgPool;
use support::accounts::{Visitor, error_of, mails_to};
use support::applications::{
    PERSONAL_NUMBER, accept, accept_all, approve, ask_changes, reject, resubmit, reverify,
    snapshot, states, submitted, tomorrow,
};
use support::world::{Actor, World, cast, visitor, world};
use uuid::Uuid;

async fn ok(response: Response) -> Value {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// The refusal's field and message, for a decision the server refused as invalid.
async fn refusal(response: Response) -> (String, String) {
    match error_of(response).await {
        AppError::Validation { field, message } => (field, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Merchant A's application, submitted and approved by the act staff member.
async fn approved(world: &World) -> String {
    submitted(
        &world.server.platform,
        world.merchant_a,
        world.users[&Actor::OwnerA],
    )
    .await;
    let merchant = world.merchant_a.to_string();
    let mut staff = visitor(world, Actor::StaffAct).await;
    accept_all(&mut staff, &merchant).await;
    ok(approve(&mut staff, &merchant).await).await;
    merchant
}

async fn live(world: &World, merchant: Uuid) -> bool {
    let mut conn = world.server.platform.pool.acquire().await.unwrap();
    effective_mode(&mut conn, merchant, Mode::Live)
        .await
        .unwrap()
        == Mode::Live
}

/// What the owner's dashboard says about Live Mode: `Open`, `Restricted`, ...
async fn live_access(world: &World) -> String {
    let state = ok(visitor(world, Actor::OwnerA)
        .await
        .post("/api/dashboard/mode", &[])
        .await)
    .await;
    state["live"].as_str().unwrap().to_owned()
}

async fn audit_types(pool: &PgPool, merchant: Uuid) -> Vec<(String, String, Option<Uuid>)> {
    sqlx::query_as(
        "SELECT event_type, actor_kind::text, actor_id FROM audit.events
         WHERE merchant_id = $1 AND event_type LIKE 'kyc.%' ORDER BY id",
    )
    .bind(merchant)
    .fetch_all(pool)
    .await
    .unwrap()
}

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
    platform::kyc::ensure_application(&mut conn, world.merchant_a)
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
    let actions: Vec<&str> = denied
        .iter()
        .map(|(_, _, _, detail)| detail["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["kyc.approve", "kyc.reject"]);
    assert!(denied.iter().all(|(m, outcome, reason, _)| {
        *m == Some(world.merchant_a)
            && outcome == "denied"
            && reason.as_deref() == Some("step-up required")
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
        sanctions::screen_application(&mut tx, world.merchant_a)
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
        &mut *platform.pool.acquire().await.unwrap(),
        world.merchant_a,
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
