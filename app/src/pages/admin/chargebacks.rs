//! Chargebacks in the console's Payments module: every merchant's, the form that records
//! one the acquirer reported (payments `act`, a fresh code), and one chargeback with its
//! evidence, marked won or lost (payments `act`, a fresh code).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::AdminShell;
use crate::chargebacks::{
    DecideChargeback, RecordChargeback, chargeback_form, staff_chargeback, staff_chargebacks,
};
use crate::components::form::{Field, FormError, field_error, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::pages::chargebacks::{ChargebackRecord, ChargebackTable};
use crate::pages::payments::load_error;

#[component]
pub fn StaffChargebacksPage() -> impl IntoView {
    let record = ServerAction::<RecordChargeback>::new();
    let list = Resource::new(move || record.version().get(), |_| staff_chargebacks());
    let form = Resource::new(move || record.version().get(), |_| chargeback_form());
    let recorded = move || {
        record.value().get().and_then(Result::ok).map(|id| {
            let href = format!("/admin/chargebacks/{id}");
            view! { <p class="success" role="status">"Recorded. " <a href=href>"Open it"</a></p> }
        })
    };
    view! {
        <Title text="Chargebacks" />
        <AdminShell>
            <h1>"Chargebacks"</h1>
            {recorded}
            <Transition fallback=|| ()>
                {move || form.get().map(|result| match result {
                    Ok(form) if form.can_record => view! { <RecordForm record request_id=form.request_id /> }.into_any(),
                    Ok(_) => {
                        view! { <p class="aside">"Recording a chargeback needs the Payments module at act."</p> }.into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
            <StepUpPrompt action=record id="record-step-up" />
            <Transition fallback=|| view! { <p>"Loading the chargebacks…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p>"No chargebacks."</p> }.into_any(),
                    Ok(rows) => view! { <ChargebackTable rows href="/admin/chargebacks" with_merchant=true /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
        </AdminShell>
    }
}

const FIELDS: &[&str] = &[
    "order_id",
    "amount",
    "reason_code",
    "reported_on",
    "evidence_due_on",
];

#[component]
fn RecordForm(record: ServerAction<RecordChargeback>, request_id: String) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="record-heading">
            <h2 id="record-heading">"Record a chargeback"</h2>
            <p class="aside">
                "As the acquirer reported it. The merchant is debited at once and told the deadline by email."
            </p>
            <ActionForm action=record attr:class="form">
                <input type="hidden" name="request_id" value=request_id />
                <Field label="Gateway order id" name="order_id" error=field_error(record, "order_id")>
                    <input id="order_id" name="order_id" required autocomplete="off" placeholder="SX…" />
                </Field>
                <Field label="Amount in euro" name="amount" error=field_error(record, "amount")
                    hint="At most what was paid, less earlier chargebacks.">
                    <input id="amount" name="amount" required inputmode="decimal" autocomplete="off" />
                </Field>
                <Field label="Reason code" name="reason_code" error=field_error(record, "reason_code")
                    hint="Like 10.4 or 4837.">
                    <input id="reason_code" name="reason_code" required maxlength="10" autocomplete="off" />
                </Field>
                <Field label="Reported on" name="reported_on" error=field_error(record, "reported_on")>
                    <input id="reported_on" name="reported_on" type="date" required />
                </Field>
                <Field label="Evidence deadline" name="evidence_due_on" error=field_error(record, "evidence_due_on")>
                    <input id="evidence_due_on" name="evidence_due_on" type="date" required />
                </Field>
                <FormError message=form_error(record, FIELDS) />
                <button type="submit" class="danger" disabled=move || record.pending().get()>
                    "Record and debit the merchant"
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn StaffChargebackPage() -> impl IntoView {
    let params = use_params_map();
    let decide = ServerAction::<DecideChargeback>::new();
    let detail = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                decide.version().get(),
            )
        },
        |(id, _)| staff_chargeback(id),
    );
    view! {
        <Title text="Chargeback" />
        <AdminShell>
            <h1>"Chargeback"</h1>
            <p class="aside"><a href="/admin/chargebacks">"All chargebacks"</a></p>
            <FormError message=form_error(decide, &[]) />
            <Transition fallback=|| view! { <p>"Loading the chargeback…"</p> }>
                {move || detail.get().map(|result| match result {
                    Ok(detail) => {
                        let id = detail.chargeback.id.clone();
                        let decision = detail.can_decide.then(|| view! { <DecisionForms id decide /> });
                        view! { <ChargebackRecord detail payment_href="/admin/payments" /> {decision} }.into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
            // Outside the part that reloads, so the prompt keeps the decision it repeats.
            <StepUpPrompt action=decide id="decide-step-up" />
        </AdminShell>
    }
}

#[component]
fn DecisionForms(id: String, decide: ServerAction<DecideChargeback>) -> impl IntoView {
    let form = move |decision: &'static str, label: &'static str, class: &'static str| {
        let id = id.clone();
        view! {
            <ActionForm action=decide attr:class="inline">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="decision" value=decision />
                <button type="submit" class=class disabled=move || decide.pending().get()>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <section class="panel" aria-labelledby="decide-heading">
            <h2 id="decide-heading">"The acquirer's decision"</h2>
            <p class="aside">"Won puts the amount back in the merchant's available balance; lost keeps the debit."</p>
            <p class="actions">{form("won", "Mark won", "")} {form("lost", "Mark lost", "danger")}</p>
        </section>
    }
}
