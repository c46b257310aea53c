//! A button that copies text the page already shows (a new secret, an example) to the
//! clipboard. Without WASM the button does nothing and the text stays selectable beside
//! it.

use leptos::prelude::*;

#[component]
pub fn CopyButton(
    text: String,
    /// What the button copies, for screen readers ("Copy the secret key").
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            // The promise settles on its own; the label below is the feedback.
            let _ = window.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <button type="button" class="secondary small" aria-label=label on:click=copy>
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
