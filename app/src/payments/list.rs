//! The payments list screen: its filters, its rows and keyset paging.

use domain::{Money, PaymentId, PaymentStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

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
pub fn status_choices() -> [(&'static str, &'static str); 9] {
    PaymentStatus::ALL.map(|s| (s.as_str(), s.label()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRowView {
    pub id: PaymentId,
    pub order_id: String,
    pub status: PaymentStatus,
    pub amount: Money,
    pub buyer_email: Option<String>,
    pub reference: Option<String>,
    pub card: Option<String>,
    pub created: String,
    pub refunded: Money,
    /// `review` or `block` when the fraud checks flagged the payment.
    pub risk_action: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsPage {
    pub rows: Vec<PaymentRowView>,
    /// Pass as `before` for the next, older page; none on the last page.
    pub next_before: Option<String>,
}
/// One page (fifty rows, newest first) of the current mode's payments that match
/// `filter`, older than the `before` cursor when one is given.
#[server(endpoint = "payments/list")]
pub async fn payments_list(
    #[server(default)] filter: PaymentFilter,
    #[server(default)] before: String,
) -> Result<PaymentsPage, AppError> {
    use platform::payments::reading::{self, Filter};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<PaymentsList>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let amount = |field: &'static str, value: &str| match value.trim() {
            "" => Ok(None),
            text => ssr::euro(field, text).map(Some),
        };
        let parsed = Filter {
            status: ssr::status(&filter.status)?,
            from: ssr::date("from", &filter.from)?,
            to: ssr::date("to", &filter.to)?,
            min_amount: amount("min_amount", &filter.min_amount)?,
            max_amount: amount("max_amount", &filter.max_amount)?,
            buyer_email: ssr::text(&filter.buyer_email),
            search: ssr::text(&filter.search),
            before: ssr::parse_cursor(&before),
        };
        let rows = reading::list(&platform.pool, &scope, mode, &parsed)
            .await
            .map_err(crate::error::internal)?;
        let next_before = ssr::next_before(rows.len(), rows.last());
        Ok(PaymentsPage {
            rows: rows.into_iter().map(ssr::row).collect(),
            next_before,
        })
    }
    .await
    .map_err(AppError::respond)
}
