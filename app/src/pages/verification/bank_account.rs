//! The bank account section of the Verification page: the payout account, masked, with the
//! payout hold while a change's runs, and (for owners and admins) the form that sets or
//! changes it. Saving always asks for a fresh code first. The typed IBAN is never shown
//! back: the input empties whenever the server answers, and the page shows only the mask.

use leptos::prelude::*;

use crate::bank_account::{BankAccountView, SetBankAccount, bank_account};
use crate::components::form::{FormError, field_error, form_error, succeeded};
use crate::components::step_up::StepUpPrompt;
use crate::pages::payments::load_error;

const FIELDS: &[&str] = &["holder_name", "iban"];

/// The form shows when the server says this member may change the account now (an owner
/// or admin, the application not rejected; after approval too); it checks again on save.
/// `save` is the page's, so that the checklist reloads after a change too.
#[component]
pub fn BankAccountSection(save: ServerAction<SetBankAccount>) -> impl IntoView {
    // Reloaded after a successful save only, so a refused one keeps the holder name typed.
    let saved = move || {
        save.value().with(|answer| {
            answer
                .as_ref()
                .and_then(|answer| answer.as_ref().ok())
                .cloned()
        })
    };
    let account = Resource::new(saved, |_| bank_account());
    view! {
        <section class="panel" id="bank-account" aria-labelledby="bank-account-heading">
            <h2 id="bank-account-heading">"4. Bank account for payouts"</h2>
            <Transition fallback=|| view! { <p>"Loading the bank account…"</p> }>
                {move || account.get().map(|result| match result {
                    Ok(view) => {
                        let exists = view.account.is_some();
                        let form = view.can_change.then(|| view! { <AccountForm save exists /> });
                        view! { <AccountFacts account=view.account /> {form} }.into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
            // Outside the part that reloads, so the prompt keeps the input it repeats.
            <StepUpPrompt action=save id="bank-account-step-up" />
        </section>
    }
}

#[component]
fn AccountFacts(account: Option<BankAccountView>) -> impl IntoView {
    let Some(account) = account else {
        return view! { <p>"No account yet. Payouts go to an account in the business's name (or, for an individual business, the representative's)."</p> }
            .into_any();
    };
    let hold = account.on_hold.then(|| {
        view! {
            <p class="notice" role="status">
                {format!(
                    "Payouts to this account start on {}. A changed account waits 72 hours, and every owner and admin was told by email.",
                    account.payouts_from
                )}
            </p>
        }
    });
    let earlier = (account.previous > 0)
        .then(|| view! { <dt>"Earlier accounts"</dt><dd>{account.previous}</dd> });
    view! {
        <dl class="facts">
            <dt>"Account holder"</dt><dd>{account.holder_name}</dd>
            <dt>"IBAN"</dt><dd><code>{account.iban_masked}</code></dd>
            <dt>"Since"</dt><dd>{account.since}</dd>
            {earlier}
        </dl>
        {hold}
    }
    .into_any()
}

#[component]
fn AccountForm(save: ServerAction<SetBankAccount>, exists: bool) -> impl IntoView {
    let holder_error = field_error(save, "holder_name");
    let iban_error = field_error(save, "iban");
    // The typed IBAN leaves the page as soon as the server has answered, whatever the
    // answer; a retry after the step-up resends the arguments the action holds.
    let emptied = move || {
        save.version().track();
        String::new()
    };
    let (heading, button) = if exists {
        ("Change the account", "Change the account")
    } else {
        ("Set the account", "Save the account")
    };
    let warning = exists.then(|| {
        view! {
            <p class="aside">
                "Every owner and admin is told by email, and payouts to the new account start only after 72 hours."
            </p>
        }
    });
    view! {
        <h3>{heading}</h3>
        {warning}
        <ActionForm action=save attr:class="form">
            <div class="field">
                <label for="bank-holder-name">"Account holder"</label>
                <input id="bank-holder-name" name="holder_name" required maxlength="200" autocomplete="off"
                    aria-describedby="bank-holder-name-hint bank-holder-name-error" />
                <p class="field-hint" id="bank-holder-name-hint">
                    "As the bank has it: the business's registered or trading name, or for an individual business the representative's name."
                </p>
                <p class="field-error" id="bank-holder-name-error" role="alert">{move || holder_error.get()}</p>
            </div>
            <div class="field">
                <label for="bank-iban">"IBAN"</label>
                <input id="bank-iban" name="iban" required maxlength="42" autocomplete="off" autocapitalize="characters"
                    spellcheck="false" prop:value=emptied aria-describedby="bank-iban-hint bank-iban-error" />
                <p class="field-hint" id="bank-iban-hint">"For example XK05 1212 0123 4567 8906. Spaces are fine."</p>
                <p class="field-error" id="bank-iban-error" role="alert">{move || iban_error.get()}</p>
            </div>
            <FormError message=form_error(save, FIELDS) />
            <Show when=succeeded(save)>
                <p class="success" role="status">"The account is saved. Only its last four characters are shown from now on."</p>
            </Show>
            <p class="aside">"Saving asks for a code from your authenticator app."</p>
            <button type="submit" disabled=move || save.pending().get()>{button}</button>
        </ActionForm>
    }
}
