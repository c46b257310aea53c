//! Data-subject requests end to end: the public form answers alike for every address, the
//! mailed link opens the request once, and Support staff take its steps, each audited.

use app::error::AppError;
use app::privacy_requests::PrivacyRequestsView;
use platform::identity::roles::Module;
use reqwest::Response;
use sqlx::PgPool;

use crate::support::TestServer;
use crate::support::accounts::{
    Visitor, error_of, location, mails_to, token_from_mail, verified_account,
};
use crate::support::world::{Actor, World, staff_holding, user_session_cookie, visitor, world};

const ASK: &str = "/api/public/privacy-request";
const CONFIRM: &str = "/api/public/privacy-request/confirm";
const LIST: &str = "/api/admin/support/requests";
const STEP: &str = "/api/admin/support/requests/step";

async fn ask(server: &TestServer, email: &str, kind: &str, details: &str) -> Response {
    Visitor::new(server)
        .post(
            ASK,
            &[("email", email), ("kind", kind), ("details", details)],
        )
        .await
}

async fn confirm(server: &TestServer, token: &str) -> Response {
    Visitor::new(server)
        .post(CONFIRM, &[("token", token)])
        .await
}

/// A request from `email`, confirmed by its link.
async fn confirmed(server: &TestServer, email: &str, kind: &str, details: &str) {
    assert_eq!(
        location(&ask(server, email, kind, details).await),
        "/privacy/request-sent"
    );
    let token = token_from_mail(server, email, "/privacy/confirm").await;
    assert!(location(&confirm(server, &token).await).starts_with("/privacy/confirmed?due="));
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn audit_count(pool: &PgPool, event_type: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit.events WHERE event_type = $1")
        .bind(event_type)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn staff<'a>(world: &'a World, name: &str, level: &str) -> Visitor<'a> {
    let id = staff_holding(world, name, &[(Module::Support, level)]).await;
    let mut staff = Visitor::new(&world.server);
    staff.cookie = Some(user_session_cookie(world, id, false).await);
    staff
}

async fn list(staff: &mut Visitor<'_>) -> PrivacyRequestsView {
    let response = staff.post(LIST, &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn step(staff: &mut Visitor<'_>, id: &str, step: &str, text: &str) -> Response {
    staff
        .post(STEP, &[("request_id", id), ("step", step), ("text", text)])
        .await
}

#[sqlx::test(migrations = "../migrations")]
async fn a_request_answers_alike_for_known_and_unknown_addresses_and_mails_each_a_link(
    pool: PgPool,
) {
    let server = crate::support::start(pool.clone()).await;
    verified_account(&server, "known@example.com").await;

    let known = ask(&server, "Known@Example.com ", "access", "").await;
    let unknown = ask(&server, "stranger@example.com", "access", "").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(location(&known), "/privacy/request-sent");
    assert_eq!(location(&unknown), "/privacy/request-sent");
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());

    for address in ["known@example.com", "stranger@example.com"] {
        let mails = mails_to(&server, address).await;
        let link = mails
            .iter()
            .filter(|m| m.contains("/privacy/confirm?token="))
            .count();
        assert_eq!(link, 1, "{address}: one confirmation link");
    }
    assert_eq!(audit_count(&pool, "data_subject.request").await, 2);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM privacy_requests WHERE status = 'unverified'"
        )
        .await,
        2
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_link_opens_the_request_due_in_a_month_and_works_once(pool: PgPool) {
    let server = crate::support::start(pool.clone()).await;
    ask(&server, "drita@example.com", "erasure", "").await;
    let token = token_from_mail(&server, "drita@example.com", "/privacy/confirm").await;

    let expected: String = sqlx::query_scalar(
        "SELECT ((now() AT TIME ZONE 'Europe/Belgrade')::date + interval '1 month')::date::text",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let opened = confirm(&server, &token).await;
    assert_eq!(
        location(&opened),
        format!("/privacy/confirmed?due={expected}")
    );
    let again = error_of(confirm(&server, &token).await).await;
    assert_eq!(
        again.for_field("token").as_deref(),
        Some("This request is already confirmed.")
    );
    let forged = error_of(confirm(&server, "not-a-token").await).await;
    assert_eq!(
        forged.for_field("token").as_deref(),
        Some("This link is not valid.")
    );

    ask(&server, "late@example.com", "access", "").await;
    let late = token_from_mail(&server, "late@example.com", "/privacy/confirm").await;
    sqlx::query("UPDATE privacy_requests SET token_expires_at = now() - interval '1 minute' WHERE email = 'late@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let expired = error_of(confirm(&server, &late).await).await;
    assert!(expired.for_field("token").unwrap().contains("expired"));

    assert_eq!(audit_count(&pool, "data_subject.verify").await, 1);
    let states: Vec<(String, String)> =
        sqlx::query_as("SELECT email, status::text FROM privacy_requests ORDER BY email")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        states,
        [
            ("drita@example.com".to_owned(), "open".to_owned()),
            ("late@example.com".to_owned(), "unverified".to_owned())
        ]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_input_gets_a_clear_error_and_writes_nothing(pool: PgPool) {
    let server = crate::support::start(pool.clone()).await;
    let long = "x".repeat(2001);
    for (email, kind, details, field) in [
        ("not an address", "access", "", "email"),
        ("drita@example.com", "portability", "", "kind"),
        ("drita@example.com", "correction", "  ", "details"),
        ("drita@example.com", "restriction", long.as_str(), "details"),
    ] {
        let refused = ask(&server, email, kind, details).await;
        assert_eq!(refused.status(), 422, "{field}");
        let error = error_of(refused).await;
        assert!(error.for_field(field).is_some(), "{field}: {error:?}");
    }
    assert_eq!(
        count(&pool, "SELECT count(*) FROM privacy_requests").await,
        0
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM mail_outbox").await, 0);
    assert_eq!(audit_count(&pool, "data_subject.request").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn one_address_cannot_be_mailed_links_without_end(pool: PgPool) {
    let server = crate::support::start(pool.clone()).await;
    for _ in 0..3 {
        let sent = ask(&server, "target@example.com", "access", "").await;
        assert_eq!(location(&sent), "/privacy/request-sent");
    }
    let refused = error_of(ask(&server, "target@example.com", "access", "").await).await;
    assert!(
        matches!(refused, AppError::RateLimited { .. }),
        "{refused:?}"
    );
    assert_eq!(mails_to(&server, "target@example.com").await.len(), 3);
}

#[sqlx::test(migrations = "../migrations")]
async fn support_staff_see_the_deadline_and_take_each_step_once(pool: PgPool) {
    let world = world(pool.clone()).await;
    let server = &world.server;
    confirmed(server, "drita@example.com", "access", "").await;
    confirmed(
        server,
        "arben@example.com",
        "correction",
        "My surname is Krasniqi, not Krasniq.",
    )
    .await;
    ask(server, "never@example.com", "erasure", "").await;

    let mut reader = staff(&world, "reader", "view").await;
    let seen = list(&mut reader).await;
    assert!(!seen.can_act);
    let emails: Vec<_> = seen.requests.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(
        emails.len(),
        2,
        "an unconfirmed request is not listed: {emails:?}"
    );
    assert!(
        seen.requests
            .iter()
            .all(|r| r.days_left.is_some_and(|d| (27..=31).contains(&d)))
    );
    // Counted in Kosovo's calendar, where the deadline is set: from the UTC date, the count
    // was a day long every night between midnight in Kosovo and midnight UTC.
    let today = platform::ledger::today(&mut pool.acquire().await.unwrap())
        .await
        .unwrap();
    let date = time::macros::format_description!("[year]-[month]-[day]");
    for request in &seen.requests {
        let due = time::Date::parse(request.due_on.as_deref().unwrap(), date).unwrap();
        assert_eq!(request.days_left, Some((due - today).whole_days()));
    }
    let access = seen
        .requests
        .iter()
        .find(|r| r.kind == "access")
        .unwrap()
        .id
        .clone();
    let correction = seen
        .requests
        .iter()
        .find(|r| r.kind == "correction")
        .unwrap()
        .id
        .clone();
    assert_eq!(step(&mut reader, &access, "assign", "").await.status(), 403);

    let mut agent = staff(&world, "agent", "act").await;
    assert_eq!(step(&mut agent, &access, "assign", "").await.status(), 200);
    let no_reason = error_of(step(&mut agent, &access, "extend", " ").await).await;
    assert!(no_reason.for_field("reason").is_some(), "{no_reason:?}");
    let due_before = list(&mut agent)
        .await
        .requests
        .into_iter()
        .find(|r| r.id == access)
        .unwrap()
        .due_on;
    let extended = step(
        &mut agent,
        &access,
        "extend",
        "Your payments span three merchants.",
    )
    .await;
    assert_eq!(extended.status(), 200);
    let after = list(&mut agent)
        .await
        .requests
        .into_iter()
        .find(|r| r.id == access)
        .unwrap();
    assert_eq!(after.assignee.as_deref(), Some("Test Person"));
    assert_ne!(after.due_on, due_before);
    assert!(after.days_left.unwrap() > 80, "two months more: {after:?}");
    let twice = error_of(step(&mut agent, &access, "extend", "Still busy.").await).await;
    assert!(
        twice.to_string().contains("already been extended"),
        "{twice:?}"
    );
    assert!(
        mails_to(server, "drita@example.com")
            .await
            .iter()
            .any(|m| m.contains("three merchants")),
        "the requester is told why"
    );

    let by_hand = error_of(step(&mut agent, &access, "fulfil", "Sent.").await).await;
    assert!(
        by_hand.to_string().contains("export or erasure"),
        "{by_hand:?}"
    );
    let done = step(
        &mut agent,
        &correction,
        "fulfil",
        "Surname corrected on your receipts.",
    )
    .await;
    assert_eq!(done.status(), 200);
    assert_eq!(
        step(
            &mut agent,
            &access,
            "reject",
            "We hold nothing about this address."
        )
        .await
        .status(),
        200
    );
    let closed = error_of(step(&mut agent, &access, "reject", "Again.").await).await;
    assert!(closed.to_string().contains("already closed"), "{closed:?}");
    let statuses: Vec<_> = list(&mut agent)
        .await
        .requests
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, ["rejected", "fulfilled"], "newest closed first");

    for event in [
        "data_subject.assign",
        "data_subject.extend",
        "data_subject.fulfil",
        "data_subject.reject",
    ] {
        let actors: Vec<String> =
            sqlx::query_scalar("SELECT actor_kind::text FROM audit.events WHERE event_type = $1")
                .bind(event)
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(actors, ["staff"], "{event}");
    }

    let mut other_staff = visitor(&world, Actor::StaffWithoutModule).await;
    assert_eq!(other_staff.post(LIST, &[]).await.status(), 403);
    let mut merchant = visitor(&world, Actor::OwnerA).await;
    assert_eq!(merchant.post(LIST, &[]).await.status(), 403);
    let unknown = step(&mut agent, &uuid::Uuid::new_v4().to_string(), "assign", "").await;
    assert_eq!(unknown.status(), 404);
}
