//! The bank account panel of an application under review.
// placeholder: slice B replaces this file

use leptos::prelude::*;

/// The merchant's payout account, masked, as staff review it.
#[component]
pub fn BankAccountPanel(merchant_id: String) -> impl IntoView {
    let _ = merchant_id;
    view! {
        <section class="panel" aria-labelledby="bank-account-heading">
            <h2 id="bank-account-heading">"Bank account for payouts"</h2>
            <p class="aside">"The bank account arrives with its slice."</p>
        </section>
    }
}
