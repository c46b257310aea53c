//! An access request answered with the archive: what it holds is that buyer's and no one
//! else's, the link hands it over once, and the stored copy is erased.

use std::io::Read as _;

use domain::Mode;
use platform::audit::RequestFacts;
use platform::identity::roles::{Level, Module};
use platform::privacy::requests::{RequestError, export};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::TestServer;
use crate::support::accounts::{Visitor, location, token_from_mail};
use crate::support::checkout::{APPROVE, Shop, field, shop, staff_scope};

/// A Test Mode payment of `price` by the buyer `email`, paid: its gateway order id.
pub async fn paid_by(shop: &Shop, email: &str, price: &str) -> String {
    let token = shop.checkout(Mode::Test, price).await;
    let page = shop.press_pay(&token, email).await.text().await.unwrap();
    let gate = payten_sandbox::buyer::forms(&page)
        .into_iter()
        .next()
        .unwrap();
    let order_id = field(&gate, "oid").to_owned();
    for form in shop.pay_at_gateway(&gate, APPROVE).await {
        shop.deliver(&form).await;
    }
    assert_eq!(shop.settled(&order_id).await, "paid");
    order_id
}

/// A confirmed request of `kind` from `email`: its id.
pub async fn confirmed(server: &TestServer, email: &str, kind: &str, details: &str) -> Uuid {
    let form = [("email", email), ("kind", kind), ("details", details)];
    let asked = Visitor::new(server)
        .post("/api/public/privacy-request", &form)
        .await;
    assert_eq!(location(&asked), "/privacy/request-sent");
    let token = token_from_mail(server, email, "/privacy/confirm").await;
    Visitor::new(server)
        .post("/api/public/privacy-request/confirm", &[("token", &token)])
        .await;
    sqlx::query_scalar("SELECT id FROM privacy_requests WHERE email = $1 AND kind::text = $2")
        .bind(email)
        .bind(kind)
        .fetch_one(&server.platform.pool)
        .await
        .unwrap()
}

/// The text of the archive's file `name`; the test stops if there is none.
pub fn file_in<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, text)| text.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

pub fn files_of(zip: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            // Identity document copies are images: their ASCII markers still read.
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (
                file.name().to_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_access_request_gets_that_buyers_data_alone_and_the_link_works_once(pool: PgPool) {
    let shop = shop(pool.clone()).await;
    let mine = paid_by(&shop, "drita@example.com", "12.50").await;
    let theirs = paid_by(&shop, "arben@example.com", "30.00").await;
    let request = confirmed(&shop.server, "drita@example.com", "access", "").await;

    let support = staff_scope(&pool, Module::Support, Level::Act).await;
    let facts = RequestFacts::default();
    export::prepare(&shop.server.platform, &support, request, &facts)
        .await
        .unwrap();
    let twice = export::prepare(&shop.server.platform, &support, request, &facts).await;
    assert!(
        matches!(twice, Err(RequestError::NotAllowed(_))),
        "closed once exported"
    );

    let token = token_from_mail(&shop.server, "drita@example.com", "/privacy/export").await;
    let download = || async {
        shop.http
            .post(shop.server.url("/api/public/privacy/export"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap()
    };
    let answer = download().await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/zip");
    assert_eq!(answer.headers()["cache-control"], "no-store");
    assert!(
        answer.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let files = files_of(&answer.bytes().await.unwrap());
    let file = |name: &str| file_in(&files, name);
    for (name, _) in files.iter().filter(|(n, _)| n != "README.txt") {
        assert!(
            file("README.txt").contains(name.as_str()),
            "the README explains {name}"
        );
        serde_json::from_str::<serde_json::Value>(file(name)).unwrap();
    }
    let payments = file("payments.json");
    assert!(
        payments.contains(&mine) && payments.contains("557113"),
        "{payments}"
    );
    assert!(
        !files.iter().any(|(_, text)| text.contains(APPROVE)),
        "never a card number"
    );
    assert!(
        !payments.contains(&theirs),
        "another buyer's payment is not in it"
    );
    assert!(
        !files
            .iter()
            .any(|(_, text)| text.contains("arben@example.com"))
    );
    assert!(file("mails.json").contains("Confirm your request about your personal data"));
    assert!(file("audit.json").contains("data_subject.verify"));
    assert!(file("requests.json").contains("\"access\""));
    assert_eq!(file("account.json"), "[]", "a buyer has no account");

    let again = download().await;
    assert_eq!(location(&again), "/privacy/export?failed=used");
    let (erased, status): (bool, String) = sqlx::query_as(
        "SELECT e.archive_enc IS NULL AND e.downloaded_at IS NOT NULL, r.status::text
         FROM privacy_exports e JOIN privacy_requests r ON r.id = e.request_id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(erased, "the stored copy is erased once handed over");
    assert_eq!(status, "fulfilled");
    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT event_type, actor_kind::text FROM audit.events
         WHERE event_type LIKE 'data_subject.export%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        [
            ("data_subject.export".to_owned(), "staff".to_owned()),
            (
                "data_subject.export.download".to_owned(),
                "anonymous".to_owned()
            )
        ]
    );
    let forged = shop
        .http
        .post(shop.server.url("/api/public/privacy/export"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&forged), "/privacy/export?failed=unknown");
}

#[sqlx::test(migrations = "../migrations")]
async fn only_an_open_access_request_is_exported_and_only_by_support_act(pool: PgPool) {
    let shop = shop(pool.clone()).await;
    let correction = confirmed(
        &shop.server,
        "drita@example.com",
        "correction",
        "My name is Drita.",
    )
    .await;
    let platform = &shop.server.platform;
    let facts = RequestFacts::default();
    let support = staff_scope(&pool, Module::Support, Level::Act).await;
    let refused = export::prepare(platform, &support, correction, &facts).await;
    assert!(
        matches!(refused, Err(RequestError::NotAllowed(_))),
        "{refused:?}"
    );

    let access = confirmed(&shop.server, "besa@example.com", "access", "").await;
    let reader = staff_scope(&pool, Module::Support, Level::View).await;
    let other_module = staff_scope(&pool, Module::Payments, Level::Act).await;
    for scope in [reader, other_module] {
        let refused = export::prepare(platform, &scope, access, &facts).await;
        assert!(
            matches!(refused, Err(RequestError::Forbidden(_))),
            "{refused:?}"
        );
    }
    let unknown = export::prepare(platform, &support, Uuid::new_v4(), &facts).await;
    assert!(matches!(unknown, Err(RequestError::NotFound)));
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM privacy_exports")
            .fetch_one(&pool)
            .await
            .unwrap(),
        0,
        "nothing was written"
    );
}
