//! The console's Payouts module: run the payouts due today, the latest batches with their
//! payouts, approval (a fresh code; never one's own batch), the pain.001 file, marking a
//! batch sent and each payout paid or returned, and bank statement imports with the lines
//! they could not match. Reading needs payouts `view`; everything else `act`.

use domain::{BatchStatus, PayoutStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::AdminShell;
use crate::components::form::{FormError, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::pages::payments::load_error;
use crate::payouts::{
    ApprovePayoutBatch, BatchView, ImportView, MarkBatchSent, PayoutView, RunPayouts, SettlePayout,
    StaffPayoutsView, staff_payouts,
};

#[derive(Clone, Copy)]
struct Actions {
    run: ServerAction<RunPayouts>,
    approve: ServerAction<ApprovePayoutBatch>,
    sent: ServerAction<MarkBatchSent>,
    settle: ServerAction<SettlePayout>,
}

#[component]
pub fn PayoutsPage() -> impl IntoView {
    let actions = Actions {
        run: ServerAction::new(),
        approve: ServerAction::new(),
        sent: ServerAction::new(),
        settle: ServerAction::new(),
    };
    let versions = move || {
        (
            actions.run.version().get(),
            actions.approve.version().get(),
            actions.sent.version().get(),
            actions.settle.version().get(),
        )
    };
    let data = Resource::new(versions, |_| staff_payouts());
    let query = use_query_map();
    let import_notice = move || {
        let query = query.read();
        if query.get("imported").is_some() {
            Some("The statement was imported: its lines are below.".to_owned())
        } else {
            query.get("import_error").map(|code| match code.as_str() {
                "format" => {
                    "The file is not a statement CSV (date, amount, end-to-end id) of at most 1 MB."
                        .to_owned()
                }
                "empty" => "Choose the statement file to import.".to_owned(),
                _ => "The file could not be read. It may be larger than 1 MB.".to_owned(),
            })
        }
    };
    view! {
        <Title text="Payouts" />
        <AdminShell>
            <h1>"Payouts"</h1>
            <Transition fallback=|| view! { <p>"Loading the batches…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok(view) => view! { <Module view actions /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <p role="status">{import_notice}</p>
            <StepUpPrompt action=actions.run id="run-step-up" />
            <StepUpPrompt action=actions.approve id="approve-step-up" />
            <StepUpPrompt action=actions.sent id="sent-step-up" />
            <StepUpPrompt action=actions.settle id="settle-step-up" />
        </AdminShell>
    }
}

#[component]
fn Module(view: StaffPayoutsView, actions: Actions) -> impl IntoView {
    let StaffPayoutsView {
        batches,
        imports,
        can_act,
    } = view;
    let run_result = move || {
        actions.run.value().get().map(|result| match result {
            Ok(run) if run.skipped => {
                "Another payout run is in progress; try again in a minute.".to_owned()
            }
            Ok(run) => format!("{} payout(s) in {} batch(es).", run.payouts, run.batches),
            Err(error) => error.to_string(),
        })
    };
    let run = can_act.then(|| {
        view! {
            <ActionForm action=actions.run attr:class="form inline">
                <button type="submit" disabled=move || actions.run.pending().get()>"Run the payouts due today"</button>
            </ActionForm>
            <p role="status">{run_result}</p>
        }
    });
    let batches = if batches.is_empty() {
        view! { <p>"No batches yet."</p> }.into_any()
    } else {
        batches
            .into_iter()
            .map(|batch| view! { <Batch batch can_act actions /> })
            .collect_view()
            .into_any()
    };
    let upload = can_act.then(|| {
        view! {
            <form class="form" method="post" action="/api/admin/payouts/statements" enctype="multipart/form-data">
                <div class="field">
                    <label for="statement-file">"Bank statement (CSV: date, amount, end-to-end id)"</label>
                    <input id="statement-file" name="file" type="file" accept=".csv,text/csv" required />
                </div>
                <button type="submit">"Import the statement"</button>
            </form>
        }
    });
    view! {
        {run}
        <FormError message=form_error(actions.approve, &[]) />
        <FormError message=form_error(actions.sent, &[]) />
        <FormError message=form_error(actions.settle, &["reason"]) />
        <h2>"Batches"</h2>
        {batches}
        <h2 id="imports">"Statement imports"</h2>
        {upload}
        {imports.into_iter().map(|import| view! { <Import import /> }).collect_view()}
    }
}

#[component]
fn Batch(batch: BatchView, can_act: bool, actions: Actions) -> impl IntoView {
    let BatchView {
        id,
        currency,
        status,
        created,
        created_by,
        approved_by,
        total,
        payouts,
        own,
    } = batch;
    let heading = format!("{created}: {} payout(s), {total}", payouts.len());
    let approval = match (&approved_by, own) {
        (Some(by), _) => format!("Approved by {by}."),
        (None, true) => "You made this batch: another staff member must approve it.".to_owned(),
        (None, false) => "Waiting for approval.".to_owned(),
    };
    let label = format!("Batch {id}");
    let file = format!("/api/admin/payouts/batches/{id}/file");
    let (approve_id, sent_id) = (id.clone(), id);
    let controls = can_act.then(|| match status {
        BatchStatus::Created if !own => view! {
            <ActionForm action=actions.approve attr:class="form inline">
                <input type="hidden" name="batch_id" value=approve_id />
                <button type="submit">"Approve"</button>
            </ActionForm>
        }
        .into_any(),
        BatchStatus::Approved => view! {
            <a class="button" href=file.clone() download="">"Download the pain.001 file"</a>
            <ActionForm action=actions.sent attr:class="form inline">
                <input type="hidden" name="batch_id" value=sent_id />
                <button type="submit">"Mark sent (uploaded to the bank)"</button>
            </ActionForm>
        }
        .into_any(),
        BatchStatus::Sent => view! {
            <a href=file.clone() download="">"Download the file again"</a>
        }
        .into_any(),
        _ => ().into_any(),
    });
    view! {
        <section class="card" aria-label=label>
            <h3>{heading}</h3>
            <p>{format!("{currency}, {}; made by {created_by}. {approval}", status.label())}</p>
            {controls}
            <table class="table">
                <thead><tr>
                    <th scope="col">"Merchant"</th><th scope="col">"Amount"</th><th scope="col">"Account"</th>
                    <th scope="col">"End-to-end id"</th><th scope="col">"Status"</th><th scope="col">""</th>
                </tr></thead>
                <tbody>{payouts.into_iter().map(|payout| view! { <Payout payout can_act actions /> }).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn Payout(payout: PayoutView, can_act: bool, actions: Actions) -> impl IntoView {
    let settle = (can_act && payout.status == PayoutStatus::Sent).then(|| {
        let reason = format!("reason-{}", payout.id);
        let (paid_id, returned_id, reason_input) =
            (payout.id.clone(), payout.id.clone(), reason.clone());
        view! {
            <ActionForm action=actions.settle attr:class="form inline">
                <input type="hidden" name="payout_id" value=paid_id />
                <button type="submit">"Paid"</button>
            </ActionForm>
            <ActionForm action=actions.settle attr:class="form inline">
                <input type="hidden" name="payout_id" value=returned_id />
                <label for=reason>"Return reason"</label>
                <input id=reason_input name="reason" required maxlength="500" />
                <button type="submit" class="secondary">"Returned"</button>
            </ActionForm>
        }
    });
    let status = match &payout.return_reason {
        Some(reason) => format!("{}: {reason}", payout.status.label()),
        None => payout.status.label().to_owned(),
    };
    view! {
        <tr>
            <td>{payout.merchant_name}</td>
            <td>{payout.amount.to_string()}</td>
            <td>{payout.iban_masked}</td>
            <td><code>{payout.end_to_end_id}</code></td>
            <td>{status}</td>
            <td>
                <a href=format!("/api/admin/payouts/{}/statement", payout.id) target="_blank" rel="noopener">"Statement"</a>
                {settle}
            </td>
        </tr>
    }
}

#[component]
fn Import(import: ImportView) -> impl IntoView {
    let ImportView {
        id,
        file_name,
        imported,
        imported_by,
        paid,
        already_paid,
        unmatched,
    } = import;
    let summary = format!(
        "{file_name}, {imported} by {imported_by}: {paid} paid, {already_paid} already paid, {} not matched.",
        unmatched.len()
    );
    let lines = (!unmatched.is_empty()).then(|| {
        view! {
            <table class="table">
                <thead><tr>
                    <th scope="col">"Line"</th><th scope="col">"Date"</th><th scope="col">"Amount"</th>
                    <th scope="col">"End-to-end id"</th><th scope="col">"Why"</th>
                </tr></thead>
                <tbody>
                    {unmatched.into_iter().map(|line| view! {
                        <tr>
                            <td>{line.line_no}</td><td>{line.booked_on}</td><td>{line.amount.map(|a| a.to_string()).unwrap_or_default()}</td>
                            <td><code>{line.end_to_end_id}</code></td><td>{line.note}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <section class="card" aria-label=format!("Import {id}")>
            <p>{summary}</p>
            {lines}
        </section>
    }
}
