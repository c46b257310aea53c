//! A subscription's mails are written in the language its buyer signed up in, though the
//! worker that sends most of them answers no page; a link asked for on the portal's page
//! comes in that page's language.

use i18n::untranslated::english_in;
use reqwest::header::ACCEPT_LANGUAGE;

use super::*;

#[sqlx::test(migrations = "../migrations")]
async fn a_subscription_mails_its_buyer_in_the_language_they_signed_up_in(pool: PgPool) {
    let shop = shop(pool).await;
    let plan = monthly_plan(&shop, 3).await;
    let token = plan_checkout(&shop, &plan).await;
    let (order_id, _) = pay_plan_checkout_in(&shop, &token, BUYER, "sr-Latn").await;
    let (id, _, recurring_id) = subscription_of(&shop, &order_id).await;
    change_series(
        &shop,
        &recurring_id.unwrap(),
        serde_json::json!({ "decline": 3 }),
    )
    .await;
    advance_gateway(&shop, 32).await;
    assert_eq!(poll_after(&shop, 33).await.paid, 1);
    advance_gateway(&shop, 31).await;
    assert_eq!(poll_after(&shop, 64).await.declined, 1);
    assert_eq!(status(&shop, id).await, "past_due");

    // Newest first: the decline, the second installment's receipt, the first receipt.
    let mails = mails_to(&shop.server, BUYER).await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    for (mail, words) in [
        (
            &mails[0],
            "Vaša banka je odbila uplatu 3 od 3 (9,90\u{a0}€)",
        ),
        (&mails[1], "Coffee of the month (uplata 2 od 3)"),
        (&mails[1], "Ukupno plaćeno: 9,90\u{a0}€"),
        (&mails[2], "Hvala vam na uplati prodavcu Dardania Crafts."),
    ] {
        assert!(mail.contains(words), "{words}: {mail}");
    }
    let mor = &shop.server.platform.config.settings.merchant_of_record;
    let data = [
        "Dardania Crafts",
        "Coffee of the month",
        mor.name.as_str(),
        mor.address.as_str(),
    ];
    for mail in &mails {
        let mut text = mail.clone();
        for datum in data {
            text = text.replace(datum, " ");
        }
        let left = english_in(&text);
        assert!(left.is_empty(), "English left: {left:?}\n{text}");
    }

    // A link asked for on the portal's page in Albanian comes in Albanian.
    let asked = shop
        .http
        .post(shop.server.url("/portal"))
        .header(ACCEPT_LANGUAGE, "sq")
        .form(&[("email", BUYER)])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200);
    let link = &mails_to(&shop.server, BUYER).await[0];
    assert!(
        link.contains("Kërkuat një lidhje për abonimet tuaja me Dardania Crafts."),
        "{link}"
    );
}
