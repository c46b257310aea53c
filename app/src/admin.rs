//! The admin console's server functions: the landing page, the merchants module and staff
//! management. Each declares its policy in `crate::policy` and starts with the matching
//! `require` call; changes that grant, remove or flag need a fresh step-up check.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::team::MemberView;

/// The console's modules as `(slug, label)`, in the order of `platform::identity::roles::Module::ALL`.
pub const MODULES: &[(&str, &str)] = &[
    ("merchants", "Merchants"),
    ("payments", "Payments"),
    ("refunds", "Refunds"),
    ("reconciliation", "Reconciliation"),
    ("payouts", "Payouts"),
    ("risk", "Risk"),
    ("audit", "Audit"),
    ("support", "Support"),
    ("settings", "Settings"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub module: String,
    /// `view` or `act`.
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewView {
    pub full_name: String,
    pub is_admin: bool,
    /// The modules this staff member holds: the navigation shows these only.
    pub modules: Vec<Grant>,
    /// Shown only to those holding the merchants module.
    pub merchants_awaiting_review: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantRow {
    pub id: String,
    pub business_name: String,
    pub created: String,
    pub verified: bool,
    pub suspended: bool,
    pub closed: bool,
    pub members: i64,
    /// The KYC application's status slug (`submitted`, `approved`, ...), `none` before the
    /// merchant starts one.
    pub kyc_status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantDetailView {
    pub merchant: MerchantRow,
    pub members: Vec<MemberView>,
    /// The viewer may suspend and reinstate (merchants `act`).
    pub can_act: bool,
    /// The viewer is a platform administrator, who may reset a member's two-factor.
    pub resets_two_factor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    pub id: String,
    pub email: String,
    pub full_name: String,
    pub is_admin: bool,
    pub invited: bool,
    pub deactivated: bool,
    pub mfa_enabled: bool,
    pub grants: Vec<Grant>,
}

/// One `none`/`view`/`act` choice per module, as the staff forms post them
/// (`grants[payments]=view`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GrantsForm {
    pub merchants: String,
    pub payments: String,
    pub refunds: String,
    pub reconciliation: String,
    pub payouts: String,
    pub risk: String,
    pub audit: String,
    pub support: String,
    pub settings: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::identity::roles::{Level, Module, Permissions};
    use platform::identity::staff::StaffMember;
    use platform::identity::users::UserKind;
    use platform::merchants::{MerchantError, MerchantSummary};

    use super::{Grant, GrantsForm, MerchantRow, StaffRow};
    use crate::error::AppError;

    impl From<MerchantError> for AppError {
        fn from(error: MerchantError) -> Self {
            match error {
                MerchantError::NotFound => AppError::NotFound,
                MerchantError::Forbidden(refused) => {
                    tracing::warn!(%refused, "a merchant flag with the wrong staff scope");
                    AppError::Forbidden
                }
                other => crate::error::internal(other),
            }
        }
    }

    pub fn grants(permissions: &Permissions) -> Vec<Grant> {
        permissions
            .iter()
            .map(|(module, level)| Grant {
                module: module.slug().to_owned(),
                level: match level {
                    Level::View => "view",
                    Level::Act => "act",
                }
                .to_owned(),
            })
            .collect()
    }

    impl GrantsForm {
        pub fn permissions(&self) -> Result<Permissions, AppError> {
            let chosen = [
                (Module::Merchants, &self.merchants),
                (Module::Payments, &self.payments),
                (Module::Refunds, &self.refunds),
                (Module::Reconciliation, &self.reconciliation),
                (Module::Payouts, &self.payouts),
                (Module::Risk, &self.risk),
                (Module::Audit, &self.audit),
                (Module::Support, &self.support),
                (Module::Settings, &self.settings),
            ];
            let mut granted = Vec::new();
            for (module, choice) in chosen {
                match choice.trim() {
                    "" | "none" => {}
                    "view" => granted.push((module, Level::View)),
                    "act" => granted.push((module, Level::Act)),
                    _ => {
                        return Err(AppError::validation(
                            "grants",
                            "Choose none, view or act for each module.",
                        ));
                    }
                }
            }
            Ok(Permissions::new(granted))
        }
    }

    pub fn merchant_row(m: MerchantSummary) -> MerchantRow {
        MerchantRow {
            id: m.id.to_string(),
            business_name: m.business_name,
            created: m.created_at.date().to_string(),
            verified: m.verified,
            suspended: m.suspended,
            closed: m.closed,
            members: m.members,
            kyc_status: m
                .kyc_status
                .map_or("none", platform::kyc::review::status_slug)
                .to_owned(),
        }
    }

    pub fn staff_row(s: StaffMember) -> StaffRow {
        StaffRow {
            id: s.id.to_string(),
            email: s.email,
            full_name: s.full_name,
            is_admin: s.kind == UserKind::PlatformAdmin,
            invited: s.invited,
            deactivated: s.deactivated,
            mfa_enabled: s.mfa_enabled,
            grants: grants(&s.permissions),
        }
    }
}

#[server(endpoint = "admin/overview")]
pub async fn admin_overview() -> Result<OverviewView, AppError> {
    use platform::identity::roles::{Level, Module};
    use platform::identity::users::UserKind;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<AdminOverview>()
            .await?
            .parts();
        let merchants_awaiting_review = if user.permissions().allows(Module::Merchants, Level::View)
        {
            Some(
                platform::merchants::awaiting_review(&platform.pool)
                    .await
                    .map_err(crate::error::internal)?,
            )
        } else {
            None
        };
        Ok(OverviewView {
            full_name: user.full_name().to_owned(),
            is_admin: user.kind() == UserKind::PlatformAdmin,
            modules: ssr::grants(user.permissions()),
            merchants_awaiting_review,
        })
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "admin/merchants")]
pub async fn merchant_list() -> Result<Vec<MerchantRow>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<MerchantList>().await?;
        let merchants = platform::merchants::list(&platform.pool)
            .await
            .map_err(crate::error::internal)?;
        Ok(merchants.into_iter().map(ssr::merchant_row).collect())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "admin/merchants/detail")]
pub async fn merchant_detail(id: String) -> Result<MerchantDetailView, AppError> {
    use platform::identity::roles::{Level, Module};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<MerchantDetail>()
            .await?
            .parts();
        let id = crate::team::ssr::id(&id)?;
        let (merchant, members) = platform::merchants::get(&platform.pool, id)
            .await
            .map_err(crate::error::internal)?
            .ok_or(AppError::NotFound)?;
        Ok(MerchantDetailView {
            merchant: ssr::merchant_row(merchant),
            members: members
                .into_iter()
                .map(|m| crate::team::ssr::view(m, user.id()))
                .collect(),
            can_act: user.permissions().allows(Module::Merchants, Level::Act),
            resets_two_factor: user.kind() == platform::identity::users::UserKind::PlatformAdmin,
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Sets `flag` (`suspended`) on or off: a step-up action. Verification is no flag: it
/// is the outcome of the KYC review (`crate::kyc_review`).
#[server(endpoint = "admin/merchants/set-flag")]
pub async fn set_merchant_flag(id: String, flag: String, on: bool) -> Result<(), AppError> {
    use platform::merchants::Flag;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<SetMerchantFlag>()
            .await?
            .staff()?;
        let id = crate::team::ssr::id(&id)?;
        let flag = match flag.as_str() {
            "suspended" => Flag::Suspended,
            _ => return Err(AppError::validation("flag", "Unknown flag.")),
        };
        platform::merchants::set_flag(
            &platform,
            &staff,
            id,
            flag,
            on,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "admin/staff")]
pub async fn staff_list() -> Result<Vec<StaffRow>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<StaffList>().await?;
        let staff = platform::identity::staff::list(&platform.pool)
            .await
            .map_err(crate::error::internal)?;
        Ok(staff.into_iter().map(ssr::staff_row).collect())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "admin/staff/detail")]
pub async fn staff_detail(id: String) -> Result<StaffRow, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<StaffDetail>().await?;
        let id = crate::team::ssr::id(&id)?;
        let member = platform::identity::staff::get(&platform.pool, id)
            .await
            .map_err(crate::error::internal)?;
        member.map(ssr::staff_row).ok_or(AppError::NotFound)
    }
    .await
    .map_err(AppError::respond)
}

/// Invites a staff member with module permissions: a step-up action, since it grants access.
#[server(endpoint = "admin/staff/invite")]
pub async fn invite_staff(
    email: String,
    full_name: String,
    grants: GrantsForm,
) -> Result<(), AppError> {
    use platform::identity::invitations::Invitee;
    let platform = expect_context::<platform::Platform>();
    async {
        let (admin, _) = crate::auth::session::require_declared::<InviteStaff>()
            .await?
            .admin()?;
        let permissions = grants.permissions()?;
        let invitee = Invitee {
            email: &email,
            full_name: &full_name,
        };
        let facts = crate::request::facts().await;
        platform::identity::staff::invite(&platform, &admin, invitee, &permissions, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Replaces a staff member's module permissions: a step-up action.
#[server(endpoint = "admin/staff/set-permissions")]
pub async fn set_staff_permissions(user_id: String, grants: GrantsForm) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (admin, _) = crate::auth::session::require_declared::<SetStaffPermissions>()
            .await?
            .admin()?;
        let (target, permissions) = (crate::team::ssr::id(&user_id)?, grants.permissions()?);
        let facts = crate::request::facts().await;
        platform::identity::staff::set_permissions(&platform, &admin, target, &permissions, &facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Deactivates a staff member and ends their sessions: a step-up action.
#[server(endpoint = "admin/staff/deactivate")]
pub async fn deactivate_staff(user_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (admin, _) = crate::auth::session::require_declared::<DeactivateStaff>()
            .await?
            .admin()?;
        let target = crate::team::ssr::id(&user_id)?;
        platform::identity::staff::deactivate(
            &platform,
            &admin,
            target,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Sends an invited staff member who has not accepted yet a new link.
#[server(endpoint = "admin/staff/resend-invitation")]
pub async fn resend_staff_invitation(user_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (admin, _) = crate::auth::session::require_declared::<ResendStaffInvitation>()
            .await?
            .admin()?;
        let target = crate::team::ssr::id(&user_id)?;
        platform::identity::staff::resend_invitation(
            &platform,
            &admin,
            target,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
