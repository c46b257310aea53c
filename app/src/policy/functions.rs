//! Every server function's row: who may call it ([`Policy`]) and what second factor it
//! needs ([`Proof`]). The route guard and each function's `require_declared` read the same
//! row, so the two layers cannot disagree.

use leptos::server_fn::ServerFn;
use platform::identity::roles::{Level, Module};

use super::{
    ALL_MERCHANT_ROLES, CATALOG_EDITORS, DISPUTE_RESPONDERS, KEY_MANAGERS, KYC_EDITORS, OWNER,
    PAYOUT_READERS, Policy, Proof, REFUNDERS, TEAM_MANAGERS,
};
use crate::account::{ActiveSessions, ChangePassword, RevokeSession, SignOutEverywhere};
use crate::admin::{
    AdminOverview, DeactivateStaff, InviteStaff, MerchantDetail, MerchantList,
    ResendStaffInvitation, SetMerchantFlag, SetStaffPermissions, StaffDetail, StaffList,
};
use crate::all_payments::{AllPayments, PaymentForStaff};
use crate::api_reference::ApiReferenceDocument;
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
use crate::developers::{ApiKeys, CreateApiKey, RevokeApiKey, RollApiKey};
use crate::kyc::{
    KycDocuments, RemovePerson, SaveBusiness, SavePerson, SubmitApplication, Verification,
};
use crate::kyc_review::{
    AcceptKycItem, ApproveKyc, KycApplication, KycApplications, KycQueue, RejectKyc,
    RequestKycChanges, RequestReverification,
};
use crate::ledger::{DecideAdjustment, MerchantLedger, PlatformLedger, RequestAdjustment};
use crate::own_data::{CloseMyAccount, ExportMyData};
use crate::payments::{
    ArchiveLink, ArchiveProduct, Checkouts, CreateCheckout, CreateLink, CreateProduct,
    DashboardState, PaymentDetail, PaymentLinks, PaymentsList, PaymentsOverview, Products,
    SetDashboardMode,
};
use crate::payouts::{
    ApprovePayoutBatch, MarkBatchSent, MerchantPayouts, RunPayouts, SetPayoutSchedule,
    SettlePayout, StaffPayouts,
};
use crate::privacy::PrivacyFacts;
use crate::privacy_kyc_people::{FindKycPeople, LinkKycPerson, UnlinkKycPerson};
use crate::privacy_requests::{
    ConfirmPrivacyRequest, ErasePrivacyRequest, ExportPrivacyRequest, PrivacyRequestStep,
    PrivacyRequests, SubmitPrivacyRequest,
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
use crate::subscriptions::{
    CancelAtPeriodEnd, CancelSubscription, CreatePlan, CreatePlanCheckout, CreatePlanLink,
    KeepSubscription, SetDunning, Subscriptions,
};
use crate::team::{
    ChangeMemberRole, InviteMember, RemoveMember, ResendMemberInvitation, TeamMembers,
    TransferOwnership,
};
use crate::terms::{
    AddDefaultFeeSchedule, AddMerchantFeeSchedule, FeeSchedules, SetSettlementTerms,
    SettlementTerms,
};
use crate::webhook_log::{EventList, ResendFailedWebhooks, ResendWebhookEvent, WebhookDeliveryLog};
use crate::webhooks::{
    CreateWebhookEndpoint, DeleteWebhookEndpoint, RotateWebhookSecret, SendTestWebhook,
    SetWebhookEndpointEnabled, UpdateWebhookEndpoint, WebhookEndpoints,
};

/// Every server function's path, policy and second factor. Step-up where money or power
/// moves (issue 17 item 1); two-factor on before a team change (item 2).
#[rustfmt::skip]
pub const SERVER_FUNCTIONS: &[(&str, Policy, Proof)] = &[
    (SubmitContact::PATH, Policy::Public, Proof::None),
    (CurrentViewer::PATH, Policy::Public, Proof::None),
    (PrivacyFacts::PATH, Policy::Public, Proof::None),
    (SubmitPrivacyRequest::PATH, Policy::Public, Proof::None),
    (ConfirmPrivacyRequest::PATH, Policy::Public, Proof::None),
    (SignUp::PATH, Policy::Public, Proof::None),
    (ResendVerification::PATH, Policy::Public, Proof::None),
    (VerifyEmail::PATH, Policy::Public, Proof::None),
    (SignIn::PATH, Policy::Public, Proof::None),
    (SignOut::PATH, Policy::Public, Proof::None),
    (ForgotPassword::PATH, Policy::Public, Proof::None),
    (ResetPassword::PATH, Policy::Public, Proof::None),
    (AcceptInvitation::PATH, Policy::Public, Proof::None),
    (SecondFactor::PATH, Policy::SecondFactor, Proof::None),
    (TwoFactorStatus::PATH, Policy::Enrolling, Proof::None),
    (StartTwoFactor::PATH, Policy::Enrolling, Proof::None),
    (ConfirmTwoFactor::PATH, Policy::Enrolling, Proof::None),
    (StepUp::PATH, Policy::SignedIn, Proof::None),
    (RegenerateRecoveryCodes::PATH, Policy::SignedIn, Proof::StepUp),
    (DisableTwoFactor::PATH, Policy::SignedIn, Proof::StepUp),
    (ChangePassword::PATH, Policy::SignedIn, Proof::None),
    (ActiveSessions::PATH, Policy::SignedIn, Proof::None),
    (RevokeSession::PATH, Policy::SignedIn, Proof::None),
    (SignOutEverywhere::PATH, Policy::SignedIn, Proof::None),
    // A member's own data (GDPR Arts. 15 and 17): the copy leaves only by a link mailed to
    // the account's address; closing asks the password, and a step-up where two-factor is on.
    (ExportMyData::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (CloseMyAccount::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::Conditional),
    (TeamMembers::PATH, Policy::Merchant(TEAM_MANAGERS), Proof::None),
    (InviteMember::PATH, Policy::Merchant(TEAM_MANAGERS), Proof::Conditional),
    (ChangeMemberRole::PATH, Policy::Merchant(TEAM_MANAGERS), Proof::StepUp),
    (RemoveMember::PATH, Policy::Merchant(TEAM_MANAGERS), Proof::StepUp),
    (TransferOwnership::PATH, Policy::Merchant(OWNER), Proof::StepUp),
    (ResendMemberInvitation::PATH, Policy::Merchant(TEAM_MANAGERS), Proof::Enrolled),
    (SecurityEvents::PATH, Policy::Merchant(TEAM_MANAGERS), Proof::None),
    (DashboardState::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (SetDashboardMode::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (PaymentsOverview::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (Products::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (CreateProduct::PATH, Policy::Merchant(CATALOG_EDITORS), Proof::None),
    (ArchiveProduct::PATH, Policy::Merchant(CATALOG_EDITORS), Proof::None),
    (PaymentLinks::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (CreateLink::PATH, Policy::Merchant(CATALOG_EDITORS), Proof::None),
    (ArchiveLink::PATH, Policy::Merchant(CATALOG_EDITORS), Proof::None),
    (Checkouts::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (CreateCheckout::PATH, Policy::Merchant(CATALOG_EDITORS), Proof::None),
    (PaymentsList::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (PaymentDetail::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (RefundPayment::PATH, Policy::Merchant(REFUNDERS), Proof::StepUp),
    (Subscriptions::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (CreatePlan::PATH, Policy::Merchant(CATALOG_EDITORS), Proof::None),
    (CreatePlanCheckout::PATH, Policy::Merchant(CATALOG_EDITORS), Proof::None),
    (CreatePlanLink::PATH, Policy::Merchant(CATALOG_EDITORS), Proof::None),
    // Cancelling ends the buyer's series at the gateway for good: who may refund may
    // cancel, with a fresh second factor.
    (CancelSubscription::PATH, Policy::Merchant(REFUNDERS), Proof::StepUp),
    (CancelAtPeriodEnd::PATH, Policy::Merchant(REFUNDERS), Proof::StepUp),
    // Undoing an end not yet reached restores what the buyer agreed to.
    (KeepSubscription::PATH, Policy::Merchant(REFUNDERS), Proof::None),
    // When unpaid declines end a subscription is the money side's call.
    (SetDunning::PATH, Policy::Merchant(REFUNDERS), Proof::None),
    (Verification::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (KycDocuments::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (SaveBusiness::PATH, Policy::Merchant(KYC_EDITORS), Proof::None),
    (SavePerson::PATH, Policy::Merchant(KYC_EDITORS), Proof::None),
    (RemovePerson::PATH, Policy::Merchant(KYC_EDITORS), Proof::None),
    (SubmitApplication::PATH, Policy::Merchant(KYC_EDITORS), Proof::None),
    (AdminOverview::PATH, Policy::AnyStaff, Proof::None),
    (AuditSearch::PATH, Policy::Staff(Module::Audit, Level::View), Proof::None),
    (PrivacyRequests::PATH, Policy::Staff(Module::Support, Level::View), Proof::None),
    (PrivacyRequestStep::PATH, Policy::Staff(Module::Support, Level::Act), Proof::None),
    (ExportPrivacyRequest::PATH, Policy::Staff(Module::Support, Level::Act), Proof::StepUp),
    (ErasePrivacyRequest::PATH, Policy::Staff(Module::Support, Level::Act), Proof::StepUp),
    // Finding and linking a merchant's verification people to a request: like the other
    // steps; the export that then carries their record asks for the fresh check.
    (FindKycPeople::PATH, Policy::Staff(Module::Support, Level::Act), Proof::None),
    (LinkKycPerson::PATH, Policy::Staff(Module::Support, Level::Act), Proof::None),
    (UnlinkKycPerson::PATH, Policy::Staff(Module::Support, Level::Act), Proof::None),
    (AuditExport::PATH, Policy::Staff(Module::Audit, Level::View), Proof::StepUp),
    (MerchantList::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (MerchantDetail::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (SetMerchantFlag::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::StepUp),
    // KYC review: reading with merchants `view`; every decision with `act`; those that
    // verify a merchant or take verification away (approve, reject, re-verify) with step-up.
    (KycQueue::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (KycApplications::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (KycApplication::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (AcceptKycItem::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::None),
    (RequestKycChanges::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::None),
    (ApproveKyc::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::StepUp),
    (RejectKyc::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::StepUp),
    (RequestReverification::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::StepUp),
    // The payout account: every member sees it masked; owners and admins change it (with
    // step-up). Staff with merchants `view` see it and may reveal the IBAN (step-up, audited).
    (BankAccount::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (SetBankAccount::PATH, Policy::Merchant(KYC_EDITORS), Proof::StepUp),
    (StaffBankAccount::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (RevealBankAccount::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::StepUp),
    // Sanctions screening: staff read the list and hits; deciding a hit needs `act` (and step-up).
    (SanctionsList::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (SanctionsHits::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (DecideSanctionsHit::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::StepUp),
    (AllPayments::PATH, Policy::Staff(Module::Payments, Level::View), Proof::None),
    (PaymentForStaff::PATH, Policy::Staff(Module::Payments, Level::View), Proof::None),
    // Chargebacks: every member reads them, owners, admins and finance answer them. Staff
    // read them with payments `view`; recording and deciding move money (`act`, step-up).
    (Chargebacks::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (ChargebackDetail::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (AddChargebackEvidence::PATH, Policy::Merchant(DISPUTE_RESPONDERS), Proof::None),
    (StaffChargebacks::PATH, Policy::Staff(Module::Payments, Level::View), Proof::None),
    (StaffChargeback::PATH, Policy::Staff(Module::Payments, Level::View), Proof::None),
    (ChargebackForm::PATH, Policy::Staff(Module::Payments, Level::View), Proof::None),
    (RecordChargeback::PATH, Policy::Staff(Module::Payments, Level::Act), Proof::StepUp),
    (DecideChargeback::PATH, Policy::Staff(Module::Payments, Level::Act), Proof::StepUp),
    (StaffPayment::PATH, Policy::Staff(Module::Refunds, Level::View), Proof::None),
    (StaffRefund::PATH, Policy::Staff(Module::Refunds, Level::Act), Proof::Conditional),
    (ReconciliationExceptions::PATH, Policy::Staff(Module::Reconciliation, Level::View), Proof::None),
    (CloseException::PATH, Policy::Staff(Module::Reconciliation, Level::Act), Proof::StepUp),
    (DailyReport::PATH, Policy::Staff(Module::Reconciliation, Level::View), Proof::None),
    (ExportDailyReport::PATH, Policy::Staff(Module::Reconciliation, Level::View), Proof::None),
    (RiskSettings::PATH, Policy::Staff(Module::Risk, Level::View), Proof::None),
    (RiskDecisions::PATH, Policy::Staff(Module::Risk, Level::View), Proof::None),
    (SetRiskRule::PATH, Policy::Staff(Module::Risk, Level::Act), Proof::StepUp),
    (AddBlock::PATH, Policy::Staff(Module::Risk, Level::Act), Proof::StepUp),
    (RemoveBlock::PATH, Policy::Staff(Module::Risk, Level::Act), Proof::StepUp),
    (SetMerchantLimit::PATH, Policy::Staff(Module::Risk, Level::Act), Proof::StepUp),
    // Staff holding settings see the gateway accounts' non-secret part; where money goes
    // is changed by platform administrators only (with step-up).
    (GatewaySettings::PATH, Policy::Staff(Module::Settings, Level::View), Proof::None),
    (SaveGatewayAccount::PATH, Policy::PlatformAdmin, Proof::StepUp),
    // Payouts: the merchant's books (with step-up for the schedule); staff read with payouts
    // `view` and act with `act` and step-up (approval also with four eyes, in the platform).
    (MerchantPayouts::PATH, Policy::Merchant(PAYOUT_READERS), Proof::None),
    (SetPayoutSchedule::PATH, Policy::Merchant(PAYOUT_READERS), Proof::StepUp),
    (StaffPayouts::PATH, Policy::Staff(Module::Payouts, Level::View), Proof::None),
    (RunPayouts::PATH, Policy::Staff(Module::Payouts, Level::Act), Proof::StepUp),
    (ApprovePayoutBatch::PATH, Policy::Staff(Module::Payouts, Level::Act), Proof::StepUp),
    (MarkBatchSent::PATH, Policy::Staff(Module::Payouts, Level::Act), Proof::StepUp),
    (SettlePayout::PATH, Policy::Staff(Module::Payouts, Level::Act), Proof::StepUp),
    (StaffList::PATH, Policy::PlatformAdmin, Proof::None),
    (StaffDetail::PATH, Policy::PlatformAdmin, Proof::None),
    (InviteStaff::PATH, Policy::PlatformAdmin, Proof::StepUp),
    (ResendStaffInvitation::PATH, Policy::PlatformAdmin, Proof::None),
    (SetStaffPermissions::PATH, Policy::PlatformAdmin, Proof::StepUp),
    (DeactivateStaff::PATH, Policy::PlatformAdmin, Proof::StepUp),
    (ResetTwoFactor::PATH, Policy::PlatformAdmin, Proof::StepUp),
    // The books: every member reads the balance of the session's mode. Staff read the
    // ledger with payouts `view`; adjusting a balance needs `act` and step-up (four eyes
    // above the threshold, checked in the platform). Fee overrides and settlement terms
    // are merchants `act`; the default fee schedule is the platform administrators'.
    (MerchantBalance::PATH, Policy::Merchant(ALL_MERCHANT_ROLES), Proof::None),
    (MerchantLedger::PATH, Policy::Staff(Module::Payouts, Level::View), Proof::None),
    (PlatformLedger::PATH, Policy::Staff(Module::Payouts, Level::View), Proof::None),
    (RequestAdjustment::PATH, Policy::Staff(Module::Payouts, Level::Act), Proof::StepUp),
    (DecideAdjustment::PATH, Policy::Staff(Module::Payouts, Level::Act), Proof::StepUp),
    (FeeSchedules::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (AddDefaultFeeSchedule::PATH, Policy::PlatformAdmin, Proof::StepUp),
    (AddMerchantFeeSchedule::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::StepUp),
    (SettlementTerms::PATH, Policy::Staff(Module::Merchants, Level::View), Proof::None),
    (SetSettlementTerms::PATH, Policy::Staff(Module::Merchants, Level::Act), Proof::StepUp),
    // API keys: owners, admins and developers read them and the API reference; a key is
    // lasting access for whoever holds it, so making, rolling and revoking one needs step-up.
    (ApiKeys::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
    (CreateApiKey::PATH, Policy::Merchant(KEY_MANAGERS), Proof::StepUp),
    (RollApiKey::PATH, Policy::Merchant(KEY_MANAGERS), Proof::StepUp),
    (RevokeApiKey::PATH, Policy::Merchant(KEY_MANAGERS), Proof::StepUp),
    (ApiReferenceDocument::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
    // Webhooks: the same builders. A signing secret, and where the events about money go,
    // need step-up (adding, changing, rotating, deleting); the rest is reversible and audited.
    (WebhookEndpoints::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
    (CreateWebhookEndpoint::PATH, Policy::Merchant(KEY_MANAGERS), Proof::StepUp),
    (UpdateWebhookEndpoint::PATH, Policy::Merchant(KEY_MANAGERS), Proof::StepUp),
    (SetWebhookEndpointEnabled::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
    (RotateWebhookSecret::PATH, Policy::Merchant(KEY_MANAGERS), Proof::StepUp),
    (DeleteWebhookEndpoint::PATH, Policy::Merchant(KEY_MANAGERS), Proof::StepUp),
    (SendTestWebhook::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
    (WebhookDeliveryLog::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
    (ResendWebhookEvent::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
    (ResendFailedWebhooks::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
    (EventList::PATH, Policy::Merchant(KEY_MANAGERS), Proof::None),
];
