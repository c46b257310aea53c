//! Two-factor authentication for the signed-in user: enrolment, the second step of signing
//! in, step-up checks before sensitive actions, recovery codes, turning it off, and an
//! administrator's reset of someone else's. The rules live in `platform::identity::mfa`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled: bool,
    pub recovery_codes_left: i64,
    /// The account may not work without it (staff, or merchants when the platform says so).
    pub required: bool,
    /// Where the user starts once it is on: the dashboard or the admin console.
    pub home: String,
}

/// A started enrolment: the secret to type into an app, and the same as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentView {
    pub secret: String,
    /// An SVG document drawn on the server from our own data only.
    pub qr_svg: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::Platform;
    use platform::identity::mfa::{MfaError, RecoveryCodes};
    use secrecy::ExposeSecret;
    use uuid::Uuid;

    use crate::error::AppError;

    impl From<MfaError> for AppError {
        fn from(error: MfaError) -> Self {
            match error {
                MfaError::WrongCode => AppError::validation(
                    "code",
                    "That code is not right. Please try the newest one.",
                ),
                MfaError::Replayed => AppError::validation(
                    "code",
                    "That code has already been used. Please wait for the next one.",
                ),
                MfaError::WrongPassword => {
                    AppError::validation("password", "That password is not right.")
                }
                MfaError::AlreadyEnabled => {
                    AppError::validation("code", "Two-factor authentication is already on.")
                }
                MfaError::NotEnabled => {
                    AppError::validation("code", "Two-factor authentication is not on.")
                }
                MfaError::NoEnrolment => {
                    AppError::validation("code", "Please start the set-up again.")
                }
                MfaError::Internal => AppError::Internal,
            }
        }
    }

    pub fn shown(codes: RecoveryCodes) -> Vec<String> {
        codes
            .0
            .iter()
            .map(|code| code.expose_secret().to_owned())
            .collect()
    }

    /// Code attempts are limited like passwords: per IP and per account.
    pub async fn limit_attempts(platform: &Platform, user_id: Uuid) -> Result<(), AppError> {
        let limits = &platform.config.settings.rate_limits;
        let ip = crate::request::client_key().await;
        let account = user_id.to_string();
        let checks = [
            ("second-factor-ip", limits.sign_in_per_ip, ip.as_str()),
            (
                "second-factor-account",
                limits.sign_in_per_account,
                &account,
            ),
        ];
        crate::limits::enforce(platform, &checks).await
    }
}

#[server(endpoint = "account/two-factor")]
pub async fn two_factor_status() -> Result<TwoFactorView, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = super::session::require_declared::<TwoFactorStatus>()
            .await?
            .parts();
        let status = platform::identity::mfa::status(&platform, user.id()).await?;
        Ok(TwoFactorView {
            enabled: status.enabled,
            recovery_codes_left: status.recovery_codes_left,
            required: user.must_use_mfa(&platform.config.settings.identity),
            home: super::session::home(&user).to_owned(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Starts enrolment once the password is typed again (a stolen session is not enough to
/// put someone else's app on the account); password attempts count like sign-in's.
#[server(endpoint = "account/two-factor/start")]
pub async fn start_two_factor(password: String) -> Result<EnrolmentView, AppError> {
    use secrecy::ExposeSecret;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = super::session::require_declared::<StartTwoFactor>()
            .await?
            .parts();
        let limits = &platform.config.settings.rate_limits;
        let client = crate::request::client_key().await;
        let account = platform::rate_limit::account_key(user.email());
        let checks = [
            ("sign-in-ip", limits.sign_in_per_ip, client.as_str()),
            (
                "sign-in-account",
                limits.sign_in_per_account,
                account.as_str(),
            ),
        ];
        crate::limits::enforce(&platform, &checks).await?;
        let facts = crate::request::facts().await;
        let enrolment =
            platform::identity::mfa::start_enrolment(&platform, user.id(), password.into(), &facts)
                .await?;
        Ok(EnrolmentView {
            secret: enrolment.secret.expose_secret().to_owned(),
            qr_svg: enrolment.qr_svg.expose_secret().to_owned(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Confirms enrolment with a first code; answers the recovery codes, shown this once.
#[server(endpoint = "account/two-factor/confirm")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, session) = super::session::require_declared::<ConfirmTwoFactor>()
            .await?
            .parts();
        ssr::limit_attempts(&platform, user.id()).await?;
        let facts = crate::request::facts().await;
        let codes =
            platform::identity::mfa::confirm_enrolment(&platform, user.id(), &code, &facts).await?;
        super::session::second_factor_passed(&session).await?;
        Ok(ssr::shown(codes))
    }
    .await
    .map_err(AppError::respond)
}

/// The second step of signing in: a TOTP or recovery code. A plain form post, like the
/// password step, so it works before (or without) WASM.
#[server(endpoint = "auth/second-factor")]
pub async fn second_factor(code: String) -> Result<(), AppError> {
    use platform::identity::mfa::{self, Check};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user_id, session) = super::session::require_declared_pending::<SecondFactor>().await?;
        ssr::limit_attempts(&platform, user_id).await?;
        mfa::verify(
            &platform,
            user_id,
            &code,
            Check::SignIn,
            &crate::request::facts().await,
        )
        .await?;
        super::session::second_factor_passed(&session).await?;
        let user = platform::identity::users::load_active(&platform.pool, user_id)
            .await
            .map_err(crate::error::internal)?;
        leptos_axum::redirect(user.as_ref().map_or("/sign-in", super::session::home));
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// A fresh second-factor check before a sensitive action; the UI repeats the action after.
#[server(endpoint = "auth/step-up")]
pub async fn step_up(code: String) -> Result<(), AppError> {
    use platform::identity::mfa::{self, Check};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, session) = super::session::require_declared::<StepUp>().await?.parts();
        ssr::limit_attempts(&platform, user.id()).await?;
        mfa::verify(
            &platform,
            user.id(),
            &code,
            Check::StepUp,
            &crate::request::facts().await,
        )
        .await?;
        super::session::second_factor_passed(&session).await
    }
    .await
    .map_err(AppError::respond)
}

/// A new set of recovery codes; the old set stops working. A step-up action.
#[server(endpoint = "account/two-factor/recovery-codes")]
pub async fn regenerate_recovery_codes() -> Result<Vec<String>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = super::session::require_declared::<RegenerateRecoveryCodes>()
            .await?
            .parts();
        let codes = platform::identity::mfa::regenerate_recovery_codes(
            &platform,
            user.id(),
            &crate::request::facts().await,
        )
        .await?;
        Ok(ssr::shown(codes))
    }
    .await
    .map_err(AppError::respond)
}

/// Turns the caller's own two-factor authentication off: a step-up action that also asks
/// for the password. An account that must use it is sent to enrol again at once.
#[server(endpoint = "account/two-factor/disable")]
pub async fn disable_two_factor(password: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = super::session::require_declared::<DisableTwoFactor>()
            .await?
            .parts();
        let limit = platform.config.settings.rate_limits.sign_in_per_account;
        let account = platform::rate_limit::account_key(user.email());
        crate::limits::enforce(&platform, &[("sign-in-account", limit, &account)]).await?;
        platform::identity::mfa::disable(
            &platform,
            user.id(),
            password.into(),
            &crate::request::facts().await,
        )
        .await?;
        leptos_axum::redirect("/account/two-factor?disabled=1");
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// A platform administrator resets another user's two-factor authentication (lost phone,
/// no recovery codes): a step-up action that also ends every session of that user.
#[server(endpoint = "admin/users/reset-two-factor")]
pub async fn reset_two_factor(user_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (admin, _) = super::session::require_declared::<ResetTwoFactor>()
            .await?
            .admin()?;
        let target = uuid::Uuid::parse_str(user_id.trim()).map_err(|_| AppError::NotFound)?;
        if target == admin.user_id() {
            return Err(AppError::validation(
                "user_id",
                "Use your own account settings to change your two-factor authentication.",
            ));
        }
        let facts = crate::request::facts().await;
        match platform::identity::mfa::reset_by_admin(&platform, &admin, target, &facts).await {
            Err(platform::identity::mfa::MfaError::NotEnabled) => Err(AppError::NotFound),
            other => Ok(other?),
        }
    }
    .await
    .map_err(AppError::respond)
}
