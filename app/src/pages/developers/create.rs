//! The form that makes a key: its name, its mode, and full access or a level per
//! resource. Making a key asks for a fresh code (the page's step-up prompt), and the
//! secret then shows once above the list.

use leptos::prelude::*;

use crate::components::form::{Field, FormError, field_error, form_error};
use crate::developers::{CreateApiKey, RESOURCES};

const FIELDS: &[&str] = &["name", "mode", "access"];

#[component]
pub fn CreateKeyForm(create: ServerAction<CreateApiKey>, live_open: bool) -> impl IntoView {
    let mode_error = field_error(create, "mode");
    let access_error = field_error(create, "access");
    let matrix = RESOURCES
        .iter()
        .map(|(name, label, writable)| {
            let id = format!("grant-{name}");
            // The balance and payouts are read only: the platform refuses a write grant.
            let write = writable.then(|| view! { <option value="write">"Read and write"</option> });
            view! {
                <tr>
                    <th scope="row"><label for=id.clone()>{*label}</label></th>
                    <td>
                        <select id=id name=format!("grants[{name}]")>
                            <option value="none" selected>"None"</option>
                            <option value="read">"Read"</option>
                            {write}
                        </select>
                    </td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <ActionForm action=create attr:class="form">
            <Field label="Name" name="key-name" error=field_error(create, "name")
                hint="What uses it, for example \u{201c}Shop backend\u{201d}.">
                <input id="key-name" name="name" required maxlength="100" autocomplete="off"
                    aria-describedby="key-name-error" />
            </Field>
            <fieldset class="choice" aria-describedby="key-mode-error">
                <legend>"Mode"</legend>
                <label class="check"><input type="radio" name="mode" value="test" checked />"Test: the sandbox, no money moves"</label>
                // Offered only while Live Mode is open to the merchant; the platform checks again.
                <label class="check"><input type="radio" name="mode" value="live" disabled=!live_open />
                    {if live_open { "Live: real payments" } else { "Live: real payments, not open to your account now" }}
                </label>
                <p class="field-error" id="key-mode-error" role="alert">{move || mode_error.get()}</p>
            </fieldset>
            <fieldset class="choice" aria-describedby="key-access-error key-access-hint">
                <legend>"Permissions"</legend>
                <label class="check"><input type="radio" name="access" value="full" checked />"Full access"</label>
                <label class="check"><input type="radio" name="access" value="restricted" />"Restricted: only what the table below allows"</label>
                <p class="field-hint" id="key-access-hint">
                    "Give a key only what its program needs. A key that can refund needs an owner, admin or finance member to make it."
                </p>
                <table class="list grants-matrix">
                    <caption>"Restricted key: access per resource"</caption>
                    <thead><tr><th scope="col">"Resource"</th><th scope="col">"Access"</th></tr></thead>
                    <tbody>{matrix}</tbody>
                </table>
                <p class="field-error" id="key-access-error" role="alert">{move || access_error.get()}</p>
            </fieldset>
            <FormError message=form_error(create, FIELDS) />
            <p class="aside">"Making a key asks for a code from your authenticator app. Every owner is told by email."</p>
            <button type="submit" disabled=move || create.pending().get()>"Make the key"</button>
        </ActionForm>
    }
    .into_any()
}
