//! Plans that run until cancelled: a series of 121 payments, then a renewal checkout mailed
//! to the buyer, whose fresh consent and payment start the next series; none without it,
//! and none for a subscription that was cancelled or whose plan had an end.

use platform::subscriptions::cancel::cancel_now;
use platform::subscriptions::reading::{self, Summary};

use super::*;

/// A Test Mode plan of the shop: 2.50 EUR every day, until cancelled.
async fn daily_until_cancelled(shop: &Shop) -> Plan {
    let new = NewPlan {
        name: "Daily paper".into(),
        amount: Money::eur(250),
        interval: Interval::Day,
        count: 1,
        installments: 0,
        until_cancelled: true,
        product_id: None,
    };
    make_plan(shop, &new).await
}

/// The renewal checkouts offered for subscription `id`: `(token, status)`.
async fn renewals(shop: &Shop, id: Uuid) -> Vec<(String, String)> {
    sqlx::query_as("SELECT token, status::text FROM checkout_sessions WHERE renews_id = $1")
        .bind(id)
        .fetch_all(shop.pool())
        .await
        .unwrap()
}

/// Subscription `id` as the dashboard lists it.
async fn listed(shop: &Shop, id: Uuid) -> Summary {
    reading::recent(shop.pool(), &shop.scope, Mode::Test, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap()
}

/// The types of the events recorded for subscription `id`, oldest first.
async fn events_of(shop: &Shop, id: Uuid) -> Vec<(String, serde_json::Value)> {
    let object_id = domain::public_id::encode(domain::public_id::Kind::Subscription, id);
    sqlx::query_as("SELECT type, data FROM events WHERE object_id = $1 ORDER BY seq")
        .bind(object_id)
        .fetch_all(shop.pool())
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_series_run_out_is_renewed_only_with_the_buyers_fresh_consent(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = daily_until_cancelled(&shop).await;
    assert!(plan.terms.until_cancelled);
    assert_eq!(plan.terms.installments, 121, "the gateway's longest series");
    let token = plan_checkout(&shop, &plan).await;
    let page = press_pay(&shop, &token, false).await.text().await.unwrap();
    assert!(page.contains("until cancelled"), "{page}");
    let (order_id, gate) = pay_plan_checkout(&shop, &token, BUYER).await;
    assert_eq!(field(&gate, "RecurringPaymentNumber"), "121");
    let consent = consent_of(&shop, &order_id).await;
    assert!(consent.contains("agree again"), "{consent}");
    let (id, _, series) = subscription_of(&shop, &order_id).await;

    // Midway nothing is offered: the series runs on.
    advance_gateway(&shop, 60).await;
    assert_eq!(poll_after(&shop, 61).await.paid, 60);
    assert_eq!(status(&shop, id).await, "active");
    assert!(renewals(&shop, id).await.is_empty());

    // The gateway charges the series' last payment; the subscription ends, and the buyer
    // is mailed a renewal checkout for the same terms. Asked again, nothing more happens.
    advance_gateway(&shop, 61).await;
    assert_eq!(poll_after(&shop, 122).await.paid, 60);
    assert_eq!(installments(&shop, id).await.len(), 121);
    assert_eq!(status(&shop, id).await, "ended");
    sqlx::query("UPDATE subscriptions SET poll_due_at = now() WHERE id = $1")
        .bind(id)
        .execute(shop.pool())
        .await
        .unwrap();
    poll_after(&shop, 123).await;
    let offered = renewals(&shop, id).await;
    assert_eq!(offered.len(), 1, "one renewal: {offered:?}");
    let (renewal, open) = &offered[0];
    assert_eq!(open, "open");
    let mails = mails_to(&shop.server, BUYER).await;
    let mail = mails
        .iter()
        .find(|m| m.contains("agree and pay the first payment of the next series"))
        .expect("the renewal mail");
    assert!(mail.contains(&format!("/pay/{renewal}")), "{mail}");
    assert!(mail.contains("/portal/sp_"), "{mail}");
    assert!(mail.contains("nothing more is charged"), "{mail}");
    // The buyer's portal offers the renewal beside the ended series.
    let at = mail.find("/portal/sp_").unwrap();
    let portal = &mail[at..at + "/portal/sp_".len() + 32];
    let page = shop.get(portal).await.text().await.unwrap();
    assert!(
        page.contains(&format!("href=\"/pay/{renewal}\"")) && page.contains("Renew Daily paper"),
        "{page}"
    );
    assert!(listed(&shop, id).await.renewal_offered);
    let ended = events_of(&shop, id).await;
    let last = ended.last().unwrap();
    assert_eq!(last.0, "subscription.ended");
    assert!(
        last.1["renewal_checkout_session"]
            .as_str()
            .is_some_and(|cs| cs.starts_with("cs_")),
        "{}",
        last.1
    );

    // The renewal checkout asks for consent again, as a sign-up does.
    let refused = press_pay(&shop, renewal, false).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(installments(&shop, id).await.len(), 121);

    // Agreed and paid, it starts the next series as a subscription of its own, naming the
    // one it renews; the old one stays ended with its 121 payments.
    let (next_order, next_gate) = pay_plan_checkout(&shop, renewal, BUYER).await;
    assert_eq!(field(&next_gate, "RecurringPaymentNumber"), "121");
    let (next, next_status, next_series) = subscription_of(&shop, &next_order).await;
    assert_eq!(next_status, "active");
    assert!(next_series.is_some() && next_series != series);
    let renews: Option<Uuid> = sqlx::query_scalar("SELECT renews FROM subscriptions WHERE id = $1")
        .bind(next)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(renews, Some(id));
    assert_eq!(status(&shop, id).await, "ended");
    assert_eq!(renewals(&shop, id).await[0].1, "paid");
    let old = listed(&shop, id).await;
    assert!(old.renewed && !old.renewal_offered);
    let created = events_of(&shop, next).await;
    assert_eq!(created[0].0, "subscription.created");
    assert_eq!(
        created[0].1["renews"],
        domain::public_id::encode(domain::public_id::Kind::Subscription, id)
    );
    assert!(renewals(&shop, next).await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn no_renewal_for_a_cancelled_subscription_or_a_plan_with_an_end(pool: PgPool) {
    let shop = shop(pool).await;

    // Cancelled before its series ran out: nothing is offered, then or later.
    let plan = daily_until_cancelled(&shop).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (cancelled, _, _) = subscription_of(&shop, &order_id).await;
    let platform = &shop.server.platform;
    cancel_now(
        platform,
        &shop.scope,
        Mode::Test,
        cancelled,
        &Default::default(),
    )
    .await
    .unwrap();

    // A plan of three payments ends with its third.
    let fixed = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &fixed).await;
    let (ended, _, _) = subscription_of(&shop, &order_id).await;
    advance_gateway(&shop, 130).await;
    poll_after(&shop, 131).await;
    assert_eq!(status(&shop, ended).await, "ended");
    assert_eq!(status(&shop, cancelled).await, "cancelled");
    for id in [cancelled, ended] {
        assert!(renewals(&shop, id).await.is_empty());
    }
    assert!(
        !mails_to(&shop.server, BUYER)
            .await
            .iter()
            .any(|m| m.contains("next series")),
        "no renewal mail"
    );
}
