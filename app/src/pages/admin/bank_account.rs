//! The payout account panel of an application under review: holder, masked IBAN, how many
//! accounts came before, the payout hold, and a button that reveals the full IBAN to
//! compare it with the bank letter (each reveal is recorded in the audit log).

use leptos::prelude::*;

use crate::bank_account::{RevealBankAccount, staff_bank_account};
use crate::components::form::{FormError, form_error};
use crate::pages::payments::load_error;

#[component]
pub fn BankAccountPanel(merchant_id: String) -> impl IntoView {
    let reveal = ServerAction::<RevealBankAccount>::new();
    let id = StoredValue::new(merchant_id);
    let account = Resource::new(move || id.get_value(), staff_bank_account);
    let revealed = move || reveal.value().get().and_then(Result::ok);
    view! {
        <section class="panel" aria-labelledby="staff-bank-account-heading">
            <h2 id="staff-bank-account-heading">"Bank account for payouts"</h2>
            <Transition fallback=|| view! { <p>"Loading the bank account…"</p> }>
                {move || account.get().map(|result| match result {
                    Ok(None) => view! { <p>"The merchant has not set an account yet."</p> }.into_any(),
                    Ok(Some(account)) => {
                        let hold = account.on_hold.then(|| view! {
                            <p class="notice" role="status">{format!("Changed recently: payouts to it start on {}.", account.payouts_from)}</p>
                        });
                        view! {
                            <dl class="facts">
                                <dt>"Account holder"</dt><dd>{account.holder_name}</dd>
                                <dt>"IBAN"</dt><dd><code>{account.iban_masked}</code></dd>
                                <dt>"Since"</dt><dd>{account.since}</dd>
                                <dt>"Earlier accounts"</dt><dd>{account.previous}</dd>
                            </dl>
                            {hold}
                            <ActionForm action=reveal attr:class="inline">
                                <input type="hidden" name="merchant_id" value=id.get_value() />
                                <button type="submit" class="secondary" disabled=move || reveal.pending().get()>"Reveal the full IBAN"</button>
                            </ActionForm>
                        }
                        .into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
            {move || revealed().map(|shown| view! {
                <p role="status">
                    "Full IBAN: " <code>{shown.iban}</code> {format!(" ({}). This view is recorded in the audit log.", shown.holder_name)}
                </p>
            })}
            <FormError message=form_error(reveal, &[]) />
        </section>
    }
}
