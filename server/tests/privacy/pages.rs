//! `/privacy`, `/privacy/sub-processors` and `/terms`, rendered by the real server: the
//! policy names every kind of data the inventory declares, and the settings' controller and
//! sub-processors.

use domain::privacy::{SubProcessor, Subject, cookies::COOKIES, holdings};
use sqlx::PgPool;

use crate::support::{start, start_with};

/// The page's text with the entities the renderer writes turned back into characters.
async fn page(server: &crate::support::TestServer, path: &str) -> String {
    let response = server.client.get(server.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response
        .text()
        .await
        .unwrap()
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[sqlx::test(migrations = "../migrations")]
async fn the_privacy_policy_names_all_the_inventory_holds_and_who_controls_it(pool: PgPool) {
    let server = start(pool).await;
    let policy = page(&server, "/privacy").await;
    for subject in Subject::ALL {
        assert!(policy.contains(subject.label()), "{subject:?}");
        for holding in holdings(subject) {
            for what in holding.what {
                assert!(policy.contains(what), "{subject:?}: {what}");
            }
            assert!(policy.contains(&holding.retention.describe()));
        }
    }
    for cookie in COOKIES {
        assert!(policy.contains(cookie.name) && policy.contains(cookie.lifetime));
    }
    let settings = &server.platform.config.settings;
    assert!(policy.contains(&settings.merchant_of_record.name));
    assert!(policy.contains(&settings.merchant_of_record.business_number));
    assert!(policy.contains(&format!("mailto:{}", settings.privacy.contact_email)));
    assert!(policy.contains("Information and Privacy Agency"));
    assert!(policy.contains("kept against erasure"));
    assert!(!policy.contains("Loading…"), "rendered whole, not streamed");

    let terms = page(&server, "/terms").await;
    assert!(terms.contains("merchant of record") && terms.contains("For buyers"));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_sub_processors_come_from_the_settings_and_transfers_follow_them(pool: PgPool) {
    let server = start_with(pool, |settings| {
        settings.privacy.sub_processors = vec![
            SubProcessor {
                name: "Posta Mail Sh.p.k.".into(),
                purpose: "delivers mail".into(),
                location: "Kosovo".into(),
                data: "email addresses".into(),
            },
            SubProcessor {
                name: "Nordic Hosting AB".into(),
                purpose: "runs the servers".into(),
                location: "Sweden".into(),
                data: "everything, encrypted at rest".into(),
            },
        ];
        settings.privacy.sub_processors_changed_on = time::macros::date!(2026 - 12 - 01);
    })
    .await;
    let list = page(&server, "/privacy/sub-processors").await;
    for expected in [
        "Posta Mail Sh.p.k.",
        "Nordic Hosting AB",
        "Sweden",
        "2026-12-01",
    ] {
        assert!(list.contains(expected), "{expected}");
    }
    assert!(
        !list.contains("Payten"),
        "the defaults are replaced, not added to"
    );

    let policy = page(&server, "/privacy").await;
    let transfers = &policy[policy.find("Transfers outside Kosovo").unwrap()..];
    let transfers = &transfers[..transfers.find("Your rights").unwrap()];
    assert!(
        transfers.contains("Nordic Hosting AB: Sweden"),
        "{transfers}"
    );
    assert!(!transfers.contains("Posta Mail"), "{transfers}");
}
