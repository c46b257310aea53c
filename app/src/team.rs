//! A merchant's team, for its owner and admins: the members, invitations, role changes and
//! removal. Every function works in the caller's own merchant scope; an id from another
//! merchant is not found.

use domain::MerchantRole;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The roles a member can be given (an account has exactly one owner).
pub const ASSIGNABLE_ROLES: &[(MerchantRole, &str)] = &[
    (MerchantRole::Admin, "Admin: everything but ownership"),
    (MerchantRole::Finance, "Finance: payments, refunds, payouts"),
    (MerchantRole::Developer, "Developer: API keys and webhooks"),
    (MerchantRole::Viewer, "Viewer: read only"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: String,
    pub email: String,
    pub full_name: String,
    pub role: MerchantRole,
    pub invited: bool,
    pub mfa_enabled: bool,
    pub is_you: bool,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use domain::MerchantRole;
    use platform::identity::team::Member;
    use uuid::Uuid;

    use super::MemberView;
    use crate::error::AppError;

    pub fn role(value: &str) -> Result<MerchantRole, AppError> {
        MerchantRole::parse(value.trim())
            .ok_or_else(|| AppError::validation("role", "Please choose a role."))
    }

    /// An id typed into a request (a `Uuid` or a typed id such as `domain::MerchantId`);
    /// one that does not parse is simply not found.
    pub fn id<T: std::str::FromStr>(value: &str) -> Result<T, AppError> {
        value.trim().parse().map_err(|_| AppError::NotFound)
    }

    pub fn view(member: Member, you: Uuid) -> MemberView {
        MemberView {
            user_id: member.user_id.to_string(),
            email: member.email,
            full_name: member.full_name,
            role: member.role,
            invited: member.invited,
            mfa_enabled: member.mfa_enabled,
            is_you: member.user_id == you,
        }
    }
}

#[server(endpoint = "team/members")]
pub async fn team_members() -> Result<Vec<MemberView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<TeamMembers>()
            .await?
            .merchant()?;
        let members = platform::identity::team::team(&platform.pool, &scope)
            .await
            .map_err(crate::error::internal)?;
        Ok(members
            .into_iter()
            .map(|m| ssr::view(m, user.id()))
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "team/invite")]
pub async fn invite_member(email: String, full_name: String, role: String) -> Result<(), AppError> {
    use platform::identity::invitations::Invitee;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = {
            let caller = crate::auth::session::require_declared::<InviteMember>().await?;
            let powerful = ssr::role(&role).is_ok_and(crate::policy::grants_team_power);
            caller.conditional::<InviteMember>(powerful).await?;
            caller.merchant()?
        };
        let role = ssr::role(&role)?;
        let invitee = Invitee {
            email: &email,
            full_name: &full_name,
        };
        let facts = crate::request::facts().await;
        // The same answer, in the same time, whether or not the address has an account.
        let invited =
            platform::identity::team::invite(&platform, &scope, &user, invitee, role, &facts);
        crate::auth::ssr::uniformly(&platform, invited).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "team/change-role")]
pub async fn change_member_role(user_id: String, role: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ChangeMemberRole>()
            .await?
            .merchant()?;
        let (member, role) = (ssr::id(&user_id)?, ssr::role(&role)?);
        let facts = crate::request::facts().await;
        platform::identity::team::change_role(&platform, &scope, member, role, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "team/remove")]
pub async fn remove_member(user_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<RemoveMember>()
            .await?
            .merchant()?;
        let member = ssr::id(&user_id)?;
        platform::identity::team::remove(&platform, &scope, member, &crate::request::facts().await)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// The owner makes another member the owner and becomes an admin.
#[server(endpoint = "team/transfer-ownership")]
pub async fn transfer_ownership(user_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<TransferOwnership>()
            .await?
            .merchant()?;
        let member = ssr::id(&user_id)?;
        let facts = crate::request::facts().await;
        platform::identity::team::transfer_ownership(&platform, &scope, member, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Sends an invited member who has not accepted yet a new link.
#[server(endpoint = "team/resend-invitation")]
pub async fn resend_member_invitation(user_id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, _) = crate::auth::session::require_declared::<ResendMemberInvitation>()
            .await?
            .merchant()?;
        let member = ssr::id(&user_id)?;
        let facts = crate::request::facts().await;
        platform::identity::team::resend_invitation(&platform, &scope, &user, member, &facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
