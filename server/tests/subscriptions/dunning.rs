//! Dunning: a declined installment makes the subscription past due and mails the buyer a
//! link to pay it; paid, the subscription is active again. Unpaid declines past the
//! merchant's count or deadline end it `unpaid`, the series cancelled at the gateway and
//! the buyer's checkouts closed.

use platform::subscriptions::dunning::{self, Schedule};

use super::*;

/// The `/pay/cs_…` token in the newest mail to the buyer that says a payment was declined.
async fn pay_link(shop: &Shop) -> String {
    // Newest first.
    let mails = mails_to(&shop.server, BUYER).await;
    let mail = mails
        .iter()
        .find(|m| m.contains("Your bank declined"))
        .unwrap_or_else(|| panic!("no decline notice in {mails:?}"));
    let start = mail.find("/pay/cs_").expect("a link to pay") + "/pay/".len();
    mail[start..start + "cs_".len() + 22].to_owned()
}

async fn checkout_status(shop: &Shop, token: &str) -> String {
    sqlx::query_scalar("SELECT status::text FROM checkout_sessions WHERE token = $1")
        .bind(token)
        .fetch_one(shop.pool())
        .await
        .unwrap()
}

async fn status_reasons(shop: &Shop, id: Uuid) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT detail ->> 'to', reason FROM audit.events
         WHERE event_type = 'subscription.status' AND target_id = $1 ORDER BY occurred_at",
    )
    .bind(id.to_string())
    .fetch_all(shop.pool())
    .await
    .unwrap()
}

async fn set_schedule(shop: &Shop, max_declines: u16, grace_days: u16) {
    let schedule = Schedule {
        max_declines,
        grace_days,
    };
    dunning::set_schedule(
        shop.pool(),
        &shop.scope,
        Mode::Test,
        schedule,
        &Default::default(),
    )
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_declined_installment_paid_by_the_buyer_makes_the_subscription_active_again(
    pool: PgPool,
) {
    let shop = shop(pool).await;
    // Time to pay beyond the next charge, which does not settle the missed one.
    set_schedule(&shop, 3, 60).await;
    let plan = monthly_plan(&shop, 4).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, recurring_id) = subscription_of(&shop, &order_id).await;
    change_series(
        &shop,
        &recurring_id.unwrap(),
        serde_json::json!({ "decline": 2 }),
    )
    .await;

    advance_gateway(&shop, 32).await;
    let report = poll_after(&shop, 33).await;
    assert_eq!((report.paid, report.declined), (0, 1));
    assert_eq!(status(&shop, id).await, "past_due");
    let rows = installments(&shop, id).await;
    assert_eq!(rows[1], (2, format!("{order_id}-2"), "declined".into()));

    // The buyer hears of it with the amount, the deadline and a link to pay it once.
    let mails = mails_to(&shop.server, BUYER).await;
    assert_eq!(
        mails.len(),
        2,
        "the first receipt and the notice: {mails:?}"
    );
    let notice = &mails[0];
    for words in [
        "declined payment 2 of 4 (€9.90)",
        "“Coffee of the month” with Dardania Crafts",
        "Pay it by ",
        "/portal/sp_",
    ] {
        assert!(notice.contains(words), "{words}: {notice}");
    }
    let token = pay_link(&shop).await;
    assert_eq!(checkout_status(&shop, &token).await, "open");

    // The next installment charged does not settle the one missed.
    advance_gateway(&shop, 31).await;
    let report = poll_after(&shop, 64).await;
    assert_eq!((report.paid, report.declined), (1, 0));
    assert_eq!(status(&shop, id).await, "past_due");

    // Paid as a one-off payment (no recurring fields: no second series), the subscription
    // is active again and counts it.
    let (recovery, gate) = pay_plan_checkout(&shop, &token, BUYER).await;
    assert!(
        gate.fields
            .iter()
            .all(|(name, _)| !name.starts_with("Recurring")),
        "{:?}",
        gate.fields
    );
    assert_eq!(checkout_status(&shop, &token).await, "paid");
    assert_eq!(status(&shop, id).await, "active");
    let paid: i16 = sqlx::query_scalar("SELECT paid_installments FROM subscriptions WHERE id = $1")
        .bind(id)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(paid, 3, "the first, the third and the second paid late");
    assert_eq!(
        status_reasons(&shop, id).await.last().unwrap(),
        &("active".to_owned(), Some("recovered".to_owned()))
    );
    let booked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ledger_entries e JOIN payments p ON p.id = e.payment_id WHERE p.order_id = $1",
    )
    .bind(&recovery)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert!(booked >= 1, "the late payment is in the books");
    // Its receipt opens the buyer's portal, which shows the installment paid late.
    let receipt = mails_to(&shop.server, BUYER).await;
    let receipt = &receipt[0];
    assert!(receipt.contains("/portal/sp_"), "{receipt}");
    let start = receipt.find("/portal/sp_").unwrap();
    let portal = shop
        .get(&receipt[start..start + "/portal/sp_".len() + 32])
        .await
        .text()
        .await
        .unwrap();
    assert!(portal.contains("Paid after a decline"), "{portal}");
    assert!(
        portal.contains(&format!("/pay/receipt/{recovery}")),
        "{portal}"
    );

    // A second payment of that checkout is not taken.
    let again = press_pay(&shop, &token, false).await.text().await.unwrap();
    assert!(
        forms(&again).iter().all(|f| !f.action.contains("/fim/")),
        "no second form to the gateway: {again}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn unpaid_declines_at_the_merchants_count_end_the_subscription_and_its_series(pool: PgPool) {
    let shop = shop(pool).await;
    set_schedule(&shop, 2, 60).await;
    let plan = monthly_plan(&shop, 5).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, recurring_id) = subscription_of(&shop, &order_id).await;
    let recurring_id = recurring_id.unwrap();
    for n in [2, 3] {
        change_series(&shop, &recurring_id, serde_json::json!({ "decline": n })).await;
    }

    advance_gateway(&shop, 32).await;
    poll_after(&shop, 33).await;
    assert_eq!(status(&shop, id).await, "past_due");
    let first = pay_link(&shop).await;

    // The second unpaid decline reaches the merchant's count: the series is cancelled at
    // the gateway, the subscription ends unpaid, and neither missed payment can be paid.
    advance_gateway(&shop, 31).await;
    let report = poll_after(&shop, 64).await;
    assert_eq!(report.declined, 1);
    assert_eq!(status(&shop, id).await, "unpaid");
    let second = pay_link(&shop).await;
    assert_ne!(first, second);
    for token in [&first, &second] {
        assert_eq!(checkout_status(&shop, token).await, "expired");
    }
    let ended: Option<OffsetDateTime> =
        sqlx::query_scalar("SELECT ended_at FROM subscriptions WHERE id = $1")
            .bind(id)
            .fetch_one(shop.pool())
            .await
            .unwrap();
    assert!(ended.is_some());
    assert_eq!(
        status_reasons(&shop, id).await.last().unwrap(),
        &("unpaid".to_owned(), Some("dunning".to_owned()))
    );

    // The gateway charges nothing more: a look a month on finds no fourth installment.
    advance_gateway(&shop, 31).await;
    sqlx::query("UPDATE subscriptions SET poll_due_at = now() WHERE id = $1")
        .bind(id)
        .execute(shop.pool())
        .await
        .unwrap();
    poll_after(&shop, 96).await;
    assert_eq!(installments(&shop, id).await.len(), 3);
    assert_eq!(status(&shop, id).await, "unpaid");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_decline_unpaid_by_its_deadline_ends_the_subscription(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, recurring_id) = subscription_of(&shop, &order_id).await;
    change_series(
        &shop,
        &recurring_id.unwrap(),
        serde_json::json!({ "decline": 2 }),
    )
    .await;
    advance_gateway(&shop, 32).await;
    poll_after(&shop, 33).await;
    let token = pay_link(&shop).await;

    // The worker comes back at the deadline (the default 14 days), before the next charge.
    assert_eq!(poll_after(&shop, 33 + 13).await.polled, 0);
    assert_eq!(status(&shop, id).await, "past_due");
    assert_eq!(poll_after(&shop, 33 + 15).await.polled, 1);
    assert_eq!(status(&shop, id).await, "unpaid");
    assert_eq!(checkout_status(&shop, &token).await, "expired");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_schedule_is_the_merchants_own_per_mode_and_refuses_what_is_out_of_range(pool: PgPool) {
    let shop = shop(pool).await;
    let mut conn = shop.pool().acquire().await.unwrap();
    let own = shop.scope.merchant_id().as_uuid();
    assert_eq!(
        dunning::schedule(&mut conn, own, Mode::Test).await.unwrap(),
        Schedule::DEFAULT
    );
    for (declines, days, field) in [
        (0, 14, "max_declines"),
        (11, 14, "max_declines"),
        (3, 0, "grace_days"),
        (3, 61, "grace_days"),
    ] {
        let refused = dunning::set_schedule(
            shop.pool(),
            &shop.scope,
            Mode::Test,
            Schedule {
                max_declines: declines,
                grace_days: days,
            },
            &Default::default(),
        )
        .await;
        assert!(
            matches!(refused, Err(platform::payments::PaymentError::Invalid { field: f, .. }) if f == field),
            "{refused:?}"
        );
    }
    assert_eq!(
        dunning::schedule(&mut conn, own, Mode::Test).await.unwrap(),
        Schedule::DEFAULT,
        "a refusal changes nothing"
    );
    set_schedule(&shop, 5, 7).await;
    let (other, _) = merchant(shop.pool(), "Prizren Leather", true).await;
    assert_eq!(
        dunning::schedule(&mut conn, other, Mode::Test)
            .await
            .unwrap(),
        Schedule::DEFAULT,
        "another merchant keeps its own"
    );
    assert_eq!(
        dunning::schedule(&mut conn, own, Mode::Test).await.unwrap(),
        Schedule {
            max_declines: 5,
            grace_days: 7
        }
    );
    assert_eq!(
        dunning::schedule(&mut conn, own, Mode::Live).await.unwrap(),
        Schedule::DEFAULT,
        "Test Mode's schedule leaves Live Mode's alone"
    );
}
