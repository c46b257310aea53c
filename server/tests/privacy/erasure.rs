//! An erasure request answered: the payment is kept with its amount, date, masked card and
//! merchant but no email or IP, the result page no longer shows the address, the other
//! buyer is untouched, the audit chain still verifies, and an open obligation blocks it.

use platform::audit::RequestFacts;
use platform::identity::roles::{Level, Module};
use platform::privacy::requests::{RequestError, erasure};
use sqlx::PgPool;

use super::export::{confirmed, paid_by};
use crate::support::accounts::mails_to;
use crate::support::checkout::{shop, staff_scope};

#[sqlx::test(migrations = "../migrations")]
async fn an_erasure_keeps_the_payment_without_the_email_and_the_chain_still_verifies(pool: PgPool) {
    let shop = shop(pool.clone()).await;
    let mine = paid_by(&shop, "drita@example.com", "12.50").await;
    let theirs = paid_by(&shop, "arben@example.com", "30.00").await;
    let result = |order: String| {
        let shop = &shop;
        async move {
            shop.get(&format!("/pay/result/{order}"))
                .await
                .text()
                .await
                .unwrap()
        }
    };
    assert!(
        result(mine.clone()).await.contains("drita@example.com"),
        "shown before"
    );
    let request = confirmed(&shop.server, "drita@example.com", "erasure", "").await;

    let support = staff_scope(&pool, Module::Support, Level::Act).await;
    let erased = erasure::erase(
        &shop.server.platform,
        &support,
        request,
        &RequestFacts::default(),
    )
    .await
    .unwrap();
    assert_eq!(erased.payments_kept, 1);
    assert!(
        erased.audit_rows > 0 && erased.fraud_checks == 1 && erased.events == 1,
        "{erased:?}"
    );

    let kept: (Option<String>, i64, Option<String>, String) = sqlx::query_as(
        "SELECT p.buyer_email, p.amount_minor, p.masked_pan, m.business_name
         FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE p.order_id = $1",
    )
    .bind(&mine)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kept.0, None, "no email");
    assert_eq!(kept.1, 1250, "the amount is kept");
    assert!(
        kept.2.is_some_and(|pan| pan.starts_with("557113")),
        "the masked card is kept"
    );
    assert!(
        !result(mine.clone()).await.contains("drita@example.com"),
        "not shown after"
    );
    assert!(
        result(theirs).await.contains("arben@example.com"),
        "another buyer is untouched"
    );

    for (table, sql) in [
        (
            "checkout_sessions",
            "SELECT count(*) FROM checkout_sessions WHERE buyer_email = 'drita@example.com'",
        ),
        (
            "risk_decisions",
            "SELECT count(*) FROM risk_decisions WHERE buyer_email = 'drita@example.com' OR (ip IS NOT NULL AND session_id IN (SELECT session_id FROM payments WHERE order_id = $1))",
        ),
        (
            "events",
            "SELECT count(*) FROM events WHERE data::text LIKE '%drita@example.com%'",
        ),
        (
            "audit",
            "SELECT count(*) FROM audit.events WHERE subject_email = 'drita@example.com' AND event_type <> 'data_subject.erase'",
        ),
    ] {
        let left: i64 = sqlx::query_scalar(sql)
            .bind(&mine)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(left, 0, "{table} still holds the address");
    }
    let report = platform::audit::verify_chain(&pool).await.unwrap();
    assert_eq!(
        report.first_broken, None,
        "the chain verifies after the erasure"
    );

    let mails = mails_to(&shop.server, "drita@example.com").await;
    assert_eq!(
        mails.len(),
        1,
        "earlier mail is gone; the answer is the last one"
    );
    assert!(
        mails[0].contains("1 payment record(s)") && mails[0].contains("5 years"),
        "{}",
        mails[0]
    );
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM privacy_requests WHERE id = $1")
            .bind(request)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "fulfilled");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_pending_refund_blocks_the_erasure_and_nothing_changes(pool: PgPool) {
    let shop = shop(pool.clone()).await;
    let mine = paid_by(&shop, "drita@example.com", "12.50").await;
    sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, mode, request_id, amount_minor, currency, method, requested_via)
         SELECT gen_random_uuid(), id, merchant_id, mode, gen_random_uuid(), 100, currency, 'credit', 'console'
         FROM payments WHERE order_id = $1",
    )
    .bind(&mine)
    .execute(&pool)
    .await
    .unwrap();
    let request = confirmed(&shop.server, "drita@example.com", "erasure", "").await;
    let support = staff_scope(&pool, Module::Support, Level::Act).await;
    let refused = erasure::erase(
        &shop.server.platform,
        &support,
        request,
        &RequestFacts::default(),
    )
    .await;
    match refused {
        Err(RequestError::NotAllowed(reason)) => assert!(reason.contains("refund"), "{reason}"),
        other => panic!("not refused: {other:?}"),
    }
    let email: Option<String> =
        sqlx::query_scalar("SELECT buyer_email FROM payments WHERE order_id = $1")
            .bind(&mine)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        email.as_deref(),
        Some("drita@example.com"),
        "nothing changed"
    );
    let reader = staff_scope(&pool, Module::Support, Level::View).await;
    let refused = erasure::erase(
        &shop.server.platform,
        &reader,
        request,
        &RequestFacts::default(),
    )
    .await;
    assert!(matches!(refused, Err(RequestError::Forbidden(_))));
}
