//! The merchant dashboard shell a signed-in user lands on. Payments, products and
//! settlement screens come with their issues; today it shows who and where you are.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::auth::current_viewer;

/// The merchant dashboard's sections, with the open one marked. The team page is for the
/// account's owner and admins only.
#[component]
pub fn DashboardNav(manages_team: bool) -> impl IntoView {
    let path = use_location().pathname;
    let link = move |href: &'static str, label: &'static str| {
        view! { <a href=href aria-current=move || (*path.read() == href).then_some("page")>{label}</a> }
    };
    view! {
        <nav class="dashboard-nav" aria-label="Dashboard">
            {link("/dashboard", "Overview")}
            {manages_team.then(|| link("/dashboard/team", "Team"))}
            {manages_team.then(|| link("/dashboard/security", "Security events"))}
            {link("/account", "Account settings")}
        </nav>
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
                        <header class="dashboard-head">
                            <h1>{me.business_name.clone().unwrap_or_else(|| "Saleonix".into())}</h1>
                            <span class="badge test-mode">"Test Mode"</span>
                        </header>
                        <p>"Welcome, " {me.full_name.clone()} "."</p>
                        <DashboardNav manages_team=me.manages_team />
                        <p class="status">
                            "Your account is in Test Mode: payments go to the Payten sandbox and move no money. "
                            "Live payments open after business verification."
                        </p>
                    }.into_any(),
                    Ok(None) => view! { <p>"Please " <a href="/sign-in">"sign in"</a> "."</p> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
