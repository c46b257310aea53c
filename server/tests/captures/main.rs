//! Every capture ends somewhere a person can act on, tested through the Payten sandbox: a
//! second charge for a paid checkout (two tabs, in either order of return and callback, or
//! found by reconciliation) is a `duplicate` the platform returns on its own; money taken
//! after a decline or an expiry is paid or returned and shown to staff; a payment link
//! never sells past its limit; and money taken is read again from the gateway later.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use payten::TransStat;
use payten_sandbox::buyer::HtmlForm;
use platform::gateway_accounts::Mode;
use platform::payments::daily_report;
use platform::payments::refunds::{self, Method, RefundStatus};
use sqlx::PgPool;
use support::checkout::{APPROVE, Shop, field, shop};
use time::OffsetDateTime;

mod duplicates;
mod late;

const DECLINE: &str = "4000000000000051";

/// The buyer opens the checkout in two tabs and presses Pay in each: two gateway forms,
/// two orders, for one checkout.
/// The buyer opens the checkout's gateway page in two tabs and pays in the first: the
/// checkout is paid. Returns the second tab's form and the two order ids.
async fn paid_in_the_first_of_two_tabs(shop: &Shop, token: &str) -> (HtmlForm, String, String) {
    let (first, second) = (shop.to_gateway(token).await, shop.to_gateway(token).await);
    let (a, b) = (
        field(&first, "oid").to_owned(),
        field(&second, "oid").to_owned(),
    );
    shop.pay_at_gateway(&first, APPROVE).await;
    shop.reaches(&a, "paid").await;
    (second, a, b)
}

/// As above, then the second tab is charged too, but neither its return nor its callback
/// arrives: only the order history knows. Returns the two order ids.
async fn second_charge_unheard(shop: &Shop, token: &str) -> (String, String) {
    let (second, a, b) = paid_in_the_first_of_two_tabs(shop, token).await;
    drop_answers(shop, &b).await;
    shop.pay_at_gateway(&second, APPROVE).await;
    (a, b)
}

async fn drop_answers(shop: &Shop, order_id: &str) {
    for kind in ["drop_callback", "drop_return"] {
        shop.fault(serde_json::json!({ "kind": kind, "order_id": order_id }))
            .await;
    }
}

/// The exceptions of a payment: `kind:resolution`.
async fn exceptions(shop: &Shop, order_id: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.kind || ':' || coalesce(e.resolution, 'open') FROM reconciliation_exceptions e
         JOIN payments p ON p.id = e.payment_id WHERE p.order_id = $1 ORDER BY e.created_at",
    )
    .bind(order_id)
    .fetch_all(shop.pool())
    .await
    .unwrap()
}

/// What a returned duplicate of `amount_minor` looks like everywhere a person would look.
async fn assert_returned_duplicate(
    shop: &Shop,
    paid: &str,
    duplicate: &str,
    amount_minor: i64,
    note: &str,
) {
    assert_eq!(shop.status(paid).await, "paid");
    assert_eq!(
        shop.money(duplicate).await,
        ("duplicate".into(), amount_minor, 0),
        "returned in full, nothing held"
    );
    let paid_of_checkout: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payments WHERE session_id = (SELECT session_id FROM payments WHERE order_id = $1)
                                         AND status IN ('paid', 'refunded', 'partially_refunded')",
    )
    .bind(paid)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert_eq!(paid_of_checkout, 1, "one paid payment per checkout");

    let payment_id = sqlx::query_scalar("SELECT id FROM payments WHERE order_id = $1")
        .bind(duplicate)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    let returned = refunds::of_payment(&mut shop.pool().acquire().await.unwrap(), payment_id)
        .await
        .unwrap();
    assert_eq!(returned.len(), 1, "{returned:?}");
    assert_eq!(
        (
            returned[0].status,
            returned[0].method,
            returned[0].amount.minor()
        ),
        (RefundStatus::Succeeded, Method::Void, amount_minor)
    );
    assert_eq!(returned[0].requested_via, "platform");
    assert_eq!(
        shop.history(duplicate).await.transactions[0].status,
        TransStat::Voided,
        "the gateway gave it back"
    );

    let timeline = shop.timeline(duplicate).await;
    assert_eq!(
        timeline
            .iter()
            .filter(|e| e.ends_with(&format!(">duplicate:{note}")))
            .count(),
        1,
        "{timeline:?}"
    );
    assert!(
        timeline.contains(&"refund:duplicate>duplicate:refund_succeeded".to_owned()),
        "{timeline:?}"
    );
    let audit = shop.audit(duplicate).await;
    for row in [
        format!(":success:{note}"),
        "refund.request:success:".to_owned(),
        "refund.succeed:success:".to_owned(),
        "reconciliation.exception:failure:duplicate".to_owned(),
        "reconciliation.returned:success:".to_owned(),
    ] {
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.ends_with(&row) || a.starts_with(&row))
                .count(),
            1,
            "{row} in {audit:?}"
        );
    }
    assert_eq!(
        exceptions(shop, duplicate).await,
        ["duplicate:returned"],
        "staff see it, closed once returned"
    );

    // The buyer is told plainly; the merchant's page says it too.
    let page = shop
        .get(&format!("/pay/result/{duplicate}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Charge returned") && page.contains("has been returned to your card"),
        "{page}"
    );
    assert!(!page.contains("Confirming"), "{page}");
    let detail = platform::payments::reading::detail(shop.pool(), &shop.scope, payment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.payment.status, domain::PaymentStatus::Duplicate);
    assert!(detail.refundable.is_zero());
}
