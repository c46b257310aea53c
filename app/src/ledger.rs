//! The console's ledger (module `payouts`): one merchant's entries with every line and the
//! running balance after it, paged by entry id; the platform's own accounts month by
//! month in each mode; and manual adjustments of a merchant's available balance (`act`,
//! a fresh second-factor check, four eyes above the threshold).

use domain::{MerchantId, Mode, Money};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    /// `merchant_available`, `fee_revenue`, …
    pub account: String,
    /// Debit positive, credit negative.
    pub amount: Money,
    /// The account's running balance as people read it (what is owed for a merchant's).
    pub balance_after: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub id: i64,
    pub kind: String,
    pub posted: String,
    /// The payment's order id, the reason staff gave, or the cause.
    pub reference: String,
    pub lines: Vec<LineView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentView {
    pub id: String,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub mode: Mode,
    pub direction: String,
    pub amount: Money,
    pub counter_account: String,
    pub reason: String,
    pub status: String,
    pub needs_second: bool,
    pub requested_by: String,
    pub requested: String,
    pub decided_by: Option<String>,
    /// The viewer may approve or reject it: `act`, waiting, and not their own request.
    pub can_decide: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantLedgerView {
    pub merchant_name: String,
    pub mode: Mode,
    pub entries: Vec<EntryView>,
    /// Pass as `before` for the next, older page; none on the last page.
    pub next_before: Option<i64>,
    pub adjustments: Vec<AdjustmentView>,
    /// The viewer holds payouts `act` and may ask for an adjustment.
    pub can_adjust: bool,
    /// Above this (euro) an adjustment waits for a second staff member.
    pub four_eyes_above: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthView {
    /// `YYYY-MM`.
    pub month: String,
    pub mode: Mode,
    pub account: String,
    pub movement: Money,
    pub closing: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformLedgerView {
    pub months: Vec<MonthView>,
    /// Adjustments waiting for a second staff member.
    pub waiting: Vec<AdjustmentView>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use platform::identity::users::User;
    use platform::ledger::adjustments::Adjustment;

    use super::AdjustmentView;
    use crate::payments::ssr::when;

    pub fn adjustment(a: Adjustment, viewer: &User, can_act: bool) -> AdjustmentView {
        AdjustmentView {
            can_decide: can_act && a.status == "pending" && a.requested_by != viewer.id(),
            id: a.id.to_string(),
            merchant_id: a.merchant_id,
            merchant_name: a.merchant_name,
            mode: a.mode,
            direction: a.direction,
            amount: a.amount,
            counter_account: a.counter_account.as_str().to_owned(),
            reason: a.reason,
            status: a.status,
            needs_second: a.needs_second,
            requested_by: a.requested_by_email,
            requested: when(a.requested_at),
            decided_by: a.decided_by_email,
        }
    }
}

/// A merchant's entries in `mode` (`test` or `live`), newest first, older than entry
/// `before` when given, with its adjustments.
#[server(endpoint = "admin/ledger/merchant")]
pub async fn merchant_ledger(
    merchant_id: String,
    #[server(default)] mode: String,
    #[server(default)] before: Option<i64>,
) -> Result<MerchantLedgerView, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::when;
    use platform::gateway_accounts::Mode;
    use platform::identity::roles::{Level, Module};
    use platform::ledger::{adjustments, journal};
    let platform = expect_context::<platform::Platform>();
    async {
        let (staff, _) = crate::auth::session::require_declared::<MerchantLedger>()
            .await?
            .parts();
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let mode = match mode.trim() {
            "" => Mode::Live,
            text => Mode::parse(text)
                .ok_or_else(|| AppError::validation("mode", "Choose Test or Live Mode."))?,
        };
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let merchant_name = journal::merchant_name(&mut conn, merchant)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let entries = journal::merchant_entries(&mut conn, merchant, mode, before)
            .await
            .map_err(internal)?;
        let next_before = (entries.len() as i64 == journal::PAGE)
            .then(|| entries.last().map(|e| e.id))
            .flatten();
        let can_adjust = staff.permissions().allows(Module::Payouts, Level::Act);
        let adjustments = adjustments::of_merchant(&mut conn, merchant)
            .await
            .map_err(internal)?;
        Ok(MerchantLedgerView {
            merchant_name,
            mode,
            entries: entries
                .into_iter()
                .map(|e| EntryView {
                    id: e.id,
                    kind: e.kind.as_str().to_owned(),
                    posted: when(e.posted_at),
                    reference: e.order_id.or(e.memo).unwrap_or(e.cause),
                    lines: e
                        .lines
                        .into_iter()
                        .map(|l| LineView {
                            account: l.account.as_str().to_owned(),
                            amount: l.amount,
                            balance_after: Money::new(
                                l.account.reading(l.balance_after.minor()),
                                l.balance_after.currency(),
                            ),
                        })
                        .collect(),
                })
                .collect(),
            next_before,
            adjustments: adjustments
                .into_iter()
                .map(|a| ssr::adjustment(a, &staff, can_adjust))
                .collect(),
            can_adjust,
            four_eyes_above: Money::eur(
                platform
                    .config
                    .settings
                    .ledger
                    .adjustment_four_eyes_above_minor,
            ),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// The platform's accounts over the last twelve months in both modes, and the
/// adjustments waiting for a second staff member.
#[server(endpoint = "admin/ledger/platform")]
pub async fn platform_ledger() -> Result<PlatformLedgerView, AppError> {
    use crate::error::internal;
    use platform::identity::roles::{Level, Module};
    use platform::ledger::{adjustments, journal};
    let platform = expect_context::<platform::Platform>();
    async {
        let (staff, _) = crate::auth::session::require_declared::<PlatformLedger>()
            .await?
            .parts();
        let can_act = staff.permissions().allows(Module::Payouts, Level::Act);
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let months = journal::platform_months(&mut conn, 12)
            .await
            .map_err(internal)?;
        let waiting = adjustments::waiting(&mut conn).await.map_err(internal)?;
        Ok(PlatformLedgerView {
            months: months
                .into_iter()
                .map(|m| MonthView {
                    month: format!("{}-{:02}", m.month.year(), u8::from(m.month.month())),
                    mode: m.mode,
                    account: m.account.as_str().to_owned(),
                    movement: m.movement,
                    closing: m.closing,
                })
                .collect(),
            waiting: waiting
                .into_iter()
                .map(|a| ssr::adjustment(a, &staff, can_act))
                .collect(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Asks to credit or debit a merchant's available balance (payouts `act`, a fresh
/// second-factor check): `mode` (`test`/`live`), `direction` (`credit`/`debit`),
/// `amount` in euro, `counter_account` (`fee_revenue`, `gateway_fees`,
/// `chargeback_losses`) and a `reason`. Posted at once up to the four-eyes threshold.
#[server(endpoint = "admin/ledger/adjust")]
pub async fn request_adjustment(
    merchant_id: String,
    mode: String,
    direction: String,
    amount: String,
    counter_account: String,
    reason: String,
) -> Result<AdjustmentView, AppError> {
    use platform::ledger::adjustments::{self, NewAdjustment};
    let platform = expect_context::<platform::Platform>();
    async {
        let (staff, scope, _) = crate::auth::session::require_declared::<RequestAdjustment>()
            .await?
            .staff()?;
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let facts = crate::request::facts().await;
        let new = NewAdjustment {
            mode,
            direction,
            amount,
            counter_account,
            reason,
        };
        let adjustment = adjustments::request(&platform, &scope, merchant, &new, &facts).await?;
        Ok(ssr::adjustment(adjustment, &staff, true))
    }
    .await
    .map_err(AppError::respond)
}

/// A second staff member approves (`approve` true: the entry is posted) or rejects a
/// waiting adjustment (payouts `act`, a fresh second-factor check). The requester is
/// refused.
#[server(endpoint = "admin/ledger/decide")]
pub async fn decide_adjustment(
    adjustment_id: String,
    approve: bool,
) -> Result<AdjustmentView, AppError> {
    use platform::ledger::adjustments;
    let platform = expect_context::<platform::Platform>();
    async {
        let (staff, scope, _) = crate::auth::session::require_declared::<DecideAdjustment>()
            .await?
            .staff()?;
        let id = crate::team::ssr::id(&adjustment_id)?;
        let facts = crate::request::facts().await;
        let adjustment = adjustments::decide(&platform, &scope, id, approve, &facts).await?;
        Ok(ssr::adjustment(adjustment, &staff, true))
    }
    .await
    .map_err(AppError::respond)
}
