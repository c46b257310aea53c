//! The merchant dashboard's frame and its overview: the mode bar (the Test Mode banner and
//! the Test/Live switch), the sections, and the last thirty days of payments.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::auth::current_viewer;
use crate::pages::payments::overview::OverviewPanel;
use crate::payments::{DashboardView, LiveAccess, Mode, SetDashboardMode, dashboard_state};

/// The dashboard's sections, with the open one marked. The team pages are for the
/// account's owner and admins only, the Developers page for them and developers.
#[component]
pub fn NavLinks(manages_team: bool, manages_keys: bool) -> impl IntoView {
    let path = use_location().pathname;
    let link = move |href: &'static str, label: &'static str| {
        view! { <a href=href aria-current=move || (*path.read() == href).then_some("page")>{label}</a> }
    };
    view! {
        <nav class="dashboard-nav" aria-label="Dashboard">
            {link("/dashboard", "Overview")}
            {link("/dashboard/payments", "Payments")}
            {link("/dashboard/chargebacks", "Chargebacks")}
            {link("/dashboard/balance", "Balance")}
            {link("/dashboard/checkouts", "Checkouts")}
            {link("/dashboard/links", "Links")}
            {link("/dashboard/products", "Products")}
            {link("/dashboard/subscriptions", "Subscriptions")}
            {link("/dashboard/verification", "Verification")}
            {link("/dashboard/payouts", "Payouts")}
            {manages_team.then(|| link("/dashboard/team", "Team"))}
            {manages_team.then(|| link("/dashboard/security", "Security events"))}
            {manages_keys.then(|| link("/dashboard/developers", "Developers"))}
            {link("/account", "Account settings")}
        </nav>
    }
}

/// The mode the dashboard shows, with the banner Test Mode carries on every screen, and
/// the switch. The switch is a plain form: the server answers with a redirect back to
/// this page, which then loads everything again in the new mode, with or without WASM.
#[component]
pub fn ModeBar(view: DashboardView) -> impl IntoView {
    let switch = |to: &'static str, label: &'static str| {
        view! {
            <form method="post" action=SetDashboardMode::PATH class="inline">
                <input type="hidden" name="mode" value=to />
                <button type="submit" class="secondary">{label}</button>
            </form>
        }
        .into_any()
    };
    const SANDBOX: &str = "Payments go to the Payten sandbox and move no money.";
    const VERIFICATION: &str = "/dashboard/verification";
    let (class, name, meaning, control) = match (view.mode, view.live) {
        (Mode::Live, _) => ("mode-bar live", "Live Mode", "Payments charge real cards.", switch("test", "Switch to Test Mode")),
        (Mode::Test, LiveAccess::Open) => ("mode-bar test", "Test Mode", SANDBOX, switch("live", "Switch to Live Mode")),
        (Mode::Test, LiveAccess::AwaitingVerification) => (
            "mode-bar test",
            "Test Mode",
            SANDBOX,
            view! {
                <span class="aside">
                    <a href=VERIFICATION>"Live Mode opens once Saleonix has verified your business."</a>
                </span>
            }.into_any(),
        ),
        (Mode::Test, LiveAccess::Restricted) => (
            "mode-bar test",
            "Test Mode",
            SANDBOX,
            view! {
                <span class="aside">
                    "Live Mode is closed: the update of your verification we asked for is overdue. "
                    <a href=VERIFICATION>"Update your verification"</a>" to open it again."
                </span>
            }.into_any(),
        ),
        (Mode::Test, LiveAccess::Suspended) => (
            "mode-bar test",
            "Test Mode",
            SANDBOX,
            view! { <span class="aside">"Live Mode is closed while your account is suspended."</span> }.into_any(),
        ),
    };
    view! {
        <div class=class role="region" aria-label="Mode">
            <p><strong>{name}</strong>" · "{meaning}</p>
            {control}
        </div>
    }
}

/// The mode bar and the sections, for pages that load nothing else of the dashboard.
#[component]
pub fn DashboardNav(manages_team: bool, manages_keys: bool) -> impl IntoView {
    let state = Resource::new(|| (), |_| dashboard_state());
    view! {
        <Transition fallback=|| ()>
            {move || state.get().and_then(Result::ok).map(|view| view! { <ModeBar view /> })}
        </Transition>
        <NavLinks manages_team manages_keys />
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <Title text="Dashboard" />
        <section class="page dashboard">
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || viewer.get().map(|result| match result {
                    Ok(Some(me)) => view! {
                        <h1>{me.business_name.clone().unwrap_or_else(|| "Saleonix".into())}</h1>
                        <p>"Welcome, " {me.full_name.clone()} "."</p>
                        {me.needs_two_factor.then(|| view! { <TwoFactorBanner /> })}
                        <DashboardNav manages_team=me.manages_team manages_keys=me.manages_keys />
                        <OverviewPanel />
                    }.into_any(),
                    Ok(None) => view! { <p>"Please " <a href="/sign-in">"sign in"</a> "."</p> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// For members who can move money or change the team but have no second factor yet: the
/// refunds and team changes their role allows are refused until they enrol.
#[component]
fn TwoFactorBanner() -> impl IntoView {
    view! {
        <div class="notice two-factor-banner" role="region" aria-label="Two-factor authentication">
            <p>
                <strong>"Turn on two-factor authentication. "</strong>
                "Refunds and changes to your team need it, so your role's money and team actions stay closed until it is on. "
                <a href="/account/two-factor">"Set up two-factor authentication"</a>
            </p>
        </div>
    }
}
