//! Checkout and payments: the catalogue, payment links, checkout sessions, payment attempts
//! sent to Payten, and the gateway's answers (migration `20261125000010_checkout.sql`).
//!
//! - [`transition`] is the one place a payment's state changes: idempotent on the gateway
//!   order id, in one transaction with its timeline row and audit row.
//! - [`gateways`] hands out the gateway account of an object's own mode, so a Test object
//!   can only reach the Test account and a Live object the Live one.
//! - Card data never enters: the buyer types it on the gateway's hosted page, and the only
//!   card facts kept are the masked number, the brand and the codes the gateway returns.
//! - [`refunds`], [`reconciliation`] and [`risk`] (migration `…11_refunds_reconciliation_risk.sql`):
//!   money going back, the worker that holds every state to the gateway's, and the fraud
//!   checks made before a buyer is sent to the gateway.
//! - [`captures`] and [`returns`] (migration `…13_captures_accounted.sql`): every capture
//!   ends as the checkout's one paid payment or as a duplicate the platform returns itself.

// Money code: a silent `as` cast can wrap or truncate an amount; conversions here are
// checked (`try_from`) or lossless (`from`).
#![warn(clippy::as_conversions)]

pub mod attempts;
pub mod captures;
pub mod catalog;
pub mod daily_report;
pub mod gateway_results;
pub mod gateway_setup;
pub mod gateways;
pub mod links;
pub mod pay_limits;
pub mod reading;
pub mod reasons;
pub mod receipts;
pub mod reconciliation;
pub mod refunds;
pub mod refusals;
pub mod returns;
pub mod risk;
pub mod sessions;
pub mod transition;

use domain::{MerchantId, Money};
use rand::Rng as _;
use rand::distributions::Alphanumeric;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit::AuditError;
pub use crate::gateway_accounts::Mode;

/// Why a payment operation was refused. Field errors name the form field they concern.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("not found")]
    NotFound,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
    #[error("Live Mode is open only to verified merchants that are not suspended")]
    LiveNotAllowed,
    #[error("this merchant has closed its account and takes no payments")]
    MerchantClosed,
    #[error("this checkout has expired")]
    SessionExpired,
    #[error("this checkout is already paid")]
    SessionPaid,
    #[error("this payment link is no longer available")]
    LinkUnavailable,
    #[error("no {0:?} Mode gateway account is configured")]
    NoGatewayAccount(Mode),
    #[error("the {0:?} Mode gateway account does not use the configured gate")]
    GatewayMisconfigured(Mode),
    #[error("only a paid payment can be refunded")]
    NotRefundable,
    #[error("the refund is more than the {remaining} left to refund")]
    RefundExceeds { remaining: domain::Money },
    #[error("another refund of this payment is still waiting for the gateway's answer")]
    RefundInProgress,
    #[error("this refund request id was already used for a different refund")]
    RequestReused,
    #[error("the payment was blocked by the fraud checks")]
    RiskBlocked,
    #[error("gateway account: {0}")]
    GatewayAccount(#[from] crate::gateway_accounts::GatewayAccountError),
    /// A staff function called with a scope for another module, or at view where it acts.
    #[error(transparent)]
    Forbidden(#[from] crate::identity::roles::ScopeRefused),
    #[error("payment form: {0}")]
    Form(#[from] payten::FormError),
    /// A query or operation the gateway did not answer, or refused; nothing was changed here.
    #[error("payment service: {0}")]
    Gateway(#[from] payten::ApiError),
    #[error("this subscription is no longer running")]
    SubscriptionOver,
    #[error("the payment service has not yet confirmed this subscription's series")]
    SeriesUnknown,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("books: {0}")]
    Ledger(#[from] crate::ledger::LedgerError),
}

pub(crate) fn invalid(field: &'static str, message: &'static str) -> PaymentError {
    PaymentError::Invalid { field, message }
}

/// A random public token with a prefix naming what it opens: 22 alphanumerics, about
/// 131 bits, so tokens cannot be guessed or enumerated.
pub(crate) fn public_token(prefix: &str) -> String {
    let body: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(22)
        .map(char::from)
        .collect();
    format!("{prefix}_{body}")
}

/// What a merchant may do now: take payments at all (it has not closed its account,
/// `privacy::requests::own_account`), and in Live Mode (verified: staff approved its KYC
/// application, `kyc::review`, and no re-verification deadline has passed; and not
/// suspended). A suspended or restricted merchant falls back to Test Mode.
struct Standing {
    closed: bool,
    live: bool,
}

async fn standing(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Standing, sqlx::Error> {
    let row: Option<(bool, bool)> = sqlx::query_as(
        "SELECT closed_at IS NOT NULL,
                verified_at IS NOT NULL AND suspended_at IS NULL AND closed_at IS NULL
         FROM merchants WHERE id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(conn)
    .await?;
    // A merchant that is not there takes nothing.
    let (closed, live) = row.unwrap_or((true, false));
    Ok(Standing { closed, live })
}

/// Whether the merchant may work in Live Mode now (see [`Standing`]).
pub async fn live_allowed(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<bool, sqlx::Error> {
    Ok(standing(conn, merchant_id).await?.live)
}

/// The mode a merchant actually works in when asking for `requested`: Live only while it
/// is allowed, otherwise Test.
pub async fn effective_mode(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    requested: Mode,
) -> Result<Mode, sqlx::Error> {
    Ok(match requested {
        Mode::Live if live_allowed(conn, merchant_id).await? => Mode::Live,
        _ => Mode::Test,
    })
}

/// Refuses a closed merchant in any mode, and Live Mode for a merchant that may not use it
/// (checked again at every step, since a suspension or the closing can come between making
/// a checkout and paying it).
pub(crate) async fn ensure_mode_allowed(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
) -> Result<(), PaymentError> {
    let standing = standing(conn, merchant_id).await?;
    if standing.closed {
        return Err(PaymentError::MerchantClosed);
    }
    if mode == Mode::Live && !standing.live {
        return Err(PaymentError::LiveNotAllowed);
    }
    Ok(())
}

/// The amount in `row`'s `minor` column, in the currency of its `currency` column: how
/// rows that keep money as minor units beside a currency read back as [`domain::Money`].
pub(crate) fn money_in(
    row: &sqlx::postgres::PgRow,
    minor: &str,
) -> Result<domain::Money, sqlx::Error> {
    use sqlx::Row as _;
    Ok(domain::Money::new(
        row.try_get(minor)?,
        row.try_get("currency")?,
    ))
}

/// The largest single amount a merchant may ask for: 1,000,000.00 in any currency.
pub const MAX_AMOUNT_MINOR: i64 = 100_000_000;

/// Merchants type prices in euro as decimals (`12.50`); they become integer cents here,
/// without floating point, or a clear error for `field`.
pub fn parse_euro(field: &'static str, text: &str) -> Result<payten::Money, PaymentError> {
    let money = payten::Money::parse_decimal(text.trim(), payten::Currency::Eur)
        .map_err(|_| invalid(field, "enter an amount in euro such as 12.50"))?;
    chargeable(field, money)
}

/// An amount a buyer can be charged: in euro (every checkout is, today), more than zero
/// and within what one payment may be. The dashboard's typed amounts and the API's minor
/// units both pass here.
pub fn chargeable(field: &'static str, amount: Money) -> Result<Money, PaymentError> {
    if amount.currency() != domain::Currency::Eur {
        return Err(invalid("currency", "amounts are in euro (EUR)"));
    }
    if !amount.is_positive() {
        return Err(invalid(field, "the amount must be more than zero"));
    }
    if amount.minor() > MAX_AMOUNT_MINOR {
        return Err(invalid(field, "the amount may be at most 1,000,000.00"));
    }
    Ok(amount)
}

/// What a merchant archives: its table, and its name in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Archivable {
    Product,
    Link,
}

/// Archives one of the merchant's own products or links, audited; another merchant's id
/// (or one already archived) is not found.
pub(crate) async fn archive(
    pool: &sqlx::PgPool,
    scope: &crate::identity::roles::MerchantScope,
    what: Archivable,
    id: Uuid,
    facts: &crate::audit::RequestFacts,
) -> Result<(), PaymentError> {
    let (table, kind, event_type) = match what {
        Archivable::Product => ("products", "product", "product.archive"),
        Archivable::Link => ("payment_links", "payment_link", "payment_link.archive"),
    };
    let mut tx = pool.begin().await?;
    let archived = sqlx::query(&format!(
        "UPDATE {table} SET archived_at = now() WHERE id = $1 AND merchant_id = $2 AND archived_at IS NULL"
    ))
    .bind(id)
    .bind(scope.merchant_id())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if archived == 0 {
        return Err(PaymentError::NotFound);
    }
    let event = crate::audit::Event::new(event_type, scope.actor(), crate::audit::Outcome::Success)
        .merchant(scope.merchant_id())
        .target(kind, id.to_string());
    crate::audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Trims a free-text field and holds it to `max` characters without control characters.
pub(crate) fn text(field: &'static str, value: &str, max: usize) -> Result<String, PaymentError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(field, "this field is required"));
    }
    if value.chars().count() > max {
        return Err(invalid(field, "this is too long"));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(field, "remove line breaks and control characters"));
    }
    Ok(value.to_owned())
}

/// Like [`text`], for a field that may be left empty.
pub(crate) fn optional_text(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<Option<String>, PaymentError> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        text(field, value, max).map(Some)
    }
}

/// A buyer's email address: the shape only (the receipt proves delivery).
pub fn buyer_email(field: &'static str, value: &str) -> Result<String, PaymentError> {
    let email = value.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if valid {
        Ok(email)
    } else {
        Err(invalid(
            field,
            "enter an email address such as name@example.com",
        ))
    }
}
