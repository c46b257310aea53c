//! The browser entry point: hydrates the server-rendered HTML.

// The hydration code is generic over the whole view tree; the longest pages (the privacy
// policy) nest deeper than the default query depth allows.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // The page is interactive from here. bench/first-load.mjs times the first load up to
    // this mark, which the server-rendered HTML never carries.
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
