//! The pages, grouped into sections that the browser loads on demand.
//!
//! The release build splits the WASM at each section (`cargo leptos build --split`): a
//! merchant opening the dashboard downloads the app's frame and the dashboard's section,
//! not the staff console or the developer pages. A section is one split point, not a page
//! per split point, because code shared by any set of split points becomes a chunk of its
//! own: one lazy route per page wrote a thousand files (README, "The merchant dashboard's
//! first load").
//!
//! Each section is a `#[lazy]` function rendering one of its pages; each route is a
//! [`LazyRoute`] whose `preload` loads its section's chunk. The router awaits `preload`
//! before it hydrates, so the server's HTML meets a page that is ready, not a pending one
//! (without it hydration finds the page where it expects the placeholder of a pending view).

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// `section { Route => page component, … }`: per section a module with the enum of its
/// pages and the split function; per route a unit type for `Lazy::<Route>`.
macro_rules! sections {
    ($( $section:ident { $( $route:ident => $page:path ),+ $(,)? } )+) => {
        $(
            mod $section {
                use leptos::prelude::*;

                pub(super) enum Page { $( $route ),+ }

                // The name gives the split module its name; without it every section
                // expanded here would share one.
                #[leptos::lazy($section)]
                pub(super) fn section(page: Page) -> AnyView {
                    match page { $( Page::$route => $page().into_any() ),+ }
                }
            }
            $(
                pub struct $route;

                impl LazyRoute for $route {
                    fn data() -> Self {
                        Self
                    }

                    async fn view(_this: Self) -> AnyView {
                        $section::section($section::Page::$route).await
                    }

                    async fn preload() {
                        #[cfg(target_arch = "wasm32")]
                        $section::__preload_section().await;
                    }
                }
            )+
        )+
    };
}

sections! {
    public {
        Home => crate::pages::home::HomePage,
        Security => crate::pages::security::SecurityPage,
        Privacy => crate::pages::legal::PrivacyPage,
        SubProcessors => crate::pages::legal::SubProcessorsPage,
        PrivacyRequestSent => crate::pages::legal::RequestSentPage,
        PrivacyConfirm => crate::pages::legal::ConfirmRequestPage,
        PrivacyConfirmed => crate::pages::legal::RequestConfirmedPage,
        PrivacyExport => crate::pages::legal::ExportDownloadPage,
        Terms => crate::pages::legal::TermsPage,
    }
    sign_in {
        SignUp => crate::pages::sign_up::SignUpPage,
        CheckEmail => crate::pages::sign_up::CheckEmailPage,
        VerifyEmail => crate::pages::sign_up::VerifyEmailPage,
        SignIn => crate::pages::sign_in::SignInPage,
        SecondFactor => crate::pages::second_factor::SecondFactorPage,
        ForgotPassword => crate::pages::password_reset::ForgotPasswordPage,
        ResetPassword => crate::pages::password_reset::ResetPasswordPage,
        AcceptInvitation => crate::pages::accept_invitation::AcceptInvitationPage,
    }
    dashboard {
        Dashboard => crate::pages::dashboard::DashboardPage,
    }
    merchant {
        Payments => crate::pages::payments::list::PaymentsListPage,
        Payment => crate::pages::payments::detail::PaymentPage,
        Checkouts => crate::pages::payments::checkouts::CheckoutsPage,
        Links => crate::pages::payments::links::LinksPage,
        Products => crate::pages::payments::products::ProductsPage,
        Subscriptions => crate::pages::payments::subscriptions::SubscriptionsPage,
        Chargebacks => crate::pages::chargebacks::ChargebacksPage,
        Chargeback => crate::pages::chargebacks::ChargebackPage,
        Balance => crate::pages::balance::BalancePage,
        Payouts => crate::pages::payouts::PayoutsPage,
    }
    account {
        Team => crate::pages::team::TeamPage,
        SecurityEvents => crate::pages::security_events::SecurityEventsPage,
        Account => crate::pages::account::AccountPage,
        TwoFactor => crate::pages::two_factor::TwoFactorPage,
    }
    verification {
        Verification => crate::pages::verification::VerificationPage,
    }
    developers {
        Developers => crate::pages::developers::DevelopersPage,
        Reference => crate::pages::developers::reference::ReferencePage,
        Webhooks => crate::pages::developers::webhooks::WebhooksPage,
        WebhookLog => crate::pages::developers::webhook_log::WebhookLogPage,
        Events => crate::pages::developers::events::EventsPage,
    }
    console {
        Overview => crate::pages::admin::overview::OverviewPage,
        Merchants => crate::pages::admin::merchants::MerchantsPage,
        Merchant => crate::pages::admin::merchants::MerchantPage,
        KycQueue => crate::pages::admin::kyc::KycQueuePage,
        KycApplication => crate::pages::admin::kyc::KycApplicationPage,
        Staff => crate::pages::admin::staff::StaffPage,
        StaffMember => crate::pages::admin::staff::StaffMemberPage,
        AllPayments => crate::pages::admin::all_payments::AllPaymentsPage,
        StaffPayment => crate::pages::admin::all_payments::StaffPaymentPage,
        StaffChargebacks => crate::pages::admin::chargebacks::StaffChargebacksPage,
        StaffChargeback => crate::pages::admin::chargebacks::StaffChargebackPage,
        Refunds => crate::pages::admin::refunds::RefundsPage,
        Reconciliation => crate::pages::admin::reconciliation::ReconciliationPage,
        Risk => crate::pages::admin::risk::RiskPage,
        AdminPayouts => crate::pages::admin::payouts::PayoutsPage,
        Audit => crate::pages::admin::audit::AuditPage,
        PlatformLedger => crate::pages::admin::ledger::PlatformLedgerPage,
        MerchantLedger => crate::pages::admin::ledger::MerchantLedgerPage,
        Fees => crate::pages::admin::fees::FeesPage,
        Settings => crate::pages::admin::settings::SettingsPage,
        Support => crate::pages::admin::support::SupportPage,
    }
}
