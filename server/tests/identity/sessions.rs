//! Sessions: fresh ids, the cookie's flags, timeouts, and ending them.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_issues_a_new_session_id(pool: PgPool) {
    let server = start(pool).await;
    verified_account(&server, "drita@example.com").await;
    let mut visitor = Visitor::new(&server);
    visitor.cookie = Some("saleonix-session=planted-by-an-attacker".into());
    visitor.sign_in("drita@example.com", PASSWORD).await;
    let first = visitor.cookie.clone().unwrap();
    assert!(!first.contains("planted"));
    visitor.sign_in("drita@example.com", PASSWORD).await;
    let second = visitor.cookie.clone().unwrap();
    assert_ne!(first, second, "signing in again rotates the id");
    assert!(visitor.is_signed_in().await);
    visitor.cookie = Some(first);
    assert!(!visitor.is_signed_in().await, "the id from before is dead");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_session_cookie_is_locked_down(pool: PgPool) {
    let plain = start(pool.clone()).await;
    verified_account(&plain, "drita@example.com").await;
    let cookie = session_cookie(
        &Visitor::new(&plain)
            .sign_in("drita@example.com", PASSWORD)
            .await,
    );
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(
        cookie.starts_with("saleonix-session=") && !cookie.contains("Secure"),
        "plain-HTTP development: {cookie}"
    );

    let https = start_with(pool, |s| {
        s.public_url = "https://pay.saleonix.example".into()
    })
    .await;
    let cookie = session_cookie(
        &Visitor::new(&https)
            .sign_in("drita@example.com", PASSWORD)
            .await,
    );
    assert!(cookie.starts_with("__Host-saleonix-session="), "{cookie}");
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_end_when_idle_or_too_old(pool: PgPool) {
    let server = start(pool.clone()).await;
    verified_account(&server, "drita@example.com").await;
    let mut idle = signed_in(&server, "drita@example.com", PASSWORD).await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(!idle.is_signed_in().await);

    let mut old = signed_in(&server, "drita@example.com", PASSWORD).await;
    assert!(old.is_signed_in().await);
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,signed_in_at}', '0')")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        !old.is_signed_in().await,
        "past the absolute lifetime, however recently used"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signed_in_pages_and_functions_refuse_anonymous_visitors(pool: PgPool) {
    let server = start(pool).await;
    let mut visitor = Visitor::new(&server);
    for page in ["/dashboard", "/account"] {
        let response = visitor.get(page).await;
        assert_eq!(
            (response.status().as_u16(), location(&response)),
            (303, "/sign-in"),
            "{page}"
        );
    }
    let calls: [(&str, &[(&str, &str)]); 4] = [
        ("/api/account/sessions", &[]),
        ("/api/account/sign-out-everywhere", &[]),
        ("/api/account/revoke-session", &[("handle", "00")]),
        (
            "/api/account/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        ),
    ];
    for (function, form) in calls {
        let response = visitor.post(function, form).await;
        assert_eq!(response.status(), 401, "{function}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_are_listed_and_ended_only_by_their_owner(pool: PgPool) {
    let server = start(pool).await;
    verified_account(&server, "drita@example.com").await;
    verified_account(&server, "luan@example.com").await;
    let mut laptop = signed_in(&server, "drita@example.com", PASSWORD).await;
    let mut phone = signed_in(&server, "drita@example.com", PASSWORD).await;
    let mut other = signed_in(&server, "luan@example.com", PASSWORD).await;

    let list: Vec<app::account::SessionView> = laptop
        .post("/api/account/sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s.current).count(), 1);
    assert!(list.iter().all(|s| s.ip == "127.0.0.1"));
    let phone_handle = list.iter().find(|s| !s.current).unwrap().handle.clone();

    let theirs: Vec<app::account::SessionView> = other
        .post("/api/account/sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    let refused = laptop
        .post(
            "/api/account/revoke-session",
            &[("handle", &theirs[0].handle)],
        )
        .await;
    assert_eq!(
        refused.status(),
        404,
        "another account's session is not ours to end"
    );
    assert!(other.is_signed_in().await);

    let ended = laptop
        .post("/api/account/revoke-session", &[("handle", &phone_handle)])
        .await;
    assert_eq!(location(&ended), "/account?session=ended");
    assert!(!phone.is_signed_in().await);
    assert!(laptop.is_signed_in().await);

    let everywhere = laptop.post("/api/account/sign-out-everywhere", &[]).await;
    assert_eq!(location(&everywhere), "/sign-in?signed_out=1");
    assert!(!laptop.is_signed_in().await);
}

/// The header is in the page as the server sends it, scripts or none: a visitor is offered
/// to sign in; a signed-in user gets their way back and a sign-out form, on a public page
/// (its session read for the header alone), on a guarded one (read once, by the guard) and
/// on the 404 page.
#[sqlx::test(migrations = "../migrations")]
async fn every_pages_header_says_who_is_signed_in(pool: PgPool) {
    let server = start(pool).await;
    verified_account(&server, "drita@example.com").await;
    let page = Visitor::new(&server).get("/security").await;
    let html = page.text().await.unwrap();
    let nav = main_navigation(&html);
    assert!(
        nav.contains(r#"href="/sign-in""#) && !nav.contains("Sign out"),
        "{nav}"
    );

    let mut drita = signed_in(&server, "drita@example.com", PASSWORD).await;
    for (path, status) in [
        ("/security", 200),
        ("/dashboard", 200),
        ("/no/such/page", 404),
    ] {
        let page = drita.get(path).await;
        assert_eq!(page.status(), status, "{path}");
        let html = page.text().await.unwrap();
        let nav = main_navigation(&html);
        assert!(
            nav.contains(r#"href="/dashboard""#)
                && nav.contains(r#"href="/account""#)
                && nav.contains("Sign out")
                && !nav.contains(r#"href="/sign-in""#),
            "{path}: {nav}"
        );
    }
}

fn main_navigation(html: &str) -> &str {
    let start = html
        .find(r#"<nav aria-label="Main""#)
        .expect("the header's navigation");
    let end = start + html[start..].find("</nav>").expect("the navigation's end");
    &html[start..end]
}
