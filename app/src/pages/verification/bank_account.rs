//! The bank account section of the Verification page.
// placeholder: slice B replaces this file

use leptos::prelude::*;

/// Where payouts go: slice B's form (holder name, IBAN shown masked). `editable` says the
/// member may change it now.
#[component]
pub fn BankAccountSection(editable: bool) -> impl IntoView {
    let _ = editable;
    view! { <p class="aside">"The bank account for payouts is added here."</p> }
}
