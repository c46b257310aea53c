//! Sanctions screening against Postgres and the real router: the list loader (whole files
//! only, replacing the list in one go), screening an application's names and people (hits
//! recorded once, decisions kept on a second screening), and staff deciding hits with
//! merchants `act`, a fresh second factor and a note.

use crate::support;

use app::error::AppError;
use platform::identity::roles::{Level, Module, StaffScope};
use platform::identity::users::load_active;
use platform::kyc::sanctions::{self, Decision, list};
use sqlx::PgPool;
use support::accounts::error_of;
use support::business::{business, person};
use support::world::{Actor, World, visitor, world};
use uuid::Uuid;

const HITS: &str = "/api/admin/kyc/sanctions/hits";
const LIST: &str = "/api/admin/kyc/sanctions/list";
const DECIDE: &str = "/api/admin/kyc/sanctions/decide";

async fn screen(pool: &PgPool, merchant: Uuid) -> usize {
    let mut tx = pool.begin().await.unwrap();
    let open = sanctions::screen_application(&mut tx, domain::MerchantId::from_uuid(merchant))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    open
}

async fn open(pool: &PgPool, merchant: Uuid) -> i64 {
    sanctions::open_hits(
        &mut pool.acquire().await.unwrap(),
        domain::MerchantId::from_uuid(merchant),
    )
    .await
    .unwrap()
}

async fn hits(pool: &PgPool, merchant: Uuid) -> Vec<sanctions::Hit> {
    sanctions::hits(
        &mut pool.acquire().await.unwrap(),
        domain::MerchantId::from_uuid(merchant),
    )
    .await
    .unwrap()
}

/// Merchant A's application: a clean registered name, a trading name on the list (by an
/// alias in Serbian), a listed representative typed without marks, an owner who shares a
/// listed name but not the date of birth, and one who is on no list.
async fn listed_application(world: &World) {
    let pool = &world.server.platform.pool;
    business(
        pool,
        world.merchant_a,
        "llc",
        "Dardania Crafts SH.P.K.",
        Some("Balkanski Horizont"),
    )
    .await;
    person(
        pool,
        world.merchant_a,
        "Dragoljub Djurdjevic",
        "1959-07-21",
        true,
        None,
    )
    .await;
    person(
        pool,
        world.merchant_a,
        "ŠĆEKIĆ Miloš",
        "1990-01-01",
        false,
        Some(40),
    )
    .await;
    person(
        pool,
        world.merchant_a,
        "Drita Berisha",
        "1984-03-09",
        false,
        Some(60),
    )
    .await;
}

#[sqlx::test(migrations = "../migrations")]
async fn the_loader_replaces_the_list_whole_and_refuses_a_bad_file(pool: PgPool) {
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    let mut conn = pool.acquire().await.unwrap();
    assert!(list::current(&mut conn).await.unwrap().is_none());
    let sample = list::load_sample_if_none(pool)
        .await
        .unwrap()
        .expect("the sample loads when no list is");
    assert_eq!(sample.entry_count, 32);
    assert!(
        list::load_sample_if_none(pool).await.unwrap().is_none(),
        "a loaded list is kept"
    );

    // A file with one bad line changes nothing and names the line.
    let bad = "name,aliases,date_of_birth,list,reference\nFirst Person,,,EU,1\nSecond Person,,1970-02-30,EU,2\n";
    match list::load(pool, "bad.csv", bad).await {
        Err(list::ListError::Invalid { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        list::current(&mut conn).await.unwrap().map(|l| l.id),
        Some(sample.id)
    );

    let replacement = "name,aliases,date_of_birth,list,reference\n\"ROSSI, Marco\",Marko Rosi,1961-01-01,EU,EU.1\nNorth Star Ltd,,,UN,UN.2\n";
    let loaded = list::load(pool, "eu-2026-11-29.csv", replacement)
        .await
        .unwrap();
    assert_eq!(
        (loaded.entry_count, loaded.source.as_str()),
        (2, "eu-2026-11-29.csv")
    );
    let entries = list::entries(&mut conn).await.unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .len(),
        2
    );
    assert_eq!(
        entries
            .iter()
            .find(|e| e.reference == "EU.1")
            .unwrap()
            .aliases,
        ["Marko Rosi"]
    );
    let (stored, lists): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM sanctions_entries), (SELECT count(*) FROM sanctions_lists)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (stored, lists),
        (2, 2),
        "the old entries are gone, its load is remembered"
    );
    let loads: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'sanctions.list_load'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(loads, 2);

    // Staff see the list in force, with its load date.
    let mut staff = visitor(&world, Actor::StaffView).await;
    let shown: serde_json::Value = staff.post(LIST, &[]).await.json().await.unwrap();
    assert_eq!(
        (shown["source"].as_str(), shown["entries"].as_i64()),
        (Some("eu-2026-11-29.csv"), Some(2))
    );
    assert!(shown["loaded_at"].as_str().unwrap().ends_with("UTC"));
    let mut owner = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        error_of(owner.post(LIST, &[]).await).await,
        AppError::Forbidden
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn screening_finds_listed_names_across_spellings_once_and_keeps_decisions(pool: PgPool) {
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    listed_application(&world).await;

    // No list yet: nothing screened, nothing open.
    assert_eq!(screen(pool, world.merchant_a).await, 0);
    list::load(pool, list::SAMPLE_SOURCE, list::SAMPLE_CSV)
        .await
        .unwrap();
    assert_eq!(screen(pool, world.merchant_a).await, 2);
    let found = hits(pool, world.merchant_a).await;
    let mut pairs: Vec<(sanctions::Subject, &str, &str)> = found
        .iter()
        .map(|h| (h.subject, h.subject_name.as_str(), h.reference.as_str()))
        .collect();
    pairs.sort_by_key(|(_, _, reference)| *reference);
    assert_eq!(
        pairs,
        [
            (
                sanctions::Subject::Person,
                "Dragoljub Djurdjevic",
                "EU.SAMPLE.0003"
            ),
            (
                sanctions::Subject::TradingName,
                "Balkanski Horizont",
                "EU.SAMPLE.0018"
            ),
        ],
        "the owner born on another day than the listed Miloš Šćekić is not a hit"
    );
    let horizon = found
        .iter()
        .find(|h| h.reference == "EU.SAMPLE.0018")
        .unwrap();
    assert_eq!(
        (horizon.entry_name.as_str(), horizon.matched_name.as_str()),
        ("Balkan Horizon Trading DOO", "Balkanski Horizont d.o.o.")
    );

    // Staff clear one; screening again (a resubmission) records nothing twice and keeps it.
    let staff = StaffScope::of(
        &load_active(&world.server.platform.pool, world.users[&Actor::StaffAct])
            .await
            .unwrap()
            .unwrap(),
        Module::Merchants,
        Level::Act,
    )
    .unwrap();
    let facts = platform::audit::RequestFacts::default();
    sanctions::decide(
        &world.server.platform,
        &staff,
        domain::MerchantId::from_uuid(world.merchant_a),
        horizon.id,
        Decision::FalsePositive,
        "Different company: other NUI.",
        &facts,
    )
    .await
    .unwrap();
    assert_eq!(open(pool, world.merchant_a).await, 1);
    assert_eq!(screen(pool, world.merchant_a).await, 1);
    assert_eq!(hits(pool, world.merchant_a).await.len(), 2);
    let kept = hits(pool, world.merchant_a)
        .await
        .into_iter()
        .find(|h| h.id == horizon.id)
        .unwrap();
    assert_eq!(
        (kept.decision, kept.note.as_deref()),
        (
            Some(Decision::FalsePositive),
            Some("Different company: other NUI.")
        )
    );

    // A true match keeps blocking approval.
    let listed = found
        .iter()
        .find(|h| h.reference == "EU.SAMPLE.0003")
        .unwrap();
    sanctions::decide(
        &world.server.platform,
        &staff,
        domain::MerchantId::from_uuid(world.merchant_a),
        listed.id,
        Decision::TrueMatch,
        "Same person, same birth date.",
        &facts,
    )
    .await
    .unwrap();
    assert_eq!(open(pool, world.merchant_a).await, 1);

    // Merchant B, on no list, has no hit; A's hit is not B's to decide.
    business(
        pool,
        world.merchant_b,
        "llc",
        "Prizren Filigree SH.P.K.",
        None,
    )
    .await;
    person(
        pool,
        world.merchant_b,
        "Luan Hoxha",
        "1979-12-01",
        true,
        Some(100),
    )
    .await;
    assert_eq!(screen(pool, world.merchant_b).await, 0);
    let across = sanctions::decide(
        &world.server.platform,
        &staff,
        domain::MerchantId::from_uuid(world.merchant_b),
        listed.id,
        Decision::FalsePositive,
        "x",
        &facts,
    )
    .await;
    assert!(
        matches!(across, Err(platform::kyc::KycError::NotFound)),
        "{across:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn deciding_a_hit_needs_act_a_fresh_second_factor_and_a_note(pool: PgPool) {
    let world = world(pool).await;
    let pool = &world.server.platform.pool;
    listed_application(&world).await;
    list::load(pool, list::SAMPLE_SOURCE, list::SAMPLE_CSV)
        .await
        .unwrap();
    screen(pool, world.merchant_a).await;
    let a = world.merchant_a.to_string();
    let hit = hits(pool, world.merchant_a).await[0].id.to_string();
    let good = [
        ("merchant_id", a.as_str()),
        ("hit_id", hit.as_str()),
        ("decision", "false_positive"),
        ("note", "Other person: the NUI and address differ."),
    ];

    // Staff who only view, and merchants, are refused.
    let mut viewer = visitor(&world, Actor::StaffView).await;
    assert_eq!(
        error_of(viewer.post(DECIDE, &good).await).await,
        AppError::Forbidden
    );
    let shown: serde_json::Value = viewer
        .post(HITS, &[("merchant_id", &a)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (shown["open"].as_i64(), shown["can_decide"].as_bool()),
        (Some(2), Some(false))
    );
    assert!(shown["list"]["loaded_at"].as_str().is_some());
    let mut owner = visitor(&world, Actor::OwnerA).await;
    assert_eq!(
        error_of(owner.post(DECIDE, &good).await).await,
        AppError::Forbidden
    );
    assert_eq!(
        error_of(owner.post(HITS, &[("merchant_id", &a)]).await).await,
        AppError::Forbidden
    );

    // Without a fresh second factor: refused and audited.
    let mut stale = visitor(&world, Actor::StaffAct).await;
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,second_factor_at}', to_jsonb(0)) WHERE user_id = $1")
        .bind(world.users[&Actor::StaffAct])
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        error_of(stale.post(DECIDE, &good).await).await,
        AppError::StepUpRequired
    );
    let denied: i64 = sqlx::query_scalar("SELECT count(*) FROM audit.events WHERE event_type = 'access.denied' AND reason = 'step-up required'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(denied, 1);

    // A note is required, and at most 1000 characters; the decision must be one of two.
    let mut staff = visitor(&world, Actor::StaffAct).await;
    let long = "x".repeat(1001);
    for (decision, note, field) in [
        ("false_positive", "   ", "note"),
        ("false_positive", long.as_str(), "note"),
        ("maybe", "why", "decision"),
    ] {
        let fields = [
            ("merchant_id", a.as_str()),
            ("hit_id", hit.as_str()),
            ("decision", decision),
            ("note", note),
        ];
        match error_of(staff.post(DECIDE, &fields).await).await {
            AppError::Validation { field: got, .. } => assert_eq!(got, field),
            other => panic!("{other:?}"),
        }
    }
    // Another merchant's id with this hit: not found.
    let b = world.merchant_b.to_string();
    let across = [
        ("merchant_id", b.as_str()),
        ("hit_id", hit.as_str()),
        ("decision", "false_positive"),
        ("note", "why"),
    ];
    assert_eq!(
        error_of(staff.post(DECIDE, &across).await).await,
        AppError::NotFound
    );
    assert!(
        hits(pool, world.merchant_a)
            .await
            .iter()
            .all(|h| h.decision.is_none()),
        "nothing decided yet"
    );

    assert_eq!(staff.post(DECIDE, &good).await.status(), 200);
    let shown: serde_json::Value = staff
        .post(HITS, &[("merchant_id", &a)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (shown["open"].as_i64(), shown["can_decide"].as_bool()),
        (Some(1), Some(true))
    );
    let decided = shown["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == hit.as_str())
        .unwrap();
    assert_eq!(decided["decision"], "false_positive");
    assert!(
        decided["decided"]
            .as_str()
            .unwrap()
            .starts_with("by Test Person on ")
    );
    let rows: Vec<(Option<String>, String)> =
        sqlx::query_as("SELECT target_id, detail::text FROM audit.events WHERE event_type = 'kyc.sanctions.decide'")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [(
            Some(hit.clone()),
            r#"{"decision": "false_positive"}"#.to_owned()
        )],
        "the note stays out of the audit row"
    );
}
