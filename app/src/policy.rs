//! Who may call each server function, declared in one place. The server's policy layer
//! looks every `/api/` request up here before the function runs (an unlisted function is
//! refused), and each function checks again with the `require_*` call it starts with. A
//! test compares this list with the server functions actually registered.

use leptos::server_fn::ServerFn;
use platform::identity::roles::{Level, Module};
use platform::identity::users::MerchantRole;

use crate::account::{ActiveSessions, ChangePassword, RevokeSession, SignOutEverywhere};
use crate::admin::{
    AdminOverview, DeactivateStaff, InviteStaff, MerchantDetail, MerchantList, SetMerchantFlag, SetStaffPermissions, StaffDetail,
    StaffList,
};
use crate::team::{ChangeMemberRole, InviteMember, RemoveMember, TeamMembers};
use crate::auth::two_factor::{
    ConfirmTwoFactor, DisableTwoFactor, RegenerateRecoveryCodes, ResetTwoFactor, SecondFactor, StartTwoFactor, StepUp,
    TwoFactorStatus,
};
use crate::auth::{AcceptInvitation, CurrentViewer, ForgotPassword, ResendVerification, ResetPassword, SignIn, SignOut, SignUp, VerifyEmail};
use crate::contact::SubmitContact;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Anyone: the function acts for no account, or only on the caller's own session.
    Public,
    /// Only a session whose password was accepted and whose second factor is due.
    SecondFactor,
    /// A signed-in user, even one who still owes MFA enrolment: enrolment itself.
    Enrolling,
    /// A signed-in user with every factor they owe.
    SignedIn,
    /// A member of a merchant account with one of these roles.
    Merchant(&'static [MerchantRole]),
    /// Any staff member or administrator (the console's landing page).
    AnyStaff,
    /// Staff holding the module at the level (administrators hold every module).
    Staff(Module, Level),
    /// A platform administrator.
    PlatformAdmin,
}

/// Roles that manage a merchant's team.
pub const TEAM_MANAGERS: &[MerchantRole] = &[MerchantRole::Owner, MerchantRole::Admin];

/// Every server function's path and policy.
pub const SERVER_FUNCTIONS: &[(&str, Policy)] = &[
    (SubmitContact::PATH, Policy::Public),
    (CurrentViewer::PATH, Policy::Public),
    (SignUp::PATH, Policy::Public),
    (ResendVerification::PATH, Policy::Public),
    (VerifyEmail::PATH, Policy::Public),
    (SignIn::PATH, Policy::Public),
    (SignOut::PATH, Policy::Public),
    (ForgotPassword::PATH, Policy::Public),
    (ResetPassword::PATH, Policy::Public),
    (AcceptInvitation::PATH, Policy::Public),
    (SecondFactor::PATH, Policy::SecondFactor),
    (TwoFactorStatus::PATH, Policy::Enrolling),
    (StartTwoFactor::PATH, Policy::Enrolling),
    (ConfirmTwoFactor::PATH, Policy::Enrolling),
    (StepUp::PATH, Policy::SignedIn),
    (RegenerateRecoveryCodes::PATH, Policy::SignedIn),
    (DisableTwoFactor::PATH, Policy::SignedIn),
    (ChangePassword::PATH, Policy::SignedIn),
    (ActiveSessions::PATH, Policy::SignedIn),
    (RevokeSession::PATH, Policy::SignedIn),
    (SignOutEverywhere::PATH, Policy::SignedIn),
    (TeamMembers::PATH, Policy::Merchant(TEAM_MANAGERS)),
    (InviteMember::PATH, Policy::Merchant(TEAM_MANAGERS)),
    (ChangeMemberRole::PATH, Policy::Merchant(TEAM_MANAGERS)),
    (RemoveMember::PATH, Policy::Merchant(TEAM_MANAGERS)),
    (AdminOverview::PATH, Policy::AnyStaff),
    (MerchantList::PATH, Policy::Staff(Module::Merchants, Level::View)),
    (MerchantDetail::PATH, Policy::Staff(Module::Merchants, Level::View)),
    (SetMerchantFlag::PATH, Policy::Staff(Module::Merchants, Level::Act)),
    (StaffList::PATH, Policy::PlatformAdmin),
    (StaffDetail::PATH, Policy::PlatformAdmin),
    (InviteStaff::PATH, Policy::PlatformAdmin),
    (SetStaffPermissions::PATH, Policy::PlatformAdmin),
    (DeactivateStaff::PATH, Policy::PlatformAdmin),
    (ResetTwoFactor::PATH, Policy::PlatformAdmin),
];

/// The declared policy of the server function at `path`.
pub fn of(path: &str) -> Option<Policy> {
    SERVER_FUNCTIONS.iter().find(|(p, _)| *p == path).map(|(_, policy)| *policy)
}
