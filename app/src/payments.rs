//! The merchant dashboard's payments: the Test/Live switch, the overview, products,
//! payment links, checkout sessions, and the payments list with each payment's timeline.
//!
//! Every function works in the caller's own merchant scope and in the mode their session
//! chose, resolved afresh on each call: Live only while the merchant is verified and not
//! suspended. Reading falls back to Test; a change asked for in a Live Mode that has since
//! closed is refused rather than made in Test behind the merchant's back.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::refunds::RefundView;

/// Test Mode or Live Mode, as the dashboard shows and switches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Test => "Test",
            Mode::Live => "Live",
        }
    }
}

/// Whether Live Mode may be chosen, and if not why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveAccess {
    Open,
    AwaitingVerification,
    /// A re-verification deadline passed: closed until staff approve the update.
    Restricted,
    Suspended,
}

/// The dashboard's frame: the mode shown and what the member may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    pub mode: Mode,
    pub live: LiveAccess,
    /// Owner, admin or developer: may create and archive products, links and checkouts.
    pub can_edit: bool,
    pub manages_team: bool,
}

/// An amount in minor units (cents) as a decimal, `12.50`: how forms show an amount to
/// edit. Every currency Saleonix takes has two decimals.
pub fn decimal(minor: i64) -> String {
    // A balance may be below zero: the sign goes before the units, never into the cents.
    let sign = if minor < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:02}",
        minor.unsigned_abs() / 100,
        minor.unsigned_abs() % 100
    )
}

/// An amount in minor units with its currency, for display: `12.50 EUR`.
pub fn format_money(minor: i64, currency: &str) -> String {
    format!("{} {currency}", decimal(minor))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub archived: bool,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub id: String,
    pub title: String,
    /// The shareable address, `{public origin}/pay/pl_…`.
    pub url: String,
    pub amount_minor: i64,
    pub currency: String,
    pub payments: i64,
    pub max_payments: Option<i32>,
    pub expires: Option<String>,
    pub archived: bool,
    /// Archived, expired or at its limit: buyers are told it is no longer available.
    pub available: bool,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// The buyer's address, `{public origin}/pay/cs_…`.
    pub url: String,
    pub amount_minor: i64,
    pub currency: String,
    pub buyer_email: Option<String>,
    pub reference: Option<String>,
    /// `open`, `paid` or `expired`, as the buyer would find it now.
    pub status: String,
    pub created: String,
    pub expires: String,
}

/// One line of the checkout form: a product (its id) and a quantity, or a name and unit
/// price in euro typed in (when no product is chosen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub product: String,
    pub name: String,
    pub price: String,
    pub quantity: String,
}

/// The checkout form as posted (`checkout[items][0][product]=…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckoutForm {
    pub items: Vec<ItemForm>,
    pub buyer_email: String,
    pub reference: String,
    pub success_url: String,
    pub cancel_url: String,
    /// 30 to 1440; empty is the default, 24 hours.
    pub expires_in_minutes: String,
}

/// How long a new checkout stays payable, as the form offers it: `(minutes, label)`.
pub const CHECKOUT_EXPIRIES: &[(&str, &str)] = &[
    ("30", "30 minutes"),
    ("60", "1 hour"),
    ("180", "3 hours"),
    ("720", "12 hours"),
    ("1440", "24 hours"),
];

/// The payments list's filters as posted; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentFilter {
    pub status: String,
    /// `YYYY-MM-DD`, from the start of that day (UTC).
    pub from: String,
    /// `YYYY-MM-DD`, through the end of that day (UTC).
    pub to: String,
    /// Euro, like `12.50`.
    pub min_amount: String,
    pub max_amount: String,
    pub buyer_email: String,
    /// An order id, a buyer's email or a reference, or part of one.
    pub search: String,
}

/// The statuses the list filters by: `(value, label)`.
pub const STATUSES: &[(&str, &str)] = &[
    ("created", "Created"),
    ("pending", "Pending"),
    ("paid", "Paid"),
    ("declined", "Declined"),
    ("failed", "Failed"),
    ("expired", "Expired"),
    ("refunded", "Refunded"),
    ("partially_refunded", "Partially refunded"),
    ("duplicate", "Duplicate charge"),
];

/// A status's label ("Partially refunded").
pub fn status_label(status: &str) -> &str {
    STATUSES
        .iter()
        .find(|(value, _)| *value == status)
        .map_or(status, |(_, label)| label)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRowView {
    pub id: String,
    pub order_id: String,
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub buyer_email: Option<String>,
    pub reference: Option<String>,
    pub card: Option<String>,
    pub created: String,
    pub refunded_minor: i64,
    /// `review` or `block` when the fraud checks flagged the payment.
    pub risk_action: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsPage {
    pub rows: Vec<PaymentRowView>,
    /// Pass as `before` for the next, older page; none on the last page.
    pub next_before: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub name: String,
    pub unit_amount_minor: i64,
    pub quantity: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineView {
    pub at: String,
    /// Where the entry came from, in plain words.
    pub source: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDetailView {
    pub payment: PaymentRowView,
    pub mode: Mode,
    pub checkout_url: String,
    pub masked_card: Option<String>,
    pub card_brand: Option<String>,
    pub auth_code: Option<String>,
    /// The 3-D Secure result in words (chargeback evidence); `None` when there was none.
    pub three_d_secure: Option<String>,
    pub decline_reason: Option<String>,
    pub paid: Option<String>,
    pub items: Vec<ItemView>,
    pub timeline: Vec<TimelineView>,
    pub merchant_name: String,
    pub refunds: Vec<RefundView>,
    /// What a new refund may still take: paid, minus refunded, minus a refund in flight.
    pub refundable_minor: i64,
    /// Why the fraud checks flagged the payment; empty when they did not.
    pub risk_reasons: Vec<String>,
    /// Gross, Saleonix's fee, VAT on the fee and net, once the payment was paid.
    pub fees: Option<FeesView>,
    /// The viewer may refund it (a merchant's owner, admin or finance; staff with refunds `act`).
    pub can_refund: bool,
    /// A fresh id for the refund form. It stays the same until the page loads the payment
    /// again, which it does only after a refund was made, so a double click or a retry
    /// after a network error asks for the same refund and gets it back, not a second one.
    pub refund_request_id: String,
}

/// How a paid payment's gross divides (`payment_fees`), in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeesView {
    pub gross_minor: i64,
    pub fee_minor: i64,
    pub vat_minor: i64,
    pub net_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub payments: i64,
    pub volume_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewView {
    /// The last `OVERVIEW_DAYS` days, oldest first, each present even when empty.
    pub days: Vec<DayView>,
    pub currency: String,
    /// Payments made in those days by status: `(status, count)`.
    pub statuses: Vec<(String, i64)>,
}

pub const OVERVIEW_DAYS: i32 = 30;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use platform::Platform;
    use platform::identity::roles::MerchantScope;
    use platform::payments::reading::{self, PaymentRow, TimelineEntry};
    use platform::payments::{self as domain, PaymentError};
    use time::macros::format_description;
    use time::{Date, OffsetDateTime};
    use tower_sessions::Session;
    use uuid::Uuid;

    use super::{ItemView, LiveAccess, Mode, PaymentDetailView, PaymentRowView, TimelineView};
    use crate::error::AppError;

    /// Where the session keeps the mode the member chose.
    pub const MODE_KEY: &str = "dashboard_mode";

    pub fn internal(error: impl std::fmt::Display) -> AppError {
        tracing::error!(%error, "payments query failed");
        AppError::Internal
    }

    pub fn mode_view(mode: domain::Mode) -> Mode {
        match mode {
            domain::Mode::Test => Mode::Test,
            domain::Mode::Live => Mode::Live,
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
    ) -> Result<domain::Mode, AppError> {
        let chosen = session.get::<String>(MODE_KEY).await.map_err(internal)?;
        let requested = chosen
            .as_deref()
            .and_then(domain::Mode::parse)
            .unwrap_or(domain::Mode::Test);
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let mode = domain::effective_mode(&mut conn, scope.merchant_id(), requested)
            .await
            .map_err(internal)?;
        if mode != requested {
            session
                .insert(MODE_KEY, domain::Mode::Test.as_str())
                .await
                .map_err(internal)?;
            if intent == Intent::Change {
                return Err(PaymentError::LiveNotAllowed.into());
            }
        }
        Ok(mode)
    }

    /// An id typed into a request; one that does not parse is simply not found.
    pub fn id(value: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(value.trim()).map_err(|_| AppError::NotFound)
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

    /// An amount typed in euro (`12.50`), in cents.
    pub fn euro_minor(field: &'static str, text: &str) -> Result<i64, AppError> {
        let money = domain::parse_euro(field, text)?;
        // At most a million euro (`parse_euro`), so the cents fit.
        Ok(money.minor() as i64)
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
            id: row.id.to_string(),
            order_id: row.order_id,
            status: row.status.as_str().to_owned(),
            amount_minor: row.amount_minor,
            currency: row.currency,
            buyer_email: row.buyer_email,
            reference: row.reference,
            card: row.masked_pan.map(|pan| match row.card_brand {
                Some(brand) => format!("{brand} {pan}"),
                None => pan,
            }),
            created: when(row.created_at),
            refunded_minor: row.refunded_minor,
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
            refundable_minor,
            risk_reasons,
            fees,
            ..
        } = detail;
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
                    name: i.name,
                    unit_amount_minor: i.unit_amount_minor,
                    quantity: i.quantity,
                })
                .collect(),
            timeline: timeline.into_iter().map(self::timeline).collect(),
            payment: row(payment),
            merchant_name,
            refunds: refunds.into_iter().map(crate::refunds::ssr::view).collect(),
            refundable_minor,
            risk_reasons,
            fees: fees.map(|f| super::FeesView {
                gross_minor: f.gross_minor,
                fee_minor: f.fee_minor,
                vat_minor: f.vat_minor,
                net_minor: f.net_minor,
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
        id: Uuid,
        can_refund: bool,
    ) -> Result<PaymentDetailView, AppError> {
        let detail = reading::detail_for_staff(&platform.pool, id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        Ok(detail_view(platform, detail, can_refund))
    }

    pub fn timeline(entry: TimelineEntry) -> TimelineView {
        let source = match entry.source.as_str() {
            "buyer" => "The buyer pressed Pay",
            "return" => "The buyer's browser came back from the gateway",
            "callback" => "The gateway's server notified us",
            "status_query" => "We asked the gateway for the order's status",
            "expiry" => "The checkout expired",
            "refund" => "A refund was asked for or answered",
            "reconciliation" => "We compared the order with the gateway's records",
            "staff" => "Saleonix staff settled a disagreement with the gateway",
            _ => "Saleonix",
        };
        TimelineView {
            at: entry
                .at
                .format(format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
                ))
                .unwrap_or_default(),
            source: source.to_owned(),
            from_status: entry.from_status.map(|s| s.as_str().to_owned()),
            to_status: entry.to_status.map(|s| s.as_str().to_owned()),
            note: entry.note.as_deref().map(note_words),
        }
    }

    /// The timeline's notes are fixed codes; the merchant reads them as words. A decline
    /// reason is already a phrase.
    fn note_words(note: &str) -> String {
        match note {
            "duplicate" => "a repeat of a message already applied".to_owned(),
            "impossible_transition" => "refused: the payment cannot move there from its state".to_owned(),
            "approved_but_session_already_paid" => "approved, but another attempt had already paid the checkout".to_owned(),
            "confirmed_by_status_query" => "confirmed by the gateway's order status".to_owned(),
            "awaiting_confirmation" => "approved; waiting for the gateway to confirm the order".to_owned(),
            "approval_not_confirmed_by_status_query" => "approved on return, but the gateway's order status did not confirm it".to_owned(),
            "amount_differs_from_order" => "the gateway reported an amount other than the order's".to_owned(),
            "refund_outcome_unknown" => "the refund was sent and no answer came back; we are confirming it with the gateway".to_owned(),
            "confirmed_by_order_history" => "confirmed by the gateway's order history".to_owned(),
            "no_record_at_gateway" => "the gateway has no record of the order".to_owned(),
            "gateway_state_accepted" => "the gateway's state was accepted".to_owned(),
            "second_charge_for_paid_checkout" => "a second charge for a checkout already paid: returned to the buyer automatically".to_owned(),
            "charge_after_checkout_closed" => "charged after the checkout had closed: returned to the buyer automatically".to_owned(),
            "charge_past_link_limit" => "charged past the payment link's limit: returned to the buyer automatically".to_owned(),
            "captured_after_decline" => "the gateway took the money after a decline; kept as the checkout's payment".to_owned(),
            "captured_after_expiry" => "the gateway took the money after the attempt expired; kept as the checkout's payment".to_owned(),
            other => other.replace('_', " "),
        }
    }

    /// The keyset cursor of the list's last row: its creation time and id.
    pub fn cursor(row: &PaymentRow) -> String {
        format!("{}_{}", row.created_at.unix_timestamp_nanos(), row.id)
    }

    pub fn parse_cursor(text: &str) -> Option<(OffsetDateTime, Uuid)> {
        let (nanos, id) = text.trim().split_once('_')?;
        let at = OffsetDateTime::from_unix_timestamp_nanos(nanos.parse().ok()?).ok()?;
        Some((at, Uuid::parse_str(id).ok()?))
    }

    /// The cursor of the page after one of `count` rows ending with `last`: only a full
    /// page may have older rows.
    pub fn next_before(count: usize, last: Option<&PaymentRow>) -> Option<String> {
        (count as i64 == reading::PAGE)
            .then(|| last.map(cursor))
            .flatten()
    }

    /// A filter's status as posted; empty is any.
    pub fn status(text: &str) -> Result<Option<domain::Status>, AppError> {
        match text.trim() {
            "" => Ok(None),
            text => domain::Status::parse(text)
                .map(Some)
                .ok_or_else(|| AppError::validation("status", "Choose a status from the list.")),
        }
    }

    /// A filter's text as posted; empty is none.
    pub fn text(value: &str) -> Option<String> {
        Some(value.trim().to_owned()).filter(|v| !v.is_empty())
    }
}

/// The mode shown, whether Live may be chosen, and what the member may do.
#[server(endpoint = "dashboard/mode")]
pub async fn dashboard_state() -> Result<DashboardView, AppError> {
    use crate::policy::{ALL_MERCHANT_ROLES, CATALOG_EDITORS, TEAM_MANAGERS};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) =
            crate::auth::session::require_merchant(ALL_MERCHANT_ROLES).await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let live = platform::payments::reading::live_access(&platform.pool, &scope)
            .await
            .map_err(ssr::internal)?;
        Ok(DashboardView {
            mode: ssr::mode_view(mode),
            live: ssr::live_view(live),
            can_edit: CATALOG_EDITORS.contains(&scope.role()),
            manages_team: TEAM_MANAGERS.contains(&scope.role()),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Switches the dashboard between Test and Live Mode for this session. Live is refused
/// unless the merchant is verified and not suspended.
#[server(endpoint = "dashboard/set-mode")]
pub async fn set_dashboard_mode(mode: String) -> Result<(), AppError> {
    use crate::policy::ALL_MERCHANT_ROLES;
    use platform::payments::{Mode, PaymentError};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) =
            crate::auth::session::require_merchant(ALL_MERCHANT_ROLES).await?;
        let mode = Mode::parse(mode.trim())
            .ok_or_else(|| AppError::validation("mode", "Choose Test or Live Mode."))?;
        let mut conn = platform.pool.acquire().await.map_err(ssr::internal)?;
        if platform::payments::effective_mode(&mut conn, scope.merchant_id(), mode)
            .await
            .map_err(ssr::internal)?
            != mode
        {
            return Err(PaymentError::LiveNotAllowed.into());
        }
        session
            .insert(ssr::MODE_KEY, mode.as_str())
            .await
            .map_err(ssr::internal)
    }
    .await
    .map_err(AppError::respond)
}

/// Paid volume and counts per day for the last thirty days, and payments by status.
#[server(endpoint = "payments/overview")]
pub async fn payments_overview() -> Result<OverviewView, AppError> {
    use crate::policy::ALL_MERCHANT_ROLES;
    use platform::payments::reading;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) =
            crate::auth::session::require_merchant(ALL_MERCHANT_ROLES).await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let days = reading::daily_volume(&platform.pool, &scope, mode, OVERVIEW_DAYS)
            .await
            .map_err(ssr::internal)?;
        let statuses = reading::status_counts(&platform.pool, &scope, mode, OVERVIEW_DAYS)
            .await
            .map_err(ssr::internal)?;
        Ok(OverviewView {
            days: days
                .into_iter()
                .map(|d| DayView {
                    day: d.day.to_string(),
                    payments: d.payments,
                    volume_minor: d.volume_minor,
                })
                .collect(),
            currency: "EUR".to_owned(),
            statuses: statuses
                .into_iter()
                .map(|(status, count)| (status.as_str().to_owned(), count))
                .collect(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// The products of the current mode, active first.
#[server(endpoint = "payments/products")]
pub async fn products() -> Result<Vec<ProductView>, AppError> {
    use crate::policy::ALL_MERCHANT_ROLES;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) =
            crate::auth::session::require_merchant(ALL_MERCHANT_ROLES).await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let list = platform::payments::catalog::list(&platform.pool, &scope, mode)
            .await
            .map_err(ssr::internal)?;
        Ok(list
            .into_iter()
            .map(|p| ProductView {
                id: p.id.to_string(),
                name: p.name,
                description: p.description,
                price_minor: p.price_minor,
                currency: p.currency,
                archived: p.archived_at.is_some(),
                created: ssr::when(p.created_at),
            })
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

/// A product in the current mode; `price` is euro, like `12.50`.
#[server(endpoint = "payments/create-product")]
pub async fn create_product(
    name: String,
    description: String,
    price: String,
) -> Result<(), AppError> {
    use crate::policy::CATALOG_EDITORS;
    use platform::payments::catalog::{self, NewProduct};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_merchant(CATALOG_EDITORS).await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let new = NewProduct {
            name,
            description,
            price,
        };
        catalog::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "payments/archive-product")]
pub async fn archive_product(id: String) -> Result<(), AppError> {
    use crate::policy::CATALOG_EDITORS;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_merchant(CATALOG_EDITORS).await?;
        let id = ssr::id(&id)?;
        platform::payments::catalog::archive(
            &platform.pool,
            &scope,
            id,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// The payment links of the current mode, active first, with their shareable addresses.
#[server(endpoint = "payments/links")]
pub async fn payment_links() -> Result<Vec<LinkView>, AppError> {
    use crate::policy::ALL_MERCHANT_ROLES;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) =
            crate::auth::session::require_merchant(ALL_MERCHANT_ROLES).await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let list = platform::payments::links::list(&platform.pool, &scope, mode)
            .await
            .map_err(ssr::internal)?;
        let now = time::OffsetDateTime::now_utc();
        Ok(list
            .into_iter()
            .map(|l| LinkView {
                id: l.id.to_string(),
                url: ssr::pay_url(&platform, &l.token),
                available: !l.unavailable(now),
                title: l.title,
                amount_minor: l.amount_minor,
                currency: l.currency,
                payments: l.payments,
                max_payments: l.max_payments,
                expires: l.expires_at.map(ssr::when),
                archived: l.archived_at.is_some(),
                created: ssr::when(l.created_at),
            })
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

/// A payment link in the current mode for one of the active products (`product`, an id)
/// or, when none is chosen, for `title` and `amount` (euro). `max_payments` and
/// `expires_at` (`YYYY-MM-DDTHH:MM`, UTC) are optional. Answers the link's address.
#[server(endpoint = "payments/create-link")]
pub async fn create_link(
    product: String,
    title: String,
    amount: String,
    max_payments: String,
    expires_at: String,
) -> Result<String, AppError> {
    use crate::policy::CATALOG_EDITORS;
    use platform::payments::links::{self, Charge, NewLink};
    use time::PrimitiveDateTime;
    use time::macros::format_description;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_merchant(CATALOG_EDITORS).await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let charge = match product.trim() {
            "" => Charge::Amount { title, amount },
            id => Charge::Product(uuid::Uuid::parse_str(id).map_err(|_| {
                AppError::validation("product", "Choose one of your active products.")
            })?),
        };
        let max_payments = ssr::optional_number(
            "max_payments",
            &max_payments,
            "Enter a whole number of payments, or leave it empty.",
        )?;
        let expires_at = match expires_at.trim() {
            "" => None,
            text => {
                // `datetime-local` inputs send minutes; some browsers add seconds.
                let with_seconds =
                    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
                let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
                let at = PrimitiveDateTime::parse(text, minutes)
                    .or_else(|_| PrimitiveDateTime::parse(text, with_seconds))
                    .map_err(|_| {
                        AppError::validation(
                            "expires_at",
                            "Enter a date and time, like 2026-12-31T18:00.",
                        )
                    })?;
                Some(at.assume_utc())
            }
        };
        let new = NewLink {
            charge,
            max_payments,
            expires_at,
        };
        let link = links::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(ssr::pay_url(&platform, &link.token))
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "payments/archive-link")]
pub async fn archive_link(id: String) -> Result<(), AppError> {
    use crate::policy::CATALOG_EDITORS;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_merchant(CATALOG_EDITORS).await?;
        let id = ssr::id(&id)?;
        platform::payments::links::archive(
            &platform.pool,
            &scope,
            id,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// The latest checkout sessions of the current mode.
#[server(endpoint = "payments/checkouts")]
pub async fn checkouts() -> Result<Vec<CheckoutView>, AppError> {
    use crate::policy::ALL_MERCHANT_ROLES;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) =
            crate::auth::session::require_merchant(ALL_MERCHANT_ROLES).await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let list = platform::payments::sessions::recent(&platform.pool, &scope, mode, 50)
            .await
            .map_err(ssr::internal)?;
        let now = time::OffsetDateTime::now_utc();
        Ok(list
            .into_iter()
            .map(|c| CheckoutView {
                url: ssr::pay_url(&platform, &c.token),
                status: match c.status_now(now) {
                    platform::payments::SessionStatus::Open => "open",
                    platform::payments::SessionStatus::Paid => "paid",
                    platform::payments::SessionStatus::Expired => "expired",
                }
                .to_owned(),
                amount_minor: c.amount_minor,
                currency: c.currency,
                buyer_email: c.buyer_email,
                reference: c.reference,
                created: ssr::when(c.created_at),
                expires: ssr::when(c.expires_at),
            })
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

/// A checkout session for one order in the current mode. Answers the buyer's address.
/// Limited per IP and per member, like every way of making gateway orders.
#[server(endpoint = "payments/create-checkout")]
pub async fn create_checkout(
    #[server(default)] checkout: CheckoutForm,
) -> Result<String, AppError> {
    use crate::policy::CATALOG_EDITORS;
    use platform::payments::sessions::{self, NewItem, NewSession};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, session) =
            crate::auth::session::require_merchant(CATALOG_EDITORS).await?;
        let limits = &platform.config.settings.rate_limits;
        let ip = crate::request::client_key().await;
        let user_key = user.id.to_string();
        crate::limits::enforce(
            &platform,
            &[
                ("checkout-create-ip", limits.checkout_create_per_ip, &ip),
                (
                    "checkout-create-user",
                    limits.checkout_create_per_user,
                    &user_key,
                ),
            ],
        )
        .await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let quantity_message = "Enter a quantity from 1 to 999.";
        let items = checkout
            .items
            .into_iter()
            // A line left without a product, a name or a price (a spare line) is no item.
            .filter(|item| {
                [&item.product, &item.name, &item.price]
                    .iter()
                    .any(|v| !v.trim().is_empty())
            })
            .map(|item| {
                let quantity = ssr::optional_number("quantity", &item.quantity, quantity_message)?
                    .unwrap_or(1);
                Ok(match item.product.trim() {
                    "" => NewItem::Custom {
                        name: item.name,
                        price: item.price,
                        quantity,
                    },
                    id => NewItem::Product {
                        id: uuid::Uuid::parse_str(id).map_err(|_| {
                            AppError::validation("items", "Choose your active products.")
                        })?,
                        quantity,
                    },
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let expires_in_minutes = ssr::optional_number(
            "expires_in_minutes",
            &checkout.expires_in_minutes,
            "Choose between 30 minutes and 24 hours.",
        )?;
        let new = NewSession {
            items,
            buyer_email: checkout.buyer_email,
            reference: checkout.reference,
            success_url: checkout.success_url,
            cancel_url: checkout.cancel_url,
            expires_in_minutes,
        };
        let (_, token) = sessions::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(ssr::pay_url(&platform, &token))
    }
    .await
    .map_err(AppError::respond)
}

/// One page (fifty rows, newest first) of the current mode's payments that match
/// `filter`, older than the `before` cursor when one is given.
#[server(endpoint = "payments/list")]
pub async fn payments_list(
    #[server(default)] filter: PaymentFilter,
    #[server(default)] before: String,
) -> Result<PaymentsPage, AppError> {
    use crate::policy::ALL_MERCHANT_ROLES;
    use platform::payments::reading::{self, Filter};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) =
            crate::auth::session::require_merchant(ALL_MERCHANT_ROLES).await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let amount = |field: &'static str, value: &str| match value.trim() {
            "" => Ok(None),
            text => ssr::euro_minor(field, text).map(Some),
        };
        let parsed = Filter {
            status: ssr::status(&filter.status)?,
            from: ssr::date("from", &filter.from)?,
            to: ssr::date("to", &filter.to)?,
            min_minor: amount("min_amount", &filter.min_amount)?,
            max_minor: amount("max_amount", &filter.max_amount)?,
            buyer_email: ssr::text(&filter.buyer_email),
            search: ssr::text(&filter.search),
            before: ssr::parse_cursor(&before),
        };
        let rows = reading::list(&platform.pool, &scope, mode, &parsed)
            .await
            .map_err(ssr::internal)?;
        let next_before = ssr::next_before(rows.len(), rows.last());
        Ok(PaymentsPage {
            rows: rows.into_iter().map(ssr::row).collect(),
            next_before,
        })
    }
    .await
    .map_err(AppError::respond)
}

/// One of the merchant's payments with its items, timeline, refunds and risk note, in
/// whichever mode it was made; another merchant's payment is not found.
#[server(endpoint = "payments/detail")]
pub async fn payment_detail(id: String) -> Result<PaymentDetailView, AppError> {
    use crate::policy::{ALL_MERCHANT_ROLES, REFUNDERS};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_merchant(ALL_MERCHANT_ROLES).await?;
        let id = ssr::id(&id)?;
        let detail = platform::payments::reading::detail(&platform.pool, &scope, id)
            .await
            .map_err(ssr::internal)?
            .ok_or(AppError::NotFound)?;
        Ok(ssr::detail_view(
            &platform,
            detail,
            REFUNDERS.contains(&scope.role()),
        ))
    }
    .await
    .map_err(AppError::respond)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_units_cents_and_currency() {
        assert_eq!(format_money(1250, "EUR"), "12.50 EUR");
        assert_eq!(format_money(5, "EUR"), "0.05 EUR");
        assert_eq!(format_money(100_000_000, "EUR"), "1000000.00 EUR");
        assert_eq!(decimal(1205), "12.05");
        assert_eq!(decimal(-50), "-0.50", "a balance below zero");
        assert_eq!(format_money(-1_205, "EUR"), "-12.05 EUR");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_cursor_reads_back_as_the_row_it_was_made_from() {
        let row = platform::payments::reading::PaymentRow {
            id: uuid::Uuid::new_v4(),
            order_id: "SX1".into(),
            status: platform::payments::Status::Paid,
            amount_minor: 1250,
            currency: "EUR".into(),
            buyer_email: None,
            reference: None,
            masked_pan: None,
            card_brand: None,
            decline_reason: None,
            created_at: time::OffsetDateTime::from_unix_timestamp_nanos(1_764_000_000_123_456_000)
                .unwrap(),
            paid_at: None,
            refunded_minor: 0,
            risk_action: None,
        };
        assert_eq!(
            ssr::parse_cursor(&ssr::cursor(&row)),
            Some((row.created_at, row.id))
        );
        assert_eq!(ssr::parse_cursor("garbage"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_three_d_secure_result_reads_as_evidence() {
        use platform::payments::reading::ThreeDSecure;
        let words = |md: &str, eci: Option<&str>, shifted| {
            ssr::three_d_secure_words(&ThreeDSecure {
                md_status: Some(md.into()),
                eci: eci.map(str::to_owned),
                liability_shifted: Some(shifted),
            })
        };
        assert_eq!(
            ssr::three_d_secure_words(&ThreeDSecure::default()),
            None,
            "nothing to show without a result"
        );
        assert_eq!(
            words("2", Some("06"), true).as_deref(),
            Some(
                "Authentication attempted (mdStatus 2, ECI 06); liability for fraud shifted to the card's issuer"
            )
        );
        assert_eq!(
            words("0", None, false).as_deref(),
            Some(
                "Authentication failed (mdStatus 0); no liability shift: a fraud chargeback stays with the merchant"
            )
        );
        assert!(
            words("7", None, false)
                .unwrap()
                .starts_with("Could not be verified")
        );
    }
}
