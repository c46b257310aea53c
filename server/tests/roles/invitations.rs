//! Team invitations reveal nothing about an address and cannot be used to mail strangers:
//! the same answer, time, list entry and inviter's mail whether or not the address has an
//! account; limits per merchant (lower before verification) and per address; no text the
//! caller chose in the subject.

use std::time::{Duration, Instant};

use support::start_with;
use support::world::cast;

use super::*;

const SUBJECT: &str = "You are invited to a team on Saleonix";

async fn invite(owner: &mut Visitor<'_>, email: &str, full_name: &str) -> Response {
    owner
        .post(
            "/api/team/invite",
            &[
                ("email", email),
                ("full_name", full_name),
                ("role", "viewer"),
            ],
        )
        .await
}

/// Status and body of an answer, and how long it took.
async fn timed_invite(owner: &mut Visitor<'_>, email: &str) -> ((u16, String), Duration) {
    let started = Instant::now();
    let answer = invite(owner, email, "Luan Gashi").await;
    let took = started.elapsed();
    (
        (answer.status().as_u16(), answer.text().await.unwrap()),
        took,
    )
}

async fn subjects_to(pool: &PgPool, to: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT subject FROM mail_outbox WHERE to_address = $1")
        .bind(to)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn team_of(owner: &mut Visitor<'_>) -> Vec<serde_json::Value> {
    owner
        .post("/api/team/members", &[])
        .await
        .json()
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_invitation_answers_the_same_whether_or_not_the_address_has_an_account(pool: PgPool) {
    // The answer floor as in production (tests run without it): inviting does database
    // work of about the same size either way, but only the floor makes the time equal, as
    // for a password-reset request (`identity`'s timing test).
    let server = start_with(pool.clone(), |s| {
        s.identity.uniform_answer_ms =
            platform::config::IdentitySettings::default().uniform_answer_ms;
        s.rate_limits.invitations_per_unverified_merchant.max = 100;
    })
    .await;
    let world = cast(server).await;
    let existing: Vec<String> = (0..5).map(|i| format!("existing{i}@example.com")).collect();
    for email in &existing {
        sqlx::query(
            "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
             VALUES ($1, $2, 'Arta Krasniqi', 'merchant', '$argon2id$existing', now())",
        )
        .bind(Uuid::new_v4())
        .bind(email)
        .execute(&pool)
        .await
        .unwrap();
    }
    let mut owner = visitor(&world, Actor::OwnerA).await;

    // Alternating, so a slower moment of the machine does not fall on one kind only.
    let (mut new_times, mut existing_times) = (Vec::new(), Vec::new());
    let mut answers = Vec::new();
    for (i, taken) in existing.iter().enumerate() {
        let (answer, took) = timed_invite(&mut owner, &format!("new{i}@example.com")).await;
        answers.push(answer);
        new_times.push(took);
        let (answer, took) = timed_invite(&mut owner, taken).await;
        answers.push(answer);
        existing_times.push(took);
    }
    // Another merchant's owner and a staff member are addresses with accounts too.
    for taken in ["ownerb@example.com", "staffact@example.com"] {
        answers.push(timed_invite(&mut owner, taken).await.0);
    }
    assert_eq!(answers[0].0, 200);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:#?}");
    let ratio = support::median(existing_times.clone()).as_secs_f64()
        / support::median(new_times.clone()).as_secs_f64();
    assert!(
        (0.8..1.25).contains(&ratio),
        "existing {existing_times:?} vs new {new_times:?}"
    );

    // The inviter's team list shows every one the same way, as invited.
    let team = team_of(&mut owner).await;
    // (The cast's unverified admin of Merchant A is listed as invited too.)
    let invited: Vec<&serde_json::Value> = team
        .iter()
        .filter(|m| m["email"] != "unverified@example.com" && m["invited"] == true)
        .collect();
    assert_eq!(invited.len(), 12, "{team:#?}");
    for member in &invited {
        assert_eq!(
            (member["role"].as_str(), member["full_name"].as_str()),
            (Some("viewer"), Some("Luan Gashi")),
            "{member}"
        );
    }

    // The inviter is mailed nothing either way; each address gets the fixed subject.
    assert!(
        mails_to(&world.server, "ownera@example.com")
            .await
            .is_empty()
    );
    for email in [
        "new0@example.com",
        "existing0@example.com",
        "ownerb@example.com",
    ] {
        assert_eq!(subjects_to(&pool, email).await, [SUBJECT], "{email}");
    }
    assert!(
        mails_to(&world.server, "new0@example.com").await[0].contains("/accept-invitation?token=")
    );
    let notice = &mails_to(&world.server, "existing0@example.com").await[0];
    assert!(
        notice.contains("Hello Arta Krasniqi")
            && notice.contains("cannot join another team")
            && !notice.contains("token="),
        "a notice by the account's own name, with nothing to accept: {notice}"
    );

    // The accounts are untouched: Merchant B's owner is still only Merchant B's.
    let memberships: Vec<Uuid> =
        sqlx::query_scalar("SELECT merchant_id FROM merchant_members WHERE user_id = $1")
            .bind(world.users[&Actor::OwnerB])
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(memberships, [world.merchant_b]);
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'existing0@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(hash, "$argon2id$existing");

    // Inviting either again is the same refusal: the inviter can see their own list.
    let again_new = error_of(invite(&mut owner, "new0@example.com", "Luan Gashi").await).await;
    let again_existing =
        error_of(invite(&mut owner, "existing0@example.com", "Luan Gashi").await).await;
    assert_eq!(again_new, again_existing);
    assert!(matches!(again_new, AppError::Validation { field, .. } if field == "email"));
}

#[sqlx::test(migrations = "../migrations")]
async fn an_invitation_to_an_address_with_an_account_is_managed_like_any_other(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        invite(&mut owner, "ownerb@example.com", "Besa")
            .await
            .status(),
        200
    );
    let team = team_of(&mut owner).await;
    let id = team
        .iter()
        .find(|m| m["email"] == "ownerb@example.com")
        .and_then(|m| m["user_id"].as_str())
        .unwrap()
        .to_owned();

    // Another merchant cannot reach it.
    let mut owner_b = visitor(&world, Actor::OwnerB).await;
    let reached = owner_b.post("/api/team/remove", &[("user_id", &id)]).await;
    assert_eq!(reached.status(), 404);

    let changed = owner
        .post(
            "/api/team/change-role",
            &[("user_id", &id), ("role", "finance")],
        )
        .await;
    assert_eq!(changed.status(), 200);
    let resent = owner
        .post("/api/team/resend-invitation", &[("user_id", &id)])
        .await;
    assert_eq!(resent.status(), 200);
    assert_eq!(mails_to(&world.server, "ownerb@example.com").await.len(), 2);
    let removed = owner.post("/api/team/remove", &[("user_id", &id)]).await;
    assert_eq!(removed.status(), 200);
    let team = team_of(&mut owner).await;
    assert!(
        team.iter().all(|m| m["email"] != "ownerb@example.com"),
        "{team:#?}"
    );
    assert!(
        owner_b.get("/dashboard").await.status() == 200,
        "withdrawing it leaves Merchant B's owner and their sessions alone"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn invitations_are_limited_per_address_and_per_merchant_lower_before_verification(
    pool: PgPool,
) {
    let server = start_with(pool.clone(), |s| {
        s.rate_limits.invitations_per_unverified_merchant.max = 3;
        s.rate_limits.invitations_per_merchant.max = 5;
        s.rate_limits.invitations_per_address.max = 2;
    })
    .await;
    let world = cast(server).await;
    sqlx::query("UPDATE merchants SET verified_at = now() WHERE id = $1")
        .bind(world.merchant_b)
        .execute(&pool)
        .await
        .unwrap();
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    let mut owner_b = visitor(&world, Actor::OwnerB).await;
    let limited = |answer: AppError| matches!(answer, AppError::RateLimited { .. });

    // Per address, across merchants: re-sending counts, and so does another merchant.
    assert_eq!(
        invite(&mut owner_a, "target@example.com", "Ilir")
            .await
            .status(),
        200
    );
    let target = team_of(&mut owner_a)
        .await
        .into_iter()
        .find(|m| m["email"] == "target@example.com")
        .unwrap();
    let target = target["user_id"].as_str().unwrap().to_owned();
    let resent = owner_a
        .post("/api/team/resend-invitation", &[("user_id", &target)])
        .await;
    assert_eq!(resent.status(), 200);
    let over = owner_a
        .post("/api/team/resend-invitation", &[("user_id", &target)])
        .await;
    assert!(
        limited(error_of(over).await),
        "a third mail to one address in a day"
    );
    let from_b = invite(&mut owner_b, "target@example.com", "Ilir").await;
    assert!(
        limited(error_of(from_b).await),
        "the address's limit holds for every merchant"
    );
    assert_eq!(mails_to(&world.server, "target@example.com").await.len(), 2);

    // Per merchant: the verified merchant's limit (its one refused hit above counted).
    for i in 1..=4 {
        let answer = invite(&mut owner_b, &format!("b{i}@example.com"), "Ilir").await;
        assert_eq!(answer.status(), 200, "b{i}");
    }
    let over = invite(&mut owner_b, "b5@example.com", "Ilir").await;
    assert!(limited(error_of(over).await));
    // The unverified merchant's lower limit: its three hits above spent it.
    let over = invite(&mut owner_a, "a1@example.com", "Ilir").await;
    assert!(
        limited(error_of(over).await),
        "an unverified merchant gets fewer"
    );

    // A refused invitation creates nothing and mails nobody.
    for email in ["b5@example.com", "a1@example.com"] {
        assert!(mails_to(&world.server, email).await.is_empty());
        let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(accounts, 0, "{email}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn no_text_the_inviter_chose_reaches_the_subject_and_links_in_it_are_broken(pool: PgPool) {
    let world = world(pool.clone()).await;
    sqlx::query(
        "UPDATE users SET full_name = 'Prize desk https://win.example/claim' WHERE id = $1",
    )
    .bind(world.users[&Actor::OwnerA])
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE merchants SET business_name = 'Claim at www.win.example' WHERE id = $1")
        .bind(world.merchant_a)
        .execute(&pool)
        .await
        .unwrap();
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let spam = "You won 1000 EUR\nSubject: claim at http://win.example";
    for email in ["fresh@example.com", "ownerb@example.com"] {
        assert_eq!(invite(&mut owner, email, spam).await.status(), 200);
        assert_eq!(subjects_to(&pool, email).await, [SUBJECT]);
        let body = &mails_to(&world.server, email).await[0];
        for link in [
            "https://win",
            "http://win",
            "www.win",
            "win.example",
            "\nSubject:",
        ] {
            assert!(!body.contains(link), "{link} in {body}");
        }
    }
    let body = &mails_to(&world.server, "fresh@example.com").await[0];
    assert!(
        body.contains("Hello You won 1000 EUR Subject: claim at http: //win. example,"),
        "{body}"
    );
}
