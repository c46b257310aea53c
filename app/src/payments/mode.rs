//! The dashboard's frame: the Test/Live switch and what the member may do.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

pub use domain::Mode;

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
    /// Owner, admin or developer: may open the Developers page (API keys).
    pub manages_keys: bool,
}

/// The mode shown, whether Live may be chosen, and what the member may do.
#[server(endpoint = "dashboard/mode")]
pub async fn dashboard_state() -> Result<DashboardView, AppError> {
    use crate::policy::{CATALOG_EDITORS, KEY_MANAGERS, TEAM_MANAGERS};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<DashboardState>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let live = platform::payments::reading::live_access(&platform.pool, &scope)
            .await
            .map_err(crate::error::internal)?;
        Ok(DashboardView {
            mode: ssr::mode_view(mode),
            live: ssr::live_view(live),
            can_edit: scope.has_role(CATALOG_EDITORS),
            manages_team: scope.has_role(TEAM_MANAGERS),
            manages_keys: scope.has_role(KEY_MANAGERS),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Switches the dashboard between Test and Live Mode for this session. Live is refused
/// unless the merchant is verified and not suspended.
#[server(endpoint = "dashboard/set-mode")]
pub async fn set_dashboard_mode(mode: String) -> Result<(), AppError> {
    use platform::payments::{Mode, PaymentError};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<SetDashboardMode>()
            .await?
            .merchant()?;
        let mode = Mode::parse(mode.trim())
            .ok_or_else(|| AppError::validation("mode", "Choose Test or Live Mode."))?;
        let mut conn = platform
            .pool
            .acquire()
            .await
            .map_err(crate::error::internal)?;
        if platform::payments::effective_mode(&mut conn, scope.merchant_id(), mode)
            .await
            .map_err(crate::error::internal)?
            != mode
        {
            return Err(PaymentError::LiveNotAllowed.into());
        }
        session
            .insert(ssr::MODE_KEY, mode.as_str())
            .await
            .map_err(crate::error::internal)
    }
    .await
    .map_err(AppError::respond)
}
