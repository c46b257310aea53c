//! Payouts on both sides: the merchant's list of payouts with their statements and the
//! schedule and minimum (owners, admins and finance; a change needs a fresh second factor,
//! since it decides when money leaves), and the console's Payouts module (payouts `view`
//! to read; `act` to run, approve with step-up and never one's own batch, mark sent, paid
//! or returned). Files (statements, the pain.001, statement imports) are plain routes in
//! `server::payout_files`.

use domain::{BatchStatus, Currency, Money, PayoutStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutView {
    pub id: String,
    pub batch_id: String,
    pub merchant_name: String,
    pub end_to_end_id: String,
    pub amount: Money,
    pub status: PayoutStatus,
    pub iban_masked: String,
    pub created: String,
    pub return_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleView {
    /// `daily`, `weekly` or `monthly`.
    pub schedule: String,
    pub weekday: i16,
    pub month_day: i16,
    /// The minimum in euro; the form edits its decimal, `10.00`.
    pub minimum: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantPayoutsView {
    pub payouts: Vec<PayoutView>,
    pub schedule: ScheduleView,
    /// When a payout to the current bank account came back: payouts stop until the
    /// account is changed.
    pub account_flagged: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: String,
    pub currency: Currency,
    pub status: BatchStatus,
    pub created: String,
    /// A staff member's email, or "the daily run".
    pub created_by: String,
    pub approved_by: Option<String>,
    pub total: Money,
    pub payouts: Vec<PayoutView>,
    /// The viewer made it, so another staff member must approve it.
    pub own: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedView {
    pub line_no: i32,
    pub booked_on: String,
    /// `None`: the line's amount did not read.
    pub amount: Option<Money>,
    pub end_to_end_id: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub file_name: String,
    pub imported: String,
    pub imported_by: String,
    pub paid: i64,
    pub already_paid: i64,
    pub unmatched: Vec<UnmatchedView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffPayoutsView {
    pub batches: Vec<BatchView>,
    pub imports: Vec<ImportView>,
    pub can_act: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    pub batches: usize,
    pub payouts: usize,
    /// Another run was in progress; this one did nothing.
    pub skipped: bool,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::ledger::settlement::Settlement;
    use platform::payouts::PayoutError;
    use platform::payouts::reading::Payout;

    use super::{PayoutView, ScheduleView};
    use crate::error::AppError;
    use crate::payments::ssr::when;

    impl From<PayoutError> for AppError {
        fn from(error: PayoutError) -> Self {
            match error {
                PayoutError::Invalid { field, message } => AppError::validation(field, &message),
                PayoutError::NotAllowed(message) => AppError::validation("payout", message),
                PayoutError::OwnBatch => AppError::Forbidden,
                PayoutError::Forbidden(refused) => {
                    tracing::warn!(%refused, "a payout step with the wrong staff scope");
                    AppError::Forbidden
                }
                PayoutError::NotFound => AppError::NotFound,
                other => crate::error::internal(other),
            }
        }
    }

    pub fn payout(p: Payout) -> PayoutView {
        PayoutView {
            id: p.id.to_string(),
            batch_id: p.batch_id.to_string(),
            merchant_name: p.merchant_name,
            end_to_end_id: p.end_to_end_id,
            amount: p.amount,
            status: p.status,
            iban_masked: p.iban_masked,
            created: when(p.created_at),
            return_reason: p.return_reason,
        }
    }

    pub fn schedule(s: &Settlement) -> ScheduleView {
        ScheduleView {
            schedule: s.payout_schedule.clone(),
            weekday: s.payout_weekday,
            month_day: s.payout_month_day,
            minimum: s.payout_minimum,
        }
    }
}

/// The merchant's payouts, schedule and whether its account is flagged by a return.
#[server(endpoint = "payouts")]
pub async fn merchant_payouts() -> Result<MerchantPayoutsView, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::when;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<MerchantPayouts>()
            .await?
            .merchant()?;
        let merchant = scope.merchant_id();
        let payouts = platform::payouts::reading::of_merchant(&platform.pool, merchant)
            .await
            .map_err(internal)?;
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let terms = platform::ledger::settlement::of_merchant(&mut conn, merchant)
            .await
            .map_err(internal)?;
        let flagged = platform::payouts::reading::account_flagged_at(&mut conn, merchant)
            .await
            .map_err(internal)?;
        Ok(MerchantPayoutsView {
            payouts: payouts.into_iter().map(ssr::payout).collect(),
            schedule: ssr::schedule(&terms),
            account_flagged: flagged.map(when),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Sets when the merchant is paid and from what amount (euro), after a fresh second factor.
#[server(endpoint = "payouts/schedule")]
pub async fn set_payout_schedule(
    schedule: String,
    #[server(default)] weekday: String,
    #[server(default)] month_day: String,
    minimum: String,
) -> Result<ScheduleView, AppError> {
    use platform::payouts::schedule::{Schedule, set};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<SetPayoutSchedule>()
            .await?
            .merchant()?;
        let minimum = Money::eur(crate::payments::ssr::euro_minor("minimum", &minimum)?);
        // A weekday or day the chosen schedule does not use keeps its default.
        let weekday = if weekday.trim().is_empty() {
            "1"
        } else {
            weekday.as_str()
        };
        let month_day = if month_day.trim().is_empty() {
            "1"
        } else {
            month_day.as_str()
        };
        let choice = Schedule::parse(&schedule, weekday, month_day, minimum)?;
        let facts = crate::request::facts().await;
        let saved = set(&platform, user.id(), scope.merchant_id(), &choice, &facts).await?;
        Ok(ssr::schedule(&saved))
    }
    .await
    .map_err(AppError::respond)
}

/// The latest batches with their payouts, and the latest statement imports with the lines
/// they could not match.
#[server(endpoint = "admin/payouts")]
pub async fn staff_payouts() -> Result<StaffPayoutsView, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::when;
    use platform::identity::roles::{Level, Module};
    use platform::payouts::reading;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<StaffPayouts>()
            .await?
            .parts();
        let batches = reading::batches(&platform.pool, 30)
            .await
            .map_err(internal)?;
        let ids: Vec<uuid::Uuid> = batches.iter().map(|b| b.id).collect();
        let mut payouts = reading::of_batches(&platform.pool, &ids)
            .await
            .map_err(internal)?;
        let imports = reading::imports(&platform.pool, 10)
            .await
            .map_err(internal)?;
        let import_ids: Vec<uuid::Uuid> = imports.iter().map(|i| i.id).collect();
        let unmatched = reading::unmatched(&platform.pool, &import_ids)
            .await
            .map_err(internal)?;
        let batches = batches
            .into_iter()
            .map(|b| {
                let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut payouts)
                    .into_iter()
                    .partition(|p| p.batch_id == b.id);
                payouts = rest;
                BatchView {
                    id: b.id.to_string(),
                    total: b.total,
                    currency: b.currency,
                    status: b.status,
                    created: when(b.created_at),
                    created_by: b
                        .created_by_email
                        .unwrap_or_else(|| "the daily run".to_owned()),
                    approved_by: b.approved_by_email,
                    payouts: mine.into_iter().map(ssr::payout).collect(),
                    own: b.created_by == Some(user.id()),
                }
            })
            .collect();
        let imports = imports
            .into_iter()
            .map(|i| ImportView {
                id: i.id.to_string(),
                file_name: i.file_name,
                imported: when(i.imported_at),
                imported_by: i.imported_by_email,
                paid: i.paid,
                already_paid: i.already_paid,
                unmatched: unmatched
                    .iter()
                    .filter(|l| l.import_id == i.id)
                    .map(|l| UnmatchedView {
                        line_no: l.line_no,
                        booked_on: l.booked_on.map(|d| d.to_string()).unwrap_or_default(),
                        amount: l.amount,
                        end_to_end_id: l.end_to_end_id.clone().unwrap_or_default(),
                        note: l.note.clone(),
                    })
                    .collect(),
            })
            .collect();
        Ok(StaffPayoutsView {
            batches,
            imports,
            can_act: user.permissions().allows(Module::Payouts, Level::Act),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Runs the payouts due today now (the job does it every hour).
#[server(endpoint = "admin/payouts/run")]
pub async fn run_payouts() -> Result<RunView, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<RunPayouts>()
            .await?
            .staff()?;
        let facts = crate::request::facts().await;
        let report = platform::payouts::run::run(&platform, Some(&scope), &facts).await?;
        Ok(RunView {
            batches: report.batches.len(),
            payouts: report.payouts,
            skipped: report.skipped,
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Approves a batch: payouts `act`, a fresh second factor, and not the batch's creator
/// (both refusals audited).
#[server(endpoint = "admin/payouts/approve")]
pub async fn approve_payout_batch(batch_id: String) -> Result<(), AppError> {
    use platform::payouts::transition::{self, Move};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ApprovePayoutBatch>()
            .await?
            .staff()?;
        let batch_id = crate::payments::ssr::id(&batch_id)?;
        let facts = crate::request::facts().await;
        transition::apply(
            &platform,
            Move::Approve {
                batch_id,
                staff: &scope,
            },
            &facts,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Marks an approved batch sent: its file was uploaded to the bank.
#[server(endpoint = "admin/payouts/sent")]
pub async fn mark_batch_sent(batch_id: String) -> Result<(), AppError> {
    use platform::payouts::transition::{self, Move};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<MarkBatchSent>()
            .await?
            .staff()?;
        let batch_id = crate::payments::ssr::id(&batch_id)?;
        let facts = crate::request::facts().await;
        transition::apply(
            &platform,
            Move::Send {
                batch_id,
                staff: &scope,
            },
            &facts,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Marks a sent payout paid, or returned with the bank's reason (`reason` not empty):
/// a return puts the money back in the merchant's available balance and flags the account.
#[server(endpoint = "admin/payouts/settle")]
pub async fn settle_payout(
    payout_id: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use platform::payouts::transition::{self, Move};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<SettlePayout>()
            .await?
            .staff()?;
        let payout_id = crate::payments::ssr::id(&payout_id)?;
        let facts = crate::request::facts().await;
        let step = match reason.trim() {
            "" => Move::Paid {
                payout_id,
                staff: &scope,
            },
            reason => Move::Returned {
                payout_id,
                staff: &scope,
                reason,
            },
        };
        transition::apply(&platform, step, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
