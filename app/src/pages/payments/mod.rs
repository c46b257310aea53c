//! The dashboard's payment screens: products, payment links, checkout sessions, the
//! payments list and one payment with its refunds. Each shows the mode bar and the
//! sections first.

pub mod checkouts;
pub mod detail;
pub mod links;
pub mod list;
pub mod overview;
pub mod products;
pub mod refunds;
pub mod subscriptions;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::pages::dashboard::{ModeBar, NavLinks};
use crate::payments::{DashboardView, dashboard_state};

/// A payments screen: its title, the mode bar and the sections, then `body`, given the
/// dashboard's state (the screens offer their forms only to members who may edit).
#[component]
pub fn DashboardShell<F, V>(title: &'static str, body: F) -> impl IntoView
where
    F: Fn(DashboardView) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let state = Resource::new(|| (), |_| dashboard_state());
    view! {
        <Title text=title />
        <section class="page dashboard">
            <h1>{title}</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || state.get().map(|result| match result {
                    Ok(view) => {
                        let (manages_team, manages_keys) = (view.manages_team, view.manages_keys);
                        view! {
                            <ModeBar view=view.clone() />
                            <NavLinks manages_team manages_keys />
                            {body(view)}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// An address to share, with a button that copies it.
#[component]
pub fn ShareableUrl(url: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = {
        let url = url.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                // The promise settles on its own; the label below is the feedback.
                let _ = window.navigator().clipboard().write_text(&url);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &url;
        }
    };
    view! {
        <span class="shareable">
            <code class="pay-url">{url}</code>
            <button type="button" class="secondary small" on:click=copy>
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </span>
    }
}

/// A list's load failure, in place of the list.
pub fn load_error(error: crate::error::AppError) -> AnyView {
    view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any()
}
