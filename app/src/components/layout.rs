use leptos::prelude::*;
use leptos_router::components::A;

use leptos::server_fn::ServerFn as _;

use crate::auth::{SignOut, current_viewer};

#[component]
pub fn SiteHeader() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <header class="site-header">
            <a class="skip" href="#main">"Skip to content"</a>
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"S"</span>
                "Saleonix"
            </A>
            <nav aria-label="Main">
                <A href="/security">"Security & Compliance"</A>
                <Transition fallback=|| ()>
                    {move || viewer.get().map(|viewer| match viewer.ok().flatten() {
                        Some(viewer) => view! {
                            <a href=viewer.home.clone()>
                                {if viewer.home == "/admin" { "Admin console" } else { "Dashboard" }}
                            </a>
                            <a href="/account">"Account"</a>
                            // A plain form: signing out reloads the whole page without the session.
                            <form method="post" action=SignOut::url() class="inline">
                                <button type="submit" class="link">"Sign out"</button>
                            </form>
                        }.into_any(),
                        None => view! {
                            <a href="/sign-in">"Sign in"</a>
                            <a href="/sign-up" class="cta">"Open an account"</a>
                        }.into_any(),
                    })}
                </Transition>
            </nav>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>"Saleonix · payments and merchant of record for Kosovo"</p>
            <nav aria-label="Legal">
                <A href="/privacy">"Privacy"</A>
                <A href="/terms">"Terms"</A>
                <A href="/security">"Security"</A>
                <a href="/.well-known/security.txt" rel="external">"security.txt"</a>
            </nav>
        </footer>
    }
}
