//! The buyer's portal: the link in each receipt, what it shows and to whom, cancelling from
//! it, expired links, and asking for links by email without learning who has subscriptions.

use platform::payments::sessions::NewSession;

use super::*;

/// The portal path in the newest mail to `to` that has one.
async fn portal_link(shop: &Shop, to: &str) -> String {
    let mails = mails_to(&shop.server, to).await;
    let mail = mails
        .iter()
        .find(|m| m.contains("/portal/sp_"))
        .unwrap_or_else(|| panic!("no portal link in {mails:?}"));
    let start = mail.find("/portal/sp_").unwrap();
    mail[start..start + "/portal/sp_".len() + 32].to_owned()
}

async fn post(shop: &Shop, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    shop.http
        .post(shop.server.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_receipt_links_the_buyers_portal_where_they_see_and_cancel(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, _) = subscription_of(&shop, &order_id).await;

    let link = portal_link(&shop, BUYER).await;
    let page = shop.get(&link).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    for words in [
        "Your subscriptions with Dardania Crafts",
        "Coffee of the month",
        "€9.90 every month, 3 payments in all.",
        "Payment 1 of 3",
        &format!("/pay/receipt/{order_id}"),
        "Cancel Coffee of the month",
        "noindex",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    assert!(!page.contains("<script"), "the portal needs no script");

    let cancelled = post(
        &shop,
        &format!("{link}/cancel"),
        &[("subscription", &id.to_string())],
    )
    .await;
    assert_eq!(cancelled.status(), 303);
    assert_eq!(status(&shop, id).await, "cancelled");
    let page = shop.get(&link).await.text().await.unwrap();
    assert!(
        page.contains("Cancelled: no further payment is taken"),
        "{page}"
    );
    assert!(!page.contains("Cancel Coffee of the month"));
    let audited: (String, String) = sqlx::query_as(
        "SELECT actor_kind::text, detail ->> 'via' FROM audit.events
         WHERE event_type = 'subscription.cancel' AND outcome = 'success' AND target_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(audited, ("anonymous".to_owned(), "portal".to_owned()));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_link_opens_only_its_buyers_subscriptions_with_that_merchant(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    sign_up(&shop, &plan).await;
    let token = plan_checkout(&shop, &plan).await;
    let (theirs, _) = pay_plan_checkout(&shop, &token, "other@example.com").await;
    // The same buyer with another merchant.
    let (_, elsewhere_scope) = merchant(shop.pool(), "Prizren Leather", true).await;
    let new = NewPlan {
        name: "Leather care".into(),
        amount: Money::eur(500),
        interval: Interval::Month,
        count: 1,
        installments: 6,
        until_cancelled: false,
        product_id: None,
    };
    let leather = plans::create(
        shop.pool(),
        &elsewhere_scope,
        Mode::Test,
        &new,
        &Default::default(),
    )
    .await
    .unwrap();
    let checkout = NewSession {
        plan: Some(leather.id),
        ..NewSession::default()
    };
    let (_, token) = sessions::create(
        shop.pool(),
        &elsewhere_scope,
        Mode::Test,
        &checkout,
        &Default::default(),
    )
    .await
    .unwrap();
    let (elsewhere, _) = pay_plan_checkout(&shop, &token, BUYER).await;

    let link = portal_link(&shop, BUYER).await;
    let page = shop.get(&link).await.text().await.unwrap();
    let shown = page.matches("Payment 1 of").count();
    let (theirs_id, _, _) = subscription_of(&shop, &theirs).await;
    let (elsewhere_id, _, _) = subscription_of(&shop, &elsewhere).await;
    // The newest receipt is the leather one: its link opens that merchant's portal only.
    assert!(
        page.contains("Prizren Leather") && page.contains("Leather care"),
        "{page}"
    );
    assert!(!page.contains("Coffee of the month"), "{page}");
    assert_eq!(shown, 1);

    // Another buyer's subscription, or another merchant's, cannot be cancelled through it.
    let coffee_link = {
        let mails = mails_to(&shop.server, BUYER).await;
        let coffee = mails
            .iter()
            .find(|m| m.contains("Dardania Crafts") && m.contains("/portal/sp_"))
            .unwrap();
        let start = coffee.find("/portal/sp_").unwrap();
        coffee[start..start + "/portal/sp_".len() + 32].to_owned()
    };
    for (via, id) in [
        (&coffee_link, theirs_id),
        (&coffee_link, elsewhere_id),
        (&link, theirs_id),
    ] {
        let refused = post(
            &shop,
            &format!("{via}/cancel"),
            &[("subscription", &id.to_string())],
        )
        .await;
        assert_eq!(refused.status(), 404);
    }
    assert_eq!(status(&shop, theirs_id).await, "active");
    assert_eq!(status(&shop, elsewhere_id).await, "active");

    // A made-up or malformed token opens nothing.
    for token in [
        format!("sp_{}", "A".repeat(32)),
        "sp_short".into(),
        "../pay".into(),
    ] {
        assert_eq!(
            shop.get(&format!("/portal/{token}")).await.status(),
            404,
            "{token}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_link_mails_a_fresh_one_and_asking_by_email_tells_nothing(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    sign_up(&shop, &plan).await;
    let link = portal_link(&shop, BUYER).await;
    sqlx::query("UPDATE subscription_portal_links SET created_at = now() - interval '40 days', expires_at = now() - interval '10 days'")
        .execute(shop.pool())
        .await
        .unwrap();
    let expired = shop.get(&link).await;
    assert_eq!(expired.status(), 410);
    let page = expired.text().await.unwrap();
    assert!(
        page.contains("Email me a new link") && !page.contains("Coffee of the month"),
        "{page}"
    );

    let before = mails_to(&shop.server, BUYER).await.len();
    let sent = post(&shop, &format!("{link}/renew"), &[]).await;
    assert_eq!(sent.status(), 200);
    let answer_known = sent.text().await.unwrap();
    assert_eq!(mails_to(&shop.server, BUYER).await.len(), before + 1);
    let fresh = portal_link(&shop, BUYER).await;
    assert_ne!(fresh, link);
    assert_eq!(shop.get(&fresh).await.status(), 200);

    // Asking by address: the same answer for an address with subscriptions and without.
    let known = post(&shop, "/portal", &[("email", BUYER)]).await;
    let unknown = post(&shop, "/portal", &[("email", "nobody@example.com")]).await;
    assert_eq!(
        (known.status().as_u16(), unknown.status().as_u16()),
        (200, 200)
    );
    let (known, unknown) = (known.text().await.unwrap(), unknown.text().await.unwrap());
    assert_eq!(known, unknown);
    assert_eq!(known, answer_known);
    assert_eq!(mails_to(&shop.server, BUYER).await.len(), before + 2);
    assert!(
        mails_to(&shop.server, "nobody@example.com")
            .await
            .is_empty()
    );

    // Asking again and again sends no more than the limit.
    for _ in 0..10 {
        post(&shop, "/portal", &[("email", BUYER)]).await;
    }
    // `before` + the renewed link, then at most five asked for by address.
    let sent = mails_to(&shop.server, BUYER).await.len() - before - 1;
    assert!(sent <= 5, "{sent} links mailed in an hour");
}
