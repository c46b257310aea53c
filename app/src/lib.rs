//! The Saleonix web application: pages, components and server functions, compiled twice:
//! for the server (`ssr`) and for the browser (`hydrate`).

// Leptos views are deeply nested types; the WASM build's layout queries need more room.
#![recursion_limit = "256"]

pub mod account;
pub mod admin;
pub mod all_payments;
pub mod api_reference;
pub mod audit_log;
pub mod auth;
pub mod balance;
pub mod bank_account;
pub mod chargebacks;
pub mod components;
pub mod contact;
pub mod developers;
pub mod error;
pub mod kyc;
pub mod kyc_review;
pub mod ledger;
#[cfg(feature = "ssr")]
mod limits;
pub mod own_data;
pub mod pages;
pub mod payments;
pub mod payouts;
#[cfg(feature = "ssr")]
pub mod policy;
pub mod privacy;
pub mod privacy_kyc_people;
pub mod privacy_requests;
pub mod reconciliation;
pub mod refunds;
#[cfg(feature = "ssr")]
pub mod request;
pub mod risk;
pub mod sanctions;
pub mod settings;
pub mod team;
pub mod terms;
pub mod webhook_log;
pub mod webhooks;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Link, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::layout::{SiteFooter, SiteHeader};
use crate::pages::admin::all_payments::{AllPaymentsPage, StaffPaymentPage};
use crate::pages::admin::chargebacks::{StaffChargebackPage, StaffChargebacksPage};
use crate::pages::admin::kyc::{KycApplicationPage, KycQueuePage};
use crate::pages::admin::reconciliation::ReconciliationPage;
use crate::pages::admin::refunds::RefundsPage;
use crate::pages::admin::risk::RiskPage;
use crate::pages::admin::settings::SettingsPage;
use crate::pages::admin::{audit, merchants, overview::OverviewPage, staff, support::SupportPage};
use crate::pages::chargebacks::{ChargebackPage, ChargebacksPage};
use crate::pages::payments::{
    checkouts::CheckoutsPage, detail::PaymentPage, links::LinksPage, list::PaymentsListPage,
    products::ProductsPage,
};
use crate::pages::{
    accept_invitation::AcceptInvitationPage, account::AccountPage, dashboard::DashboardPage,
    home::HomePage, legal, not_found::NotFound, password_reset, second_factor::SecondFactorPage,
    security::SecurityPage, security_events::SecurityEventsPage, sign_in::SignInPage, sign_up,
    team::TeamPage, two_factor::TwoFactorPage, verification::VerificationPage,
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // The stylesheet's name carries its hash in a release build, which only the
                // server knows (from the site's hash file): so it is linked here, not in `App`.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Saleonix".to_owned() } else { format!("{page} · Saleonix") }
        } />
        <Router>
            <SiteHeader />
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/security") view=SecurityPage />
                    // Legal text must read in full without scripts: rendered whole, not streamed.
                    <Route path=path!("/privacy") view=legal::PrivacyPage ssr=SsrMode::Async />
                    <Route path=path!("/privacy/sub-processors") view=legal::SubProcessorsPage ssr=SsrMode::Async />
                    <Route path=path!("/privacy/request-sent") view=legal::RequestSentPage />
                    <Route path=path!("/privacy/confirm") view=legal::ConfirmRequestPage />
                    <Route path=path!("/privacy/confirmed") view=legal::RequestConfirmedPage />
                    <Route path=path!("/privacy/export") view=legal::ExportDownloadPage />
                    <Route path=path!("/terms") view=legal::TermsPage />
                    <Route path=path!("/sign-up") view=sign_up::SignUpPage />
                    <Route path=path!("/check-email") view=sign_up::CheckEmailPage />
                    <Route path=path!("/verify-email") view=sign_up::VerifyEmailPage />
                    <Route path=path!("/sign-in") view=SignInPage />
                    <Route path=path!("/sign-in/two-factor") view=SecondFactorPage />
                    <Route path=path!("/forgot-password") view=password_reset::ForgotPasswordPage />
                    <Route path=path!("/reset-password") view=password_reset::ResetPasswordPage />
                    <Route path=path!("/accept-invitation") view=AcceptInvitationPage />
                    <Route path=path!("/dashboard") view=DashboardPage />
                    <Route path=path!("/dashboard/payments") view=PaymentsListPage />
                    <Route path=path!("/dashboard/payments/:id") view=PaymentPage />
                    <Route path=path!("/dashboard/checkouts") view=CheckoutsPage />
                    <Route path=path!("/dashboard/links") view=LinksPage />
                    <Route path=path!("/dashboard/products") view=ProductsPage />
                    <Route path=path!("/dashboard/team") view=TeamPage />
                    <Route path=path!("/dashboard/security") view=SecurityEventsPage />
                    <Route path=path!("/dashboard/verification") view=VerificationPage />
                    <Route path=path!("/dashboard/chargebacks") view=ChargebacksPage />
                    <Route path=path!("/dashboard/chargebacks/:id") view=ChargebackPage />
                    <Route path=path!("/dashboard/balance") view=crate::pages::balance::BalancePage />
                    <Route path=path!("/dashboard/payouts") view=pages::payouts::PayoutsPage />
                    <Route path=path!("/dashboard/developers") view=pages::developers::DevelopersPage />
                    <Route path=path!("/dashboard/developers/reference") view=pages::developers::reference::ReferencePage />
                    <Route path=path!("/dashboard/developers/webhooks") view=pages::developers::webhooks::WebhooksPage />
                    <Route path=path!("/dashboard/developers/webhooks/:id") view=pages::developers::webhook_log::WebhookLogPage />
                    <Route path=path!("/dashboard/developers/events") view=pages::developers::events::EventsPage />
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/account/two-factor") view=TwoFactorPage />
                    <Route path=path!("/admin") view=OverviewPage />
                    <Route path=path!("/admin/merchants") view=merchants::MerchantsPage />
                    <Route path=path!("/admin/merchants/:id") view=merchants::MerchantPage />
                    <Route path=path!("/admin/kyc") view=KycQueuePage />
                    <Route path=path!("/admin/kyc/:id") view=KycApplicationPage />
                    <Route path=path!("/admin/staff") view=staff::StaffPage />
                    <Route path=path!("/admin/staff/:id") view=staff::StaffMemberPage />
                    <Route path=path!("/admin/payments") view=AllPaymentsPage />
                    <Route path=path!("/admin/payments/:id") view=StaffPaymentPage />
                    <Route path=path!("/admin/chargebacks") view=StaffChargebacksPage />
                    <Route path=path!("/admin/chargebacks/:id") view=StaffChargebackPage />
                    <Route path=path!("/admin/refunds") view=RefundsPage />
                    <Route path=path!("/admin/reconciliation") view=ReconciliationPage />
                    <Route path=path!("/admin/risk") view=RiskPage />
                    <Route path=path!("/admin/payouts") view=pages::admin::payouts::PayoutsPage />
                    <Route path=path!("/admin/audit") view=audit::AuditPage />
                    <Route path=path!("/admin/ledger") view=crate::pages::admin::ledger::PlatformLedgerPage />
                    <Route path=path!("/admin/ledger/:id") view=crate::pages::admin::ledger::MerchantLedgerPage />
                    <Route path=path!("/admin/fees") view=crate::pages::admin::fees::FeesPage />
                    <Route path=path!("/admin/settings") view=SettingsPage />
                    // The modules whose screens are still to come share one placeholder page.
                    <Route path=path!("/admin/support") view=SupportPage />
                </Routes>
            </main>
            <SiteFooter />
        </Router>
    }
}
