//! Refunds, full or partial: from the merchant dashboard (owners, admins and finance, on
//! their own payments) and from the console's Refunds module (staff holding refunds at
//! `act`, on any merchant's payment, with a fresh step-up check above the configured
//! amount). Both send the request id their form carries, so asking again with it returns
//! the refund already made instead of making a second one.

use domain::{Money, RefundId, RefundStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::payments::PaymentDetailView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundView {
    pub id: RefundId,
    pub amount: Money,
    /// `void` (the sale cancelled before settlement) or `credit`.
    pub method: String,
    pub status: RefundStatus,
    pub reason: Option<String>,
    /// Why it failed, in plain words.
    pub failure: Option<String>,
    /// `dashboard` or `console`.
    pub requested_via: String,
    pub created: String,
    pub completed: Option<String>,
}

/// A payment as the console's Refunds module shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffPaymentView {
    pub payment: PaymentDetailView,
    /// Refunds above this (over the staff member's last 24 hours) ask for a code from the
    /// authenticator app first.
    pub step_up_above: Money,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use domain::PaymentId;
    use platform::Platform;
    use platform::payments::refunds::{self, Refund, RefundRequest, Requester};
    use uuid::Uuid;

    use super::RefundView;
    use crate::error::AppError;
    use crate::payments::ssr::{euro, id, when};

    pub fn view(refund: Refund) -> RefundView {
        RefundView {
            id: refund.id,
            amount: refund.amount,
            method: refund.method.as_str().to_owned(),
            status: refund.status,
            reason: refund.reason,
            failure: refund.failure,
            requested_via: refund.requested_via,
            created: when(refund.created_at),
            completed: refund.completed_at.map(when),
        }
    }

    /// The refund form as posted: the payment, the form's request id, the amount in euro
    /// and the reason.
    pub fn parse(
        payment_id: &str,
        request_id: &str,
        amount: &str,
        reason: String,
    ) -> Result<(PaymentId, RefundRequest), AppError> {
        let payment_id = id(payment_id)?;
        // Only a form altered by hand or served before a deploy carries no valid id.
        let request_id = Uuid::parse_str(request_id.trim()).map_err(|_| {
            AppError::validation(
                "refund",
                "This form is out of date. Reload the page and try again.",
            )
        })?;
        let amount = euro("amount", amount)?;
        Ok((
            payment_id,
            RefundRequest {
                request_id,
                amount,
                reason,
            },
        ))
    }

    pub async fn send(
        platform: &Platform,
        payment_id: PaymentId,
        request: &RefundRequest,
        requester: Requester,
    ) -> Result<RefundView, AppError> {
        let facts = crate::request::facts().await;
        Ok(view(
            refunds::request(platform, payment_id, request, requester, &facts).await?,
        ))
    }
}

/// Refunds `amount` (euro, like `12.50`) of one of the merchant's own payments and answers
/// the refund as it stands after the gateway's answer.
#[server(endpoint = "payments/refund")]
pub async fn refund_payment(
    payment_id: String,
    request_id: String,
    amount: String,
    reason: String,
) -> Result<RefundView, AppError> {
    use platform::payments::refunds::Requester;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<RefundPayment>()
            .await?
            .merchant()?;
        let (payment_id, request) = ssr::parse(&payment_id, &request_id, &amount, reason)?;
        ssr::send(&platform, payment_id, &request, Requester::Merchant(scope)).await
    }
    .await
    .map_err(AppError::respond)
}

/// Any merchant's payment by its gateway order id (`SX…`), with its refunds and timeline.
#[server(endpoint = "admin/refunds/payment")]
pub async fn staff_payment(order_id: String) -> Result<StaffPaymentView, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::staff_detail;
    use platform::identity::roles::{Level, Module};
    use platform::payments::reading;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<StaffPayment>()
            .await?
            .staff()?;
        let id = reading::find_by_order(&platform.pool, &order_id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let can_refund = user.permissions().allows(Module::Refunds, Level::Act);
        Ok(StaffPaymentView {
            payment: staff_detail(&platform, &scope, id, can_refund).await?,
            step_up_above: Money::eur(platform.config.settings.refunds.step_up_above_minor),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Refunds `amount` (euro) of any merchant's payment for staff; above the configured amount
/// only within a few minutes of a second-factor check.
#[server(endpoint = "admin/refunds/refund")]
pub async fn staff_refund(
    payment_id: String,
    request_id: String,
    amount: String,
    reason: String,
) -> Result<RefundView, AppError> {
    use platform::identity::roles::{Level, Module, StaffScope};
    use platform::payments::refunds::{self, Requester};
    let platform = expect_context::<platform::Platform>();
    async {
        let caller = crate::auth::session::require_declared::<StaffRefund>().await?;
        // The scope is taken before the second-factor check, which the day's sum decides.
        let scope = StaffScope::of(caller.user(), Module::Refunds, Level::Act)
            .ok_or(AppError::Forbidden)?;
        let (payment_id, request) = ssr::parse(&payment_id, &request_id, &amount, reason)?;
        let mut conn = platform
            .pool
            .acquire()
            .await
            .map_err(crate::error::internal)?;
        let earlier = refunds::refunded_by_staff_last_day(&mut conn, &scope).await?;
        drop(conn);
        // Staff refunds are in euro, like the threshold; a sum past what an i64 holds is
        // certainly large.
        let large = earlier
            .checked_add(request.amount)
            .is_none_or(|day| day.minor() > platform.config.settings.refunds.step_up_above_minor);
        caller.conditional::<StaffRefund>(large).await?;
        ssr::send(&platform, payment_id, &request, Requester::Staff(scope)).await
    }
    .await
    .map_err(AppError::respond)
}
