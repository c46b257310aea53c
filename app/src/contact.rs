//! The landing page's "talk to us" form.

use leptos::prelude::*;

use crate::error::AppError;

/// Public: anyone may send a request, a few per hour from one IP address. Input is
/// validated and stored by `platform::contact`; on success a plain form POST (no WASM) is
/// redirected to the thank-you anchor, and the hydrated client follows the same redirect.
#[server(endpoint = "public/contact")]
pub async fn submit_contact(
    name: String,
    email: String,
    business_name: String,
    message: String,
) -> Result<(), AppError> {
    use platform::contact::{self, ContactError, ContactForm};
    use platform::rate_limit::{self, Decision, Limit};
    let platform = expect_context::<platform::Platform>();
    let limit = Limit {
        bucket: "contact-ip",
        max: platform.config.settings.rate_limits.contact_per_ip_per_hour,
        window: std::time::Duration::from_secs(3600),
    };
    match rate_limit::hit(&platform.pool, limit, &crate::request::client_ip().await).await {
        Ok(Decision::Allowed) => {}
        Ok(Decision::Limited { retry_after }) => {
            return Err(AppError::RateLimited { retry_after_secs: retry_after.as_secs() }.respond());
        }
        Err(error) => {
            tracing::error!(%error, "rate limit check failed");
            return Err(AppError::Internal.respond());
        }
    }
    let form = ContactForm { name, email, business_name, message };
    match contact::submit(&platform.pool, form).await {
        Ok(_) => {
            leptos_axum::redirect("/?contact=sent#contact");
            Ok(())
        }
        Err(ContactError::Invalid { field, message }) => Err(AppError::validation(field, message).respond()),
        Err(ContactError::Database) => Err(AppError::Internal.respond()),
    }
}
