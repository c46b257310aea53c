//! Only the cookies the privacy policy lists (`domain::privacy::cookies`) are ever set. Every
//! integration test's server refuses a response that sets another (`support::serve_app`);
//! these tests show that check works and walk the main flows with it.

use std::collections::BTreeSet;

use domain::Mode;
use reqwest::Response;
use sqlx::PgPool;

use crate::support::accounts::{PASSWORD, Visitor, location, sign_up, token_from_mail};
use crate::support::checkout::{APPROVE, shop};
use crate::support::world::{Actor, visitor, world};
use crate::support::{listed_cookies_only, start};

fn cookie_names(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|set| {
            let set = set.to_str().unwrap();
            set.split('=').next().unwrap().trim().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_response_setting_an_unlisted_cookie_is_refused_by_the_check() {
    let app = axum::Router::new()
        .route(
            "/tracked",
            axum::routing::get(|| async { ([("set-cookie", "tracker=1; Path=/")], "hello") }),
        )
        .route(
            "/session",
            axum::routing::get(|| async { ([("set-cookie", "saleonix-session=x")], "hello") }),
        )
        .layer(axum::middleware::map_response(listed_cookies_only));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let tracked = reqwest::get(format!("{base}/tracked")).await.unwrap();
    assert_eq!(tracked.status(), 500);
    assert!(tracked.text().await.unwrap().contains("tracker"));
    let session = reqwest::get(format!("{base}/session")).await.unwrap();
    assert_eq!(session.status(), 200);
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_up_in_and_out_sets_only_the_session_cookie(pool: PgPool) {
    let server = start(pool).await;
    let mut seen = BTreeSet::new();
    let email = "drita@example.com";

    let signed_up = sign_up(&server, email, PASSWORD).await;
    assert_eq!(location(&signed_up), "/check-email");
    seen.extend(cookie_names(&signed_up));
    let token = token_from_mail(&server, email, "/verify-email").await;
    let mut browser = Visitor::new(&server);
    for response in [
        browser.get("/").await,
        browser.get("/privacy").await,
        browser.get("/sign-in").await,
        browser
            .post("/api/auth/verify-email", &[("token", &token)])
            .await,
        browser.sign_in(email, PASSWORD).await,
        browser.get("/dashboard").await,
        browser.post("/api/auth/sign-out", &[]).await,
    ] {
        assert!(response.status().as_u16() < 500, "{}", response.url());
        seen.extend(cookie_names(&response));
    }
    assert_eq!(seen, BTreeSet::from(["saleonix-session".to_owned()]));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_buyer_paying_is_given_no_cookie(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "12.50").await;
    let page = shop.get(&format!("/pay/{token}")).await;
    assert!(
        cookie_names(&page).is_empty(),
        "a buyer's page sets no cookie"
    );
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    for form in &returns {
        let answer = shop.deliver(form).await;
        assert!(
            cookie_names(&answer).is_empty(),
            "the return sets no cookie"
        );
    }
    assert_eq!(shop.settled(&order_id).await, "paid");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_console_sets_no_cookie_beyond_the_list(pool: PgPool) {
    let world = world(pool).await;
    let mut admin = visitor(&world, Actor::Admin).await;
    for path in ["/admin", "/admin/payments", "/admin/audit"] {
        let page = admin.get(path).await;
        assert_eq!(page.status(), 200, "{path}");
        for name in cookie_names(&page) {
            assert!(
                domain::privacy::cookies::is_listed(&name),
                "{name} on {path}"
            );
        }
    }
}
