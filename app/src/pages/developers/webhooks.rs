//! The webhooks page: the endpoints of the dashboard's mode, each with its log, enable or
//! disable, a test event, rotate and delete (behind a confirmation step each, a
//! `<details>` that opens the final form, so it works with and without WASM), and the
//! form that adds one. A new signing secret shows once, above the list.

use leptos::prelude::*;

use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::components::shown_once::{NewSecretNotice, SecretWords, ShownOnce};
use crate::components::step_up::StepUpPrompt;
use crate::pages::developers::endpoint_form::{EventTypesChoice, FIELDS};
use crate::pages::payments::{DashboardShell, load_error};
use crate::payments::DashboardView;
use crate::webhooks::{
    CreateWebhookEndpoint, DeleteWebhookEndpoint, EndpointRow, NewSigningSecret, ROTATE_OVERLAPS,
    RotateWebhookSecret, SendTestWebhook, SetWebhookEndpointEnabled, webhook_endpoints,
};

/// The page's actions: the list reloads after each.
#[derive(Clone, Copy)]
struct EndpointActions {
    create: ServerAction<CreateWebhookEndpoint>,
    enable: ServerAction<SetWebhookEndpointEnabled>,
    rotate: ServerAction<RotateWebhookSecret>,
    delete: ServerAction<DeleteWebhookEndpoint>,
    test: ServerAction<SendTestWebhook>,
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let actions = EndpointActions {
        create: ServerAction::new(),
        enable: ServerAction::new(),
        rotate: ServerAction::new(),
        delete: ServerAction::new(),
        test: ServerAction::new(),
    };
    view! { <DashboardShell title="Webhooks" body=move |_: DashboardView| {
        view! { <WebhooksBody actions /> }.into_any()
    } /> }
}

#[component]
fn WebhooksBody(actions: EndpointActions) -> impl IntoView {
    let EndpointActions {
        create,
        enable,
        rotate,
        delete,
        test,
    } = actions;
    let versions = move || {
        (
            create.version().get(),
            enable.version().get(),
            rotate.version().get(),
            delete.version().get(),
        )
    };
    let list = Resource::new(versions, |_| webhook_endpoints());
    view! {
        <p>
            <a href="/dashboard/developers">"Developers"</a>" · "
            <a href="/dashboard/developers/events">"Events"</a>
        </p>
        <p>
            "Saleonix posts each event to your endpoints, signed with the endpoint's secret. "
            "These are the endpoints of the mode shown above."
        </p>
        {view! {
        <section class="panel" aria-labelledby="endpoints-heading">
            <h2 id="endpoints-heading">"Endpoints"</h2>
            <NewSecretNotice action=create id="created-endpoint" words=SIGNING_WORDS />
            <NewSecretNotice action=rotate id="rotated-endpoint" words=SIGNING_WORDS />
            <Transition fallback=|| view! { <p>"Loading the endpoints…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(page) => view! { <EndpointTable endpoints=page.endpoints actions /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <Show when=succeeded(test)>
                <p class="success" role="status">"The test event is on its way: its attempt shows in the endpoint's log."</p>
            </Show>
            <Show when=succeeded(delete)>
                <p class="success" role="status">"The endpoint is deleted: it receives nothing more."</p>
            </Show>
            <FormError message=form_error(enable, &[]) />
            <FormError message=form_error(rotate, &[]) />
            <FormError message=form_error(delete, &[]) />
            <FormError message=form_error(test, &[]) />
            <StepUpPrompt action=rotate id="rotate-endpoint-step-up" />
            <StepUpPrompt action=delete id="delete-endpoint-step-up" />
        </section>
        }.into_any()}
        {view! {
        <section class="panel" aria-labelledby="create-endpoint-heading">
            <h2 id="create-endpoint-heading">"Add an endpoint"</h2>
            <CreateEndpointForm create />
            <StepUpPrompt action=create id="create-endpoint-step-up" />
        </section>
        }.into_any()}
    }
    .into_any()
}

impl ShownOnce for NewSigningSecret {
    fn heading(&self) -> String {
        format!(
            "The signing secret of {} ({}): copy it now",
            self.url,
            self.mode.label()
        )
    }

    fn secret(&self) -> String {
        self.secret.clone()
    }
}

const SIGNING_WORDS: SecretWords = SecretWords {
    noun: "secret",
    advice: "Your server verifies each webhook's signature with it. Store it in your server's secrets; if it is lost, rotate it.",
    label: "Signing secret",
    copy_label: "Copy the signing secret",
};

#[component]
fn EndpointTable(endpoints: Vec<EndpointRow>, actions: EndpointActions) -> impl IntoView {
    if endpoints.is_empty() {
        return view! { <p>"No endpoints in this mode yet. Add one below."</p> }.into_any();
    }
    view! {
        <table class="list endpoints">
            <thead>
                <tr>
                    <th scope="col">"Endpoint"</th>
                    <th scope="col">"Events"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {endpoints.into_iter().map(|endpoint| view! { <EndpointLine endpoint actions /> }.into_any()).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn EndpointLine(endpoint: EndpointRow, actions: EndpointActions) -> impl IntoView {
    let EndpointActions {
        enable,
        rotate,
        delete,
        test,
        ..
    } = actions;
    let status = match &endpoint.disabled_because {
        None => view! { <span class="badge ok">"Enabled"</span> }.into_any(),
        Some(reason) => view! { <span class="badge bad">{reason.clone()}</span> }.into_any(),
    };
    let (switch_to, switch_label) = if endpoint.enabled {
        ("false", "Disable")
    } else {
        ("true", "Enable")
    };
    let overlap_id = format!("overlap-{}", endpoint.id);
    let options = ROTATE_OVERLAPS
        .iter()
        .map(|(hours, label)| view! { <option value=hours.to_string() selected=*hours == 24>{*label}</option> })
        .collect_view();
    let log = format!("/dashboard/developers/webhooks/{}", endpoint.id);
    let id = endpoint.id.clone();
    let (id2, id3, id4) = (id.clone(), id.clone(), id.clone());
    let url = endpoint.url.clone();
    view! {
        <tr>
            <td>
                <a href=log><code>{endpoint.url.clone()}</code></a>
                <br /><span class="aside">{endpoint.description.clone()}</span>
                <br /><span class="aside">{format!("Added {}", endpoint.created_at)}</span>
            </td>
            <td>{endpoint.event_types.clone()}</td>
            <td>{status}</td>
            <td class="row-actions">
                <ActionForm action=enable attr:class="inline">
                    <input type="hidden" name="endpoint_id" value=id />
                    <input type="hidden" name="enabled" value=switch_to />
                    <button type="submit" class="secondary" disabled=move || enable.pending().get()>{switch_label}</button>
                </ActionForm>
                <ActionForm action=test attr:class="inline">
                    <input type="hidden" name="endpoint_id" value=id2 />
                    <button type="submit" class="secondary" disabled=move || test.pending().get()>"Send a test event"</button>
                </ActionForm>
                <details class="confirm">
                    <summary>"Rotate the secret…"</summary>
                    <ActionForm action=rotate attr:class="form">
                        <input type="hidden" name="endpoint_id" value=id3 />
                        <div class="field">
                            <label for=overlap_id.clone()>"When the old secret stops signing"</label>
                            <select id=overlap_id name="overlap_hours">{options}</select>
                        </div>
                        <p>"A new secret is shown once. Rotate it with a code from your authenticator app."</p>
                        <button type="submit" disabled=move || rotate.pending().get()>"Rotate the secret"</button>
                    </ActionForm>
                </details>
                <details class="confirm">
                    <summary>"Delete…"</summary>
                    <ActionForm action=delete attr:class="form">
                        <input type="hidden" name="endpoint_id" value=id4 />
                        <p>{format!("{url} receives no more events, and its pending deliveries are dropped. This cannot be undone.")}</p>
                        <button type="submit" class="danger" disabled=move || delete.pending().get()>"Yes, delete the endpoint"</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn CreateEndpointForm(create: ServerAction<CreateWebhookEndpoint>) -> impl IntoView {
    view! {
        <ActionForm action=create attr:class="form">
            <Field label="Endpoint URL" name="endpoint-url" error=field_error(create, "url")
                hint="Your server's full address, such as https://shop.example/webhooks. Live Mode endpoints need https:// and a public address.">
                <input id="endpoint-url" name="url" type="url" required maxlength="2048" autocomplete="off"
                    aria-describedby="endpoint-url-error" />
            </Field>
            <Field label="Description" name="endpoint-description" error=field_error(create, "description")
                hint="Optional: what receives it.">
                <input id="endpoint-description" name="description" maxlength="500" autocomplete="off"
                    aria-describedby="endpoint-description-error" />
            </Field>
            <EventTypesChoice chosen=None error_id="endpoint-types-error" error=field_error(create, "event_types") />
            <FormError message=form_error(create, FIELDS) />
            <p class="aside">"Adding an endpoint asks for a code from your authenticator app."</p>
            <button type="submit" disabled=move || create.pending().get()>"Add the endpoint"</button>
        </ActionForm>
    }
    .into_any()
}
