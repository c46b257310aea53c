//! The account page's "Your data" panel for merchant team members: a copy of their data
//! by a mailed link, and closing the account (`crate::own_data`).

use leptos::prelude::*;

use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::components::step_up::StepUpPrompt;
use crate::own_data::{CloseMyAccount, ExportMyData};

#[component]
pub fn OwnData() -> impl IntoView {
    let export = ServerAction::<ExportMyData>::new();
    let close = ServerAction::<CloseMyAccount>::new();
    view! {
        <section class="panel" aria-labelledby="own-data-heading">
            <h2 id="own-data-heading">"Your data"</h2>
            <p>
                "A copy of everything Saleonix holds about your email address: a ZIP of JSON files with a README. "
                "We email you a link that works once, for seven days. The "
                <a href="/privacy">"privacy policy"</a>
                " says what we hold and why."
            </p>
            <ActionForm action=export attr:class="form">
                <FormError message=form_error(export, &[]) />
                <Show when=succeeded(export)>
                    <p class="success" role="status">"The link is on its way to your email address."</p>
                </Show>
                <button type="submit" class="secondary" disabled=move || export.pending().get()>"Email me a copy of my data"</button>
            </ActionForm>
            <h3 id="close-heading">"Close your account"</h3>
            <p>
                "You can no longer sign in, every session ends, and your name, sign-in details and addresses are erased. "
                "Payment records are kept without your email address for the five years the law requires. "
                "If you own the business and others are on its team, first make one of them the owner on the Team page. "
                "If you are its only member, the business's merchant account closes too: it takes no more payments."
            </p>
            <ActionForm action=close attr:class="form" attr:aria-labelledby="close-heading">
                <Field label="Your password" name="password" error=field_error(close, "password")>
                    <input id="password" name="password" type="password" required autocomplete="current-password" />
                </Field>
                <div class="field">
                    <label>
                        <input type="checkbox" name="understood" value="yes" required aria-describedby="understood-error" />
                        " I understand that closing my account cannot be undone."
                    </label>
                    <p class="field-error" id="understood-error" role="alert">{move || field_error(close, "understood").get()}</p>
                </div>
                <FormError message=form_error(close, &["password", "understood"]) />
                <button type="submit" class="danger" disabled=move || close.pending().get()>"Close my account"</button>
            </ActionForm>
            <StepUpPrompt action=close id="close-step-up" />
        </section>
    }
}
