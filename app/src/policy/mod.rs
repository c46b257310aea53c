//! Who may call each server function, and with what second factor, declared in one place
//! ([`SERVER_FUNCTIONS`]). The server's route guard looks every `/api/` request up here
//! before the function runs (an unlisted function is refused), and each function applies
//! the same row again with `require_declared::<ItsStruct>()` as its first line, so the two
//! layers cannot disagree. A test compares this list with the server functions registered.

use platform::identity::roles::{Level, Module};
use platform::identity::users::MerchantRole;

mod functions;

pub use functions::SERVER_FUNCTIONS;

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

/// The second factor a call needs besides the policy's role (issue 17 items 1 and 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Nothing beyond what the session already proved.
    None,
    /// Two-factor authentication turned on: members who change the team must have it.
    Enrolled,
    /// Two-factor on and a check within `settings.identity.step_up_minutes`: money or
    /// power moves.
    StepUp,
    /// Step-up or not depends on the arguments (an invitation's role, a refund's amount):
    /// the function decides with `Caller::step_up` / `Caller::enrolled`; the route guard
    /// cannot read the arguments, so it checks only the policy.
    Conditional,
}

pub const ALL_MERCHANT_ROLES: &[MerchantRole] = &[
    MerchantRole::Owner,
    MerchantRole::Admin,
    MerchantRole::Finance,
    MerchantRole::Developer,
    MerchantRole::Viewer,
];

/// The one role that hands the business over to another member.
pub const OWNER: &[MerchantRole] = &[MerchantRole::Owner];

/// Roles that manage a merchant's team.
pub const TEAM_MANAGERS: &[MerchantRole] = &[MerchantRole::Owner, MerchantRole::Admin];

/// Whether inviting someone with `role` hands them the team's power (owners, admins): such
/// an invitation needs a fresh step-up; inviting any other role, two-factor turned on.
pub fn grants_team_power(role: MerchantRole) -> bool {
    TEAM_MANAGERS.contains(&role)
}

/// Roles that create and archive products, payment links and checkout sessions. Finance
/// and viewers read them.
pub const CATALOG_EDITORS: &[MerchantRole] = &[
    MerchantRole::Owner,
    MerchantRole::Admin,
    MerchantRole::Developer,
];

/// Roles that refund payments: money leaves the merchant's balance, so developers and
/// viewers may not (nor can a developer's API key: `platform::api::keys`).
pub const REFUNDERS: &[MerchantRole] = platform::payments::refunds::REFUNDERS;

/// Roles that make, roll and revoke the merchant's API keys and read the API reference:
/// the platform's own list, so the page, the functions and the platform cannot disagree.
pub const KEY_MANAGERS: &[MerchantRole] = platform::api::keys::KEY_MANAGERS;

/// Roles that fill in and send the business's verification (KYC) application; every
/// member reads it.
pub const KYC_EDITORS: &[MerchantRole] = &[MerchantRole::Owner, MerchantRole::Admin];

/// Roles that answer a chargeback with evidence: those who handle the merchant's money
/// and its disputes (the refunders). Developers and viewers read them.
pub const DISPUTE_RESPONDERS: &[MerchantRole] = REFUNDERS;

/// Roles that read the merchant's payouts and statements and choose the payout schedule:
/// they keep the business's books (the refunders), which developers and viewers do not.
pub const PAYOUT_READERS: &[MerchantRole] = REFUNDERS;

/// Every page's route pattern (`:name` matches one segment) and policy. The server's
/// route guard applies it before any page code runs; a test compares it with the router's
/// routes.
pub const PAGES: &[(&str, Policy)] = &[
    ("/", Policy::Public),
    ("/security", Policy::Public),
    ("/privacy", Policy::Public),
    ("/privacy/sub-processors", Policy::Public),
    ("/privacy/request-sent", Policy::Public),
    ("/privacy/confirm", Policy::Public),
    ("/privacy/confirmed", Policy::Public),
    ("/privacy/export", Policy::Public),
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
    (
        "/dashboard/subscriptions",
        Policy::Merchant(ALL_MERCHANT_ROLES),
    ),
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
    ("/dashboard/developers", Policy::Merchant(KEY_MANAGERS)),
    (
        "/dashboard/developers/reference",
        Policy::Merchant(KEY_MANAGERS),
    ),
    (
        "/dashboard/developers/webhooks",
        Policy::Merchant(KEY_MANAGERS),
    ),
    (
        "/dashboard/developers/webhooks/:id",
        Policy::Merchant(KEY_MANAGERS),
    ),
    (
        "/dashboard/developers/events",
        Policy::Merchant(KEY_MANAGERS),
    ),
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
pub const FILE_ROUTES: &[(&str, Policy, Proof)] = &[
    // The link mailed to an access request's sender; the token is the proof.
    ("/api/public/privacy/export", Policy::Public, Proof::None),
    ("/api/kyc/files", Policy::Merchant(KYC_EDITORS), Proof::None),
    (
        "/api/kyc/files/:id",
        Policy::Merchant(ALL_MERCHANT_ROLES),
        Proof::None,
    ),
    (
        "/api/admin/kyc/files/:id",
        Policy::Staff(Module::Merchants, Level::View),
        Proof::None,
    ),
    (
        "/api/chargebacks/:id/evidence",
        Policy::Merchant(DISPUTE_RESPONDERS),
        Proof::None,
    ),
    (
        "/api/chargebacks/evidence/:id",
        Policy::Merchant(ALL_MERCHANT_ROLES),
        Proof::None,
    ),
    (
        "/api/admin/chargebacks/evidence/:id",
        Policy::Staff(Module::Payments, Level::View),
        Proof::None,
    ),
    // The merchant's ledger lines as CSV for its accountant (`server::ledger_export`).
    (
        crate::balance::EXPORT_PATH,
        Policy::Merchant(ALL_MERCHANT_ROLES),
        Proof::None,
    ),
    (
        "/api/payouts/:id/statement",
        Policy::Merchant(PAYOUT_READERS),
        Proof::None,
    ),
    (
        "/api/admin/payouts/:id/statement",
        Policy::Staff(Module::Payouts, Level::View),
        Proof::None,
    ),
    (
        "/api/admin/payouts/batches/:id/file",
        Policy::Staff(Module::Payouts, Level::Act),
        Proof::None,
    ),
    // Importing a bank statement marks payouts paid or returned: step-up.
    (
        "/api/admin/payouts/statements",
        Policy::Staff(Module::Payouts, Level::Act),
        Proof::StepUp,
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

/// The declared row of the server function at `path`.
pub fn declared(path: &str) -> Option<(Policy, Proof)> {
    SERVER_FUNCTIONS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, policy, proof)| (*policy, *proof))
}

/// The declared row of the server function (or file route) at `path`.
pub fn of(path: &str) -> Option<(Policy, Proof)> {
    declared(path).or_else(|| {
        FILE_ROUTES
            .iter()
            .find(|(pattern, _, _)| matches(pattern, path))
            .map(|(_, policy, proof)| (*policy, *proof))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_of(path: &str) -> Option<Policy> {
        of(path).map(|(policy, _)| policy)
    }

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
        assert_eq!(
            policy_of("/api/kyc/files"),
            Some(Policy::Merchant(KYC_EDITORS))
        );
        assert_eq!(
            policy_of("/api/kyc/files/0b5e"),
            Some(Policy::Merchant(ALL_MERCHANT_ROLES))
        );
        assert_eq!(
            policy_of("/api/admin/kyc/files/0b5e"),
            Some(Policy::Staff(Module::Merchants, Level::View))
        );
        assert_eq!(policy_of("/api/kyc/files/0b5e/more"), None);
        assert_eq!(policy_of("/api/kyc/filesx"), None);
        assert_eq!(
            policy_of("/api/chargebacks/0b5e/evidence"),
            Some(Policy::Merchant(DISPUTE_RESPONDERS))
        );
        assert_eq!(
            policy_of("/api/chargebacks/evidence/0b5e"),
            Some(Policy::Merchant(ALL_MERCHANT_ROLES))
        );
        assert_eq!(
            policy_of("/api/admin/chargebacks/evidence/0b5e"),
            Some(Policy::Staff(Module::Payments, Level::View))
        );
        assert_eq!(
            policy_of("/api/chargebacks/statement"),
            Some(Policy::Merchant(DISPUTE_RESPONDERS))
        );
    }

    #[test]
    fn every_server_function_and_file_route_lies_under_the_one_prefix() {
        let paths = SERVER_FUNCTIONS.iter().map(|(path, _, _)| *path);
        let files = FILE_ROUTES.iter().map(|(pattern, _, _)| *pattern);
        for path in paths.chain(files) {
            assert!(path.starts_with(crate::SERVER_FN_PREFIX), "{path}");
        }
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
