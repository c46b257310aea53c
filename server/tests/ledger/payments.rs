//! What each step of a payment's life posts, through the real checkout and the Payten
//! sandbox: a sale splits into the merchant's net, Saleonix's fee and the VAT on it; a
//! repeated answer posts nothing; refunds come out of what is still pending, then out of
//! `available` (which may go below zero); the release job frees pending money on its day;
//! a duplicate charge never touches the merchant's books; a payment staff found was never
//! taken is reversed.

use std::time::Duration;

use domain::PaymentStatus as Status;
use domain::TimelineSource as Source;
use platform::audit::{Actor, ActorKind, RequestFacts};
use platform::gateway_accounts::Mode;
use platform::ledger::{AccountKind, release};
use platform::payments::refunds::{self, RefundRequest, Requester};
use platform::payments::transition::{self, Change};
use sqlx::PgPool;
use uuid::Uuid;

use super::books::{self, assert_consistent, entries_of};
use super::support::checkout::{APPROVE, Shop, field, shop};

async fn refund(shop: &Shop, payment_id: Uuid, amount_minor: i64) {
    let owner = Requester::Merchant(shop.scope);
    let request = RefundRequest {
        request_id: Uuid::new_v4(),
        amount: domain::Money::eur(amount_minor),
        reason: "Returned by the buyer".into(),
    };
    refunds::request(
        &shop.server.platform,
        domain::PaymentId::from_uuid(payment_id),
        &request,
        owner,
        &RequestFacts::default(),
    )
    .await
    .unwrap();
}

/// Moves every hold of the merchant's to today, then runs the release job.
async fn release_everything_now(shop: &Shop) -> u64 {
    sqlx::query("UPDATE ledger_holds SET release_on = current_date - 1 WHERE merchant_id = $1")
        .bind(shop.merchant_id)
        .execute(shop.pool())
        .await
        .unwrap();
    release::release_due(&shop.server.platform).await.unwrap()
}

async fn fees_of(pool: &PgPool, payment_id: Uuid) -> (i64, i64, i64, i64) {
    sqlx::query_as("SELECT gross_minor, fee_minor, vat_minor, net_minor FROM payment_fees WHERE payment_id = $1")
        .bind(payment_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_sale_owes_the_merchant_its_net_and_saleonix_its_fee_and_the_vat(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("10.00").await;
    // The default schedule: 2.90 % + 0.25 = 0.54; VAT 18 % of it = 0.10; net 9.36.
    assert_eq!(fees_of(shop.pool(), payment_id).await, (1_000, 54, 10, 936));
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (0, 936, 0, 0)
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::GatewayClearing, Mode::Test).await,
        1_000
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::FeeRevenue, Mode::Test).await,
        54
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::VatPayable, Mode::Test).await,
        10
    );
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Live).await,
        (0, 0, 0, 0),
        "a Test sale is not Live money"
    );

    // The approval again (a retried callback, the reconciliation worker): nothing more.
    let system = Actor {
        kind: ActorKind::System,
        id: None,
    };
    let mut tx = shop.pool().begin().await.unwrap();
    let change = Change::Paid(Default::default());
    transition::apply(
        &mut tx,
        &shop.server.platform,
        &order_id,
        change,
        Source::Callback,
        system,
        &RequestFacts::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    shop.reconcile_after(60).await;
    assert_eq!(entries_of(shop.pool(), payment_id).await, ["payment_paid"]);
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (0, 936, 0, 0)
    );

    // The hold is released on the seventh business day after the sale, in Kosovo.
    let (release_on, weekday_ok): (time::Date, bool) = sqlx::query_as(
        "SELECT release_on, extract(isodow FROM release_on) < 6 FROM ledger_holds WHERE payment_id = $1",
    )
    .bind(payment_id)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert!(
        weekday_ok
            && release_on >= time::OffsetDateTime::now_utc().date() + time::Duration::days(9)
    );
    assert_consistent(shop.pool()).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn refunds_come_out_of_pending_then_available_and_saleonix_keeps_its_fee(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, _) = shop.paid("10.00").await;
    refund(&shop, payment_id, 300).await;
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (0, 636, 0, 0),
        "taken from the sale's hold"
    );

    assert_eq!(release_everything_now(&shop).await, 1);
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (636, 0, 0, 0),
        "released to available"
    );
    assert_eq!(
        release_everything_now(&shop).await,
        0,
        "a released hold is not released again"
    );

    // The rest of the gross: more than the merchant has, because the fee stays with Saleonix.
    refund(&shop, payment_id, 700).await;
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (-64, 0, 0, 0)
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::GatewayClearing, Mode::Test).await,
        0,
        "the buyer has it all back"
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::FeeRevenue, Mode::Test).await,
        54
    );
    assert_eq!(
        entries_of(shop.pool(), payment_id).await,
        [
            "payment_paid",
            "payment_refund",
            "release",
            "payment_refund"
        ]
    );

    // The next sale pays the debt back first.
    let (next, _) = shop.paid("5.00").await;
    // 2.90 % of 5.00 is 0.145, half-even 0.14; plus 0.25 is 0.39; VAT 0.0702, so 0.07.
    assert_eq!(fees_of(shop.pool(), next).await, (500, 39, 7, 454));
    release_everything_now(&shop).await;
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (390, 0, 0, 0)
    );
    assert_consistent(shop.pool()).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_rolling_reserve_holds_its_share_until_its_own_day(pool: PgPool) {
    let shop = shop(pool).await;
    sqlx::query("INSERT INTO merchant_settlement (merchant_id, delay_days, reserve_bp, reserve_days) VALUES ($1, 2, 1000, 90)")
        .bind(shop.merchant_id)
        .execute(shop.pool())
        .await
        .unwrap();
    let (payment_id, _) = shop.paid("10.00").await;
    // 10 % of the 9.36 net (0.936, half-even 0.94) for 90 days; the rest pending.
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (0, 842, 94, 0)
    );
    let reserve_until: time::Date = sqlx::query_scalar(
        "SELECT release_on FROM ledger_holds WHERE payment_id = $1 AND kind = 'reserve'",
    )
    .bind(payment_id)
    .fetch_one(shop.pool())
    .await
    .unwrap();
    assert!(reserve_until >= time::OffsetDateTime::now_utc().date() + time::Duration::days(89));

    // The pending part's day comes first; the reserve waits for its own.
    sqlx::query("UPDATE ledger_holds SET release_on = current_date - 1 WHERE payment_id = $1 AND kind = 'pending'")
        .bind(payment_id)
        .execute(shop.pool())
        .await
        .unwrap();
    release::release_due(&shop.server.platform).await.unwrap();
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (842, 0, 94, 0)
    );
    // A whole refund now: the reserve first (the payment's own held money), the rest from available.
    refund(&shop, payment_id, 1_000).await;
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (-64, 0, 0, 0)
    );
    assert_consistent(shop.pool()).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_duplicate_charge_is_owed_to_the_buyer_never_to_the_merchant(pool: PgPool) {
    let shop = shop(pool).await;
    let token = shop.checkout(Mode::Test, "10.00").await;
    let (first, second) = (shop.to_gateway(&token).await, shop.to_gateway(&token).await);
    let (a, b) = (
        field(&first, "oid").to_owned(),
        field(&second, "oid").to_owned(),
    );
    shop.pay_at_gateway(&first, APPROVE).await;
    shop.reaches(&a, "paid").await;
    shop.pay_at_gateway(&second, APPROVE).await;
    shop.reaches(&b, "duplicate").await;
    // Its whole amount goes back on its own, right after the commit.
    for _ in 0..200 {
        if shop.money(&b).await.1 == 1_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(shop.money(&b).await.1, 1_000, "the duplicate was returned");
    let duplicate_id: Uuid = sqlx::query_scalar("SELECT id FROM payments WHERE order_id = $1")
        .bind(&b)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    assert_eq!(
        entries_of(shop.pool(), duplicate_id).await,
        ["duplicate_capture", "duplicate_return"]
    );
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (0, 936, 0, 0),
        "one sale's net"
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::BuyerReturns, Mode::Test).await,
        0
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::GatewayClearing, Mode::Test).await,
        1_000
    );
    assert_consistent(shop.pool()).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_payment_the_gateway_never_took_is_reversed_and_can_be_taken_again(pool: PgPool) {
    let shop = shop(pool).await;
    let (payment_id, order_id) = shop.paid("10.00").await;
    refund(&shop, payment_id, 200).await;
    let staff = Actor {
        kind: ActorKind::System,
        id: None,
    };
    let accept = |status, refunded_minor| Change::Accept {
        status,
        refunded_minor,
    };
    for change in [
        accept(Status::Declined, 0),
        accept(Status::Paid, 0),
        accept(Status::PartiallyRefunded, 500),
    ] {
        let mut tx = shop.pool().begin().await.unwrap();
        transition::apply(
            &mut tx,
            &shop.server.platform,
            &order_id,
            change,
            Source::Staff,
            staff,
            &RequestFacts::default(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(
        entries_of(shop.pool(), payment_id).await,
        [
            "payment_paid",
            "payment_refund",
            "payment_reversal",
            "payment_paid",
            "payment_refund"
        ]
    );
    // Taken again at the fee first charged, and 5.00 refunded from its hold.
    assert_eq!(
        books::merchant(shop.pool(), shop.merchant_id, Mode::Test).await,
        (0, 436, 0, 0)
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::GatewayClearing, Mode::Test).await,
        500
    );
    assert_eq!(
        books::platform(shop.pool(), AccountKind::FeeRevenue, Mode::Test).await,
        54
    );
    assert_consistent(shop.pool()).await;
}
