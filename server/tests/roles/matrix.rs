//! The hand-written matrix (`matrix_table`) checked three ways: it names exactly the
//! declared server functions; the live server answers it; and with the route guard
//! switched off, every function still refuses every actor the matrix does not allow, and
//! those refused calls change nothing (issue 17 items 5 and 6).

use std::collections::{BTreeSet, HashMap};

use platform::identity::roles::Module;
use support::world::{World, cast, session_cookie, staff_holding, user_session_cookie};

use super::matrix_table::{EVERYONE, MATRIX, Row, Who};
use super::*;

#[test]
fn the_matrix_names_every_declared_server_function_once() {
    let declared: BTreeSet<&str> = SERVER_FUNCTIONS.iter().map(|(p, _, _)| *p).collect();
    let mut rows = BTreeSet::new();
    for (path, ..) in MATRIX {
        assert!(rows.insert(*path), "{path} has two rows");
    }
    let unreviewed: Vec<_> = declared.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&declared).collect();
    assert!(
        unreviewed.is_empty() && stale.is_empty(),
        "declared without a reviewed row: {unreviewed:?}; rows without a function: {stale:?}"
    );
}

/// Staff holding one module (`view` or `act`) or every module but one, per module.
pub(super) struct Cast {
    pub world: World,
    module_staff: HashMap<(Module, Who), Uuid>,
}

impl Cast {
    pub async fn new(world: World) -> Self {
        let mut module_staff = HashMap::new();
        for module in Module::ALL {
            let slug = module.slug();
            let others: Vec<(Module, &str)> = Module::ALL
                .into_iter()
                .filter(|m| *m != module)
                .map(|m| (m, "act"))
                .collect();
            let plans = [
                (Who::StaffWithout, format!("without-{slug}"), others),
                (
                    Who::StaffView,
                    format!("view-{slug}"),
                    vec![(module, "view")],
                ),
                (Who::StaffAct, format!("act-{slug}"), vec![(module, "act")]),
            ];
            for (who, name, grants) in plans {
                let id = staff_holding(&world, &name, &grants).await;
                module_staff.insert((module, who), id);
            }
        }
        Cast {
            world,
            module_staff,
        }
    }

    /// A fresh visitor for `who` on a row concerning `module`.
    pub async fn visitor(&self, who: Who, module: Option<Module>) -> Visitor<'_> {
        let mut visitor = Visitor::new(&self.world.server);
        let actor = match (who, module) {
            (Who::Anonymous, _) => return visitor,
            (Who::StaffWithout | Who::StaffView | Who::StaffAct, Some(module)) => {
                let id = self.module_staff[&(module, who)];
                visitor.cookie = Some(user_session_cookie(&self.world, id, false).await);
                return visitor;
            }
            (Who::Unverified, _) => Actor::Unverified,
            (Who::PendingMfa, _) => Actor::PendingMfa,
            (Who::Owner, _) => Actor::OwnerA,
            (Who::Admin, _) => Actor::AdminA,
            (Who::Finance, _) => Actor::FinanceA,
            (Who::Developer, _) => Actor::DeveloperA,
            (Who::Viewer, _) => Actor::ViewerA,
            (Who::OtherOwner, _) => Actor::OwnerB,
            (Who::StaffWithout, None) => Actor::StaffWithoutModule,
            (Who::StaffView, None) => Actor::StaffView,
            (Who::StaffAct, None) => Actor::StaffAct,
            (Who::PlatformAdmin, _) => Actor::Admin,
        };
        visitor.cookie = session_cookie(&self.world, actor).await;
        visitor
    }
}

/// A row's sample arguments with its placeholders filled in: `{member}` a viewer of the
/// first merchant, `{merchant}` that merchant, `{staff}` a staff member, `{nobody}` an id
/// nothing has.
pub(super) fn arguments(world: &World, args: &str) -> Vec<(String, String)> {
    let filled = args
        .replace("{member}", &world.users[&Actor::ViewerA].to_string())
        .replace("{merchant}", &world.merchant_a.to_string())
        .replace("{staff}", &world.users[&Actor::StaffView].to_string())
        .replace("{nobody}", "8a0c5b52-0d3e-4bb4-9d55-7a4f1f0e2c11");
    filled
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

pub(super) async fn post(
    visitor: &mut Visitor<'_>,
    path: &str,
    args: &[(String, String)],
) -> Response {
    let form: Vec<(&str, &str)> = args.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    visitor.post(path, &form).await
}

/// The refusal a guard layer gave, if the answer is one.
pub(super) async fn refusal(response: Response) -> Option<AppError> {
    if !matches!(response.status().as_u16(), 401 | 403) {
        return None;
    }
    let error = error_of(response).await;
    assert!(
        matches!(
            error,
            AppError::Unauthenticated
                | AppError::SecondFactorRequired
                | AppError::EnrolmentRequired
                | AppError::StepUpRequired
                | AppError::Forbidden
        ),
        "a refusal names why: {error:?}"
    );
    Some(error)
}

/// Every row of every table but the sessions', hashed: equal before and after means the
/// calls in between changed nothing.
pub(super) async fn fingerprint(pool: &PgPool) -> Vec<(String, Option<String>)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('sessions', '_sqlx_migrations')
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut hashes = Vec::new();
    for table in tables {
        let hash = sqlx::query_scalar(&format!(
            "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{table}\" t"
        ))
        .fetch_one(pool)
        .await
        .unwrap();
        hashes.push((table, hash));
    }
    hashes
}

#[sqlx::test(migrations = "../migrations")]
async fn the_live_server_answers_the_hand_written_matrix(pool: PgPool) {
    let cast = Cast::new(world(pool).await).await;
    let mut failures = Vec::new();
    for (path, module, allowed, _) in MATRIX {
        for who in EVERYONE {
            // A fresh session per call (sign-out ends it); empty arguments: the guards
            // decide before any decoding.
            let mut visitor = cast.visitor(*who, *module).await;
            let admitted = refusal(visitor.post(path, &[]).await).await.is_none();
            if admitted != allowed.contains(who) {
                failures.push(format!("{path} {who:?}: admitted={admitted}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn without_the_route_guard_every_function_refuses_wrong_actors_itself(pool: PgPool) {
    let cast = Cast::new(cast(support::start_without_route_guard(pool.clone()).await).await).await;
    let before = fingerprint(&pool).await;
    let mut failures = Vec::new();
    for (path, module, allowed, args) in MATRIX {
        let args = arguments(&cast.world, args);
        for who in EVERYONE.iter().filter(|who| !allowed.contains(who)) {
            let mut visitor = cast.visitor(*who, *module).await;
            let response = post(&mut visitor, path, &args).await;
            let status = response.status();
            if refusal(response).await.is_none() {
                failures.push(format!("{path} {who:?}: answered {status}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong actors got through:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        fingerprint(&pool).await,
        before,
        "a refused call changed something"
    );
}

/// The rows a test needs by path.
pub(super) fn row(path: &str) -> &'static Row {
    MATRIX.iter().find(|(p, ..)| *p == path).unwrap()
}
