//! Refunds and reconciliation against the Payten sandbox: partial and whole refunds, Void
//! and Credit, idempotent requests, simultaneous requests, lost answers settled from the
//! order history, lost returns and callbacks settled by the worker, and exceptions.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use std::time::Duration;

use payten::api::OrderHistory;
use platform::gateway_accounts::Mode;
use platform::identity::roles::{Level, Module};
use platform::payments::PaymentError;
use platform::payments::reconciliation::{self, Resolution};
use platform::payments::refunds::{self, Method, Refund, RefundRequest, RefundStatus, Requester};
use platform::payments::{daily_report, gateways, reading};
use sqlx::PgPool;
use support::accounts::mails_to;
use support::checkout::{APPROVE, Shop, shop, shop_with};
use time::OffsetDateTime;
use uuid::Uuid;

mod lost_answers;
mod mismatches;
mod refunding;
mod story;

fn owner(shop: &Shop) -> Requester {
    Requester::Merchant(shop.scope)
}

fn ask(amount_minor: i64) -> RefundRequest {
    RefundRequest {
        request_id: Uuid::new_v4(),
        amount: domain::Money::eur(amount_minor),
        reason: "Returned by the buyer".into(),
    }
}

async fn refund(
    shop: &Shop,
    payment_id: Uuid,
    request: &RefundRequest,
) -> Result<Refund, PaymentError> {
    let facts = platform::audit::RequestFacts {
        ip: Some("198.51.100.20".into()),
        ..Default::default()
    };
    refunds::request(
        &shop.server.platform,
        domain::PaymentId::from_uuid(payment_id),
        request,
        owner(shop),
        &facts,
    )
    .await
}

/// The gateway's own account of an order.
async fn history(shop: &Shop, order_id: &str) -> OrderHistory {
    let platform = &shop.server.platform;
    let account = gateways::for_mode(platform, Mode::Test).await.unwrap();
    gateways::status_client(platform, &account)
        .unwrap()
        .api()
        .order_history(order_id)
        .await
        .unwrap()
}

/// `(status, refunded, held)` of a payment.
async fn money(shop: &Shop, payment_id: Uuid) -> (String, i64, i64) {
    sqlx::query_as(
        "SELECT status::text, refunded_minor, refund_pending_minor FROM payments WHERE id = $1",
    )
    .bind(payment_id)
    .fetch_one(shop.pool())
    .await
    .unwrap()
}

/// Runs the reconciliation worker as if `minutes` had passed.
async fn reconcile_after(shop: &Shop, minutes: i64) -> reconciliation::RunReport {
    let now = OffsetDateTime::now_utc() + time::Duration::minutes(minutes);
    reconciliation::run_due(&shop.server.platform, now)
        .await
        .unwrap()
}
