//! Refunding a payment: partial and full, void or credit, idempotent and never over the payment.

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_partial_then_a_full_refund_leave_the_right_net(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("50.00").await;

    let first = refund(&shop, payment_id, &ask(1_500)).await.unwrap();
    assert_eq!(
        (first.status, first.method),
        (RefundStatus::Succeeded, Method::Credit),
        "{first:?}"
    );
    assert_eq!(
        money(&shop, payment_id).await,
        ("partially_refunded".into(), 1_500, 0)
    );

    let too_much = refund(&shop, payment_id, &ask(3_501)).await;
    assert!(
        matches!(
            too_much,
            Err(PaymentError::RefundExceeds { remaining })
                if remaining == domain::Money::eur(3_500)
        ),
        "{too_much:?}"
    );

    let rest = refund(&shop, payment_id, &ask(3_500)).await.unwrap();
    assert_eq!(rest.status, RefundStatus::Succeeded);
    assert_eq!(
        money(&shop, payment_id).await,
        ("refunded".into(), 5_000, 0)
    );
    assert_eq!(
        history(&shop, &order_id).await.refunded_minor(),
        5_000,
        "the gateway agrees"
    );
    assert!(matches!(
        refund(&shop, payment_id, &ask(1)).await,
        Err(PaymentError::NotRefundable)
    ));

    let detail = reading::detail(
        shop.pool(),
        &shop.scope,
        domain::PaymentId::from_uuid(payment_id),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(detail.refunds.len(), 2);
    assert!(detail.refundable.is_zero());
    let timeline = shop.timeline(&order_id).await;
    assert!(
        timeline.contains(&"refund:paid>partially_refunded:refund_succeeded".to_owned()),
        "{timeline:?}"
    );
    assert!(
        timeline.contains(&"refund:partially_refunded>refunded:refund_succeeded".to_owned()),
        "{timeline:?}"
    );
    let mails = mails_to(&shop.server, "buyer@example.com").await;
    assert_eq!(
        mails.iter().filter(|m| m.contains("has refunded")).count(),
        2,
        "one email per refund"
    );
    assert!(
        mails
            .iter()
            .any(|m| m.contains("has refunded €15.00 of your payment of €50.00"))
    );
    let audit = shop.audit(&order_id).await;
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.starts_with("refund.request:success"))
            .count(),
        2,
        "{audit:?}"
    );
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.starts_with("refund.succeed:success"))
            .count(),
        2,
        "{audit:?}"
    );
    assert!(
        audit.contains(&"refund.request:denied:exceeds_refundable".to_owned()),
        "{audit:?}"
    );
    assert!(
        audit.contains(&"refund.request:denied:not_refundable".to_owned()),
        "{audit:?}"
    );
    let ip: String = sqlx::query_scalar(
        "SELECT ip FROM audit.events WHERE event_type = 'refund.request' AND outcome = 'success' LIMIT 1",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(ip, "198.51.100.20");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_whole_refund_is_a_void_the_same_day_and_a_credit_after_settlement(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("20.00").await;
    let void = refund(&shop, payment_id, &ask(2_000)).await.unwrap();
    assert_eq!(
        (void.status, void.method),
        (RefundStatus::Succeeded, Method::Void)
    );
    let sale = &history(&shop, &order_id).await.transactions[0];
    assert_eq!(
        sale.status,
        payten::TransStat::Voided,
        "nothing reaches the buyer's statement"
    );

    // The gateway settled overnight: nothing is voidable any more, so the refund is a Credit.
    let (payment_id, order_id) = shop.paid("20.00").await;
    let clock = format!("{}/sandbox/clock", shop.test_gateway.base_url());
    reqwest::Client::new()
        .post(clock)
        .json(&serde_json::json!({ "days": 1 }))
        .send()
        .await
        .unwrap();
    let credit = refund(&shop, payment_id, &ask(2_000)).await.unwrap();
    assert_eq!(
        (credit.status, credit.method),
        (RefundStatus::Succeeded, Method::Credit),
        "{credit:?}"
    );
    assert_eq!(history(&shop, &order_id).await.refunded_minor(), 2_000);
    assert_eq!(
        money(&shop, payment_id).await,
        ("refunded".into(), 2_000, 0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_same_request_id_makes_one_refund(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("30.00").await;
    let request = ask(1_000);
    let first = refund(&shop, payment_id, &request).await.unwrap();
    let again = refund(&shop, payment_id, &request).await.unwrap();
    assert_eq!(first.id, again.id, "a double click is one refund");
    let credits = history(&shop, &order_id).await.transactions.len() - 1;
    assert_eq!(credits, 1, "the gateway saw one Credit");
    let reused = RefundRequest {
        amount: domain::Money::eur(500),
        ..request
    };
    assert!(matches!(
        refund(&shop, payment_id, &reused).await,
        Err(PaymentError::RequestReused)
    ));
}

#[sqlx::test(migrations = "../migrations")]
async fn another_merchants_payment_cannot_be_refunded(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, _) = shop.paid("30.00").await;
    let (_, other) = support::checkout::merchant(shop.pool(), "Other Shop", true).await;
    let stranger = Requester::Merchant(other);
    let facts = platform::audit::RequestFacts::default();
    let answer = refunds::request(
        &shop.server.platform,
        domain::PaymentId::from_uuid(payment_id),
        &ask(100),
        stranger,
        &facts,
    )
    .await;
    assert!(matches!(answer, Err(PaymentError::NotFound)), "{answer:?}");
    assert_eq!(money(&shop, payment_id).await, ("paid".into(), 0, 0));
}

#[sqlx::test(migrations = "../migrations")]
async fn simultaneous_refunds_never_over_refund(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("10.00").await;
    let asks = [ask(600), ask(600), ask(600), ask(600)];
    let (a, b, c, d) = tokio::join!(
        refund(&shop, payment_id, &asks[0]),
        refund(&shop, payment_id, &asks[1]),
        refund(&shop, payment_id, &asks[2]),
        refund(&shop, payment_id, &asks[3]),
    );
    let answers = [a, b, c, d];
    let succeeded = answers
        .iter()
        .filter(|a| matches!(a, Ok(r) if r.status == RefundStatus::Succeeded))
        .count();
    assert_eq!(succeeded, 1, "{answers:?}");
    assert!(
        answers.iter().all(|a| matches!(
            a,
            Ok(_) | Err(PaymentError::RefundInProgress | PaymentError::RefundExceeds { .. })
        )),
        "{answers:?}"
    );
    assert_eq!(
        money(&shop, payment_id).await,
        ("partially_refunded".into(), 600, 0)
    );
    assert_eq!(history(&shop, &order_id).await.refunded_minor(), 600);

    // The database itself refuses more than was paid, whatever the code above it does.
    let over = sqlx::query("UPDATE payments SET refund_pending_minor = 401 WHERE id = $1")
        .bind(payment_id)
        .execute(shop.pool())
        .await;
    assert!(
        over.unwrap_err().as_database_error().unwrap().constraint()
            == Some("payments_refunds_within_amount")
    );
}

/// Item 7's third layer: a staff refund's scope is checked by the platform itself, so one
/// for another module, or refunds at `view`, is refused and nothing is held or sent; the
/// scope it needs refunds.
#[sqlx::test(migrations = "../migrations")]
async fn a_staff_refund_needs_refunds_at_act(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("30.00").await;
    let facts = &platform::audit::RequestFacts::default();
    let staff_refund = |scope| {
        let platform = &shop.server.platform;
        async move {
            refunds::request(
                platform,
                domain::PaymentId::from_uuid(payment_id),
                &ask(1_000),
                Requester::Staff(scope),
                facts,
            )
            .await
        }
    };
    for (module, level) in [
        (Module::Payments, Level::Act),
        (Module::Refunds, Level::View),
    ] {
        let scope = support::checkout::staff_scope(shop.pool(), module, level).await;
        let refused = staff_refund(scope).await;
        assert!(
            matches!(refused, Err(PaymentError::Forbidden(_))),
            "{module:?} {level:?}: {refused:?}"
        );
    }
    assert_eq!(money(&shop, payment_id).await, ("paid".into(), 0, 0));
    assert!(
        !shop
            .audit(&order_id)
            .await
            .iter()
            .any(|a| a.starts_with("refund.")),
        "a refused scope leaves no refund row"
    );

    let act = support::checkout::staff_scope(shop.pool(), Module::Refunds, Level::Act).await;
    let made = staff_refund(act).await.unwrap();
    assert_eq!(made.status, RefundStatus::Succeeded);
    assert_eq!(made.requested_via, "console");
    assert_eq!(
        money(&shop, payment_id).await,
        ("partially_refunded".into(), 1_000, 0)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_receipt_and_the_refund_notice_are_in_the_language_the_buyer_paid_in(pool: PgPool) {
    let shop = shop(pool).await;
    let mor = &shop.server.platform.config.settings.merchant_of_record;
    for (accept, email, thanks, refunded) in [
        (
            "sr-Latn, en;q=0.5",
            "kupac@example.com",
            "Hvala vam na uplati prodavcu Dardania Crafts.",
            "Prodavac Dardania Crafts vam je vratio 5,00\u{a0}€ od vaše uplate od 45,00\u{a0}€",
        ),
        // No language the platform speaks: Albanian.
        (
            "de",
            "bleresi@example.com",
            "Ju faleminderit për pagesën tuaj te Dardania Crafts.",
            "Dardania Crafts ju ka rimbursuar 5,00\u{a0}€ nga pagesa juaj prej 45,00\u{a0}€",
        ),
    ] {
        let (payment_id, _) = shop.paid_by("45.00", email, accept).await;
        refund(&shop, payment_id, &ask(500)).await.unwrap();

        // Newest first: the refund's notice, then the receipt.
        let mails = mails_to(&shop.server, email).await;
        assert_eq!(mails.len(), 2, "{mails:?}");
        assert!(mails[1].contains(thanks), "{accept}: {}", mails[1]);
        assert!(mails[0].contains(refunded), "{accept}: {}", mails[0]);
        for mail in &mails {
            let mut text = mail.clone();
            let data = [
                "Dardania Crafts",
                "Silver filigree earrings",
                mor.name.as_str(),
                mor.address.as_str(),
            ];
            for datum in data {
                text = text.replace(datum, " ");
            }
            let left = i18n::untranslated::english_in(&text);
            assert!(left.is_empty(), "{accept}: English left: {left:?}\n{text}");
        }
    }
}
