//! One payment's whole story in the logs: pressing Pay, the gateway's answers, the refund
//! and the reconciliation pass, as production writes them (JSON at the default level), each
//! line of Saleonix's own carrying the payment's order id, so that one filter on it
//! (`order_id=…`) reads the story; and no line anywhere carrying the card number.

use super::*;
use crate::support::logs::Logs;

/// Lines written by Saleonix's own crates (the sandbox, a stand-in for the bank, is not).
fn ours(line: &serde_json::Value) -> bool {
    let target = line["target"].as_str().unwrap_or_default();
    ["platform", "server", "app", "payten"]
        .iter()
        .any(|crate_name| target == *crate_name || target.starts_with(&format!("{crate_name}::")))
}

/// Whether the line, or one of the spans it sits in, names `order_id`.
fn names_order(line: &serde_json::Value, order_id: &str) -> bool {
    line["order_id"] == order_id
        || line["spans"]
            .as_array()
            .is_some_and(|spans| spans.iter().any(|span| span["order_id"] == order_id))
}

#[sqlx::test(migrations = "../migrations")]
async fn one_filter_on_the_order_id_reads_a_payments_whole_story(pool: PgPool) {
    let shop = shop(pool).await;
    let (logs, _capturing) = Logs::capture();
    let (payment_id, order_id) = shop.paid("40.00").await;
    let refunded = refund(&shop, payment_id, &ask(1_000)).await.unwrap();
    assert_eq!(refunded.status, RefundStatus::Succeeded);
    shop.reconcile_after(24 * 60).await;

    let text = logs.text();
    let story: Vec<serde_json::Value> = logs.lines().into_iter().filter(ours).collect();
    let told = |message: &str| {
        story
            .iter()
            .filter(|line| {
                line["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(message))
            })
            .count()
    };
    // pending (Pay pressed), paid (the gateway's answer), partially refunded (the refund).
    assert!(told("payment status changes") >= 3, "{text}");
    assert_eq!(told("refund answered"), 1, "{text}");
    for line in &story {
        assert!(
            names_order(line, &order_id),
            "a line of the story without its order id: {line}"
        );
    }
    assert!(!text.contains(APPROVE), "the card number reached the logs");
}
