//! Sign-up, email verification, sign-in and out, and password reset: the server functions
//! behind the public account pages. The flows themselves live in
//! `platform::identity::accounts`; these add what belongs to HTTP: rate limits, uniform
//! answer times, the session cookie and the next page.

#[cfg(feature = "ssr")]
pub mod session;
pub mod two_factor;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in user, as pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub full_name: String,
    pub email: String,
    pub business_name: Option<String>,
    /// Where they work: `/dashboard` for merchants, `/admin` for staff.
    pub home: String,
    /// A merchant owner or admin: the dashboard shows the team page.
    pub manages_team: bool,
    /// A merchant owner, admin or developer: the dashboard shows the Developers page.
    pub manages_keys: bool,
    /// A member who can move money or change the team (owner, admin, finance) without
    /// two-factor on: refunds and team changes refuse them, so the dashboard leads them
    /// to enrol.
    pub needs_two_factor: bool,
}

/// Who is signed in, as the server found the session before it rendered the page: put in
/// the request by the server's page layer, read by the header. Absent, the page shows as
/// to a visitor.
#[derive(Debug, Clone)]
pub struct PageViewer(pub Option<Viewer>);

#[server(endpoint = "account/me")]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    let user = session::current_user().await.map_err(AppError::respond)?;
    Ok(user.as_ref().map(viewer_of))
}

/// The user as pages show them.
#[cfg(feature = "ssr")]
pub fn viewer_of(user: &platform::identity::users::User) -> Viewer {
    let role_in = |roles: &[platform::identity::users::MerchantRole]| {
        user.membership().is_some_and(|m| roles.contains(&m.role))
    };
    Viewer {
        home: session::home(user).to_owned(),
        needs_two_factor: !user.mfa_enabled()
            && (role_in(crate::policy::REFUNDERS) || role_in(crate::policy::TEAM_MANAGERS)),
        manages_team: role_in(crate::policy::TEAM_MANAGERS),
        manages_keys: role_in(crate::policy::KEY_MANAGERS),
        full_name: user.full_name().to_owned(),
        email: user.email().to_owned(),
        business_name: user.membership().map(|m| m.business_name.clone()),
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::time::Duration;

    use platform::Platform;
    use platform::audit::RequestFacts;
    use platform::config::LimitRule;
    use platform::identity::accounts::AccountError;
    use platform::identity::tokens::TokenError;

    use crate::error::AppError;

    /// Runs `work`, then waits until `uniform_answer_ms` have passed since the start, so
    /// that the answer's timing does not tell an unknown address from a known one.
    pub(crate) async fn uniformly<T>(platform: &Platform, work: impl Future<Output = T>) -> T {
        let floor = Duration::from_millis(platform.config.settings.identity.uniform_answer_ms);
        let deadline = tokio::time::Instant::now() + floor;
        let out = work.await;
        tokio::time::sleep_until(deadline).await;
        out
    }

    impl From<AccountError> for AppError {
        fn from(error: AccountError) -> Self {
            match error {
                AccountError::Invalid { field, message } => AppError::Validation {
                    field: field.into(),
                    message,
                },
                AccountError::InvalidCredentials => AppError::InvalidCredentials,
                AccountError::Link(TokenError::Used) => AppError::validation(
                    "token",
                    "This link has already been used. Each link works once.",
                ),
                AccountError::Link(TokenError::Expired) => AppError::validation(
                    "token",
                    "This link has expired. Please ask for a new one.",
                ),
                AccountError::Link(_) => AppError::validation(
                    "token",
                    "This link is not valid. Please use the newest link we sent.",
                ),
                AccountError::NotFound => AppError::NotFound,
                AccountError::RateLimited { retry_after } => AppError::RateLimited {
                    retry_after_secs: retry_after.as_secs(),
                },
                AccountError::Database => AppError::Internal,
            }
        }
    }

    /// An account request from someone not signed in: limited per IP and per typed
    /// address, and answered no sooner than the uniform time, whatever `work` finds.
    pub async fn public_request<T>(
        platform: &Platform,
        facts: &RequestFacts,
        per_ip: (&'static str, LimitRule),
        per_address: (&'static str, LimitRule),
        email: &str,
        work: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        uniformly(platform, async {
            let client = platform::rate_limit::client_key(facts);
            let address = platform::rate_limit::account_key(email);
            let checks = [
                (per_ip.0, per_ip.1, client.as_str()),
                (per_address.0, per_address.1, address.as_str()),
            ];
            crate::limits::enforce(platform, &checks).await?;
            work.await
        })
        .await
        .map_err(AppError::respond)
    }

    /// The password step of signing in, limited per client network and per typed address,
    /// answered no sooner than the uniform time.
    ///
    /// A stranger who spends an address's limit on wrong passwords must not keep its owner
    /// out. So while the account is limited, a client network with no recent failure for it
    /// still has its password checked, but only an account with two-factor authentication
    /// gets through, and only to the second-factor step. Every other outcome (a wrong
    /// password, an account without two-factor, a network that failed lately) is the same
    /// refusal as before, and a wrong password is that network's failure: one guess per
    /// network and window, each worth nothing without the second factor.
    pub async fn check_sign_in(
        platform: &Platform,
        facts: &RequestFacts,
        email: &str,
        password: secrecy::SecretString,
    ) -> Result<uuid::Uuid, AppError> {
        use platform::rate_limit::{self, Limit};
        uniformly(platform, async {
            let limits = &platform.config.settings.rate_limits;
            let client = rate_limit::client_key(facts);
            let account = rate_limit::account_key(email);
            crate::limits::enforce(platform, &[("sign-in-ip", limits.sign_in_per_ip, &client)])
                .await?;
            let failures = Limit::new("sign-in-failures", limits.sign_in_per_account);
            let failures_here = format!("{account}|{client}");
            let limited = match crate::limits::enforce(
                platform,
                &[("sign-in-account", limits.sign_in_per_account, &account)],
            )
            .await
            {
                Ok(()) => None,
                Err(refusal @ AppError::RateLimited { .. }) => {
                    if rate_limit::recent(&platform.pool, failures, &failures_here)
                        .await
                        .map_err(crate::error::internal)?
                        > 0
                    {
                        return Err(refusal);
                    }
                    Some(refusal)
                }
                Err(error) => return Err(error),
            };
            let checked = platform::identity::accounts::check_credentials(
                platform,
                email,
                password,
                facts,
                limited.is_some(),
            )
            .await;
            match checked {
                Ok(user_id) => Ok(user_id),
                Err(error) => {
                    if matches!(error, AccountError::InvalidCredentials) {
                        rate_limit::hit(&platform.pool, failures, &failures_here)
                            .await
                            .map_err(crate::error::internal)?;
                    }
                    Err(limited.unwrap_or_else(|| error.into()))
                }
            }
        })
        .await
        .map_err(AppError::respond)
    }

    /// A password chosen from an emailed link (reset or invitation): limited per IP, then
    /// `work` sets it; that ended every session of the account, so this browser's ends too
    /// and the visitor goes to `next` to sign in.
    pub async fn password_from_link<F>(
        next: &str,
        work: impl FnOnce(RequestFacts) -> F,
    ) -> Result<(), AppError>
    where
        F: Future<Output = Result<(), AppError>>,
    {
        let platform = &leptos::prelude::expect_context::<Platform>();
        async {
            let facts = crate::request::facts().await;
            let client = platform::rate_limit::client_key(&facts);
            let rule = platform.config.settings.rate_limits.reset_per_ip;
            crate::limits::enforce(platform, &[("reset-ip", rule, &client)]).await?;
            work(facts).await?;
            super::session::end(&super::session::session().await?).await?;
            leptos_axum::redirect(next);
            Ok(())
        }
        .await
        .map_err(AppError::respond)
    }
}

#[server(endpoint = "auth/sign-up")]
pub async fn sign_up(
    full_name: String,
    business_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use platform::identity::accounts::{self, SignUp};
    let platform = expect_context::<platform::Platform>();
    let limits = &platform.config.settings.rate_limits;
    let facts = crate::request::facts().await;
    let per_ip = ("sign-up-ip", limits.sign_up_per_ip);
    let per_address = ("sign-up-account", limits.sign_up_per_account);
    ssr::public_request(
        &platform,
        &facts,
        per_ip,
        per_address,
        &email.clone(),
        async {
            let form = SignUp {
                full_name,
                business_name,
                email,
                password: password.into(),
            };
            accounts::sign_up(&platform, form, &facts).await?;
            leptos_axum::redirect("/check-email");
            Ok(())
        },
    )
    .await
}

#[server(endpoint = "auth/resend-verification")]
pub async fn resend_verification(email: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    let limits = &platform.config.settings.rate_limits;
    let facts = crate::request::facts().await;
    let per_ip = ("verification-ip", limits.verification_per_ip);
    let per_address = ("verification-account", limits.verification_per_account);
    ssr::public_request(&platform, &facts, per_ip, per_address, &email, async {
        platform::identity::accounts::resend_verification(&platform, &email).await?;
        leptos_axum::redirect("/check-email?resent=1");
        Ok(())
    })
    .await
}

#[server(endpoint = "auth/verify-email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    let client = crate::request::client_key().await;
    let rule = platform.config.settings.rate_limits.verification_per_ip;
    async {
        crate::limits::enforce(&platform, &[("verification-ip", rule, &client)]).await?;
        platform::identity::accounts::verify_email(
            &platform,
            &token.into(),
            &crate::request::facts().await,
        )
        .await?;
        leptos_axum::redirect("/sign-in?verified=1");
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "auth/sign-in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    let facts = crate::request::facts().await;
    let user_id = ssr::check_sign_in(&platform, &facts, &email, password.into()).await?;
    async {
        let user = platform::identity::users::load_active(&platform.pool, user_id)
            .await
            .map_err(crate::error::internal)?;
        let user = user.ok_or(AppError::InvalidCredentials)?;
        let session = session::session().await?;
        session::begin(&session, user_id, user.mfa_enabled(), &facts).await?;
        leptos_axum::redirect(if user.mfa_enabled() {
            "/sign-in/two-factor"
        } else if user.owes_mfa_enrolment(&platform.config.settings.identity) {
            "/account/two-factor"
        } else {
            session::home(&user)
        });
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = session::session().await.map_err(AppError::respond)?;
    if let Some(user) = session::current_user().await.map_err(AppError::respond)? {
        session::audit(session::event("auth.sign_out", user.id()))
            .await
            .map_err(AppError::respond)?;
    }
    session::end(&session).await.map_err(AppError::respond)?;
    leptos_axum::redirect("/sign-in?signed_out=1");
    Ok(())
}

#[server(endpoint = "auth/forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    let limits = &platform.config.settings.rate_limits;
    let facts = crate::request::facts().await;
    let per_ip = ("reset-ip", limits.reset_per_ip);
    let per_address = ("reset-account", limits.reset_per_account);
    ssr::public_request(&platform, &facts, per_ip, per_address, &email, async {
        platform::identity::accounts::request_reset(&platform, &email, &facts).await?;
        leptos_axum::redirect("/forgot-password?sent=1");
        Ok(())
    })
    .await
}

#[server(endpoint = "auth/reset-password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    ssr::password_from_link("/sign-in?reset=1", |facts| async move {
        Ok(platform::identity::accounts::reset_password(
            &platform,
            &token.into(),
            password.into(),
            &facts,
        )
        .await?)
    })
    .await
}

/// An invited staff or team member sets their password from the emailed link.
#[server(endpoint = "auth/accept-invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    ssr::password_from_link("/sign-in?invited=1", |facts| async move {
        Ok(platform::identity::accounts::accept_invitation(
            &platform,
            &token.into(),
            password.into(),
            &facts,
        )
        .await?)
    })
    .await
}
