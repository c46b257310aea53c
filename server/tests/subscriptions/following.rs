//! The worker following each series: installments recorded once, however often and by
//! however many workers it is polled; a gateway that does not answer. Declines are
//! `dunning.rs`'s.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn each_installment_is_recorded_once_with_its_receipt(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, _) = subscription_of(&shop, &order_id).await;

    // The gateway charges the second installment a month on; the platform hears nothing
    // until it asks. Two workers at once record it once.
    advance_gateway(&shop, 32).await;
    let platform = &shop.server.platform;
    let now = OffsetDateTime::now_utc() + Duration::days(33);
    let (a, b) = tokio::join!(
        follow::poll_due(platform, now),
        follow::poll_due(platform, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.polled + b.polled,
        1,
        "one worker takes the series: {a:?} {b:?}"
    );
    assert_eq!(a.paid + b.paid, 1);
    let second = format!("{order_id}-2");
    assert_eq!(
        installments(&shop, id).await,
        [
            (1, order_id.clone(), "paid".into()),
            (2, second.clone(), "paid".into())
        ]
    );
    assert_eq!(status(&shop, id).await, "active");

    // Asked again (its lease run out, or by hand), the gateway's same answer adds nothing.
    sqlx::query("UPDATE subscriptions SET poll_due_at = now() WHERE id = $1")
        .bind(id)
        .execute(shop.pool())
        .await
        .unwrap();
    let again = poll_after(&shop, 0).await;
    assert_eq!((again.polled, again.paid), (1, 0));
    assert_eq!(installments(&shop, id).await.len(), 2);

    // The installment is a payment like any other: its receipt names the plan and the card
    // of the first payment, and the books hold it.
    let mails = mails_to(&shop.server, BUYER).await;
    assert_eq!(mails.len(), 2, "one receipt per installment");
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Coffee of the month (payment 2 of 3)") && m.contains("***")),
        "{mails:?}"
    );
    let booked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ledger_entries e JOIN payments p ON p.id = e.payment_id WHERE p.order_id = $1",
    )
    .bind(&second)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert!(booked >= 1, "the sale is in the books");

    // The last installment ends the subscription, and nothing is left to poll.
    advance_gateway(&shop, 31).await;
    let last = poll_after(&shop, 70).await;
    assert_eq!((last.polled, last.paid), (1, 1));
    assert_eq!(installments(&shop, id).await.len(), 3);
    assert_eq!(status(&shop, id).await, "ended");
    let due: Option<OffsetDateTime> =
        sqlx::query_scalar("SELECT poll_due_at FROM subscriptions WHERE id = $1")
            .bind(id)
            .fetch_one(shop.pool())
            .await
            .unwrap();
    assert_eq!(due, None);
    assert_eq!(poll_after(&shop, 400).await, Report::default());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_gateway_that_does_not_answer_is_asked_again_later(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let (order_id, _) = sign_up(&shop, &plan).await;
    let (id, _, _) = subscription_of(&shop, &order_id).await;
    advance_gateway(&shop, 32).await;

    shop.fault(serde_json::json!({ "kind": "api_server_error", "once": false }))
        .await;
    let report = poll_after(&shop, 33).await;
    assert_eq!((report.polled, report.unanswered, report.paid), (1, 1, 0));
    assert_eq!(installments(&shop, id).await.len(), 1, "nothing recorded");
    // Leased, not lost: a pass right after leaves it, one past the lease takes it.
    assert_eq!(poll_after(&shop, 33).await.polled, 0);

    let clear = format!("{}/sandbox/faults", shop.test_gateway.base_url());
    reqwest::Client::new().delete(clear).send().await.unwrap();
    let now = OffsetDateTime::now_utc() + Duration::days(33) + follow::LEASE + Duration::minutes(1);
    let report = follow::poll_due(&shop.server.platform, now).await.unwrap();
    assert_eq!((report.polled, report.paid), (1, 1));
    assert_eq!(installments(&shop, id).await.len(), 2);
}
