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
mod routes;
pub mod sanctions;
pub mod settings;
pub mod subscriptions;
pub mod team;
pub mod terms;
pub mod webhook_log;
pub mod webhooks;

use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};

use crate::components::layout::{SiteFooter, SiteHeader};
use crate::pages::not_found::NotFound;

/// Where the server functions answer (Leptos's default prefix) and the files they guard:
/// everything under it is a call, never a page, to the route guard, the response headers
/// and the errors' status.
pub const SERVER_FN_PREFIX: &str = "/api/";

/// The HTML document around the app; rendered on the server only. `stylesheet` is the
/// stylesheet's URL path, whose name carries its hash in a release build: the server reads
/// it from the site's hash file once, where Leptos's `HashedStylesheet` reads the file
/// again for every page (issue 24).
pub fn shell(options: LeptosOptions, stylesheet: std::sync::Arc<str>) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // Linked here, not in `App`: only the server knows the hashed name.
                <link rel="stylesheet" id="leptos" href=stylesheet />
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
                    <Route path=path!("/") view={Lazy::<routes::Home>::new()} />
                    <Route path=path!("/security") view={Lazy::<routes::Security>::new()} />
                    // Legal text must read in full without scripts: rendered whole, not streamed.
                    <Route path=path!("/privacy") view={Lazy::<routes::Privacy>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/privacy/sub-processors") view={Lazy::<routes::SubProcessors>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/privacy/request-sent") view={Lazy::<routes::PrivacyRequestSent>::new()} />
                    <Route path=path!("/privacy/confirm") view={Lazy::<routes::PrivacyConfirm>::new()} />
                    <Route path=path!("/privacy/confirmed") view={Lazy::<routes::PrivacyConfirmed>::new()} />
                    <Route path=path!("/privacy/export") view={Lazy::<routes::PrivacyExport>::new()} />
                    <Route path=path!("/terms") view={Lazy::<routes::Terms>::new()} />
                    <Route path=path!("/sign-up") view={Lazy::<routes::SignUp>::new()} />
                    <Route path=path!("/check-email") view={Lazy::<routes::CheckEmail>::new()} />
                    <Route path=path!("/verify-email") view={Lazy::<routes::VerifyEmail>::new()} />
                    <Route path=path!("/sign-in") view={Lazy::<routes::SignIn>::new()} />
                    <Route path=path!("/sign-in/two-factor") view={Lazy::<routes::SecondFactor>::new()} />
                    <Route path=path!("/forgot-password") view={Lazy::<routes::ForgotPassword>::new()} />
                    <Route path=path!("/reset-password") view={Lazy::<routes::ResetPassword>::new()} />
                    <Route path=path!("/accept-invitation") view={Lazy::<routes::AcceptInvitation>::new()} />
                    <Route path=path!("/dashboard") view={Lazy::<routes::Dashboard>::new()} />
                    <Route path=path!("/dashboard/payments") view={Lazy::<routes::Payments>::new()} />
                    <Route path=path!("/dashboard/payments/:id") view={Lazy::<routes::Payment>::new()} />
                    <Route path=path!("/dashboard/checkouts") view={Lazy::<routes::Checkouts>::new()} />
                    <Route path=path!("/dashboard/links") view={Lazy::<routes::Links>::new()} />
                    <Route path=path!("/dashboard/products") view={Lazy::<routes::Products>::new()} />
                    <Route path=path!("/dashboard/subscriptions") view={Lazy::<routes::Subscriptions>::new()} />
                    <Route path=path!("/dashboard/team") view={Lazy::<routes::Team>::new()} />
                    <Route path=path!("/dashboard/security") view={Lazy::<routes::SecurityEvents>::new()} />
                    <Route path=path!("/dashboard/verification") view={Lazy::<routes::Verification>::new()} />
                    <Route path=path!("/dashboard/chargebacks") view={Lazy::<routes::Chargebacks>::new()} />
                    <Route path=path!("/dashboard/chargebacks/:id") view={Lazy::<routes::Chargeback>::new()} />
                    <Route path=path!("/dashboard/balance") view={Lazy::<routes::Balance>::new()} />
                    <Route path=path!("/dashboard/payouts") view={Lazy::<routes::Payouts>::new()} />
                    <Route path=path!("/dashboard/developers") view={Lazy::<routes::Developers>::new()} />
                    <Route path=path!("/dashboard/developers/reference") view={Lazy::<routes::Reference>::new()} />
                    <Route path=path!("/dashboard/developers/webhooks") view={Lazy::<routes::Webhooks>::new()} />
                    <Route path=path!("/dashboard/developers/webhooks/:id") view={Lazy::<routes::WebhookLog>::new()} />
                    <Route path=path!("/dashboard/developers/events") view={Lazy::<routes::Events>::new()} />
                    <Route path=path!("/account") view={Lazy::<routes::Account>::new()} />
                    <Route path=path!("/account/two-factor") view={Lazy::<routes::TwoFactor>::new()} />
                    <Route path=path!("/admin") view={Lazy::<routes::Overview>::new()} />
                    <Route path=path!("/admin/merchants") view={Lazy::<routes::Merchants>::new()} />
                    <Route path=path!("/admin/merchants/:id") view={Lazy::<routes::Merchant>::new()} />
                    <Route path=path!("/admin/kyc") view={Lazy::<routes::KycQueue>::new()} />
                    <Route path=path!("/admin/kyc/:id") view={Lazy::<routes::KycApplication>::new()} />
                    <Route path=path!("/admin/staff") view={Lazy::<routes::Staff>::new()} />
                    <Route path=path!("/admin/staff/:id") view={Lazy::<routes::StaffMember>::new()} />
                    <Route path=path!("/admin/payments") view={Lazy::<routes::AllPayments>::new()} />
                    <Route path=path!("/admin/payments/:id") view={Lazy::<routes::StaffPayment>::new()} />
                    <Route path=path!("/admin/chargebacks") view={Lazy::<routes::StaffChargebacks>::new()} />
                    <Route path=path!("/admin/chargebacks/:id") view={Lazy::<routes::StaffChargeback>::new()} />
                    <Route path=path!("/admin/refunds") view={Lazy::<routes::Refunds>::new()} />
                    <Route path=path!("/admin/reconciliation") view={Lazy::<routes::Reconciliation>::new()} />
                    <Route path=path!("/admin/risk") view={Lazy::<routes::Risk>::new()} />
                    <Route path=path!("/admin/payouts") view={Lazy::<routes::AdminPayouts>::new()} />
                    <Route path=path!("/admin/audit") view={Lazy::<routes::Audit>::new()} />
                    <Route path=path!("/admin/ledger") view={Lazy::<routes::PlatformLedger>::new()} />
                    <Route path=path!("/admin/ledger/:id") view={Lazy::<routes::MerchantLedger>::new()} />
                    <Route path=path!("/admin/fees") view={Lazy::<routes::Fees>::new()} />
                    <Route path=path!("/admin/settings") view={Lazy::<routes::Settings>::new()} />
                    // The modules whose screens are still to come share one placeholder page.
                    <Route path=path!("/admin/support") view={Lazy::<routes::Support>::new()} />
                </Routes>
            </main>
            <SiteFooter />
        </Router>
    }
}
