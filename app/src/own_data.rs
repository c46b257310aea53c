//! A merchant team member's own data, from the account page: a copy mailed as a single-use
//! link, and closing the account for good (`platform::privacy::requests::own_account`).
//! Both act only on the caller's own account, whose id comes from the session.

use leptos::prelude::*;

use crate::error::AppError;

/// Mails the caller a single-use link to an archive of their data. Limited like the public
/// form's requests for one address, since each builds an archive.
#[server(endpoint = "account/export-data")]
pub async fn export_my_data() -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<ExportMyData>()
            .await?
            .parts();
        let limit = platform
            .config
            .settings
            .rate_limits
            .privacy_request_per_address;
        let address = platform::rate_limit::account_key(user.email());
        crate::limits::enforce(&platform, &[("privacy-request-address", limit, &address)]).await?;
        let facts = crate::request::facts().await;
        platform::privacy::requests::own_account::export(&platform, &user, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Closes the caller's account: the password, the box that says they understand, and a
/// fresh two-factor check where two-factor is on (a member without it is not locked out of
/// their right to leave). Their session ends with it.
#[server(endpoint = "account/close")]
pub async fn close_my_account(
    password: String,
    understood: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::session;
    let platform = expect_context::<platform::Platform>();
    async {
        let caller = session::require_declared::<CloseMyAccount>().await?;
        if caller.user().mfa_enabled() {
            caller.conditional::<CloseMyAccount>(true).await?;
        }
        let (user, current) = caller.parts();
        if understood.is_none() {
            return Err(AppError::validation(
                "understood",
                "Tick the box to confirm you understand that this cannot be undone.",
            ));
        }
        let limit = platform.config.settings.rate_limits.sign_in_per_account;
        let account = platform::rate_limit::account_key(user.email());
        crate::limits::enforce(&platform, &[("sign-in-account", limit, &account)]).await?;
        let facts = crate::request::facts().await;
        platform::privacy::requests::own_account::close(&platform, &user, password.into(), &facts)
            .await?;
        session::end(&current).await?;
        leptos_axum::redirect("/sign-in?closed=1");
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
