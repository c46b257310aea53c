use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="skip" href="#main">"Skip to content"</a>
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"S"</span>
                "Saleonix"
            </A>
            <nav aria-label="Main">
                <A href="/security">"Security & Compliance"</A>
                <a href="/#contact">"Talk to us"</a>
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
