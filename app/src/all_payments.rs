//! The console's Payments module: every merchant's payments, newest first, fifty a page,
//! filtered by merchant, mode, status and a search over order id, buyer email and
//! reference, and one payment read only. Reading needs payments `view`; refunding stays in
//! the Refunds module.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::payments::{Mode, PaymentDetailView, PaymentRowView};

/// The list's filters as posted; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AllPaymentsFilter {
    /// Part of a merchant's business name.
    pub merchant: String,
    /// `test` or `live`.
    pub mode: String,
    pub status: String,
    /// An order id, a buyer's email or a reference, or part of one.
    pub search: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllPaymentsRow {
    pub merchant_name: String,
    pub mode: Mode,
    pub payment: PaymentRowView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllPaymentsView {
    pub rows: Vec<AllPaymentsRow>,
    /// Pass as `before` for the next, older page; none on the last page.
    pub next_before: Option<String>,
}

/// One page (fifty rows, newest first) of every merchant's payments that match `filter`,
/// older than the `before` cursor when one is given.
#[server(endpoint = "admin/payments/list")]
pub async fn all_payments(
    #[server(default)] filter: AllPaymentsFilter,
    #[server(default)] before: String,
) -> Result<AllPaymentsView, AppError> {
    use crate::payments::ssr;

    use platform::payments::Mode as DomainMode;
    use platform::payments::reading::{self, Filter, StaffFilter};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<AllPayments>()
            .await?
            .staff()?;
        let mode = match filter.mode.trim() {
            "" => None,
            text => Some(
                DomainMode::parse(text)
                    .ok_or_else(|| AppError::validation("mode", "Choose Test or Live."))?,
            ),
        };
        let parsed = StaffFilter {
            merchant_name: ssr::text(&filter.merchant),
            mode,
            payments: Filter {
                status: ssr::status(&filter.status)?,
                search: ssr::text(&filter.search),
                before: ssr::parse_cursor(&before),
                ..Filter::default()
            },
        };
        let rows = reading::list_for_staff(&platform.pool, &scope, &parsed).await?;
        let next_before = ssr::next_before(rows.len(), rows.last().map(|r| &r.payment));
        Ok(AllPaymentsView {
            rows: rows
                .into_iter()
                .map(|r| AllPaymentsRow {
                    merchant_name: r.merchant_name,
                    mode: ssr::mode_view(r.mode),
                    payment: ssr::row(r.payment),
                })
                .collect(),
            next_before,
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Any merchant's payment, with its refunds and timeline, read only. `can_refund` says the
/// viewer holds refunds `act`, so the page may point to the Refunds module.
#[server(endpoint = "admin/payments/detail")]
pub async fn payment_for_staff(id: String) -> Result<PaymentDetailView, AppError> {
    use crate::payments::ssr;
    use platform::identity::roles::{Level, Module};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<PaymentForStaff>()
            .await?
            .staff()?;
        let id = ssr::id(&id)?;
        ssr::staff_detail(
            &platform,
            &scope,
            id,
            user.permissions().allows(Module::Refunds, Level::Act),
        )
        .await
    }
    .await
    .map_err(AppError::respond)
}
