//! The parts of an endpoint's form that adding and editing share: the choice of event
//! types (all, or the boxes checked), and the edit form on the endpoint's page, filled
//! in with what the endpoint has now.

use leptos::prelude::*;

use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::webhooks::{EndpointRow, UpdateWebhookEndpoint};

/// The fields the endpoint forms show errors beside.
pub const FIELDS: &[&str] = &["url", "description", "event_types"];

/// "All events" or the checked types; `chosen` pre-selects (`None`: all). `error_id` is
/// the id of the inline error, distinct per form on a page.
#[component]
pub fn EventTypesChoice(
    chosen: Option<Vec<String>>,
    error_id: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let all = chosen.is_none();
    let chosen = chosen.unwrap_or_default();
    let boxes = domain::EventType::ALL
        .iter()
        .map(|kind| {
            let name = kind.as_str();
            let checked = chosen.iter().any(|c| c == name);
            view! {
                <label class="check"><input type="checkbox" name=format!("types[{name}]") value="on" checked=checked />{name}</label>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <fieldset class="choice" aria-describedby=error_id>
            <legend>"Events"</legend>
            <label class="check"><input type="radio" name="events" value="all" checked=all />"All events, including types added later"</label>
            <label class="check"><input type="radio" name="events" value="chosen" checked=!all />"Only the types checked below"</label>
            {boxes}
            <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
        </fieldset>
    }
    .into_any()
}

/// Changes the endpoint's URL, description and event types; asks for a fresh code (the
/// page's step-up prompt) like adding one.
#[component]
pub fn EditEndpointForm(
    endpoint: EndpointRow,
    update: ServerAction<UpdateWebhookEndpoint>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="edit-endpoint-heading">
            <h2 id="edit-endpoint-heading">"Edit the endpoint"</h2>
            <ActionForm action=update attr:class="form">
                <input type="hidden" name="endpoint_id" value=endpoint.id />
                <Field label="Endpoint URL" name="edit-url" error=field_error(update, "url")
                    hint="Live Mode endpoints need https:// and a public address.">
                    <input id="edit-url" name="url" type="url" required maxlength="2048" autocomplete="off"
                        value=endpoint.url aria-describedby="edit-url-error" />
                </Field>
                <Field label="Description" name="edit-description" error=field_error(update, "description")>
                    <input id="edit-description" name="description" maxlength="500" autocomplete="off"
                        value=endpoint.description aria-describedby="edit-description-error" />
                </Field>
                <EventTypesChoice chosen=endpoint.chosen_types error_id="edit-types-error"
                    error=field_error(update, "event_types") />
                <FormError message=form_error(update, FIELDS) />
                <p class="aside">"Saving asks for a code from your authenticator app."</p>
                <button type="submit" disabled=move || update.pending().get()>"Save the endpoint"</button>
            </ActionForm>
            <Show when=succeeded(update)>
                <p class="success" role="status">"The endpoint is saved: the next events follow it."</p>
            </Show>
        </section>
    }
    .into_any()
}
