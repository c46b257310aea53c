//! Reading the audit trail: the Audit module's filters, pages and CSV export (itself
//! audited), and a merchant's view of its own security events.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use app::error::AppError;
use platform::audit::{self, Actor as AuditActor, ActorKind, Event, Outcome, RequestFacts};
use sqlx::PgPool;
use support::accounts::{Visitor, error_of};
use support::world::{Actor, World, visitor, world};
use uuid::Uuid;

async fn record(
    world: &World,
    event_type: &'static str,
    actor: Actor,
    merchant: Uuid,
    outcome: Outcome,
) {
    let actor = AuditActor {
        kind: ActorKind::User,
        id: Some(world.users[&actor]),
    };
    let event = Event::new(event_type, actor, outcome).merchant(merchant);
    let facts = RequestFacts {
        ip: Some("192.0.2.7".into()),
        user_agent: Some("test".into()),
        request_id: None,
    };
    audit::record_alone(&world.server.platform.pool, &event, &facts)
        .await
        .unwrap();
}

async fn search(staff: &mut Visitor<'_>, form: &[(&str, &str)]) -> serde_json::Value {
    staff
        .post("/api/admin/audit/search", form)
        .await
        .json()
        .await
        .unwrap()
}

fn ids(page: &serde_json::Value) -> Vec<i64> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_i64().unwrap())
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn staff_page_through_a_filtered_trail_and_export_exactly_that_view(pool: PgPool) {
    let world = world(pool.clone()).await;
    for _ in 0..55 {
        record(
            &world,
            "auth.sign_in",
            Actor::OwnerA,
            world.merchant_a,
            Outcome::Success,
        )
        .await;
    }
    for _ in 0..3 {
        record(
            &world,
            "auth.sign_in",
            Actor::OwnerA,
            world.merchant_a,
            Outcome::Failure,
        )
        .await;
        record(
            &world,
            "auth.sign_in",
            Actor::OwnerB,
            world.merchant_b,
            Outcome::Success,
        )
        .await;
    }
    // As the server's sealing job does moments after each commit: the console shows the
    // chain's head, which only sealed rows form.
    platform::audit::seal(&world.server.platform.pool)
        .await
        .unwrap();
    let mut staff = visitor(&world, Actor::StaffView).await;
    let merchant_a = world.merchant_a.to_string();
    let filter = [
        ("filter[event_type]", "auth.sign_in"),
        ("filter[outcome]", "success"),
        ("filter[merchant]", merchant_a.as_str()),
    ];
    let first = search(&mut staff, &[&filter[..], &[("before", "")]].concat()).await;
    assert_eq!(ids(&first).len(), 50, "fifty rows a page");
    let next = first["next_before"]
        .as_i64()
        .expect("a second page")
        .to_string();
    let second = search(
        &mut staff,
        &[&filter[..], &[("before", next.as_str())]].concat(),
    )
    .await;
    assert_eq!(ids(&second).len(), 5);
    assert!(second["next_before"].is_null());
    let mut shown: Vec<i64> = ids(&first).into_iter().chain(ids(&second)).collect();
    assert!(
        shown.windows(2).all(|w| w[0] > w[1]),
        "newest first, no overlap"
    );
    assert!(
        first["head"].as_str().unwrap().starts_with('#'),
        "the chain head is shown"
    );

    let family = search(
        &mut staff,
        &[("filter[event_type]", "auth."), ("before", "")],
    )
    .await;
    assert_eq!(
        ids(&family).len(),
        50,
        "a family ending in a dot matches every auth event"
    );

    let csv = staff
        .post("/api/admin/audit/export", &filter)
        .await
        .json::<String>()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,occurred_at,event_type")
    );
    let mut exported: Vec<i64> = lines
        .map(|line| line.split(',').next().unwrap().parse().unwrap())
        .collect();
    shown.sort_unstable();
    exported.sort_unstable();
    assert_eq!(exported, shown, "the export is the filtered view, whole");
    let (actor, rows): (Option<Uuid>, serde_json::Value) = sqlx::query_as(
        "SELECT actor_id, detail -> 'rows' FROM audit.events WHERE event_type = 'audit.exported'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (actor, rows),
        (Some(world.users[&Actor::StaffView]), serde_json::json!(55))
    );

    let bad = staff
        .post(
            "/api/admin/audit/search",
            &[("filter[outcome]", "maybe"), ("before", "")],
        )
        .await;
    assert!(
        matches!(error_of(bad).await, AppError::Validation { field, .. } if field == "outcome")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_merchant_sees_its_own_security_events_and_no_one_elses(pool: PgPool) {
    let world = world(pool).await;
    record(
        &world,
        "auth.sign_in",
        Actor::OwnerA,
        world.merchant_a,
        Outcome::Success,
    )
    .await;
    record(
        &world,
        "team.invited",
        Actor::OwnerA,
        world.merchant_a,
        Outcome::Success,
    )
    .await;
    record(
        &world,
        "auth.sign_in",
        Actor::OwnerB,
        world.merchant_b,
        Outcome::Failure,
    )
    .await;
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    let events: Vec<serde_json::Value> = owner_a
        .post("/api/account/security-events", &[])
        .await
        .json()
        .await
        .unwrap();
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["event_type"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [("team.invited", "success"), ("auth.sign_in", "success")]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_merchant_reads_what_staff_did_without_their_address_browser_or_rules(pool: PgPool) {
    let world = world(pool).await;
    record(
        &world,
        "team.invited",
        Actor::OwnerA,
        world.merchant_a,
        Outcome::Success,
    )
    .await;
    let staff = AuditActor {
        kind: ActorKind::Staff,
        id: Some(world.users[&Actor::StaffAct]),
    };
    let suspended = Event::new("merchant.suspended", staff, Outcome::Success)
        .merchant(world.merchant_a)
        .reason("velocity_email rule")
        .detail(serde_json::json!({ "rules": ["velocity_email"] }))
        .subject_email("staff.act@saleonix.example");
    let facts = RequestFacts {
        ip: Some("198.51.100.9".into()),
        user_agent: Some("StaffBrowser/1.0".into()),
        request_id: Some("req-staff".into()),
    };
    audit::record_alone(&world.server.platform.pool, &suspended, &facts)
        .await
        .unwrap();

    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    let answer = owner_a
        .post("/api/account/security-events", &[])
        .await
        .text()
        .await
        .unwrap();
    let events: Vec<serde_json::Value> = serde_json::from_str(&answer).unwrap();
    assert_eq!(events[0]["event_type"], "merchant.suspended");
    assert_eq!(events[0]["actor"], "Saleonix staff");
    assert_eq!(
        (
            events[0]["ip"].as_str(),
            events[0]["user_agent"].as_str(),
            events[0]["detail"].as_str()
        ),
        (None, None, Some("{}"))
    );
    for secret in [
        "198.51.100.9",
        "StaffBrowser",
        "velocity_email",
        "req-staff",
        &world.users[&Actor::StaffAct].to_string(),
    ] {
        assert!(
            !answer.contains(secret),
            "{secret} reached the merchant: {answer}"
        );
    }
    // The merchant's own member's row stays whole.
    assert_eq!(
        (events[1]["event_type"].as_str(), events[1]["ip"].as_str()),
        (Some("team.invited"), Some("192.0.2.7"))
    );
}

/// The events of the console and team flows, each from its own flow, with actor, IP and
/// outcome (the identity and two-factor flows have theirs in their own tests).
#[sqlx::test(migrations = "../migrations")]
async fn console_and_team_flows_record_actor_ip_and_outcome(pool: PgPool) {
    let world = world(pool.clone()).await;
    let id = |actor: Actor| world.users[&actor].to_string();
    let mut admin = visitor(&world, Actor::Admin).await;
    let invite = [
        ("email", "arta@saleonix.example"),
        ("full_name", "Arta Krasniqi"),
        ("grants[audit]", "view"),
    ];
    assert_eq!(
        admin
            .post("/api/admin/staff/invite", &invite)
            .await
            .status(),
        200
    );
    let arta: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'arta@saleonix.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let arta = arta.to_string();
    for (path, form) in [
        (
            "/api/admin/staff/resend-invitation",
            vec![("user_id", arta.as_str())],
        ),
        (
            "/api/admin/staff/set-permissions",
            vec![("user_id", arta.as_str()), ("grants[risk]", "act")],
        ),
        (
            "/api/admin/staff/deactivate",
            vec![("user_id", arta.as_str())],
        ),
    ] {
        assert_eq!(admin.post(path, &form).await.status(), 200, "{path}");
    }
    let owner_b = id(Actor::OwnerB);
    assert_eq!(
        admin
            .post(
                "/api/admin/users/reset-two-factor",
                &[("user_id", owner_b.as_str())]
            )
            .await
            .status(),
        200
    );

    let mut owner = visitor(&world, Actor::OwnerA).await;
    let team_invite = [
        ("email", "luan@dardania.example"),
        ("full_name", "Luan Gashi"),
        ("role", "viewer"),
    ];
    assert_eq!(
        owner.post("/api/team/invite", &team_invite).await.status(),
        200
    );
    let luan: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'luan@dardania.example'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let luan = luan.to_string();
    for (path, form) in [
        (
            "/api/team/resend-invitation",
            vec![("user_id", luan.as_str())],
        ),
        (
            "/api/team/change-role",
            vec![("user_id", luan.as_str()), ("role", "finance")],
        ),
        ("/api/team/remove", vec![("user_id", luan.as_str())]),
    ] {
        assert_eq!(owner.post(path, &form).await.status(), 200, "{path}");
    }

    let merchant = world.merchant_a.to_string();
    let mut staff_act = visitor(&world, Actor::StaffAct).await;
    let flag = [
        ("id", merchant.as_str()),
        ("flag", "suspended"),
        ("on", "true"),
    ];
    assert_eq!(
        staff_act
            .post("/api/admin/merchants/set-flag", &flag)
            .await
            .status(),
        200
    );
    let mut staff_view = visitor(&world, Actor::StaffView).await;
    assert_eq!(staff_view.get("/admin/staff").await.status(), 403);
    assert_eq!(
        staff_view
            .post("/api/admin/audit/export", &[("filter[outcome]", "")])
            .await
            .status(),
        200
    );

    let rows: Vec<(String, Option<Uuid>, Option<String>, String)> = sqlx::query_as(
        "SELECT event_type, actor_id, ip, outcome::text FROM audit.events
         WHERE event_type LIKE ANY (ARRAY['staff.%', 'team.%', 'merchant.%', 'mfa.reset', 'access.denied', 'audit.exported'])
         ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let seen: Vec<(&str, Uuid, &str, &str)> = rows
        .iter()
        .map(|(event, actor, ip, outcome)| {
            (
                event.as_str(),
                actor.expect("an actor"),
                ip.as_deref().expect("an IP"),
                outcome.as_str(),
            )
        })
        .collect();
    let user = |actor: Actor| world.users[&actor];
    let local = "127.0.0.1";
    assert_eq!(
        seen,
        [
            ("staff.invited", user(Actor::Admin), local, "success"),
            (
                "staff.invitation_resent",
                user(Actor::Admin),
                local,
                "success"
            ),
            (
                "staff.permissions_changed",
                user(Actor::Admin),
                local,
                "success"
            ),
            ("staff.deactivated", user(Actor::Admin), local, "success"),
            ("mfa.reset", user(Actor::Admin), local, "success"),
            ("team.invited", user(Actor::OwnerA), local, "success"),
            (
                "team.invitation_resent",
                user(Actor::OwnerA),
                local,
                "success"
            ),
            ("team.role_changed", user(Actor::OwnerA), local, "success"),
            ("team.member_removed", user(Actor::OwnerA), local, "success"),
            (
                "merchant.suspended",
                user(Actor::StaffAct),
                local,
                "success"
            ),
            ("access.denied", user(Actor::StaffView), local, "denied"),
            ("audit.exported", user(Actor::StaffView), local, "success"),
        ]
    );
}
