//! Account settings for any signed-in user: change password, see active sessions, sign out
//! one or all of them. Every function acts only on the caller's own account, whose id
//! comes from the session, never from the request.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One active session, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub handle: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    pub ip: String,
    pub device: String,
    pub current: bool,
}

#[server(endpoint = "account/change-password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::auth::session;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, session) = session::require_declared::<ChangePassword>().await?.parts();
        let limit = platform.config.settings.rate_limits.sign_in_per_account;
        let account = platform::rate_limit::account_key(user.email());
        crate::limits::enforce(&platform, &[("sign-in-account", limit, &account)]).await?;
        let keep = session.id();
        platform::identity::accounts::change_password(
            &platform,
            user.id(),
            current_password.into(),
            new_password.into(),
            keep.as_ref(),
            &crate::request::facts().await,
        )
        .await?;
        leptos_axum::redirect("/account?password=changed");
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "account/sessions")]
pub async fn active_sessions() -> Result<Vec<SessionView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, session) = crate::auth::session::require_declared::<ActiveSessions>()
            .await?
            .parts();
        let sessions =
            platform::identity::sessions::list(&platform.pool, user.id(), session.id().as_ref())
                .await
                .map_err(crate::error::internal)?;
        Ok(sessions
            .into_iter()
            .map(|s| SessionView {
                handle: s.handle,
                signed_in_at: s.signed_in_at,
                last_seen_at: s.last_seen_at,
                ip: s.ip,
                device: s.user_agent,
                current: s.current,
            })
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "account/revoke-session")]
pub async fn revoke_session(handle: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<RevokeSession>()
            .await?
            .parts();
        match platform::identity::sessions::revoke(&platform.pool, user.id(), &handle).await {
            Ok(true) => {
                crate::auth::session::audit(crate::auth::session::event(
                    "auth.session_revoked",
                    user.id(),
                ))
                .await?;
                leptos_axum::redirect("/account?session=ended");
                Ok(())
            }
            Ok(false) => Err(AppError::NotFound),
            Err(error) => Err(crate::error::internal(error)),
        }
    }
    .await
    .map_err(AppError::respond)
}

/// Ends every session of the account, this one included.
#[server(endpoint = "account/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::auth::session;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, current) = session::require_declared::<SignOutEverywhere>()
            .await?
            .parts();
        let mut conn = platform
            .pool
            .acquire()
            .await
            .map_err(crate::error::internal)?;
        let ended = platform::identity::sessions::revoke_all(&mut conn, user.id(), None)
            .await
            .map_err(crate::error::internal)?;
        let event = session::event("auth.sessions_revoked", user.id())
            .detail(serde_json::json!({ "sessions_ended": ended }));
        session::audit(event).await?;
        session::end(&current).await?;
        leptos_axum::redirect("/sign-in?signed_out=1");
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
