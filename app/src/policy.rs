//! Who may call each server function, declared in one place. The server's policy layer
//! looks every `/api/` request up here before the function runs (an unlisted function is
//! refused), and each function checks again with the `require_*` call it starts with. A
//! test compares this list with the server functions actually registered.

use leptos::server_fn::ServerFn;
use platform::identity::roles::{Level, Module};
use platform::identity::users::MerchantRole;

use crate::account::{ActiveSessions, ChangePassword, RevokeSession, SignOutEverywhere};
use crate::admin::{
    AdminOverview, DeactivateStaff, InviteStaff, MerchantDetail, MerchantList,
    ResendStaffInvitation, SetMerchantFlag, SetStaffPermissions, StaffDetail, StaffList,
};
use crate::all_payments::{AllPayments, PaymentForStaff};
use crate::audit_log::{AuditExport, AuditSearch, SecurityEvents};
use crate::auth::two_factor::{
    ConfirmTwoFactor, DisableTwoFactor, RegenerateRecoveryCodes, ResetTwoFactor, SecondFactor,
    StartTwoFactor, StepUp, TwoFactorStatus,
};
use crate::auth::{
    AcceptInvitation, CurrentViewer, ForgotPassword, ResendVerification, ResetPassword, SignIn,
    SignOut, SignUp, VerifyEmail,
};
use crate::balance::MerchantBalance;
use crate::bank_account::{BankAccount, RevealBankAccount, SetBankAccount, StaffBankAccount};
use crate::chargebacks::{
    AddChargebackEvidence, ChargebackDetail, ChargebackForm, Chargebacks, DecideChargeback,
    RecordChargeback, StaffChargeback, StaffChargebacks,
};
use crate::contact::SubmitContact;
use crate::kyc::{
    KycDocuments, RemovePerson, SaveBusiness, SavePerson, SubmitApplication, Verification,
};
use crate::kyc_review::{
    AcceptKycItem, ApproveKyc, KycApplication, KycApplications, KycQueue, RejectKyc,
    RequestKycChanges, RequestReverification,
};
use crate::ledger::{DecideAdjustment, MerchantLedger, PlatformLedger, RequestAdjustment};
use crate::payments::{
    ArchiveLink, ArchiveProduct, Checkouts, CreateCheckout, CreateLink, CreateProduct,
    DashboardState, PaymentDetail, PaymentLinks, PaymentsList, PaymentsOverview, Products,
    SetDashboardMode,
};
use crate::payouts::{
    ApprovePayoutBatch, MarkBatchSent, MerchantPayouts, RunPayouts, SetPayoutSchedule,
    SettlePayout, StaffPayouts,
};
use crate::reconciliation::{
    CloseException, DailyReport, ExportDailyReport, ReconciliationExceptions,
};
use crate::refunds::{RefundPayment, StaffPayment, StaffRefund};
use crate::risk::{
    AddBlock, RemoveBlock, RiskDecisions, RiskSettings, SetMerchantLimit, SetRiskRule,
};
use crate::sanctions::{DecideSanctionsHit, SanctionsHits, SanctionsList};
use crate::settings::{GatewaySettings, SaveGatewayAccount};
use crate::team::{
    ChangeMemberRole, InviteMember, RemoveMember, ResendMemberInvitation, TeamMembers,
};
use crate::terms::{
    AddDefaultFeeSchedule, AddMerchantFeeSchedule, FeeSchedules, SetSettlementTerms,
    SettlementTerms,
};

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

pub const ALL_MERCHANT_ROLES: &[MerchantRole] = &[
    MerchantRole::Owner,
    MerchantRole::Admin,
    MerchantRole::Finance,
    MerchantRole::Developer,
    MerchantRole::Viewer,
];

/// Roles that manage a merchant's team.
pub const TEAM_MANAGERS: &[MerchantRole] = &[MerchantRole::Owner, MerchantRole::Admin];

/// Roles that create and archive products, payment links and checkout sessions. Finance
/// and viewers read them.
pub const CATALOG_EDITORS: &[MerchantRole] = &[
    MerchantRole::Owner,
    MerchantRole::Admin,
    MerchantRole::Developer,
];

/// Roles that refund payments: money leaves the merchant's balance, so developers and
/// viewers may not.
pub const REFUNDERS: &[MerchantRole] = &[
    MerchantRole::Owner,
    MerchantRole::Admin,
    MerchantRole::Finance,
];

/// Roles that fill in and send the business's verification (KYC) application; every
/// member reads it.
pub const KYC_EDITORS: &[MerchantRole] = &[MerchantRole::Owner, MerchantRole::Admin];

/// Roles that answer a chargeback with evidence: those who handle the merchant's money
/// and its disputes (the refunders). Developers and viewers read them.
pub const DISPUTE_RESPONDERS: &[MerchantRole] = REFUNDERS;

/// Roles that read the merchant's payouts and statements and choose the payout schedule:
/// they keep the business's books (the refunders), which developers and viewers do not.
pub const PAYOUT_READERS: &[MerchantRole] = REFUNDERS;

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
    (
        ResendMemberInvitation::PATH,
        Policy::Merchant(TEAM_MANAGERS),
    ),
    (SecurityEvents::PATH, Policy::Merchant(TEAM_MANAGERS)),
    (DashboardState::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (SetDashboardMode::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (PaymentsOverview::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (Products::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (CreateProduct::PATH, Policy::Merchant(CATALOG_EDITORS)),
    (ArchiveProduct::PATH, Policy::Merchant(CATALOG_EDITORS)),
    (PaymentLinks::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (CreateLink::PATH, Policy::Merchant(CATALOG_EDITORS)),
    (ArchiveLink::PATH, Policy::Merchant(CATALOG_EDITORS)),
    (Checkouts::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (CreateCheckout::PATH, Policy::Merchant(CATALOG_EDITORS)),
    (PaymentsList::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (PaymentDetail::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (RefundPayment::PATH, Policy::Merchant(REFUNDERS)),
    (Verification::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (KycDocuments::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (SaveBusiness::PATH, Policy::Merchant(KYC_EDITORS)),
    (SavePerson::PATH, Policy::Merchant(KYC_EDITORS)),
    (RemovePerson::PATH, Policy::Merchant(KYC_EDITORS)),
    (SubmitApplication::PATH, Policy::Merchant(KYC_EDITORS)),
    (AdminOverview::PATH, Policy::AnyStaff),
    (AuditSearch::PATH, Policy::Staff(Module::Audit, Level::View)),
    (AuditExport::PATH, Policy::Staff(Module::Audit, Level::View)),
    (
        MerchantList::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        MerchantDetail::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        SetMerchantFlag::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
    // KYC review: reading with merchants `view`; every decision with `act` (approval and
    // rejection also with step-up, checked in the function).
    (
        KycQueue::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        KycApplications::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        KycApplication::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        AcceptKycItem::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
    (
        RequestKycChanges::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
    (
        ApproveKyc::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
    (
        RejectKyc::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
    (
        RequestReverification::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
    // The payout account: every member sees it masked; owners and admins change it (with
    // step-up). Staff with merchants `view` see it and may reveal the IBAN (audited).
    (BankAccount::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (SetBankAccount::PATH, Policy::Merchant(KYC_EDITORS)),
    (
        StaffBankAccount::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        RevealBankAccount::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    // Sanctions screening: staff read the list and hits; deciding a hit needs `act` (and step-up).
    (
        SanctionsList::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        SanctionsHits::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        DecideSanctionsHit::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
    (
        AllPayments::PATH,
        Policy::Staff(Module::Payments, Level::View),
    ),
    (
        PaymentForStaff::PATH,
        Policy::Staff(Module::Payments, Level::View),
    ),
    // Chargebacks: every member reads them, owners, admins and finance answer them. Staff
    // read them with payments `view`; recording and deciding move money (`act`, step-up).
    (Chargebacks::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (ChargebackDetail::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (
        AddChargebackEvidence::PATH,
        Policy::Merchant(DISPUTE_RESPONDERS),
    ),
    (
        StaffChargebacks::PATH,
        Policy::Staff(Module::Payments, Level::View),
    ),
    (
        StaffChargeback::PATH,
        Policy::Staff(Module::Payments, Level::View),
    ),
    (
        ChargebackForm::PATH,
        Policy::Staff(Module::Payments, Level::View),
    ),
    (
        RecordChargeback::PATH,
        Policy::Staff(Module::Payments, Level::Act),
    ),
    (
        DecideChargeback::PATH,
        Policy::Staff(Module::Payments, Level::Act),
    ),
    (
        StaffPayment::PATH,
        Policy::Staff(Module::Refunds, Level::View),
    ),
    (
        StaffRefund::PATH,
        Policy::Staff(Module::Refunds, Level::Act),
    ),
    (
        ReconciliationExceptions::PATH,
        Policy::Staff(Module::Reconciliation, Level::View),
    ),
    (
        CloseException::PATH,
        Policy::Staff(Module::Reconciliation, Level::Act),
    ),
    (
        DailyReport::PATH,
        Policy::Staff(Module::Reconciliation, Level::View),
    ),
    (
        ExportDailyReport::PATH,
        Policy::Staff(Module::Reconciliation, Level::View),
    ),
    (RiskSettings::PATH, Policy::Staff(Module::Risk, Level::View)),
    (
        RiskDecisions::PATH,
        Policy::Staff(Module::Risk, Level::View),
    ),
    (SetRiskRule::PATH, Policy::Staff(Module::Risk, Level::Act)),
    (AddBlock::PATH, Policy::Staff(Module::Risk, Level::Act)),
    (RemoveBlock::PATH, Policy::Staff(Module::Risk, Level::Act)),
    (
        SetMerchantLimit::PATH,
        Policy::Staff(Module::Risk, Level::Act),
    ),
    // Staff holding settings see the gateway accounts' non-secret part; where money goes
    // is changed by platform administrators only (with step-up).
    (
        GatewaySettings::PATH,
        Policy::Staff(Module::Settings, Level::View),
    ),
    (SaveGatewayAccount::PATH, Policy::PlatformAdmin),
    // Payouts: the merchant's books (with step-up for the schedule); staff read with payouts
    // `view` and act with `act` (approval also with step-up and four eyes, in the function).
    (MerchantPayouts::PATH, Policy::Merchant(PAYOUT_READERS)),
    (SetPayoutSchedule::PATH, Policy::Merchant(PAYOUT_READERS)),
    (
        StaffPayouts::PATH,
        Policy::Staff(Module::Payouts, Level::View),
    ),
    (RunPayouts::PATH, Policy::Staff(Module::Payouts, Level::Act)),
    (
        ApprovePayoutBatch::PATH,
        Policy::Staff(Module::Payouts, Level::Act),
    ),
    (
        MarkBatchSent::PATH,
        Policy::Staff(Module::Payouts, Level::Act),
    ),
    (
        SettlePayout::PATH,
        Policy::Staff(Module::Payouts, Level::Act),
    ),
    (StaffList::PATH, Policy::PlatformAdmin),
    (StaffDetail::PATH, Policy::PlatformAdmin),
    (InviteStaff::PATH, Policy::PlatformAdmin),
    (ResendStaffInvitation::PATH, Policy::PlatformAdmin),
    (SetStaffPermissions::PATH, Policy::PlatformAdmin),
    (DeactivateStaff::PATH, Policy::PlatformAdmin),
    (ResetTwoFactor::PATH, Policy::PlatformAdmin),
    // The books: every member reads the balance of the session's mode. Staff read the
    // ledger with payouts `view`; adjusting a balance needs `act` (and step-up, four eyes
    // above the threshold, checked in the platform). Fee overrides and settlement terms
    // are merchants `act`; the default fee schedule is the platform administrators'.
    (MerchantBalance::PATH, Policy::Merchant(ALL_MERCHANT_ROLES)),
    (
        MerchantLedger::PATH,
        Policy::Staff(Module::Payouts, Level::View),
    ),
    (
        PlatformLedger::PATH,
        Policy::Staff(Module::Payouts, Level::View),
    ),
    (
        RequestAdjustment::PATH,
        Policy::Staff(Module::Payouts, Level::Act),
    ),
    (
        DecideAdjustment::PATH,
        Policy::Staff(Module::Payouts, Level::Act),
    ),
    (
        FeeSchedules::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (AddDefaultFeeSchedule::PATH, Policy::PlatformAdmin),
    (
        AddMerchantFeeSchedule::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
    (
        SettlementTerms::PATH,
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        SetSettlementTerms::PATH,
        Policy::Staff(Module::Merchants, Level::Act),
    ),
];

/// Every page's route pattern (`:name` matches one segment) and policy. The server's
/// route guard applies it before any page code runs; a test compares it with the router's
/// routes.
pub const PAGES: &[(&str, Policy)] = &[
    ("/", Policy::Public),
    ("/security", Policy::Public),
    ("/privacy", Policy::Public),
    ("/terms", Policy::Public),
    ("/sign-up", Policy::Public),
    ("/check-email", Policy::Public),
    ("/verify-email", Policy::Public),
    ("/sign-in", Policy::Public),
    ("/sign-in/two-factor", Policy::Public),
    ("/forgot-password", Policy::Public),
    ("/reset-password", Policy::Public),
    ("/accept-invitation", Policy::Public),
    ("/account", Policy::SignedIn),
    ("/account/two-factor", Policy::Enrolling),
    ("/dashboard", Policy::Merchant(ALL_MERCHANT_ROLES)),
    ("/dashboard/payments", Policy::Merchant(ALL_MERCHANT_ROLES)),
    (
        "/dashboard/payments/:id",
        Policy::Merchant(ALL_MERCHANT_ROLES),
    ),
    ("/dashboard/checkouts", Policy::Merchant(ALL_MERCHANT_ROLES)),
    ("/dashboard/links", Policy::Merchant(ALL_MERCHANT_ROLES)),
    ("/dashboard/products", Policy::Merchant(ALL_MERCHANT_ROLES)),
    ("/dashboard/team", Policy::Merchant(TEAM_MANAGERS)),
    ("/dashboard/security", Policy::Merchant(TEAM_MANAGERS)),
    (
        "/dashboard/verification",
        Policy::Merchant(ALL_MERCHANT_ROLES),
    ),
    (
        "/dashboard/chargebacks",
        Policy::Merchant(ALL_MERCHANT_ROLES),
    ),
    (
        "/dashboard/chargebacks/:id",
        Policy::Merchant(ALL_MERCHANT_ROLES),
    ),
    ("/dashboard/balance", Policy::Merchant(ALL_MERCHANT_ROLES)),
    ("/dashboard/payouts", Policy::Merchant(PAYOUT_READERS)),
    ("/admin", Policy::AnyStaff),
    (
        "/admin/merchants",
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        "/admin/merchants/:id",
        Policy::Staff(Module::Merchants, Level::View),
    ),
    ("/admin/kyc", Policy::Staff(Module::Merchants, Level::View)),
    (
        "/admin/kyc/:id",
        Policy::Staff(Module::Merchants, Level::View),
    ),
    ("/admin/staff", Policy::PlatformAdmin),
    ("/admin/staff/:id", Policy::PlatformAdmin),
    (
        "/admin/payments",
        Policy::Staff(Module::Payments, Level::View),
    ),
    (
        "/admin/payments/:id",
        Policy::Staff(Module::Payments, Level::View),
    ),
    (
        "/admin/chargebacks",
        Policy::Staff(Module::Payments, Level::View),
    ),
    (
        "/admin/chargebacks/:id",
        Policy::Staff(Module::Payments, Level::View),
    ),
    (
        "/admin/refunds",
        Policy::Staff(Module::Refunds, Level::View),
    ),
    (
        "/admin/reconciliation",
        Policy::Staff(Module::Reconciliation, Level::View),
    ),
    ("/admin/risk", Policy::Staff(Module::Risk, Level::View)),
    (
        "/admin/payouts",
        Policy::Staff(Module::Payouts, Level::View),
    ),
    ("/admin/audit", Policy::Staff(Module::Audit, Level::View)),
    ("/admin/ledger", Policy::Staff(Module::Payouts, Level::View)),
    (
        "/admin/ledger/:id",
        Policy::Staff(Module::Payouts, Level::View),
    ),
    ("/admin/fees", Policy::Staff(Module::Merchants, Level::View)),
    (
        "/admin/support",
        Policy::Staff(Module::Support, Level::View),
    ),
    (
        "/admin/settings",
        Policy::Staff(Module::Settings, Level::View),
    ),
];

/// Plain routes under `/api/` that are not server functions: KYC files, chargeback
/// evidence and payout files, whose multipart uploads and file downloads do not fit JSON
/// server functions (`server::kyc_files`, `server::chargeback_files`,
/// `server::payout_files`), and the ledger's CSV export (`server::ledger_export`).
/// The route guard looks them up with [`of`] like a server function; patterns as in
/// [`PAGES`]. Each handler checks the role again and scopes its query to the merchant.
pub const FILE_ROUTES: &[(&str, Policy)] = &[
    ("/api/kyc/files", Policy::Merchant(KYC_EDITORS)),
    ("/api/kyc/files/:id", Policy::Merchant(ALL_MERCHANT_ROLES)),
    (
        "/api/admin/kyc/files/:id",
        Policy::Staff(Module::Merchants, Level::View),
    ),
    (
        "/api/chargebacks/:id/evidence",
        Policy::Merchant(DISPUTE_RESPONDERS),
    ),
    (
        "/api/chargebacks/evidence/:id",
        Policy::Merchant(ALL_MERCHANT_ROLES),
    ),
    (
        "/api/admin/chargebacks/evidence/:id",
        Policy::Staff(Module::Payments, Level::View),
    ),
    // The merchant's ledger lines as CSV for its accountant (`server::ledger_export`).
    (
        crate::balance::EXPORT_PATH,
        Policy::Merchant(ALL_MERCHANT_ROLES),
    ),
    (
        "/api/payouts/:id/statement",
        Policy::Merchant(PAYOUT_READERS),
    ),
    (
        "/api/admin/payouts/:id/statement",
        Policy::Staff(Module::Payouts, Level::View),
    ),
    (
        "/api/admin/payouts/batches/:id/file",
        Policy::Staff(Module::Payouts, Level::Act),
    ),
    (
        "/api/admin/payouts/statements",
        Policy::Staff(Module::Payouts, Level::Act),
    ),
];

/// Paths under these prefixes that no page claims still need at least this much, so an
/// unknown admin URL tells an anonymous visitor nothing.
const PREFIXES: &[(&str, Policy)] = &[
    ("/admin", Policy::AnyStaff),
    ("/dashboard", Policy::Merchant(ALL_MERCHANT_ROLES)),
    ("/account", Policy::SignedIn),
];

fn matches(pattern: &str, path: &str) -> bool {
    let mut pattern = pattern.split('/');
    let mut path = path.trim_end_matches('/').split('/');
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) if p.starts_with(':') && !s.is_empty() => {}
            (Some(p), Some(s)) if p == s => {}
            _ => return false,
        }
    }
}

/// The policy of the page at `path`, if any page or guarded prefix claims it.
pub fn page(path: &str) -> Option<Policy> {
    let path = if path.is_empty() { "/" } else { path };
    if path == "/" {
        return Some(Policy::Public);
    }
    PAGES
        .iter()
        .find(|(pattern, _)| *pattern != "/" && matches(pattern, path))
        .or_else(|| {
            PREFIXES
                .iter()
                .find(|(prefix, _)| path == *prefix || path.starts_with(&format!("{prefix}/")))
        })
        .map(|(_, policy)| *policy)
}

/// The declared policy of the server function (or file route) at `path`.
pub fn of(path: &str) -> Option<Policy> {
    SERVER_FUNCTIONS
        .iter()
        .find(|(p, _)| *p == path)
        .or_else(|| {
            FILE_ROUTES
                .iter()
                .find(|(pattern, _)| matches(pattern, path))
        })
        .map(|(_, policy)| *policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_match_whole_segments_and_guarded_prefixes_catch_the_rest() {
        assert_eq!(page("/"), Some(Policy::Public));
        assert_eq!(
            page("/admin/merchants/8d2f"),
            Some(Policy::Staff(Module::Merchants, Level::View))
        );
        assert_eq!(
            page("/admin/merchants/"),
            Some(Policy::Staff(Module::Merchants, Level::View))
        );
        assert_eq!(page("/admin/unknown/deeper"), Some(Policy::AnyStaff));
        assert_eq!(
            page("/dashboard/anything"),
            Some(Policy::Merchant(ALL_MERCHANT_ROLES))
        );
        assert_eq!(page("/dashboards"), None);
        assert_eq!(page("/administrator"), None);
        assert_eq!(page("/sign-in/two-factor"), Some(Policy::Public));
    }

    #[test]
    fn file_routes_are_found_by_pattern_and_only_whole_segments() {
        assert_eq!(of("/api/kyc/files"), Some(Policy::Merchant(KYC_EDITORS)));
        assert_eq!(
            of("/api/kyc/files/0b5e"),
            Some(Policy::Merchant(ALL_MERCHANT_ROLES))
        );
        assert_eq!(
            of("/api/admin/kyc/files/0b5e"),
            Some(Policy::Staff(Module::Merchants, Level::View))
        );
        assert_eq!(of("/api/kyc/files/0b5e/more"), None);
        assert_eq!(of("/api/kyc/filesx"), None);
        assert_eq!(
            of("/api/chargebacks/0b5e/evidence"),
            Some(Policy::Merchant(DISPUTE_RESPONDERS))
        );
        assert_eq!(
            of("/api/chargebacks/evidence/0b5e"),
            Some(Policy::Merchant(ALL_MERCHANT_ROLES))
        );
        assert_eq!(
            of("/api/admin/chargebacks/evidence/0b5e"),
            Some(Policy::Staff(Module::Payments, Level::View))
        );
        assert_eq!(
            of("/api/chargebacks/statement"),
            Some(Policy::Merchant(DISPUTE_RESPONDERS))
        );
    }

    #[test]
    fn the_console_knows_every_module_of_the_platform_in_its_order() {
        let slugs: Vec<&str> = crate::admin::MODULES
            .iter()
            .map(|(slug, _)| *slug)
            .collect();
        assert_eq!(slugs, Module::ALL.map(Module::slug));
    }
}
