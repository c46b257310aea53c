//! The payment detail screen: one payment with its items, timeline, refunds and fees.

use domain::{Money, NoteView, PaymentStatus, TimelineSource};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use super::{Mode, PaymentRowView};
use crate::error::AppError;
use crate::refunds::RefundView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub name: String,
    pub unit_amount: Money,
    pub quantity: i32,
    /// The unit amount times the quantity.
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineView {
    pub at: String,
    /// Where the entry came from; `None` for one this build does not know.
    pub source: Option<TimelineSource>,
    pub from_status: Option<PaymentStatus>,
    pub to_status: Option<PaymentStatus>,
    pub note: Option<NoteView>,
}

impl TimelineView {
    /// Where the entry came from, in plain words.
    pub fn source_words(&self) -> &'static str {
        self.source.map_or("Saleonix", TimelineSource::label)
    }
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
    pub refundable: Money,
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

/// How a paid payment's gross divides (`payment_fees`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeesView {
    pub gross: Money,
    pub fee: Money,
    pub vat: Money,
    pub net: Money,
}
/// One of the merchant's payments with its items, timeline, refunds and risk note, in
/// whichever mode it was made; another merchant's payment is not found.
#[server(endpoint = "payments/detail")]
pub async fn payment_detail(id: String) -> Result<PaymentDetailView, AppError> {
    use crate::policy::REFUNDERS;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<PaymentDetail>()
            .await?
            .merchant()?;
        let id = ssr::id(&id)?;
        let detail = platform::payments::reading::detail(&platform.pool, &scope, id)
            .await
            .map_err(crate::error::internal)?
            .ok_or(AppError::NotFound)?;
        Ok(ssr::detail_view(
            &platform,
            detail,
            scope.has_role(REFUNDERS),
        ))
    }
    .await
    .map_err(AppError::respond)
}
