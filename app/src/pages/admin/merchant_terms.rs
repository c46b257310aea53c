//! A merchant's terms on its console page: the settlement delay and rolling reserve, the
//! fee schedule it pays (its overrides, else the default), each with a form for staff
//! holding merchants `act` (a fresh second-factor check), and a link to its ledger.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::form::{Field, FormError, field_error, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::pages::admin::fees::{ScheduleFields, ScheduleTable};
use crate::pages::payments::load_error;
use crate::terms::{AddMerchantFeeSchedule, SetSettlementTerms, fee_schedules, settlement_terms};

#[component]
pub fn MerchantTerms() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <p><a href=move || format!("/admin/ledger/{}", id())>"The merchant's ledger"</a></p>
        <SettlementPanel />
        <FeeOverridePanel />
    }
}

#[component]
fn SettlementPanel() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let set = ServerAction::<SetSettlementTerms>::new();
    let terms = Resource::new(
        move || (id(), set.version().get()),
        |(id, _)| settlement_terms(id),
    );
    view! {
        <section class="panel" aria-labelledby="settlement-heading">
            <h2 id="settlement-heading">"Settlement"</h2>
            <Transition fallback=|| view! { <p>"Loading the terms…"</p> }>
                {move || terms.get().map(|result| match result {
                    Ok(terms) => {
                        let summary = format!(
                            "Paid money stays pending {} business days; reserve {} held {} days. Payouts: {}.",
                            terms.delay_days, terms.reserve_percent, terms.reserve_days, terms.payout_schedule,
                        );
                        let reserve = terms.reserve_percent.trim_end_matches(" %").to_owned();
                        let form = terms.can_change.then(|| {
                            let delay_error = field_error(set, "delay_days");
                            let percent_error = field_error(set, "reserve_percent");
                            let days_error = field_error(set, "reserve_days");
                            view! {
                                <ActionForm action=set attr:class="form">
                                    <input type="hidden" name="merchant_id" value=id() />
                                    <Field label="Settlement delay (business days)" name="delay_days" error=delay_error>
                                        <input id="delay_days" name="delay_days" inputmode="numeric" required value=terms.delay_days.to_string() />
                                    </Field>
                                    <Field label="Rolling reserve (percent of each net)" name="reserve_percent" error=percent_error hint="0 for none; at most 50.">
                                        <input id="reserve_percent" name="reserve_percent" inputmode="decimal" value=reserve />
                                    </Field>
                                    <Field label="Reserve held for (days)" name="reserve_days" error=days_error>
                                        <input id="reserve_days" name="reserve_days" inputmode="numeric" value=terms.reserve_days.to_string() />
                                    </Field>
                                    <button type="submit" disabled=move || set.pending().get()>"Save the terms"</button>
                                </ActionForm>
                            }
                        });
                        view! {
                            <p>{summary}</p>
                            <p class="aside">"A change applies to payments paid from then on."</p>
                            {form}
                        }.into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(set, &["delay_days", "reserve_percent", "reserve_days"]) />
            <StepUpPrompt action=set id="settlement-step-up" />
        </section>
    }
}

#[component]
fn FeeOverridePanel() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let add = ServerAction::<AddMerchantFeeSchedule>::new();
    let schedules = Resource::new(
        move || (id(), add.version().get()),
        |(id, _)| fee_schedules(id),
    );
    view! {
        <section class="panel" aria-labelledby="fee-override-heading">
            <h2 id="fee-override-heading">"Fees"</h2>
            <Transition fallback=|| view! { <p>"Loading the fee schedules…"</p> }>
                {move || schedules.get().map(|result| match result {
                    Ok(view) => {
                        let applies = if view.merchant.iter().any(|s| s.current) {
                            "The merchant pays its own schedule below."
                        } else {
                            "The merchant pays the default schedule."
                        };
                        let form = view.can_set_merchant.then(|| view! { <ScheduleForm action=add merchant_id=id() /> });
                        view! {
                            <p>{applies}</p>
                            <h3>"The merchant's schedules"</h3>
                            <ScheduleTable schedules=view.merchant />
                            <h3>"The default"</h3>
                            <ScheduleTable schedules=view.default />
                            {form}
                        }.into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(add, &["percent", "fixed", "effective_from"]) />
            <StepUpPrompt action=add id="fee-override-step-up" />
        </section>
    }
}

#[component]
fn ScheduleForm(
    action: ServerAction<AddMerchantFeeSchedule>,
    merchant_id: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="form">
            <input type="hidden" name="merchant_id" value=merchant_id />
            <ScheduleFields percent=field_error(action, "percent") fixed=field_error(action, "fixed")
                effective_from=field_error(action, "effective_from") />
            <button type="submit" disabled=move || action.pending().get()>"Add the merchant's schedule"</button>
        </ActionForm>
    }
}
