//! One endpoint's page: its settings with the form that edits them, and its delivery log:
//! every attempt of the last 30 days, newest first, 100 a page with "Older attempts"
//! (`?older=` the last attempt's id), with its outcome and the start of the answer, a
//! resend per event, and "resend all failed since".

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::components::step_up::StepUpPrompt;
use crate::error::AppError;
use crate::pages::developers::endpoint_form::EditEndpointForm;
use crate::pages::payments::{DashboardShell, load_error};
use crate::payments::DashboardView;
use crate::webhook_log::{
    AttemptRow, DeliveryLog, ResendFailedWebhooks, ResendWebhookEvent, webhook_delivery_log,
};
use crate::webhooks::UpdateWebhookEndpoint;

#[component]
pub fn WebhookLogPage() -> impl IntoView {
    view! { <DashboardShell title="Webhook endpoint" body=move |_: DashboardView| {
        view! { <LogBody /> }.into_any()
    } /> }
}

#[component]
fn LogBody() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let resend = ServerAction::<ResendWebhookEvent>::new();
    let resend_failed = ServerAction::<ResendFailedWebhooks>::new();
    let update = ServerAction::<UpdateWebhookEndpoint>::new();
    let log = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                query.read().get("older"),
                resend.version().get(),
                resend_failed.version().get(),
                update.version().get(),
            )
        },
        |(id, older, _, _, _)| webhook_delivery_log(id, older),
    );
    view! {
        <p class="aside"><a href="/dashboard/developers/webhooks">"All endpoints"</a></p>
        <Transition fallback=|| view! { <p>"Loading the log…"</p> }>
            {move || log.get().map(|result| match result {
                Ok(log) => view! { <Log log resend resend_failed update /> }.into_any(),
                Err(AppError::NotFound) => view! { <p>"No endpoint of this mode has that id, or that page of its log is no longer kept."</p> }.into_any(),
                Err(error) => load_error(error),
            })}
        </Transition>
        // Outside the part that reloads, so the prompt survives the log's reload.
        <StepUpPrompt action=update id="edit-endpoint-step-up" />
    }
    .into_any()
}

#[component]
fn Log(
    log: DeliveryLog,
    resend: ServerAction<ResendWebhookEvent>,
    resend_failed: ServerAction<ResendFailedWebhooks>,
    update: ServerAction<UpdateWebhookEndpoint>,
) -> impl IntoView {
    let DeliveryLog {
        endpoint,
        attempts,
        older,
    } = log;
    let here = format!("/dashboard/developers/webhooks/{}", endpoint.id);
    // An older page links back to the newest; any page with more links past its last row.
    let newest = use_query_map()
        .read_untracked()
        .get("older")
        .map(|_| view! { <a href=here.clone()>"Newest attempts"</a>" " });
    let older =
        older.map(|cursor| view! { <a href=format!("{here}?older={cursor}")>"Older attempts"</a> });
    let queued = move || {
        resend_failed
            .value()
            .with(|answer| answer.as_ref().and_then(|a| a.as_ref().ok()).copied())
    };
    let id = endpoint.id.clone();
    let edit = endpoint.clone();
    let rows = attempts
        .into_iter()
        .map(|attempt| view! { <AttemptLine attempt endpoint_id=id.clone() resend /> }.into_any())
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="endpoint-heading">
            <h2 id="endpoint-heading"><code>{endpoint.url.clone()}</code></h2>
            <p>{endpoint.description.clone()}</p>
            <p>{format!("Events: {}", endpoint.event_types)}</p>
            <p>{endpoint.disabled_because.clone().unwrap_or_else(|| "Enabled".into())}</p>
        </section>
        <EditEndpointForm endpoint=edit update />
        <section class="panel" aria-labelledby="log-heading">
            <h2 id="log-heading">"Delivery log: the last 30 days"</h2>
            <table class="list attempts">
                <thead>
                    <tr>
                        <th scope="col">"Event"</th>
                        <th scope="col">"Attempt"</th>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Duration"</th>
                        <th scope="col">"Answer"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="aside">{newest}{older}</p>
            <Show when=succeeded(resend)>
                <p class="success" role="status">"The event is queued again for this endpoint."</p>
            </Show>
            <FormError message=form_error(resend, &[]) />
        </section>
        <section class="panel" aria-labelledby="resend-failed-heading">
            <h2 id="resend-failed-heading">"Resend failed events"</h2>
            <ActionForm action=resend_failed attr:class="form">
                <input type="hidden" name="endpoint_id" value=endpoint.id />
                <Field label="Failed since (UTC)" name="resend-since" error=field_error(resend_failed, "since")
                    hint="Every event since then whose delivery failed, and has not succeeded since, is sent again.">
                    <input id="resend-since" name="since" type="datetime-local" required aria-describedby="resend-since-error" />
                </Field>
                <FormError message=form_error(resend_failed, &["since"]) />
                <button type="submit" disabled=move || resend_failed.pending().get()>"Resend the failed events"</button>
            </ActionForm>
            {move || queued().map(|count| view! { <p class="success" role="status">{format!("{count} events queued again.")}</p> })}
        </section>
    }
    .into_any()
}

#[component]
fn AttemptLine(
    attempt: AttemptRow,
    endpoint_id: String,
    resend: ServerAction<ResendWebhookEvent>,
) -> impl IntoView {
    let badge = if attempt.succeeded {
        "badge ok"
    } else {
        "badge bad"
    };
    let body = attempt
        .response_body
        .clone()
        .filter(|body| !body.is_empty())
        .map(|body| {
            view! { <details><summary>"Response body"</summary><pre>{body}</pre></details> }
        });
    let kind = if attempt.manual {
        " (sent by hand)"
    } else {
        ""
    };
    view! {
        <tr>
            <td>{attempt.event_type.clone()}<br /><code class="aside">{attempt.event_id.clone()}</code></td>
            <td>{format!("{}{kind}", attempt.attempt)}</td>
            <td>{attempt.attempted_at.clone()}</td>
            <td><span class=badge>{attempt.outcome.clone()}</span></td>
            <td>{format!("{} ms", attempt.duration_ms)}</td>
            <td>{body}</td>
            <td class="row-actions">
                <ActionForm action=resend attr:class="inline">
                    <input type="hidden" name="endpoint_id" value=endpoint_id />
                    <input type="hidden" name="event_id" value=attempt.event_id.clone() />
                    <button type="submit" class="secondary" disabled=move || resend.pending().get()>"Resend"</button>
                </ActionForm>
            </td>
        </tr>
    }
    .into_any()
}
