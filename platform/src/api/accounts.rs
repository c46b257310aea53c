//! The `account` object the account events carry: where the merchant's verification
//! stands and whether Live Mode is open. It holds what the merchant can already read on
//! its Verification page (each item's state, and the reasons staff wrote *for* it, which
//! are mailed to it too) and nothing else: no business or personal details, no staff
//! names, no sanctions screening, no internal notes.

use domain::MerchantId;
use domain::public_id::{self, Kind};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::kyc::review::status_slug;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountObject {
    /// `acct_…`
    pub id: String,
    /// Always `account`.
    pub object: &'static str,
    /// Verified and not suspended: Live keys and Live payments work.
    pub live_mode_enabled: bool,
    pub suspended: bool,
    pub verification: Verification,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// `draft`, `submitted`, `changes_requested`, `approved` or `rejected`.
    pub status: &'static str,
    /// A re-verification deadline passed: Live Mode is closed until staff approve the update.
    pub restricted: bool,
    /// The deadline of a re-verification staff asked for.
    #[serde(with = "time::serde::rfc3339::option")]
    pub reverification_due: Option<OffsetDateTime>,
    pub rejection_reason: Option<String>,
    pub items: Vec<VerificationItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationItem {
    /// `business`, `people`, `registration_certificate`, `identity_documents`, `bank_proof`
    /// or `bank_account`.
    pub item: &'static str,
    /// `missing`, `submitted`, `accepted` or `changes_requested`.
    pub state: &'static str,
    /// What to change, when changes are asked for.
    pub reason: Option<String>,
}

/// The merchant's account as it stands on `conn` (inside the change's transaction).
pub(crate) async fn load(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<AccountObject, sqlx::Error> {
    let (live_mode_enabled, suspended): (bool, bool) = sqlx::query_as(
        "SELECT verified_at IS NOT NULL AND suspended_at IS NULL, suspended_at IS NOT NULL
         FROM merchants WHERE id = $1",
    )
    .bind(merchant_id)
    .fetch_one(&mut *conn)
    .await?;
    let list = crate::kyc::current(conn, merchant_id).await?;
    Ok(AccountObject {
        id: public_id::encode(Kind::Account, merchant_id.as_uuid()),
        object: "account",
        live_mode_enabled,
        suspended,
        verification: Verification {
            status: status_slug(list.status),
            restricted: list.restricted_at.is_some(),
            reverification_due: list.reverification_due_at,
            rejection_reason: list.rejection_reason,
            items: list
                .items
                .into_iter()
                .map(|line| VerificationItem {
                    item: line.item.slug(),
                    state: line.state.slug(),
                    reason: line.reason,
                })
                .collect(),
        },
    })
}
