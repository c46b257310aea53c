//! People named in a merchant's verification, who have no email address on file: Support
//! finds them by full name and date of birth together, and links them to an open access or
//! erasure request, with every guard refusing the wrong caller and request. What the
//! export and erasure then do with them: `kyc_answers`.

use app::privacy_kyc_people::KycMatchesView;
use platform::Platform;
use platform::audit::RequestFacts;
use platform::field_crypto::FieldSlot;
use platform::identity::roles::{Level, Module, StaffScope};
use platform::privacy::requests::kyc_people::{self, Match};
use platform::privacy::requests::{RequestError, staff};
use sqlx::PgPool;
use uuid::Uuid;

use super::export::confirmed;
use crate::support::accounts::Visitor;
use crate::support::checkout::staff_scope;
use crate::support::world::{Actor, staff_holding, user_session_cookie, visitor, world};

const FIND: &str = "/api/admin/support/requests/kyc/find";
const LINK: &str = "/api/admin/support/requests/kyc/link";
const UNLINK: &str = "/api/admin/support/requests/kyc/unlink";
/// Who the requester says she is: the legal representative of Dardania Crafts.
pub(super) const NAME: &str = "Drita Berisha";
pub(super) const BORN: &str = "1985-04-12";
pub(super) const DRITA_NUMBER: &str = "1234567890";
pub(super) const ARBEN_NUMBER: &str = "9876543210";

/// A copy of `person`'s identity document (front), as the merchant uploaded it: a PNG
/// carrying `marker`.
pub(super) async fn identity_copy(
    platform: &Platform,
    pool: &PgPool,
    merchant: Uuid,
    person: Uuid,
    marker: &str,
) {
    let uploader = crate::support::checkout::verified_user(
        pool,
        &format!("{marker}@uploader.example"),
        "Uploader",
        "merchant",
    )
    .await;
    let id = Uuid::new_v4();
    let row = format!("{merchant}/{id}");
    let slot = FieldSlot {
        table: "kyc_documents",
        column: "content_enc",
        row: &row,
    };
    let content = crate::support::kyc::png(marker);
    let sealed = platform
        .config
        .secrets
        .field_keys
        .encrypt(slot, &content)
        .unwrap();
    sqlx::query(
        "INSERT INTO kyc_documents (id, merchant_id, kind, person_id, content_type, size_bytes, content_enc, uploaded_by)
         VALUES ($1, $2, 'identity_front', $3, 'image/png', $4, $5, $6)",
    )
    .bind(id)
    .bind(merchant)
    .bind(person)
    .bind(i32::try_from(content.len()).unwrap())
    .bind(sealed)
    .bind(uploader)
    .execute(pool)
    .await
    .unwrap();
}

/// A merchant with a verification application: its id.
pub(super) async fn merchant(pool: &PgPool, name: &str) -> Uuid {
    let id = crate::support::world::insert_merchant(pool, name).await;
    let mut conn = pool.acquire().await.unwrap();
    platform::kyc::ensure_application(&mut conn, domain::MerchantId::from_uuid(id))
        .await
        .unwrap();
    id
}

/// One person of a merchant's application: the representative, or an owner of 40 %.
pub(super) struct Person {
    pub(super) name: &'static str,
    pub(super) born: &'static str,
    pub(super) number: &'static str,
    pub(super) representative: bool,
}

pub(super) const DRITA: Person = Person {
    name: NAME,
    born: BORN,
    number: DRITA_NUMBER,
    representative: true,
};

/// Adds `who` to `merchant`'s application (written with `pool`), the personal number sealed
/// as the application's form seals it: their id.
pub(super) async fn person(
    platform: &Platform,
    pool: &PgPool,
    merchant: Uuid,
    who: Person,
) -> Uuid {
    let id = Uuid::new_v4();
    let row = id.to_string();
    let slot = FieldSlot {
        table: "kyc_people",
        column: "personal_number_enc",
        row: &row,
    };
    let keys = &platform.config.secrets.field_keys;
    let sealed = keys.encrypt(slot, who.number.as_bytes()).unwrap();
    sqlx::query(
        "INSERT INTO kyc_people (id, merchant_id, is_representative, ownership_percent, full_name, date_of_birth,
                                 nationality, personal_number_enc, address, identity_document)
         VALUES ($1, $2, $3, CASE WHEN $3 THEN NULL ELSE 40 END, $4, $5::date, 'XK', $6,
                 'Rr. Nëna Terezë 12, Prishtinë', 'id_card')",
    )
    .bind(id)
    .bind(merchant)
    .bind(who.representative)
    .bind(who.name)
    .bind(who.born)
    .bind(sealed)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// Support at work: the platform's functions called with one staff scope, as the console's
/// server functions call them once their guards let the caller through.
pub(super) struct Desk<'a> {
    platform: &'a Platform,
    pub(super) scope: StaffScope,
    pub(super) facts: RequestFacts,
}

impl<'a> Desk<'a> {
    /// A new staff member's desk, holding every module at `level`, working in `module`.
    pub(super) async fn new(
        platform: &'a Platform,
        pool: &PgPool,
        module: Module,
        level: Level,
    ) -> Self {
        Desk {
            platform,
            scope: staff_scope(pool, module, level).await,
            facts: RequestFacts::default(),
        }
    }

    pub(super) async fn find(
        &self,
        request: Uuid,
        name: &str,
        born: &str,
    ) -> Result<Vec<Match>, RequestError> {
        kyc_people::find(self.platform, &self.scope, request, name, born, &self.facts).await
    }

    pub(super) async fn link(
        &self,
        request: Uuid,
        person: Uuid,
        name: &str,
        born: &str,
        number: &str,
    ) -> Result<bool, RequestError> {
        let (platform, scope, facts) = (self.platform, &self.scope, &self.facts);
        let claim = kyc_people::Claim {
            full_name: name,
            date_of_birth: born,
            personal_number: number,
        };
        kyc_people::link(platform, scope, request, person, claim, facts).await
    }

    pub(super) async fn unlink(&self, request: Uuid, person: Uuid) -> Result<bool, RequestError> {
        kyc_people::unlink(self.platform, &self.scope, request, person, &self.facts).await
    }
}

pub(super) async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// The audit rows of `event_type`: actor kind and detail.
pub(super) async fn audited(pool: &PgPool, event_type: &str) -> Vec<(String, serde_json::Value)> {
    sqlx::query_as(
        "SELECT actor_kind::text, detail FROM audit.events WHERE event_type = $1 ORDER BY id",
    )
    .bind(event_type)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn only_support_act_finds_and_links_and_only_on_an_open_access_or_erasure_request(
    pool: PgPool,
) {
    let world = world(pool.clone()).await;
    let server = &world.server;
    let platform = &server.platform;
    let shop = merchant(&pool, "Dardania Crafts").await;
    let drita = person(platform, &pool, shop, DRITA).await;
    let access = confirmed(server, "drita@example.com", "access", "").await;
    let (id, person_id) = (access.to_string(), drita.to_string());
    let search = [
        ("request_id", id.as_str()),
        ("full_name", NAME),
        ("date_of_birth", BORN),
    ];
    let add = [
        ("request_id", id.as_str()),
        ("person_id", person_id.as_str()),
        ("full_name", NAME),
        ("date_of_birth", BORN),
        ("personal_number", DRITA_NUMBER),
    ];

    // Through the server: support `view`, another module and a merchant user are refused.
    let reader = staff_holding(&world, "reader", &[(Module::Support, "view")]).await;
    let elsewhere = staff_holding(&world, "elsewhere", &[(Module::Merchants, "act")]).await;
    let mut refused = vec![visitor(&world, Actor::OwnerA).await];
    for user in [reader, elsewhere] {
        let mut staff = Visitor::new(server);
        staff.cookie = Some(user_session_cookie(&world, user, false).await);
        refused.push(staff);
    }
    for caller in &mut refused {
        assert_eq!(caller.post(FIND, &search).await.status(), 403);
        assert_eq!(caller.post(LINK, &add).await.status(), 403);
        assert_eq!(caller.post(UNLINK, &add[..2]).await.status(), 403);
    }

    // In the platform function too, behind the route guard and the server function.
    for (module, level) in [
        (Module::Support, Level::View),
        (Module::Payments, Level::Act),
    ] {
        let desk = Desk::new(platform, &pool, module, level).await;
        let found = desk.find(access, NAME, BORN).await;
        assert!(
            matches!(found, Err(RequestError::Forbidden(_))),
            "{found:?}"
        );
        let linked = desk.link(access, drita, NAME, BORN, DRITA_NUMBER).await;
        assert!(
            matches!(linked, Err(RequestError::Forbidden(_))),
            "{linked:?}"
        );
    }

    // Support `act`: refused on a correction and on a closed request, not found unconfirmed.
    let desk = Desk::new(platform, &pool, Module::Support, Level::Act).await;
    let correction = confirmed(server, "drita@example.com", "correction", "New address.").await;
    let closed = confirmed(server, "drita@example.com", "erasure", "").await;
    let reason = "We could not confirm who you are.";
    staff::reject(platform, &desk.scope, closed, reason, &desk.facts)
        .await
        .unwrap();
    for request in [correction, closed] {
        let found = desk.find(request, NAME, BORN).await;
        assert!(
            matches!(found, Err(RequestError::NotAllowed(_))),
            "{found:?}"
        );
        let linked = desk.link(request, drita, NAME, BORN, DRITA_NUMBER).await;
        assert!(
            matches!(linked, Err(RequestError::NotAllowed(_))),
            "{linked:?}"
        );
    }
    let late = [
        ("email", "late@example.com"),
        ("kind", "access"),
        ("details", ""),
    ];
    Visitor::new(server)
        .post("/api/public/privacy-request", &late)
        .await;
    let unconfirmed: Uuid =
        sqlx::query_scalar("SELECT id FROM privacy_requests WHERE email = 'late@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let linked = desk
        .link(unconfirmed, drita, NAME, BORN, DRITA_NUMBER)
        .await;
    assert!(matches!(linked, Err(RequestError::NotFound)), "{linked:?}");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM privacy_request_kyc_people").await,
        0,
        "nothing was linked"
    );

    // The database holds the rule by itself: a correction cannot carry a person, even
    // passed off as an access request.
    for kind in ["correction", "access"] {
        let forced = sqlx::query(
            "INSERT INTO privacy_request_kyc_people (request_id, request_kind, kyc_person_id)
             VALUES ($1, $2::privacy_request_kind, $3)",
        )
        .bind(correction)
        .bind(kind)
        .bind(drita)
        .execute(&pool)
        .await;
        assert!(forced.is_err(), "a correction took a person as {kind}");
    }

    // Support `act` through the server, on the open access request.
    let agent = staff_holding(&world, "agent", &[(Module::Support, "act")]).await;
    let mut staff = Visitor::new(server);
    staff.cookie = Some(user_session_cookie(&world, agent, false).await);
    let found = staff.post(FIND, &search).await;
    assert_eq!(found.status(), 200);
    let found: KycMatchesView = found.json().await.unwrap();
    assert_eq!(found.matches.len(), 1);
    assert_eq!(
        found.matches[0].role,
        "the legal representative of Dardania Crafts"
    );
    assert!(!found.matches[0].linked);
    assert_eq!(staff.post(LINK, &add).await.status(), 200);
    let expected = serde_json::json!({ "kind": "access", "kyc_person": person_id });
    assert_eq!(
        audited(&pool, "data_subject.link_kyc").await,
        [("staff".to_owned(), expected)]
    );
    let finds = audited(&pool, "data_subject.find_kyc").await;
    assert_eq!(finds.len(), 1, "refused searches record nothing");
    let expected = serde_json::json!({ "kind": "access", "matches": 1 });
    assert_eq!(
        finds[0].1, expected,
        "the number of matches, never the name"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_whole_name_and_the_date_of_birth_together_find_the_person_and_nothing_less(
    pool: PgPool,
) {
    let server = crate::support::start(pool.clone()).await;
    let platform = &server.platform;
    let shop = merchant(&pool, "Dardania Crafts").await;
    let other_shop = merchant(&pool, "Prizren Filigree").await;
    let drita = person(platform, &pool, shop, DRITA).await;
    // The same person named by a second merchant as an owner, and a namesake.
    let as_owner = Person {
        name: "DRITA BERISHA",
        representative: false,
        ..DRITA
    };
    person(platform, &pool, other_shop, as_owner).await;
    let namesake = Person {
        born: "1990-01-01",
        number: ARBEN_NUMBER,
        ..DRITA
    };
    person(platform, &pool, other_shop, namesake).await;
    let access = confirmed(&server, "drita@example.com", "access", "").await;
    let desk = Desk::new(platform, &pool, Module::Support, Level::Act).await;

    let found = desk.find(access, "  drita berisha ", BORN).await.unwrap();
    let roles: Vec<_> = found
        .iter()
        .map(|m| kyc_people::role(&m.merchant, m.is_representative, m.ownership_percent))
        .collect();
    assert_eq!(
        roles,
        [
            "the legal representative of Dardania Crafts",
            "an owner (40 %) of Prizren Filigree"
        ],
        "case and surrounding spaces aside, the same name and date"
    );
    for (name, born) in [
        (NAME, "1985-04-13"),
        ("Drita", BORN),
        ("Berisha", BORN),
        ("Drita Berish", BORN),
        ("Drita%", BORN),
    ] {
        let found = desk.find(access, name, born).await.unwrap();
        assert!(found.is_empty(), "{name} born {born} found someone");
    }
    for (name, born, field) in [
        ("  ", BORN, "full_name"),
        (NAME, "", "date_of_birth"),
        (NAME, "12.04.1985", "date_of_birth"),
    ] {
        match desk.find(access, name, born).await {
            Err(RequestError::Invalid { field: refused, .. }) => assert_eq!(refused, field),
            other => panic!("{name:?} {born:?}: {other:?}"),
        }
    }

    // Linking checks the two facts again: an id with the wrong date of birth is not found.
    let wrong = desk
        .link(access, drita, NAME, "1990-01-01", DRITA_NUMBER)
        .await;
    assert!(matches!(wrong, Err(RequestError::NotFound)), "{wrong:?}");
    let unknown = desk
        .link(access, Uuid::new_v4(), NAME, BORN, DRITA_NUMBER)
        .await;
    assert!(
        matches!(unknown, Err(RequestError::NotFound)),
        "{unknown:?}"
    );
    // And the personal number the requester gave: a name and a birthday are easy to learn.
    for number in [ARBEN_NUMBER, "", "12345"] {
        match desk.link(access, drita, NAME, BORN, number).await {
            Err(RequestError::Invalid { field, .. }) => assert_eq!(field, "personal_number"),
            other => panic!("{number:?}: {other:?}"),
        }
    }
    assert!(audited(&pool, "data_subject.link_kyc").await.is_empty());
    assert!(
        desk.link(access, drita, "drita berisha", BORN, "123-456 7890")
            .await
            .unwrap(),
        "case, spaces and dashes aside"
    );
    assert!(
        !desk
            .link(access, drita, NAME, BORN, DRITA_NUMBER)
            .await
            .unwrap(),
        "a repeat changes nothing"
    );
    assert_eq!(audited(&pool, "data_subject.link_kyc").await.len(), 1);
    assert!(desk.find(access, NAME, BORN).await.unwrap()[0].linked);

    let reader = Desk::new(platform, &pool, Module::Support, Level::View).await;
    let listed = kyc_people::linked(platform, &reader.scope, &[access])
        .await
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|l| (l.person_id, l.full_name.as_str()))
            .collect::<Vec<_>>(),
        [(drita, NAME)]
    );

    // A link made by mistake is taken back while the request is open, once.
    assert!(desk.unlink(access, drita).await.unwrap());
    assert!(!desk.unlink(access, drita).await.unwrap());
    assert_eq!(audited(&pool, "data_subject.unlink_kyc").await.len(), 1);
    let listed = kyc_people::linked(platform, &reader.scope, &[access])
        .await
        .unwrap();
    assert!(listed.is_empty());
}
