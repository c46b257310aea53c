//! The merchant dashboard shell a signed-in user lands on. Payments, products and
//! settlement screens come with their issues; today it shows who and where you are.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::current_viewer;

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
                        <nav class="dashboard-nav" aria-label="Dashboard">
                            <a href="/dashboard" aria-current="page">"Overview"</a>
                            <a href="/account">"Account settings"</a>
                        </nav>
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
