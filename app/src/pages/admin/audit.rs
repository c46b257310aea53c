//! The Audit module: search the trail by actor, merchant, event type, outcome and dates,
//! newest first, fifty rows a page; open a row's detail; export the filtered view as CSV.

use leptos::prelude::*;
use leptos_meta::Title;

use super::AdminShell;
use crate::audit_log::{AuditExport, AuditFilter, AuditPageView, AuditRowView, audit_search};
use crate::components::download::text_data_url;
use crate::components::form::{FormError, form_error};
use crate::components::step_up::StepUpPrompt;

#[component]
pub fn AuditPage() -> impl IntoView {
    let fields = [(); 6].map(|_| RwSignal::new(String::new()));
    let [actor, merchant, event_type, outcome, from, until] = fields;
    let typed = move || AuditFilter {
        actor: actor.get(),
        merchant: merchant.get(),
        event_type: event_type.get(),
        outcome: outcome.get(),
        from: from.get(),
        until: until.get(),
    };
    let applied = RwSignal::new(AuditFilter::default());
    let before = RwSignal::new(String::new());
    let page = Resource::new(
        move || (applied.get(), before.get()),
        |(filter, before)| audit_search(filter, before),
    );
    let export = ServerAction::<AuditExport>::new();
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        before.set(String::new());
        applied.set(typed());
    };
    let text_field =
        |label: &'static str, id: &'static str, value: RwSignal<String>, hint: &'static str| {
            view! {
                <div class="field">
                    <label for=id>{label}</label>
                    <input id=id bind:value=value placeholder=hint />
                </div>
            }
        };
    view! {
        <Title text="Audit" />
        <AdminShell>
            <h1>"Audit"</h1>
            <form class="form audit-filter" on:submit=search>
                {text_field("Event type", "event_type", event_type, "auth.sign_in, or auth.")}
                <div class="field">
                    <label for="outcome">"Outcome"</label>
                    <select id="outcome" bind:value=outcome>
                        <option value="">"Any"</option>
                        <option value="success">"Success"</option>
                        <option value="failure">"Failure"</option>
                        <option value="denied">"Denied"</option>
                    </select>
                </div>
                {text_field("Actor id", "actor", actor, "user or staff id")}
                {text_field("Merchant id", "merchant", merchant, "")}
                <div class="field"><label for="from">"From"</label><input id="from" type="date" bind:value=from /></div>
                <div class="field"><label for="until">"Until"</label><input id="until" type="date" bind:value=until /></div>
                <button type="submit">"Search"</button>
            </form>
            <Transition fallback=|| view! { <p>"Loading the trail…"</p> }>
                {move || page.get().map(|result| match result {
                    Ok(view) => view! { <Results view before /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <p class="actions">
                <button type="button" class="secondary" on:click=move |_| {
                    export.dispatch(AuditExport { filter: applied.get_untracked() });
                }>"Export this view as CSV"</button>
                {move || export.value().get().and_then(Result::ok).map(|csv| view! {
                    <a class="button" href=text_data_url("text/csv", &csv) download="saleonix-audit.csv">"Download saleonix-audit.csv"</a>
                })}
            </p>
            <FormError message=form_error(export, &[]) />
            <StepUpPrompt action=export id="export-step-up" />
        </AdminShell>
    }
}

#[component]
fn Results(view: AuditPageView, before: RwSignal<String>) -> impl IntoView {
    let AuditPageView {
        rows,
        next_before,
        head,
        last_check,
    } = view;
    let empty = rows.is_empty();
    view! {
        <p class="chain">
            {format!("Chain head: {}", head.unwrap_or_else(|| "no rows yet".into()))}
            " · "
            {format!("Last verified: {}", last_check.unwrap_or_else(|| "never".into()))}
        </p>
        {empty.then(|| view! { <p>"No events match."</p> })}
        <table class="audit">
            <thead>
                <tr><th>"When"</th><th>"Event"</th><th>"Actor"</th><th>"Outcome"</th><th>"Detail"</th></tr>
            </thead>
            <tbody>{rows.into_iter().map(|row| view! { <AuditRow row /> }).collect_view()}</tbody>
        </table>
        <p class="actions">
            <button type="button" class="secondary" on:click=move |_| before.set(String::new())>"Newest"</button>
            {next_before.map(|older| view! {
                <button type="button" class="secondary" on:click=move |_| before.set(older.to_string())>"Older"</button>
            })}
        </p>
    }
}

#[component]
fn AuditRow(row: AuditRowView) -> impl IntoView {
    let facts = [
        ("Row", Some(format!("#{}", row.id))),
        ("Merchant", row.merchant_id),
        ("Target", row.target),
        ("Reason", row.reason.clone()),
        ("Detail", Some(row.detail)),
        ("IP address", row.ip),
        ("User agent", row.user_agent),
        ("Subject email", row.subject_email),
        ("Request id", row.request_id),
    ];
    let class = format!("outcome-{}", row.outcome);
    view! {
        <tr class=class>
            <td>{row.occurred_at}</td>
            <td><code>{row.event_type}</code></td>
            <td>{row.actor}</td>
            <td>{row.outcome}{row.reason.map(|reason| format!(": {reason}"))}</td>
            <td>
                <details>
                    <summary>"Open"</summary>
                    <dl>
                        {facts.into_iter().filter_map(|(label, value)| value.map(|value| view! {
                            <dt>{label}</dt><dd>{value}</dd>
                        })).collect_view()}
                    </dl>
                </details>
            </td>
        </tr>
    }
}
