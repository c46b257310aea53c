//! The sanctions panel of an application under review.
// placeholder: slice B replaces this file

use leptos::prelude::*;

/// The application's sanctions screening: hits and staff decisions on them.
#[component]
pub fn SanctionsPanel(merchant_id: String) -> impl IntoView {
    let _ = merchant_id;
    view! {
        <section class="panel" aria-labelledby="sanctions-heading">
            <h2 id="sanctions-heading">"Sanctions screening"</h2>
            <p class="aside">"Screening arrives with its slice."</p>
        </section>
    }
}
