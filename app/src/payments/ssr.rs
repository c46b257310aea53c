//! Server-side helpers the payments screens share, and other dashboard modules borrow:
//! the session's mode, parsing what was typed, and turning domain rows into views.

use std::str::FromStr;

use domain::{Money, PaymentId, PaymentStatus};
use platform::Platform;
use platform::identity::roles::{MerchantScope, StaffScope};
use platform::payments::reading::{self, PaymentRow, TimelineEntry};
use platform::payments::{self as payments, PaymentError};
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use tower_sessions::Session;
use uuid::Uuid;

use super::{ItemView, LiveAccess, Mode, PaymentDetailView, PaymentRowView, TimelineView};
use crate::error::{AppError, internal};

/// Where the session keeps the mode the member chose.
pub const MODE_KEY: &str = "dashboard_mode";

pub fn mode_view(mode: payments::Mode) -> Mode {
    match mode {
        payments::Mode::Test => Mode::Test,
        payments::Mode::Live => Mode::Live,
    }
}

pub fn live_view(access: reading::LiveAccess) -> LiveAccess {
    match access {
        reading::LiveAccess::Open => LiveAccess::Open,
        reading::LiveAccess::AwaitingVerification => LiveAccess::AwaitingVerification,
        reading::LiveAccess::Restricted => LiveAccess::Restricted,
        reading::LiveAccess::Suspended => LiveAccess::Suspended,
    }
}

/// What a call does in the mode it resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Read,
    Change,
}

/// The mode this call works in: the session's choice while the merchant may use it.
/// When Live has closed since it was chosen (a suspension, a revoked verification)
/// the session goes back to Test; reading then shows Test, and a change meant for
/// Live is refused rather than made in Test.
pub async fn mode(
    platform: &Platform,
    scope: &MerchantScope,
    session: &Session,
    intent: Intent,
) -> Result<payments::Mode, AppError> {
    let chosen = session.get::<String>(MODE_KEY).await.map_err(internal)?;
    let requested = chosen
        .as_deref()
        .and_then(payments::Mode::parse)
        .unwrap_or(payments::Mode::Test);
    let mut conn = platform.pool.acquire().await.map_err(internal)?;
    let mode = payments::effective_mode(&mut conn, scope.merchant_id(), requested)
        .await
        .map_err(internal)?;
    if mode != requested {
        session
            .insert(MODE_KEY, payments::Mode::Test.as_str())
            .await
            .map_err(internal)?;
        if intent == Intent::Change {
            return Err(PaymentError::LiveNotAllowed.into());
        }
    }
    Ok(mode)
}

/// An id typed into a request (a `Uuid` or one of the typed ids); one that does not parse
/// is simply not found.
pub fn id<T: FromStr>(value: &str) -> Result<T, AppError> {
    value.trim().parse().map_err(|_| AppError::NotFound)
}

pub fn when(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

/// The buyer's page of a link or checkout token.
pub fn pay_url(platform: &Platform, token: &str) -> String {
    format!("{}/pay/{token}", platform.config.settings.public_origin())
}

/// A day typed as `YYYY-MM-DD` (a date input's value); empty is none.
pub fn date(field: &str, text: &str) -> Result<Option<Date>, AppError> {
    match text.trim() {
        "" => Ok(None),
        text => Date::parse(text, format_description!("[year]-[month]-[day]"))
            .map(Some)
            .map_err(|_| AppError::validation(field, "Use a date like 2026-11-24.")),
    }
}

/// An amount typed in euro (`12.50`).
pub fn euro(field: &'static str, text: &str) -> Result<Money, AppError> {
    Ok(payments::parse_euro(field, text)?)
}

/// An amount typed in euro (`12.50`), in cents, for the forms that still keep cents.
pub fn euro_minor(field: &'static str, text: &str) -> Result<i64, AppError> {
    euro(field, text).map(Money::minor)
}

/// A whole number typed into an optional field.
pub fn optional_number(
    field: &'static str,
    value: &str,
    message: &'static str,
) -> Result<Option<u32>, AppError> {
    match value.trim() {
        "" => Ok(None),
        text => text
            .parse()
            .map(Some)
            .map_err(|_| AppError::validation(field, message)),
    }
}

pub fn row(row: PaymentRow) -> PaymentRowView {
    PaymentRowView {
        id: row.id,
        order_id: row.order_id,
        status: row.status,
        amount: row.amount,
        buyer_email: row.buyer_email,
        reference: row.reference,
        card: row.masked_pan.map(|pan| match row.card_brand {
            Some(brand) => format!("{brand} {pan}"),
            None => pan,
        }),
        created: when(row.created_at),
        refunded: row.refunded,
        risk_action: row.risk_action.map(|action| action.as_str().to_owned()),
    }
}

/// One payment as the dashboard and the console's Refunds module show it.
pub fn detail_view(
    platform: &Platform,
    detail: reading::PaymentDetail,
    can_refund: bool,
) -> PaymentDetailView {
    let reading::PaymentDetail {
        payment,
        mode,
        session_token,
        auth_code,
        three_d_secure,
        items,
        timeline,
        merchant_name,
        refunds,
        refundable,
        risk_reasons,
        fees,
        ..
    } = detail;
    let currency = payment.amount.currency();
    let money = |minor| Money::new(minor, currency);
    PaymentDetailView {
        mode: mode_view(mode),
        checkout_url: pay_url(platform, &session_token),
        masked_card: payment.masked_pan.clone(),
        card_brand: payment.card_brand.clone(),
        auth_code,
        three_d_secure: three_d_secure_words(&three_d_secure),
        decline_reason: payment.decline_reason.clone(),
        paid: payment.paid_at.map(when),
        items: items
            .into_iter()
            .map(|i| ItemView {
                // A checkout's lines were held to its limits when it was made, so a
                // line's amount always fits; one that did not would show its unit price.
                amount: i.amount().unwrap_or(i.unit_amount),
                name: i.name,
                unit_amount: i.unit_amount,
                quantity: i.quantity,
            })
            .collect(),
        timeline: timeline.into_iter().map(self::timeline).collect(),
        payment: row(payment),
        merchant_name,
        refunds: refunds.into_iter().map(crate::refunds::ssr::view).collect(),
        refundable,
        risk_reasons,
        fees: fees.map(|f| super::FeesView {
            gross: money(f.gross_minor),
            fee: money(f.fee_minor),
            vat: money(f.vat_minor),
            net: money(f.net_minor),
        }),
        can_refund,
        refund_request_id: Uuid::new_v4().to_string(),
    }
}

/// The 3-D Secure result as staff and merchants read it when answering a chargeback:
/// what happened, the gateway's codes, and who carries a fraud chargeback.
pub fn three_d_secure_words(facts: &reading::ThreeDSecure) -> Option<String> {
    let md_status = facts.md_status.as_deref()?;
    let what = match md_status {
        "1" => "Cardholder authenticated",
        "2" | "3" | "4" => "Authentication attempted",
        "0" => "Authentication failed",
        _ => "Could not be verified",
    };
    let eci = facts
        .eci
        .as_deref()
        .map(|eci| format!(", ECI {eci}"))
        .unwrap_or_default();
    let liability = if facts.liability_shifted == Some(true) {
        "liability for fraud shifted to the card's issuer"
    } else {
        "no liability shift: a fraud chargeback stays with the merchant"
    };
    Some(format!("{what} (mdStatus {md_status}{eci}); {liability}"))
}

/// Any merchant's payment `id` as staff see it; not found when there is none.
pub async fn staff_detail(
    platform: &Platform,
    scope: &StaffScope,
    id: PaymentId,
    can_refund: bool,
) -> Result<PaymentDetailView, AppError> {
    let detail = reading::detail_for_staff(&platform.pool, scope, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    Ok(detail_view(platform, detail, can_refund))
}

pub fn timeline(entry: TimelineEntry) -> TimelineView {
    TimelineView {
        at: entry
            .at
            .format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .unwrap_or_default(),
        source: entry.source,
        from_status: entry.from_status,
        to_status: entry.to_status,
        note: entry.note,
    }
}

/// The keyset cursor of the list's last row: its creation time and id.
pub fn cursor(row: &PaymentRow) -> String {
    format!("{}_{}", row.created_at.unix_timestamp_nanos(), row.id)
}

pub fn parse_cursor(text: &str) -> Option<(OffsetDateTime, PaymentId)> {
    let (nanos, id) = text.trim().split_once('_')?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos.parse().ok()?).ok()?;
    Some((at, id.parse().ok()?))
}

/// The cursor of the page after one of `count` rows ending with `last`: only a full
/// page may have older rows.
pub fn next_before(count: usize, last: Option<&PaymentRow>) -> Option<String> {
    (i64::try_from(count) == Ok(reading::PAGE))
        .then(|| last.map(cursor))
        .flatten()
}

/// A filter's status as posted; empty is any.
pub fn status(text: &str) -> Result<Option<PaymentStatus>, AppError> {
    match text.trim() {
        "" => Ok(None),
        text => PaymentStatus::parse(text)
            .map(Some)
            .ok_or_else(|| AppError::validation("status", "Choose a status from the list.")),
    }
}

/// A filter's text as posted; empty is none.
pub fn text(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}
