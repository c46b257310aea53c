//! The expected authorisation matrix, written by hand (issue 17 item 6) and NOT derived
//! from `app::policy::SERVER_FUNCTIONS`, so a wrong entry in the policy table fails here.
//! Each row: the function's path, the console module whose staff it concerns (`None`:
//! staff are tried holding every module), who may call it, and sample arguments that
//! decode (placeholders in braces are filled in by `matrix`), used for the calls that must
//! be refused when the route guard is off.
//!
//! Reviewed against the product: viewers read but never change; developers build
//! checkouts, links and products but never refund; finance refunds, answers disputes and
//! keeps the payouts but does not manage the team; owners and admins do everything a
//! merchant can. Staff read a module with `view` and change it with `act`; staff
//! administration, the default fee schedule and where gateway money goes are platform
//! administrators' alone.

use platform::identity::roles::Module::{self, *};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    Unverified,
    PendingMfa,
    Owner,
    Admin,
    Finance,
    Developer,
    Viewer,
    /// The owner of another merchant (acting on their own merchant).
    OtherOwner,
    /// Staff holding every module but the row's (or none, for rows without a module).
    StaffWithout,
    /// Staff holding only the row's module, at `view` (every module for rows without one).
    StaffView,
    /// The same at `act`.
    StaffAct,
    PlatformAdmin,
}

use Who::*;

pub const EVERYONE: &[Who] = &[
    Anonymous,
    Unverified,
    PendingMfa,
    Owner,
    Admin,
    Finance,
    Developer,
    Viewer,
    OtherOwner,
    StaffWithout,
    StaffView,
    StaffAct,
    PlatformAdmin,
];
const PENDING: &[Who] = &[PendingMfa];
const SIGNED_IN: &[Who] = &[
    Owner,
    Admin,
    Finance,
    Developer,
    Viewer,
    OtherOwner,
    StaffWithout,
    StaffView,
    StaffAct,
    PlatformAdmin,
];
const MEMBERS: &[Who] = &[Owner, Admin, Finance, Developer, Viewer, OtherOwner];
const MANAGERS: &[Who] = &[Owner, Admin, OtherOwner];
const OWNERS: &[Who] = &[Owner, OtherOwner];
const MONEY: &[Who] = &[Owner, Admin, Finance, OtherOwner];
const BUILDERS: &[Who] = &[Owner, Admin, Developer, OtherOwner];
const STAFF: &[Who] = &[StaffWithout, StaffView, StaffAct, PlatformAdmin];
const VIEW: &[Who] = &[StaffView, StaffAct, PlatformAdmin];
const ACT: &[Who] = &[StaffAct, PlatformAdmin];
const PLATFORM_ADMIN: &[Who] = &[PlatformAdmin];

pub type Row = (&'static str, Option<Module>, &'static [Who], &'static str);

#[rustfmt::skip]
pub const MATRIX: &[Row] = &[
    // Public, and the sign-in steps.
    ("/api/public/contact", None, EVERYONE, ""),
    ("/api/public/privacy", None, EVERYONE, ""),
    ("/api/public/privacy-request", None, EVERYONE, ""),
    ("/api/public/privacy-request/confirm", None, EVERYONE, ""),
    ("/api/account/me", None, EVERYONE, ""),
    ("/api/auth/sign-up", None, EVERYONE, ""),
    ("/api/auth/resend-verification", None, EVERYONE, ""),
    ("/api/auth/verify-email", None, EVERYONE, ""),
    ("/api/auth/sign-in", None, EVERYONE, ""),
    ("/api/auth/sign-out", None, EVERYONE, ""),
    ("/api/auth/forgot-password", None, EVERYONE, ""),
    ("/api/auth/reset-password", None, EVERYONE, ""),
    ("/api/auth/accept-invitation", None, EVERYONE, ""),
    ("/api/auth/second-factor", None, PENDING, "code=000000"),
    // The caller's own account.
    ("/api/account/two-factor", None, SIGNED_IN, ""),
    ("/api/account/two-factor/start", None, SIGNED_IN, "password=x"),
    ("/api/account/two-factor/confirm", None, SIGNED_IN, "code=000000"),
    ("/api/auth/step-up", None, SIGNED_IN, "code=000000"),
    ("/api/account/two-factor/recovery-codes", None, SIGNED_IN, ""),
    ("/api/account/two-factor/disable", None, SIGNED_IN, "password=wrong"),
    ("/api/account/change-password", None, SIGNED_IN, "current_password=wrong&new_password=another-long-password"),
    ("/api/account/sessions", None, SIGNED_IN, ""),
    ("/api/account/revoke-session", None, SIGNED_IN, "handle=x"),
    ("/api/account/sign-out-everywhere", None, SIGNED_IN, ""),
    // A member's own data: a copy by mail, and closing the account (staff are closed by
    // an administrator).
    ("/api/account/export-data", None, MEMBERS, ""),
    ("/api/account/close", None, MEMBERS, "password=wrong&understood=yes"),
    // The merchant's team: owners and admins.
    ("/api/team/members", None, MANAGERS, ""),
    ("/api/team/invite", None, MANAGERS, "email=new-member@example.com&full_name=New&role=owner"),
    ("/api/team/change-role", None, MANAGERS, "user_id={member}&role=owner"),
    ("/api/team/remove", None, MANAGERS, "user_id={member}"),
    ("/api/team/resend-invitation", None, MANAGERS, "user_id={member}"),
    // Handing the business over is the owner's alone.
    ("/api/team/transfer-ownership", None, OWNERS, "user_id={member}"),
    ("/api/account/security-events", None, MANAGERS, ""),
    // The dashboard: every member reads; developers build; money needs finance or above.
    ("/api/dashboard/mode", None, MEMBERS, ""),
    ("/api/dashboard/set-mode", None, MEMBERS, "mode=test"),
    ("/api/payments/overview", None, MEMBERS, ""),
    ("/api/payments/products", None, MEMBERS, ""),
    ("/api/payments/create-product", None, BUILDERS, "name=Mug&description=&price=10.00"),
    ("/api/payments/archive-product", None, BUILDERS, "id={nobody}"),
    ("/api/payments/links", None, MEMBERS, ""),
    ("/api/payments/create-link", None, BUILDERS, "product={nobody}&title=T&amount=1.00&max_payments=&expires_at="),
    ("/api/payments/archive-link", None, BUILDERS, "id={nobody}"),
    ("/api/payments/checkouts", None, MEMBERS, ""),
    ("/api/payments/create-checkout", None, BUILDERS, ""),
    ("/api/payments/list", None, MEMBERS, ""),
    ("/api/payments/detail", None, MEMBERS, "id={nobody}"),
    ("/api/payments/refund", None, MONEY, "payment_id={nobody}&request_id={nobody}&amount=1.00&reason=x"),
    ("/api/subscriptions", None, MEMBERS, ""),
    ("/api/subscriptions/create-plan", None, BUILDERS, "name=Box&price=9.90&interval=month&interval_count=1&installments=3"),
    ("/api/subscriptions/create-checkout", None, BUILDERS, "plan={nobody}&buyer_email="),
    ("/api/subscriptions/create-link", None, BUILDERS, "plan={nobody}"),
    ("/api/subscriptions/cancel", None, MONEY, "id={nobody}"),
    ("/api/subscriptions/cancel-at-period-end", None, MONEY, "id={nobody}"),
    ("/api/subscriptions/keep", None, MONEY, "id={nobody}"),
    ("/api/subscriptions/dunning", None, MONEY, "max_declines=3&grace_days=14"),
    ("/api/balance", None, MEMBERS, ""),
    ("/api/payouts", None, MONEY, ""),
    ("/api/payouts/schedule", None, MONEY, "schedule=daily&minimum=1.00"),
    ("/api/chargebacks/list", None, MEMBERS, ""),
    ("/api/chargebacks/detail", None, MEMBERS, "id={nobody}"),
    ("/api/chargebacks/statement", None, MONEY, "id={nobody}&text=x"),
    // The business's verification and payout account: every member reads, owners and
    // admins fill it in.
    ("/api/kyc/verification", None, MEMBERS, ""),
    ("/api/kyc/documents", None, MEMBERS, ""),
    ("/api/kyc/business/save", None, MANAGERS, ""),
    ("/api/kyc/person/save", None, MANAGERS, ""),
    ("/api/kyc/person/remove", None, MANAGERS, ""),
    ("/api/kyc/submit", None, MANAGERS, ""),
    ("/api/kyc/bank-account", None, MEMBERS, ""),
    ("/api/kyc/bank-account/set", None, MANAGERS, "holder_name=X&iban=XK051212012345678906"),
    // The console.
    ("/api/admin/overview", None, STAFF, ""),
    ("/api/admin/audit/search", Some(Audit), VIEW, "filter[actor]=&before="),
    ("/api/admin/audit/export", Some(Audit), VIEW, "filter[actor]="),
    ("/api/admin/support/requests", Some(Support), VIEW, ""),
    ("/api/admin/support/requests/step", Some(Support), ACT, "request_id=x&step=assign&text="),
    ("/api/admin/support/requests/export", Some(Support), ACT, "request_id=x"),
    ("/api/admin/support/requests/erase", Some(Support), ACT, "request_id=x"),
    ("/api/admin/support/requests/kyc/find", Some(Support), ACT, "request_id=x&full_name=x&date_of_birth=x"),
    ("/api/admin/support/requests/kyc/link", Some(Support), ACT, "request_id=x&person_id=x&full_name=x&date_of_birth=x&personal_number=x"),
    ("/api/admin/support/requests/kyc/unlink", Some(Support), ACT, "request_id=x&person_id=x"),
    ("/api/admin/merchants", Some(Merchants), VIEW, ""),
    ("/api/admin/merchants/detail", Some(Merchants), VIEW, "id={merchant}"),
    ("/api/admin/merchants/set-flag", Some(Merchants), ACT, "id={merchant}&flag=suspended&on=true"),
    ("/api/admin/kyc/queue", Some(Merchants), VIEW, ""),
    ("/api/admin/kyc/applications", Some(Merchants), VIEW, ""),
    ("/api/admin/kyc/application", Some(Merchants), VIEW, "merchant_id={merchant}"),
    ("/api/admin/kyc/accept-item", Some(Merchants), ACT, "merchant_id={merchant}&item=business"),
    ("/api/admin/kyc/request-changes", Some(Merchants), ACT, "merchant_id={merchant}&item=business&reason=x"),
    ("/api/admin/kyc/approve", Some(Merchants), ACT, "merchant_id={merchant}"),
    ("/api/admin/kyc/reject", Some(Merchants), ACT, "merchant_id={merchant}&reason=x"),
    ("/api/admin/kyc/request-reverification", Some(Merchants), ACT, "merchant_id={merchant}&item=business&reason=x&due=2099-01-01"),
    ("/api/admin/kyc/bank-account", Some(Merchants), VIEW, "merchant_id={merchant}"),
    ("/api/admin/kyc/bank-account/reveal", Some(Merchants), VIEW, "merchant_id={merchant}"),
    ("/api/admin/kyc/sanctions/list", Some(Merchants), VIEW, ""),
    ("/api/admin/kyc/sanctions/hits", Some(Merchants), VIEW, "merchant_id={merchant}"),
    ("/api/admin/kyc/sanctions/decide", Some(Merchants), ACT, "merchant_id={merchant}&hit_id={nobody}&decision=clear&note=x"),
    ("/api/admin/fees", Some(Merchants), VIEW, ""),
    ("/api/admin/fees/default", None, PLATFORM_ADMIN, "percent=1&fixed=0.10&effective_from=2099-01-01"),
    ("/api/admin/fees/merchant", Some(Merchants), ACT, "merchant_id={merchant}&percent=1&fixed=0.10&effective_from=2099-01-01"),
    ("/api/admin/settlement", Some(Merchants), VIEW, "merchant_id={merchant}"),
    ("/api/admin/settlement/set", Some(Merchants), ACT, "merchant_id={merchant}&delay_days=1"),
    ("/api/admin/payments/list", Some(Payments), VIEW, ""),
    ("/api/admin/payments/detail", Some(Payments), VIEW, "id={nobody}"),
    ("/api/admin/chargebacks/list", Some(Payments), VIEW, ""),
    ("/api/admin/chargebacks/detail", Some(Payments), VIEW, "id={nobody}"),
    ("/api/admin/chargebacks/form", Some(Payments), VIEW, ""),
    ("/api/admin/chargebacks/record", Some(Payments), ACT, "order_id=SX1&request_id={nobody}&amount=1.00&reason_code=10.4&reported_on=2026-01-01&evidence_due_on=2026-01-02"),
    ("/api/admin/chargebacks/decide", Some(Payments), ACT, "id={nobody}&decision=won"),
    ("/api/admin/refunds/payment", Some(Refunds), VIEW, "order_id=SX1"),
    ("/api/admin/refunds/refund", Some(Refunds), ACT, "payment_id={nobody}&request_id={nobody}&amount=1.00&reason=x"),
    ("/api/admin/reconciliation/exceptions", Some(Reconciliation), VIEW, ""),
    ("/api/admin/reconciliation/close", Some(Reconciliation), ACT, "id={nobody}&resolution=accepted&note=x"),
    ("/api/admin/reconciliation/report", Some(Reconciliation), VIEW, ""),
    ("/api/admin/reconciliation/export", Some(Reconciliation), VIEW, ""),
    ("/api/admin/risk/settings", Some(Risk), VIEW, ""),
    ("/api/admin/risk/decisions", Some(Risk), VIEW, ""),
    ("/api/admin/risk/set-rule", Some(Risk), ACT, "rule=x&limit_value=1&window_minutes=1&min_attempts=1&action=block"),
    ("/api/admin/risk/add-block", Some(Risk), ACT, "kind=email&value=blocked@example.com"),
    ("/api/admin/risk/remove-block", Some(Risk), ACT, "id={nobody}"),
    ("/api/admin/risk/merchant-limit", Some(Risk), ACT, "merchant_id={merchant}&max_amount=1.00"),
    ("/api/admin/settings/gateway", Some(Settings), VIEW, ""),
    ("/api/admin/settings/gateway/save", None, PLATFORM_ADMIN, "mode=test&client_id=1&api_user=x"),
    ("/api/admin/payouts", Some(Payouts), VIEW, ""),
    ("/api/admin/payouts/run", Some(Payouts), ACT, ""),
    ("/api/admin/payouts/approve", Some(Payouts), ACT, "batch_id={nobody}"),
    ("/api/admin/payouts/sent", Some(Payouts), ACT, "batch_id={nobody}"),
    ("/api/admin/payouts/settle", Some(Payouts), ACT, "payout_id={nobody}"),
    ("/api/admin/ledger/merchant", Some(Payouts), VIEW, "merchant_id={merchant}"),
    ("/api/admin/ledger/platform", Some(Payouts), VIEW, ""),
    ("/api/admin/ledger/adjust", Some(Payouts), ACT, "merchant_id={merchant}&mode=test&direction=credit&amount=1.00&counter_account=x&reason=x"),
    ("/api/admin/ledger/decide", Some(Payouts), ACT, "adjustment_id={nobody}&approve=true"),
    ("/api/admin/staff", None, PLATFORM_ADMIN, ""),
    ("/api/admin/staff/detail", None, PLATFORM_ADMIN, "id={staff}"),
    ("/api/admin/staff/invite", None, PLATFORM_ADMIN, "email=new-staff@example.com&full_name=S&grants[merchants]=view"),
    ("/api/admin/staff/resend-invitation", None, PLATFORM_ADMIN, "user_id={staff}"),
    ("/api/admin/staff/set-permissions", None, PLATFORM_ADMIN, "user_id={staff}&grants[merchants]=act"),
    ("/api/admin/staff/deactivate", None, PLATFORM_ADMIN, "user_id={staff}"),
    ("/api/admin/users/reset-two-factor", None, PLATFORM_ADMIN, "user_id={staff}"),
    // API keys and the API reference: owners, admins and developers (the platform's
    // KEY_MANAGERS); finance and viewers neither see nor make keys.
    ("/api/developers/keys", None, BUILDERS, ""),
    ("/api/developers/keys/create", None, BUILDERS, "name=CI&mode=test&access=full"),
    ("/api/developers/keys/roll", None, BUILDERS, "key_id={nobody}&overlap_hours=0"),
    ("/api/developers/keys/revoke", None, BUILDERS, "key_id={nobody}"),
    ("/api/developers/reference", None, BUILDERS, ""),
    // Webhook endpoints, their logs and the event list: the same builders.
    ("/api/developers/webhooks", None, BUILDERS, ""),
    ("/api/developers/webhooks/create", None, BUILDERS, "url=http://127.0.0.1:9/hooks&description=&events=all"),
    ("/api/developers/webhooks/update", None, BUILDERS, "endpoint_id={nobody}&url=http://127.0.0.1:9/hooks&description=&events=all"),
    ("/api/developers/webhooks/set-enabled", None, BUILDERS, "endpoint_id={nobody}&enabled=false"),
    ("/api/developers/webhooks/rotate", None, BUILDERS, "endpoint_id={nobody}&overlap_hours=0"),
    ("/api/developers/webhooks/delete", None, BUILDERS, "endpoint_id={nobody}"),
    ("/api/developers/webhooks/test", None, BUILDERS, "endpoint_id={nobody}"),
    ("/api/developers/webhooks/log", None, BUILDERS, "endpoint_id={nobody}"),
    ("/api/developers/webhooks/resend", None, BUILDERS, "endpoint_id={nobody}&event_id={nobody}"),
    ("/api/developers/webhooks/resend-failed", None, BUILDERS, "endpoint_id={nobody}&since=2026-11-30T08:00"),
    ("/api/developers/events", None, BUILDERS, ""),
];
