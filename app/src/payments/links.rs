//! The payment links screen: shareable addresses that take a fixed amount.

use domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub id: String,
    pub title: String,
    /// The shareable address, `{public origin}/pay/pl_…`.
    pub url: String,
    pub amount: Money,
    pub payments: i64,
    pub max_payments: Option<i32>,
    pub expires: Option<String>,
    pub archived: bool,
    /// Archived, expired or at its limit: buyers are told it is no longer available.
    pub available: bool,
    pub created: String,
}
/// The payment links of the current mode, active first, with their shareable addresses.
#[server(endpoint = "payments/links")]
pub async fn payment_links() -> Result<Vec<LinkView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<PaymentLinks>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let list = platform::payments::links::list(&platform.pool, &scope, mode)
            .await
            .map_err(crate::error::internal)?;
        let now = time::OffsetDateTime::now_utc();
        Ok(list
            .into_iter()
            .map(|l| LinkView {
                id: l.id.to_string(),
                url: ssr::pay_url(&platform, &l.token),
                available: !l.unavailable(now),
                title: l.title,
                amount: l.amount,
                payments: l.payments,
                max_payments: l.max_payments,
                expires: l.expires_at.map(ssr::when),
                archived: l.archived_at.is_some(),
                created: ssr::when(l.created_at),
            })
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

/// A payment link in the current mode for one of the active products (`product`, an id)
/// or, when none is chosen, for `title` and `amount` (euro). `max_payments` and
/// `expires_at` (`YYYY-MM-DDTHH:MM`, UTC) are optional. Answers the link's address.
#[server(endpoint = "payments/create-link")]
pub async fn create_link(
    product: String,
    title: String,
    amount: String,
    max_payments: String,
    expires_at: String,
) -> Result<String, AppError> {
    use platform::payments::links::{self, Charge, NewLink};
    use time::PrimitiveDateTime;
    use time::macros::format_description;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<CreateLink>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let charge = match product.trim() {
            "" => Charge::Amount {
                title,
                amount: platform::payments::parse_euro("amount", &amount)?,
            },
            id => Charge::Product(uuid::Uuid::parse_str(id).map_err(|_| {
                AppError::validation("product", "Choose one of your active products.")
            })?),
        };
        let max_payments = ssr::optional_number(
            "max_payments",
            &max_payments,
            "Enter a whole number of payments, or leave it empty.",
        )?;
        let expires_at = match expires_at.trim() {
            "" => None,
            text => {
                // `datetime-local` inputs send minutes; some browsers add seconds.
                let with_seconds =
                    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
                let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
                let at = PrimitiveDateTime::parse(text, minutes)
                    .or_else(|_| PrimitiveDateTime::parse(text, with_seconds))
                    .map_err(|_| {
                        AppError::validation(
                            "expires_at",
                            "Enter a date and time, like 2026-12-31T18:00.",
                        )
                    })?;
                Some(at.assume_utc())
            }
        };
        let new = NewLink {
            charge,
            max_payments,
            expires_at,
        };
        let link = links::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(ssr::pay_url(&platform, &link.token))
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "payments/archive-link")]
pub async fn archive_link(id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ArchiveLink>()
            .await?
            .merchant()?;
        let id = ssr::id(&id)?;
        platform::payments::links::archive(
            &platform.pool,
            &scope,
            id,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
