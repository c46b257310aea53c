//! Roles and guards against the real server and Postgres: the authorisation matrix of every
//! page and server function against every kind of actor, IDOR attempts across merchants,
//! invitations, permission changes taking effect at once, and the audit of denials.

mod support;

use app::error::AppError;
use app::policy::{PAGES, Policy, SERVER_FUNCTIONS};
use platform::identity::roles::{Level, Module};
use platform::identity::users::MerchantRole;
use reqwest::Response;
use sqlx::PgPool;
use support::accounts::{PASSWORD, Visitor, error_of, location, mails_to, token_from_mail};
use support::start;
use support::world::{ACTORS, Actor, visitor, world};
use uuid::Uuid;

/// What the declared policy should give each actor, stated from the actors' side.
fn expected(policy: Policy, actor: Actor) -> bool {
    use Actor::*;
    let signed_in = !matches!(actor, Anonymous | Unverified | PendingMfa);
    match policy {
        Policy::Public => true,
        Policy::SecondFactor => actor == PendingMfa,
        Policy::Enrolling | Policy::SignedIn => signed_in,
        Policy::Merchant(roles) => match actor {
            OwnerA | OwnerB => roles.contains(&MerchantRole::Owner),
            ViewerA => roles.contains(&MerchantRole::Viewer),
            _ => false,
        },
        Policy::AnyStaff => matches!(actor, StaffWithoutModule | StaffView | StaffAct | Admin),
        Policy::Staff(_, level) => match actor {
            StaffAct | Admin => true,
            StaffView => level == Level::View,
            _ => false,
        },
        Policy::PlatformAdmin => actor == Admin,
    }
}

/// Whether the answer is a refusal by the guards (as opposed to the function's own answer,
/// which for empty arguments is often a validation error or "not found").
async fn refused(response: Response) -> bool {
    match response.status().as_u16() {
        401 | 403 => {
            let error = error_of(response).await;
            assert!(
                matches!(
                    error,
                    AppError::Unauthenticated
                        | AppError::SecondFactorRequired
                        | AppError::EnrolmentRequired
                        | AppError::Forbidden
                ),
                "a refusal names why: {error:?}"
            );
            true
        }
        _ => false,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_server_function_admits_exactly_the_actors_its_policy_names(pool: PgPool) {
    let world = world(pool).await;
    let mut failures = Vec::new();
    for (path, policy) in SERVER_FUNCTIONS {
        for actor in ACTORS {
            // A fresh session per call: some functions (sign-out, sign out everywhere) end it.
            let mut visitor = visitor(&world, actor).await;
            let allowed = !refused(visitor.post(path, &[]).await).await;
            if allowed != expected(*policy, actor) {
                failures.push(format!(
                    "{path} {actor:?}: allowed={allowed}, policy {policy:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells disagree with the policy:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A page's answer: `None` when the guards let it through, else where they sent the visitor.
fn page_refusal(response: &Response) -> Option<String> {
    match response.status().as_u16() {
        303 => Some(location(response).to_owned()),
        403 => Some("403".into()),
        _ => None,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_page_admits_exactly_the_actors_its_policy_names(pool: PgPool) {
    let world = world(pool).await;
    let staff_id = world.users[&Actor::StaffView].to_string();
    let merchant_id = world.merchant_a.to_string();
    let mut failures = Vec::new();
    for (pattern, policy) in PAGES {
        let path = pattern.replace(
            ":id",
            if pattern.starts_with("/admin/staff") {
                &staff_id
            } else {
                &merchant_id
            },
        );
        for actor in ACTORS {
            let mut visitor = visitor(&world, actor).await;
            let response = visitor.get(&path).await;
            let refusal = page_refusal(&response);
            if refusal.is_none() != expected(*policy, actor) {
                failures.push(format!(
                    "{path} {actor:?}: refusal {refusal:?}, policy {policy:?}"
                ));
            }
            let sent_to = match actor {
                Actor::Anonymous | Actor::Unverified => "/sign-in",
                Actor::PendingMfa => "/sign-in/two-factor",
                _ => "403",
            };
            if let Some(refusal) = refusal
                && refusal != sent_to
            {
                failures.push(format!(
                    "{path} {actor:?}: sent to {refusal}, expected {sent_to}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells disagree with the policy:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_page_list_is_the_router_s_route_list(pool: PgPool) {
    let _server = start(pool).await;
    let mut routes: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| {
            // The router writes parameters as `{id}` (axum 0.8); the list as `:id`.
            route
                .path()
                .split('/')
                .map(|s| {
                    s.strip_prefix('{')
                        .and_then(|s| s.strip_suffix('}'))
                        .map_or(s.to_owned(), |p| format!(":{p}"))
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .map(|path| {
            if path.is_empty() {
                "/".to_owned()
            } else {
                path
            }
        })
        .collect();
    let mut declared: Vec<String> = PAGES.iter().map(|(path, _)| (*path).to_owned()).collect();
    routes.sort();
    routes.dedup();
    declared.sort();
    assert_eq!(
        routes, declared,
        "every page needs exactly one entry in app::policy::PAGES"
    );
}

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
    let bad: Vec<(&str, &str)> = vec![("user_id", &form[0].1), ("grants[payments]", "everything")];
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
