//! A buyer pays a checkout: receipts, declines, and the return and callback in any order or number.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_buyer_pays_a_checkout_and_gets_a_receipt(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "45.00").await;

    let page = shop
        .get(&format!("/pay/{token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Dardania Crafts") && page.contains("€45.00"),
        "{page}"
    );
    assert!(page.contains("merchant of record") && page.contains("Test Mode"));
    assert!(
        !page.contains("<script"),
        "the checkout page needs no script"
    );
    assert!(
        !page.to_lowercase().contains("name=\"pan\"") && !page.to_lowercase().contains("cvv"),
        "no card field"
    );

    let gate = shop.to_gateway(&token).await;
    assert_eq!(
        gate.action,
        format!("{}/fim/est3Dgate", shop.test_gateway.base_url()),
        "Test Mode goes to the sandbox"
    );
    let order_id = field(&gate, "oid").to_owned();
    assert_eq!(field(&gate, "amount"), "45.00");
    assert_eq!(
        shop.status(&order_id).await,
        "pending",
        "sent to the gateway"
    );

    let returns = shop.pay_at_gateway(&gate, APPROVE).await;
    let answer = shop.deliver(&returns[0]).await;
    assert_eq!(answer.status(), 303);
    let result = answer.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(result, format!("/pay/result/{order_id}"));
    assert_eq!(shop.settled(&order_id).await, "paid");
    let page = shop.get(&result).await.text().await.unwrap();
    assert!(
        page.contains("Payment received") && page.contains("€45.00"),
        "{page}"
    );

    let receipt = shop
        .get(&format!("/pay/receipt/{order_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        receipt.contains("557113")
            && receipt.contains("5575")
            && receipt.contains("Saleonix SH.P.K."),
        "{receipt}"
    );
    assert!(!receipt.contains(APPROVE), "never the whole card number");
    let mails = mails_to(&shop.server, "buyer@example.com").await;
    assert_eq!(mails.len(), 1, "one receipt, however many answers came");
    assert!(
        mails[0].contains("Total paid: €45.00")
            && mails[0].contains("merchant of record")
            && mails[0].contains("***")
    );

    // Paid once: the page says so and a second Pay takes nothing.
    assert!(
        shop.get(&format!("/pay/{token}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("already paid")
    );
    assert_eq!(
        shop.press_pay(&token, "buyer@example.com").await.status(),
        409
    );
    let attempts: i64 = sqlx::query_scalar("SELECT count(*) FROM payments")
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 1);
    let timeline = shop.timeline(&order_id).await;
    assert_eq!(timeline[..2], ["buyer:>created:", "buyer:created>pending:"]);
    assert_eq!(
        timeline.iter().filter(|e| e.contains(">paid:")).count(),
        1,
        "{timeline:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn declines_say_why_take_nothing_and_let_the_buyer_try_again(pool: PgPool) {
    let shop = shop(pool).await;
    let cases = [
        ("4000000000000051", "declined", "declined the payment"),
        ("4000000000000515", "declined", "insufficient funds"),
        ("4000000000000549", "declined", "expired"),
        ("4000000000000309", "declined", "3-D Secure"),
        ("4000000000000994", "failed", "problem"),
    ];
    for (card, status, words) in cases {
        let token = shop.checkout(Mode::Test, "12.50").await;
        let (order_id, returns) = shop.pay(&token, card).await;
        let answer = shop.deliver(&returns[0]).await;
        assert_eq!(answer.status(), 303, "{card}");
        assert_eq!(shop.settled(&order_id).await, status, "{card}");
        let page = shop
            .get(&format!("/pay/result/{order_id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Payment not completed") && page.contains(words),
            "{card}: {page}"
        );
        assert!(
            page.contains(&format!("/pay/{token}")),
            "the buyer may try again"
        );
        assert!(
            shop.get(&format!("/pay/receipt/{order_id}")).await.status() == 404,
            "no receipt for {card}"
        );
    }
    assert!(
        mails_to(&shop.server, "buyer@example.com").await.is_empty(),
        "no receipt mail for a decline"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn return_and_callback_in_any_order_and_number_leave_one_result(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    // The callback has settled it by now; the return arrives after, twice, POST then GET.
    assert_eq!(shop.settled(&order_id).await, "paid");
    assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
    let as_get = HtmlForm {
        method: "get".into(),
        ..returns[0].clone()
    };
    assert_eq!(shop.deliver(&as_get).await.status(), 303);
    assert_eq!(shop.status(&order_id).await, "paid");
    let timeline = shop.timeline(&order_id).await;
    assert_eq!(
        timeline.iter().filter(|e| e.contains(">paid:")).count(),
        1,
        "{timeline:?}"
    );
    assert_eq!(
        timeline
            .iter()
            .filter(|e| e.starts_with("return:paid>:duplicate"))
            .count(),
        2,
        "{timeline:?}"
    );
    assert_eq!(mails_to(&shop.server, "buyer@example.com").await.len(), 1);
    let audit = shop.audit(&order_id).await;
    assert!(
        audit
            .iter()
            .any(|a| a.starts_with("payment.callback:success")),
        "{audit:?}"
    );
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.starts_with("payment.return:success:duplicate"))
            .count(),
        2,
        "{audit:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_lost_return_is_settled_by_the_callback_and_a_lost_callback_by_the_return(pool: PgPool) {
    let shop = shop(pool).await;

    shop.fault(serde_json::json!({ "kind": "drop_return" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    assert!(returns.is_empty(), "the browser never comes back");
    assert_eq!(
        shop.settled(&order_id).await,
        "paid",
        "the callback alone settles it"
    );

    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(shop.status(&order_id).await, "pending", "no callback came");
    assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
    assert_eq!(
        shop.status(&order_id).await,
        "paid",
        "the return alone settles it"
    );
    assert!(
        shop.timeline(&order_id)
            .await
            .iter()
            .all(|e| !e.starts_with("callback"))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_tampered_return_changes_nothing_and_is_audited(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, "4000000000000051").await;
    let mut forged = returns[0].clone();
    for (name, value) in &mut forged.fields {
        match name.as_str() {
            "Response" => *value = "Approved".into(),
            "ProcReturnCode" => *value = "00".into(),
            _ => {}
        }
    }
    let answer = shop.deliver(&forged).await;
    assert_eq!(answer.status(), 400);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("could not be verified")
    );
    assert_eq!(shop.status(&order_id).await, "pending", "nothing changed");
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit.events WHERE event_type = 'payment.return' AND outcome = 'denied' AND reason = 'bad_hash'",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(denied, 1);
    // The genuine return still works afterwards.
    assert_eq!(shop.deliver(&returns[0]).await.status(), 303);
    assert_eq!(shop.status(&order_id).await, "declined");

    // A forged callback with a made-up signature is refused the same way.
    let callback = shop
        .http
        .post(shop.server.url("/pay/callback"))
        .form(&forged.fields)
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 400);
    assert_eq!(shop.status(&order_id).await, "declined");
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_duplicate_callbacks_leave_one_paid_payment(pool: PgPool) {
    let shop = shop(pool).await;
    shop.fault(serde_json::json!({ "kind": "drop_callback" }))
        .await;
    let token = shop.checkout(Mode::Test, "20.00").await;
    let (order_id, returns) = shop.pay(&token, APPROVE).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (client, url, fields) = (
            shop.http.clone(),
            shop.server.url("/pay/callback"),
            returns[0].fields.clone(),
        );
        let return_url = returns[0].action.clone();
        tasks.spawn(async move {
            // Half as callbacks, half as browser returns, all at once.
            let target = if i % 2 == 0 { url } else { return_url };
            client
                .post(target)
                .form(&fields)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert!([200, 303].contains(&status.unwrap()));
    }
    assert_eq!(shop.status(&order_id).await, "paid");
    let timeline = shop.timeline(&order_id).await;
    assert_eq!(
        timeline.iter().filter(|e| e.contains(">paid:")).count(),
        1,
        "{timeline:?}"
    );
    assert_eq!(
        timeline.iter().filter(|e| e.contains(":duplicate")).count(),
        7,
        "{timeline:?}"
    );
    assert_eq!(mails_to(&shop.server, "buyer@example.com").await.len(), 1);
}
