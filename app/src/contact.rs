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
    let platform = expect_context::<platform::Platform>();
    let ip = crate::request::client_key().await;
    let rule = platform.config.settings.rate_limits.contact_per_ip;
    crate::limits::enforce(&platform, &[("contact-ip", rule, &ip)])
        .await
        .map_err(AppError::respond)?;
    let form = ContactForm {
        name,
        email,
        business_name,
        message,
    };
    match contact::submit(&platform.pool, form).await {
        Ok(_) => {
            leptos_axum::redirect("/?contact=sent#contact");
            Ok(())
        }
        Err(ContactError::Invalid { field, message }) => {
            Err(AppError::validation(field, message).respond())
        }
        Err(ContactError::Database) => Err(AppError::Internal.respond()),
    }
}
