//! Every page admits exactly the actors its policy names (server functions: `matrix`).

use super::*;

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
            AdminA => roles.contains(&MerchantRole::Admin),
            FinanceA => roles.contains(&MerchantRole::Finance),
            DeveloperA => roles.contains(&MerchantRole::Developer),
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
