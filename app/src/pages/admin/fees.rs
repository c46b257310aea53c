//! The console's fee schedules: the default every merchant pays unless it has its own,
//! current and upcoming, and for platform administrators a form to add the next one
//! (effective today or later, never retroactive; a fresh second-factor check).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::form::{Field, FormError, field_error, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::pages::admin::AdminShell;
use crate::pages::payments::load_error;
use crate::terms::{AddDefaultFeeSchedule, ScheduleView, fee_schedules};

/// The hint beside a schedule's first day.
const NOT_RETROACTIVE: &str = "Today or later: a schedule never changes what was charged.";

#[component]
pub fn FeesPage() -> impl IntoView {
    let add = ServerAction::<AddDefaultFeeSchedule>::new();
    let schedules = Resource::new(
        move || add.version().get(),
        |_| fee_schedules(String::new()),
    );
    view! {
        <Title text="Fee schedules" />
        <AdminShell>
            <h1>"Fee schedules"</h1>
            <p class="aside">
                "A payment pays the schedule in effect when it was paid: the merchant's own if it has one "
                "(set on its page), else the default. VAT on the fee is added at the configured rate."
            </p>
            <Transition fallback=|| view! { <p>"Loading the fee schedules…"</p> }>
                {move || schedules.get().map(|result| match result {
                    Ok(view) => {
                        let form = view.can_set_default.then(|| view! { <DefaultForm action=add /> });
                        view! { <ScheduleTable schedules=view.default />{form} }.into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(add, &["percent", "fixed", "effective_from"]) />
            <StepUpPrompt action=add id="fee-default-step-up" />
        </AdminShell>
    }
}

/// Schedules, the one in effect marked.
#[component]
pub fn ScheduleTable(schedules: Vec<ScheduleView>) -> impl IntoView {
    if schedules.is_empty() {
        return view! { <p>"None."</p> }.into_any();
    }
    view! {
        <table class="list">
            <thead><tr><th>"Percent"</th><th>"Fixed"</th><th>"From"</th><th>"State"</th></tr></thead>
            <tbody>
                {schedules.into_iter().map(|s| view! {
                    <tr>
                        <td>{s.percent}</td>
                        <td>{s.fixed.to_string()}</td>
                        <td>{s.effective_from}</td>
                        <td>{if s.current { "In effect" } else { "Upcoming" }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// A fee schedule's three fields with their errors, in the default's form and a merchant's.
#[component]
pub fn ScheduleFields(
    #[prop(into)] percent: Signal<Option<String>>,
    #[prop(into)] fixed: Signal<Option<String>>,
    #[prop(into)] effective_from: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <Field label="Percent of each payment" name="percent" error=percent hint="Like 2.90.">
            <input id="percent" name="percent" inputmode="decimal" required />
        </Field>
        <Field label="Fixed amount per payment (euro)" name="fixed" error=fixed hint="Like 0.25.">
            <input id="fixed" name="fixed" inputmode="decimal" required />
        </Field>
        <Field label="Effective from" name="effective_from" error=effective_from hint=NOT_RETROACTIVE>
            <input id="effective_from" name="effective_from" type="date" required />
        </Field>
    }
}

#[component]
fn DefaultForm(action: ServerAction<AddDefaultFeeSchedule>) -> impl IntoView {
    view! {
        <ActionForm action attr:class="form">
            <ScheduleFields percent=field_error(action, "percent") fixed=field_error(action, "fixed")
                effective_from=field_error(action, "effective_from") />
            <button type="submit" disabled=move || action.pending().get()>"Add the default schedule"</button>
        </ActionForm>
    }
}
