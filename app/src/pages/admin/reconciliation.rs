//! The Reconciliation module: the exception queue (open first; `?exceptions=all` adds the
//! closed ones), each open exception closed with a note by accepting the gateway's state or
//! marking it resolved (reconciliation `act`); duplicate charges appear there too and close
//! by themselves once returned. The daily report for a chosen day
//! (`?day=YYYY-MM-DD`, today by default) with its CSV download.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::AdminShell;
use crate::components::download::text_data_url;
use crate::components::form::{FormError, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::pages::payments::load_error;
use crate::reconciliation::{
    CloseException, ExceptionView, ExceptionsView, ExportDailyReport, ReportView, daily_report,
    reconciliation_exceptions,
};

#[component]
pub fn ReconciliationPage() -> impl IntoView {
    let query = use_query_map();
    let all = move || query.read().get("exceptions").is_some_and(|v| v == "all");
    let day = move || query.read().get("day").unwrap_or_default();
    let close = ServerAction::<CloseException>::new();
    let exceptions = Resource::new(
        move || (all(), close.version().get()),
        |(all, _)| reconciliation_exceptions(all),
    );
    let report = Resource::new(day, daily_report);
    let export = ServerAction::<ExportDailyReport>::new();
    view! {
        <Title text="Reconciliation" />
        <AdminShell>
            <h1>"Reconciliation"</h1>
            <section class="panel" aria-labelledby="exceptions-heading">
                <h2 id="exceptions-heading">"Exceptions"</h2>
                <p class="aside">
                    {move || if all() {
                        view! { <a href=format!("?day={}", day())>"Show open exceptions only"</a> }
                    } else {
                        view! { <a href=format!("?exceptions=all&day={}", day())>"Show closed exceptions too"</a> }
                    }}
                </p>
                <Transition fallback=|| view! { <p>"Loading exceptions…"</p> }>
                    {move || exceptions.get().map(|result| match result {
                        Ok(view) => view! { <Exceptions view close /> }.into_any(),
                        Err(error) => load_error(error),
                    })}
                </Transition>
                <FormError message=form_error(close, &[]) />
                <StepUpPrompt action=close id="close-step-up" />
            </section>
            <section class="panel" aria-labelledby="report-heading">
                <h2 id="report-heading">"Daily report"</h2>
                <Transition fallback=|| view! { <p>"Loading the report…"</p> }>
                    {move || report.get().map(|result| match result {
                        Ok(report) => view! { <Report report export keep_all=all() /> }.into_any(),
                        Err(error) => load_error(error),
                    })}
                </Transition>
                <p class="actions">
                    {move || export.value().get().and_then(Result::ok).map(|file| view! {
                        <a class="button" href=text_data_url("text/csv", &file.csv) download=file.file_name.clone()>
                            {format!("Download {}", file.file_name)}
                        </a>
                    })}
                </p>
                <FormError message=form_error(export, &[]) />
            </section>
        </AdminShell>
    }
}

#[component]
fn Exceptions(view: ExceptionsView, close: ServerAction<CloseException>) -> impl IntoView {
    let ExceptionsView { rows, can_act } = view;
    if rows.is_empty() {
        return view! { <p>"No exceptions: every checked payment agrees with the gateway."</p> }
            .into_any();
    }
    view! {
        <table class="list">
            <thead>
                <tr><th>"Opened"</th><th>"Merchant"</th><th>"Order"</th><th>"Kind"</th><th>"Ours"</th><th>"Gateway's"</th><th>"Closing"</th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|e| view! { <ExceptionRow e close can_act /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn ExceptionRow(
    e: ExceptionView,
    close: ServerAction<CloseException>,
    can_act: bool,
) -> impl IntoView {
    let kind = match e.kind.as_str() {
        "unresolved" => "No answer from the gateway",
        "duplicate" => "Duplicate charge",
        "late_capture" => "Charge after a decline or expiry",
        "series_unknown" => "Subscription series id unknown",
        _ => "Disagreement",
    };
    let closing = match (e.closed, can_act) {
        (Some(closed), _) => {
            let how = match e.resolution.as_deref() {
                Some("accepted_gateway") => "Gateway's state accepted",
                Some("returned") => "Returned to the buyer",
                _ => "Resolved",
            };
            view! { <span>{format!("{how} {closed}")}</span> {e.note.map(|note| view! { <br /><span class="aside">{note}</span> })} }
                .into_any()
        }
        (None, true) => {
            let note_label = format!("Note on {}", e.order_id);
            let attach = (e.kind == "series_unknown").then(|| {
                let series_label = format!("Series id of {} from Payten's merchant portal", e.order_id);
                let id = e.id.clone();
                view! {
                    <ActionForm action=close attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <input name="series_id" required maxlength="64" autocomplete="off" aria-label=series_label placeholder="Series id" />
                        <button type="submit" name="resolution" value="attach" class="secondary" disabled=move || close.pending().get()>
                            "Attach the series"
                        </button>
                    </ActionForm>
                }
            });
            view! {
                {attach}
                <ActionForm action=close attr:class="form">
                    <input type="hidden" name="id" value=e.id />
                    <input name="note" required maxlength="1000" autocomplete="off" aria-label=note_label placeholder="Why (required)" />
                    <span class="actions">
                        {e.can_accept.then(|| view! {
                            <button type="submit" name="resolution" value="accept" class="secondary" disabled=move || close.pending().get()>
                                "Accept the gateway's state"
                            </button>
                        })}
                        <button type="submit" name="resolution" value="resolve" class="secondary" disabled=move || close.pending().get()>
                            "Mark resolved"
                        </button>
                    </span>
                </ActionForm>
            }
            .into_any()
        }
        (None, false) => view! { <span class="aside">"Open"</span> }.into_any(),
    };
    view! {
        <tr>
            <td>{e.opened}</td>
            <td>{e.merchant_name}</td>
            <td><code>{e.order_id}</code>" "<span class="badge">{e.mode.label()}</span></td>
            <td>{kind}</td>
            <td>{e.ours}</td>
            <td>{e.gateway}</td>
            <td>{closing}</td>
        </tr>
    }
}

#[component]
fn Report(
    report: ReportView,
    export: ServerAction<ExportDailyReport>,
    keep_all: bool,
) -> impl IntoView {
    let ReportView { day, lines } = report;
    let table = if lines.is_empty() {
        view! { <p>"No payments or refunds on this day."</p> }.into_any()
    } else {
        view! {
            <table class="list">
                <thead>
                    <tr>
                        <th>"Merchant"</th><th>"Mode"</th><th>"Payments"</th><th>"Paid"</th><th>"Refunds"</th><th>"Refunded"</th>
                        <th>"Matched"</th><th>"Disagreeing"</th><th>"Duplicate charges"</th><th>"Duplicates returned"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|l| view! {
                        <tr>
                            <td>{l.merchant_name}</td>
                            <td>{l.mode.label()}</td>
                            <td>{l.payments}</td>
                            <td>{l.payments_total.to_string()}</td>
                            <td>{l.refunds}</td>
                            <td>{l.refunds_total.to_string()}</td>
                            <td>{l.matched}</td>
                            <td>{l.mismatched}</td>
                            <td>{format!("{} ({})", l.duplicates, l.duplicates_total)}</td>
                            <td>{l.duplicates_returned}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let export_day = day.clone();
    view! {
        // A plain GET form: the day goes into the address.
        <form class="form filter-grid" method="get" action="/admin/reconciliation" aria-label="Choose the day">
            {keep_all.then(|| view! { <input type="hidden" name="exceptions" value="all" /> })}
            <div class="field">
                <label for="day">"Day (UTC)"</label>
                <input id="day" name="day" type="date" value=day />
            </div>
            <button type="submit">"Show the day"</button>
        </form>
        {table}
        <p class="actions">
            <button type="button" class="secondary" disabled=move || export.pending().get() on:click=move |_| {
                export.dispatch(ExportDailyReport { day: export_day.clone() });
            }>"Export the day as CSV"</button>
        </p>
    }
}
