use leptos::prelude::*;
use leptos_router::components::A;

use leptos::server_fn::ServerFn as _;

use crate::auth::{SignOut, Viewer};

/// Who is signed in, from the request the server renders (`PageViewer`), sent to the
/// browser with the page's HTML and read back there while it hydrates. A resource would
/// make every page a stream of chunks, the header's answer after the page (issue 24).
fn page_viewer() -> Option<Viewer> {
    SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use_context::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<crate::auth::PageViewer>().cloned())
                .and_then(|page| page.0)
        }
        #[cfg(not(feature = "ssr"))]
        {
            None
        }
    })
    .into_inner()
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let viewer = page_viewer();
    view! {
        <header class="site-header">
            <a class="skip" href="#main">"Skip to content"</a>
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"S"</span>
                "Saleonix"
            </A>
            <nav aria-label="Main">
                <A href="/security">"Security & Compliance"</A>
                {match viewer {
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
                }}
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
                // Served by the server with the buyer pages, outside this router.
                <a href="/accessibility" rel="external">"Accessibility"</a>
                <a href="/.well-known/security.txt" rel="external">"security.txt"</a>
            </nav>
        </footer>
    }
}
