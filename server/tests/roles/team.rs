//! A merchant's team: no reach into another team, and invitations that give only their role.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_merchant_cannot_reach_another_merchants_team_by_id(pool: PgPool) {
    let world = world(pool.clone()).await;
    let viewer_a = world.users[&Actor::ViewerA].to_string();
    let mut owner_b = visitor(&world, Actor::OwnerB).await;

    let changed = owner_b
        .post(
            "/api/team/change-role",
            &[("user_id", &viewer_a), ("role", "admin")],
        )
        .await;
    assert_eq!(changed.status(), 404);
    let removed = owner_b
        .post("/api/team/remove", &[("user_id", &viewer_a)])
        .await;
    assert_eq!(removed.status(), 404);
    let role: String =
        sqlx::query_scalar("SELECT role::text FROM merchant_members WHERE user_id = $1")
            .bind(world.users[&Actor::ViewerA])
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(role, "viewer", "merchant A's member is untouched");

    let team: Vec<serde_json::Value> = owner_b
        .post("/api/team/members", &[])
        .await
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = team.iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert!(
        !emails.contains(&"viewera@example.com") && emails.contains(&"ownerb@example.com"),
        "{emails:?}"
    );

    // Merchant A's own owner can, which shows the 404 above is the scope, not the input.
    let mut owner_a = visitor(&world, Actor::OwnerA).await;
    let changed = owner_a
        .post(
            "/api/team/change-role",
            &[("user_id", &viewer_a), ("role", "finance")],
        )
        .await;
    assert_eq!(changed.status(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_team_invitation_sets_a_password_and_gives_only_the_role(pool: PgPool) {
    let world = world(pool.clone()).await;
    let mut owner = visitor(&world, Actor::OwnerA).await;
    let email = "luan@dardania.example";
    let owner_role = owner
        .post(
            "/api/team/invite",
            &[
                ("email", email),
                ("full_name", "Luan Gashi"),
                ("role", "owner"),
            ],
        )
        .await;
    assert!(
        matches!(error_of(owner_role).await, AppError::Validation { field, .. } if field == "role")
    );
    let invited = owner
        .post(
            "/api/team/invite",
            &[
                ("email", email),
                ("full_name", "Luan Gashi"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(invited.status(), 200);
    let again = owner
        .post(
            "/api/team/invite",
            &[
                ("email", email),
                ("full_name", "Luan Gashi"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert!(
        matches!(error_of(again).await, AppError::Validation { field, .. } if field == "email")
    );

    // Before accepting, the account cannot sign in.
    let mut luan = Visitor::new(&world.server);
    assert_eq!(luan.sign_in(email, PASSWORD).await.status(), 401);
    let first_link = token_from_mail(&world.server, email, "/accept-invitation").await;
    let luan_id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&pool)
        .await
        .unwrap();
    let resent = owner
        .post(
            "/api/team/resend-invitation",
            &[("user_id", &luan_id.to_string())],
        )
        .await;
    assert_eq!(resent.status(), 200);
    let token = token_from_mail(&world.server, email, "/accept-invitation").await;
    assert_ne!(token, first_link, "a re-sent invitation carries a new link");
    assert!(mails_to(&world.server, email).await[0].contains("the Dardania Crafts team"));
    let accepted = luan
        .post(
            "/api/auth/accept-invitation",
            &[("token", &token), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&accepted), "/sign-in?invited=1");
    assert_eq!(location(&luan.sign_in(email, PASSWORD).await), "/dashboard");
    assert_eq!(luan.get("/dashboard").await.status(), 200);
    assert_eq!(
        luan.get("/dashboard/team").await.status(),
        403,
        "a viewer does not manage the team"
    );
    let replayed = Visitor::new(&world.server)
        .post(
            "/api/auth/accept-invitation",
            &[("token", &token), ("password", PASSWORD)],
        )
        .await;
    assert!(
        matches!(error_of(replayed).await, AppError::Validation { message, .. } if message.contains("already been used"))
    );

    let accepted_already = owner
        .post(
            "/api/team/resend-invitation",
            &[("user_id", &luan_id.to_string())],
        )
        .await;
    assert!(
        matches!(error_of(accepted_already).await, AppError::Validation { field, .. } if field == "user_id")
    );

    // Removing the member ends their sessions and closes the account.
    let removed = owner
        .post("/api/team/remove", &[("user_id", &luan_id.to_string())])
        .await;
    assert_eq!(removed.status(), 200);
    assert_eq!(location(&luan.get("/dashboard").await), "/sign-in");
    assert_eq!(luan.sign_in(email, PASSWORD).await.status(), 401);
    let events: Vec<(String, String)> = sqlx::query_as(
        "SELECT event_type, outcome::text FROM audit.events
         WHERE event_type LIKE 'team.%' OR event_type = 'auth.invitation_accepted' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let events: Vec<(&str, &str)> = events
        .iter()
        .map(|(e, o)| (e.as_str(), o.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            ("team.invited", "success"),
            ("team.invitation_resent", "success"),
            ("auth.invitation_accepted", "success"),
            ("auth.invitation_accepted", "denied"),
            ("team.member_removed", "success"),
        ]
    );
}
