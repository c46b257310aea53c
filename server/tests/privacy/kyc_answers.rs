//! What the answer to a request does with the people of merchants' verifications linked
//! to it: the export carries the record, personal number decrypted, and no one else's; the
//! erasure keeps it whole and tells the person why and until when. The server runs as the
//! application role, so the grants these need are proven too.

use platform::field_crypto::FieldSlot;
use platform::identity::roles::{Level, Module};
use platform::privacy::requests::{RequestError, erasure, export};
use secrecy::ExposeSecret;
use sqlx::PgPool;

use super::export::{confirmed, file_in, files_of};
use super::kyc_people::{
    ARBEN_NUMBER, BORN, DRITA, DRITA_NUMBER, Desk, NAME, Person, audited, count, identity_copy,
    merchant, person,
};
use crate::support::accounts::mails_to;

#[sqlx::test(migrations = "../migrations")]
async fn the_export_carries_the_linked_persons_record_and_no_one_elses(pool: PgPool) {
    let server = crate::support::start(crate::support::as_app_role(&pool).await).await;
    let platform = &server.platform;
    let shop = merchant(&pool, "Dardania Crafts").await;
    let drita = person(platform, &pool, shop, DRITA).await;
    let arben = Person {
        name: "Arben Krasniqi",
        born: "1979-09-30",
        number: ARBEN_NUMBER,
        representative: false,
    };
    let arben = person(platform, &pool, shop, arben).await;
    identity_copy(platform, &pool, shop, drita, "drita-identity-front").await;
    identity_copy(platform, &pool, shop, arben, "arben-identity-front").await;
    let access = confirmed(&server, "drita@example.com", "access", "").await;
    let desk = Desk::new(platform, &pool, Module::Support, Level::Act).await;
    let found = desk.find(access, NAME, BORN).await.unwrap();
    assert_eq!(found.iter().map(|m| m.id).collect::<Vec<_>>(), [drita]);
    desk.link(access, drita, NAME, BORN, DRITA_NUMBER)
        .await
        .unwrap();
    export::prepare(platform, &desk.scope, access, &desk.facts)
        .await
        .unwrap();

    let sealed: Vec<u8> =
        sqlx::query_scalar("SELECT archive_enc FROM privacy_exports WHERE request_id = $1")
            .bind(access)
            .fetch_one(&pool)
            .await
            .unwrap();
    let row = access.to_string();
    let slot = FieldSlot {
        table: "privacy_exports",
        column: "archive_enc",
        row: &row,
    };
    let zip = platform.config.secrets.field_keys.decrypt(slot, &sealed);
    let files = files_of(zip.unwrap().expose_secret());
    let file = |name: &str| file_in(&files, name);
    assert!(file("README.txt").contains("kyc.json: "));
    let copies: Vec<&String> = files
        .iter()
        .filter(|(name, _)| name.starts_with("identity-documents/"))
        .map(|(_, content)| content)
        .collect();
    assert_eq!(copies.len(), 1, "her copy, not her co-owner's");
    assert!(copies[0].starts_with("\u{fffd}PNG") && copies[0].contains("drita-identity-front"));
    let kyc: serde_json::Value = serde_json::from_str(file("kyc.json")).unwrap();
    let records = kyc.as_array().unwrap();
    assert_eq!(records.len(), 1, "{kyc}");
    let record = &records[0];
    assert_eq!(record["personal_number"], DRITA_NUMBER, "decrypted");
    for (field, value) in [
        ("full_name", NAME),
        ("date_of_birth", BORN),
        ("merchant", "Dardania Crafts"),
        ("nationality", "XK"),
        ("identity_document", "id_card"),
        ("address", "Rr. Nëna Terezë 12, Prishtinë"),
    ] {
        assert_eq!(record[field], value, "{field}");
    }
    assert_eq!(record["legal_representative"], true);
    assert_eq!(record["politically_exposed"], false);
    assert!(record["removed_at"].is_null() && record["added_at"].is_string());
    for (name, text) in &files {
        assert!(
            !text.contains(ARBEN_NUMBER) && !text.contains("Arben"),
            "{name} holds the other person of the same merchant"
        );
    }
    let export = audited(&pool, "data_subject.export").await;
    assert_eq!(export[0].1["records"]["kyc.json"], 1, "{:?}", export[0].1);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_erasure_keeps_the_verification_record_whole_and_tells_the_person_why_and_until_when(
    pool: PgPool,
) {
    let server = crate::support::start(crate::support::as_app_role(&pool).await).await;
    let platform = &server.platform;
    let shop = merchant(&pool, "Dardania Crafts").await;
    let drita = person(platform, &pool, shop, DRITA).await;
    let request = confirmed(&server, "drita@example.com", "erasure", "").await;
    let desk = Desk::new(platform, &pool, Module::Support, Level::Act).await;
    desk.link(request, drita, NAME, BORN, DRITA_NUMBER)
        .await
        .unwrap();
    let record = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT row_to_json(p)::text FROM kyc_people p WHERE id = $1",
        )
        .bind(drita)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let before = record().await;

    erasure::erase(platform, &desk.scope, request, &desk.facts)
        .await
        .unwrap();

    assert_eq!(record().await, before, "the record is kept unchanged");
    let mails = mails_to(&server, "drita@example.com").await;
    assert_eq!(mails.len(), 1, "the answer is the last mail");
    for told in [
        "the legal representative of Dardania Crafts",
        "anti-money-laundering law",
        "while the merchant keeps it on file, then 5 years",
    ] {
        assert!(mails[0].contains(told), "{told}: {}", mails[0]);
    }
    assert!(!mails[0].contains("Nothing is kept."), "{}", mails[0]);
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM privacy_requests WHERE id = $1")
        .bind(request)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        outcome.contains("the legal representative of Dardania Crafts"),
        "{outcome}"
    );
    let erased = audited(&pool, "data_subject.erase").await;
    let detail = &erased[0].1;
    assert_eq!(detail["records"]["kyc_records_kept"], 1, "{detail}");

    // Answered, the request's links stay as the record of what it covered.
    let unlink = desk.unlink(request, drita).await;
    assert!(
        matches!(unlink, Err(RequestError::NotAllowed(_))),
        "{unlink:?}"
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM privacy_request_kyc_people").await,
        1
    );
    let report = platform::audit::verify_chain(&pool).await.unwrap();
    assert_eq!(report.first_broken, None, "the chain still verifies");
}
