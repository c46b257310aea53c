//! The browser entry point: hydrates the server-rendered HTML.

// The hydration code is generic over the whole view tree; the longest pages (the privacy
// policy) nest deeper than the default query depth allows.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous, because the page's section of the WASM (`app::routes`) may still have
    // to be fetched before its HTML can be hydrated.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::tachys::dom::body();
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        // The page is interactive from here. bench/first-load.mjs times the first load up
        // to this mark, which the server-rendered HTML never carries.
        if let Some(root) = leptos::prelude::document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}
