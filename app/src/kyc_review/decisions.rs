//! Staff decisions on a KYC application, each needing merchants `act`: accept an item, ask
//! for changes, approve, reject, and ask a verified merchant for re-verification. Approval
//! and rejection also need a fresh second-factor check; a refusal for want of one is
//! audited as `access.denied`, like the route guard's refusals.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use platform::kyc::Item;

    use crate::error::AppError;

    pub fn item(slug: &str) -> Result<Item, AppError> {
        Item::parse(slug.trim())
            .ok_or_else(|| AppError::validation("item", "Choose an item of the checklist."))
    }
}

/// Accepts a checklist item the merchant sent.
#[server(endpoint = "admin/kyc/accept-item")]
pub async fn accept_kyc_item(merchant_id: String, item: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<AcceptKycItem>()
            .await?
            .staff()?;
        let merchant_id = crate::team::ssr::id(&merchant_id)?;
        let item = ssr::item(&item)?;
        let facts = crate::request::facts().await;
        platform::kyc::review::accept_item(&platform, &staff, merchant_id, item, &facts)
            .await
            .map_err(AppError::from)
    }
    .await
    .map_err(AppError::respond)
}

/// Sends an item back to the merchant with `reason`, which they see and are mailed.
#[server(endpoint = "admin/kyc/request-changes")]
pub async fn request_kyc_changes(
    merchant_id: String,
    item: String,
    reason: String,
) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<RequestKycChanges>()
            .await?
            .staff()?;
        let merchant_id = crate::team::ssr::id(&merchant_id)?;
        let item = ssr::item(&item)?;
        let facts = crate::request::facts().await;
        platform::kyc::review::request_changes(
            &platform,
            &staff,
            merchant_id,
            item,
            &reason,
            &facts,
        )
        .await
        .map_err(AppError::from)
    }
    .await
    .map_err(AppError::respond)
}

/// Approves the application (four eyes, every item accepted, no open sanctions hit):
/// Live Mode opens. A step-up action.
#[server(endpoint = "admin/kyc/approve")]
pub async fn approve_kyc(merchant_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<ApproveKyc>()
            .await?
            .staff()?;
        let merchant_id = crate::team::ssr::id(&merchant_id)?;
        let facts = crate::request::facts().await;
        platform::kyc::review::approve(&platform, &staff, merchant_id, &facts)
            .await
            .map_err(AppError::from)
    }
    .await
    .map_err(AppError::respond)
}

/// Rejects the application with `reason` for the merchant: Live Mode closes. A step-up action.
#[server(endpoint = "admin/kyc/reject")]
pub async fn reject_kyc(merchant_id: String, reason: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<RejectKyc>()
            .await?
            .staff()?;
        let merchant_id = crate::team::ssr::id(&merchant_id)?;
        let facts = crate::request::facts().await;
        platform::kyc::review::reject(&platform, &staff, merchant_id, &reason, &facts)
            .await
            .map_err(AppError::from)
    }
    .await
    .map_err(AppError::respond)
}

/// Asks a verified merchant to update `item` by `due` (`YYYY-MM-DD`, at least tomorrow);
/// past it, Live Mode closes until staff approve the update.
#[server(endpoint = "admin/kyc/request-reverification")]
pub async fn request_reverification(
    merchant_id: String,
    item: String,
    reason: String,
    due: String,
) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<RequestReverification>()
            .await?
            .staff()?;
        let merchant_id = crate::team::ssr::id(&merchant_id)?;
        let item = ssr::item(&item)?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let due = time::Date::parse(due.trim(), format).map_err(|_| {
            AppError::validation("due", "Enter the deadline as a date, YYYY-MM-DD.")
        })?;
        let facts = crate::request::facts().await;
        platform::kyc::review::request_reverification(
            &platform,
            &staff,
            merchant_id,
            item,
            &reason,
            due,
            &facts,
        )
        .await
        .map_err(AppError::from)
    }
    .await
    .map_err(AppError::respond)
}
