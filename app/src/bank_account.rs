//! The bank account payouts go to: the merchant sees it masked and (owners and admins,
//! with a fresh second-factor check every time) sets or changes it; staff with merchants
//! `view` see it masked and may reveal the full IBAN, each reveal audited. No answer but
//! the reveal ever carries the full IBAN.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The current account as every screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccountView {
    pub holder_name: String,
    /// `XK05 **** **** **** 1234`.
    pub iban_masked: String,
    pub since: String,
    pub payouts_from: String,
    /// A change's 72-hour payout hold is still running.
    pub on_hold: bool,
    /// Accounts the merchant had before this one.
    pub previous: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantBankAccount {
    pub account: Option<BankAccountView>,
    /// The viewer may set or change it: an owner or admin, the application not rejected.
    pub can_change: bool,
}

/// The full IBAN for staff, in groups of four as on a bank letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedIban {
    pub holder_name: String,
    pub iban: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::kyc::bank_account::CurrentAccount;

    use super::BankAccountView;
    use crate::payments::ssr::when;

    pub fn view(account: CurrentAccount) -> BankAccountView {
        BankAccountView {
            on_hold: account.on_hold(),
            holder_name: account.holder_name,
            iban_masked: account.iban_masked,
            since: when(account.since),
            payouts_from: when(account.payouts_from),
            previous: account.previous,
        }
    }
}

/// The merchant's current account, masked, and whether the viewer may change it.
#[server(endpoint = "kyc/bank-account")]
pub async fn bank_account() -> Result<MerchantBankAccount, AppError> {
    use platform::identity::users::MerchantRole;
    use platform::kyc::{self, Status, bank_account};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<BankAccount>()
            .await?
            .merchant()?;
        let merchant = scope.merchant_id();
        let mut conn = platform
            .pool
            .acquire()
            .await
            .map_err(crate::error::internal)?;
        let account = bank_account::current(&mut conn, merchant)
            .await
            .map_err(crate::error::internal)?;
        let status = kyc::checklist(&platform.pool, merchant)
            .await
            .map_err(crate::error::internal)?
            .status;
        let manager = scope.has_role(&[MerchantRole::Owner, MerchantRole::Admin]);
        Ok(MerchantBankAccount {
            account: account.map(ssr::view),
            can_change: manager && status != Status::Rejected,
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Sets or changes the payout account: owners and admins, after a fresh second-factor
/// check every time (a refusal is audited). Errors name their field (`holder_name`,
/// `iban`); the answer is the account, masked.
#[server(endpoint = "kyc/bank-account/set")]
pub async fn set_bank_account(
    holder_name: String,
    iban: String,
) -> Result<BankAccountView, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<SetBankAccount>()
            .await?
            .merchant()?;
        let facts = crate::request::facts().await;
        let account = platform::kyc::bank_account::set(
            &platform,
            user.id(),
            scope.merchant_id(),
            &holder_name,
            &iban,
            &facts,
        )
        .await
        .map_err(AppError::from)?;
        Ok(ssr::view(account))
    }
    .await
    .map_err(AppError::respond)
}

/// A merchant's current account for staff, masked; `None` when none was set.
#[server(endpoint = "admin/kyc/bank-account")]
pub async fn staff_bank_account(merchant_id: String) -> Result<Option<BankAccountView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<StaffBankAccount>().await?;
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let mut conn = platform
            .pool
            .acquire()
            .await
            .map_err(crate::error::internal)?;
        let account = platform::kyc::bank_account::current(&mut conn, merchant)
            .await
            .map_err(crate::error::internal)?;
        Ok(account.map(ssr::view))
    }
    .await
    .map_err(AppError::respond)
}

/// The full IBAN of a merchant's current account, for staff comparing it with the bank
/// letter; every reveal is audited (`bank_account.view`).
#[server(endpoint = "admin/kyc/bank-account/reveal")]
pub async fn reveal_bank_account(merchant_id: String) -> Result<RevealedIban, AppError> {
    use secrecy::ExposeSecret;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<RevealBankAccount>()
            .await?
            .staff()?;
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let facts = crate::request::facts().await;
        let revealed = platform::kyc::bank_account::reveal(&platform, &staff, merchant, &facts)
            .await
            .map_err(AppError::from)?;
        let iban: Vec<String> = revealed
            .iban
            .expose_secret()
            .as_bytes()
            .chunks(4)
            .map(|group| String::from_utf8_lossy(group).into_owned())
            .collect();
        Ok(RevealedIban {
            holder_name: revealed.holder_name,
            iban: iban.join(" "),
        })
    }
    .await
    .map_err(AppError::respond)
}
