//! The dashboard's Balance: what Saleonix owes the merchant in the session's mode
//! (available, pending with its release days, reserve, in payout), the last 90 days as a
//! chart, and the ledger lines as CSV for the merchant's accountant (the file itself is
//! served by `server::ledger_export`, which calls [`ssr::export`]).

use domain::{Currency, Money, PayoutStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::payments::Mode;

/// Days the chart shows.
pub const CHART_DAYS: i64 = 90;

/// Where the dashboard downloads the CSV (`app::policy::FILE_ROUTES`).
pub const EXPORT_PATH: &str = "/api/balance/export.csv";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceRow {
    pub currency: Currency,
    /// Below zero after refunds took more than there was.
    pub available: Money,
    pub pending: Money,
    pub reserve: Money,
    pub in_payout: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseView {
    /// `YYYY-MM-DD`, a business day in Kosovo.
    pub release_on: String,
    /// `pending` or `reserve`.
    pub kind: String,
    pub amount: Money,
}

/// A payout made and not yet paid by the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpcomingPayout {
    /// `YYYY-MM-DD`, the day the run made it.
    pub made_on: String,
    /// Made, approved or sent.
    pub status: PayoutStatus,
    pub amount: Money,
    pub iban_masked: String,
}

/// One day's closing balances, in minor units of the chart's currency: the chart scales
/// them to its height.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartDay {
    pub available_minor: i64,
    pub held_minor: i64,
    pub in_payout_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceView {
    pub mode: Mode,
    /// One row per currency the merchant has books in; none before the first sale.
    pub balances: Vec<BalanceRow>,
    pub releases: Vec<ReleaseView>,
    /// Live Mode only: payouts go to banks from Live money alone.
    pub payouts: Vec<UpcomingPayout>,
    /// The chart's currency and its days (`YYYY-MM-DD`, oldest first) with their balances.
    pub chart_currency: Currency,
    pub chart: Vec<(String, ChartDay)>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::Platform;
    use platform::audit::{Actor, ActorKind, Event, Outcome, RequestFacts};
    use platform::identity::roles::MerchantScope;
    use platform::identity::users::User;
    use platform::ledger::journal;
    use tower_sessions::Session;

    use crate::error::AppError;
    use crate::error::internal;
    use crate::payments::ssr::{Intent, mode};

    /// The merchant's ledger lines in the session's mode as CSV, with its file name;
    /// audited as `ledger.export`.
    pub async fn export(
        platform: &Platform,
        user: &User,
        scope: &MerchantScope,
        session: &Session,
        facts: &RequestFacts,
    ) -> Result<(String, String), AppError> {
        let mode = mode(platform, scope, session, Intent::Read).await?;
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let rows = journal::merchant_statement(&mut conn, scope.merchant_id(), mode)
            .await
            .map_err(internal)?;
        let event = Event::new(
            "ledger.export",
            Actor {
                kind: ActorKind::User,
                id: Some(user.id()),
            },
            Outcome::Success,
        )
        .merchant(scope.merchant_id())
        .detail(serde_json::json!({ "mode": mode.as_str(), "rows": rows.len() }));
        platform::audit::record_alone(&platform.pool, &event, facts)
            .await
            .map_err(internal)?;
        Ok((
            journal::statement_csv(&rows),
            format!("saleonix-ledger-{}.csv", mode.as_str()),
        ))
    }
}

/// The merchant's balances in the session's mode, the release days ahead, and the chart.
#[server(endpoint = "balance")]
pub async fn merchant_balance() -> Result<BalanceView, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::{Intent, mode, mode_view};
    use platform::ledger::balances;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<MerchantBalance>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Read).await?;
        let merchant = scope.merchant_id();
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let balances = balances::of_merchant(&mut conn, merchant, mode)
            .await
            .map_err(internal)?;
        let releases = balances::upcoming_releases(&mut conn, merchant, mode)
            .await
            .map_err(internal)?;
        let payouts = match mode {
            platform::gateway_accounts::Mode::Live => {
                platform::payouts::reading::on_the_way(&platform.pool, merchant)
                    .await
                    .map_err(internal)?
            }
            platform::gateway_accounts::Mode::Test => Vec::new(),
        };
        let chart_currency = Currency::Eur;
        let days = balances::last_days(&mut conn, merchant, mode, chart_currency, CHART_DAYS)
            .await
            .map_err(internal)?;
        Ok(BalanceView {
            mode: mode_view(mode),
            balances: balances
                .into_iter()
                .map(|b| BalanceRow {
                    currency: b.currency,
                    available: b.available,
                    pending: b.pending,
                    reserve: b.reserve,
                    in_payout: b.in_payout,
                })
                .collect(),
            releases: releases
                .into_iter()
                .map(|r| ReleaseView {
                    release_on: r.release_on.to_string(),
                    kind: r.kind,
                    amount: r.amount,
                })
                .collect(),
            payouts: payouts
                .into_iter()
                .map(|p| UpcomingPayout {
                    made_on: p.created_at.date().to_string(),
                    status: p.status,
                    amount: p.amount,
                    iban_masked: p.iban_masked,
                })
                .collect(),
            chart_currency,
            chart: days
                .into_iter()
                .map(|d| {
                    let day = ChartDay {
                        available_minor: d.available_minor,
                        held_minor: d.held_minor,
                        in_payout_minor: d.in_payout_minor,
                    };
                    (d.day.to_string(), day)
                })
                .collect(),
        })
    }
    .await
    .map_err(AppError::respond)
}
