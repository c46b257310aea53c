//! The dashboard's Payouts page (owners, admins and finance): every payout with its status
//! and statement (printable page and CSV), a notice while payouts are stopped because the
//! bank returned one, and the schedule and minimum (a change asks for a fresh code).

use leptos::prelude::*;

use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::components::step_up::StepUpPrompt;
use crate::pages::payments::{DashboardShell, load_error};
use crate::payouts::{
    MerchantPayoutsView, PayoutView, ScheduleView, SetPayoutSchedule, merchant_payouts,
};

const WEEKDAYS: [(i16, &str); 5] = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
];

#[component]
pub fn PayoutsPage() -> impl IntoView {
    let save = ServerAction::<SetPayoutSchedule>::new();
    let data = Resource::new(move || save.version().get(), |_| merchant_payouts());
    view! {
        <DashboardShell title="Payouts" body=move |_| view! {
            <p class="aside">
                "Payouts pay your available Live Mode balance to your bank account on your schedule, \
                 once it reaches your minimum. Test Mode money is never paid out."
            </p>
            <Transition fallback=|| view! { <p>"Loading your payouts…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok(view) => view! { <PayoutsBody view save /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <StepUpPrompt action=save id="payout-schedule-step-up" />
        } />
    }
}

#[component]
fn PayoutsBody(view: MerchantPayoutsView, save: ServerAction<SetPayoutSchedule>) -> impl IntoView {
    let MerchantPayoutsView {
        payouts,
        schedule,
        account_flagged,
    } = view;
    let flagged = account_flagged.map(|at| {
        view! {
            <p class="notice" role="status">
                {format!("The bank returned a payout to your current account on {at}. Payouts stop until you ")}
                <a href="/dashboard/verification">"change the bank account"</a>"."
            </p>
        }
    });
    let list = if payouts.is_empty() {
        view! { <p>"No payouts yet."</p> }.into_any()
    } else {
        view! {
            <table class="table">
                <thead><tr>
                    <th scope="col">"Created"</th><th scope="col">"Amount"</th><th scope="col">"Status"</th>
                    <th scope="col">"Account"</th><th scope="col">"Reference"</th><th scope="col">"Statement"</th>
                </tr></thead>
                <tbody>{payouts.into_iter().map(|p| view! { <PayoutRow payout=p /> }).collect_view()}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        {flagged}
        <h2>"Your payouts"</h2>
        {list}
        <ScheduleForm schedule save />
    }
}

#[component]
fn PayoutRow(payout: PayoutView) -> impl IntoView {
    let statement = format!("/api/payouts/{}/statement", payout.id);
    let status = match &payout.return_reason {
        Some(reason) => format!("{}: {reason}", payout.status.label()),
        None => payout.status.label().to_owned(),
    };
    view! {
        <tr>
            <td>{payout.created}</td>
            <td>{payout.amount.to_string()}</td>
            <td>{status}</td>
            <td>{payout.iban_masked}</td>
            <td><code>{payout.end_to_end_id}</code></td>
            <td>
                <a href=statement.clone() target="_blank" rel="noopener">"Print"</a>" · "
                <a href=format!("{statement}?format=csv")>"CSV"</a>
            </td>
        </tr>
    }
}

#[component]
fn ScheduleForm(schedule: ScheduleView, save: ServerAction<SetPayoutSchedule>) -> impl IntoView {
    let ScheduleView {
        schedule,
        weekday,
        month_day,
        minimum,
    } = schedule;
    let option = move |value: &'static str, label: &'static str| {
        view! { <option value=value selected={schedule == value}>{label}</option> }
    };
    view! {
        <h2 id="schedule">"Schedule"</h2>
        <ActionForm action=save attr:class="form">
            <Field label="How often" name="schedule" error=field_error(save, "schedule")>
                <select id="schedule" name="schedule" aria-describedby="schedule-error">
                    {option("daily", "Daily")}
                    {option("weekly", "Weekly")}
                    {option("monthly", "Monthly")}
                </select>
            </Field>
            <Field label="Weekday (weekly)" name="weekday" error=field_error(save, "weekday")>
                <select id="weekday" name="weekday" aria-describedby="weekday-error">
                    {WEEKDAYS
                        .into_iter()
                        .map(|(day, label)| view! { <option value=day.to_string() selected={day == weekday}>{label}</option> })
                        .collect_view()}
                </select>
            </Field>
            <Field label="Day of the month (monthly, 1 to 28)" name="month_day" error=field_error(save, "month_day")>
                <input id="month_day" name="month_day" type="number" min="1" max="28" value=month_day.to_string()
                    aria-describedby="month_day-error" />
            </Field>
            <Field label="Minimum payout (EUR)" name="minimum" error=field_error(save, "minimum")
                hint="A smaller available balance waits for the next payout day.">
                <input id="minimum" name="minimum" inputmode="decimal" required value=minimum.to_decimal_string() aria-describedby="minimum-error" />
            </Field>
            <FormError message=form_error(save, &["schedule", "weekday", "month_day", "minimum"]) />
            <button type="submit" disabled=move || save.pending().get()>"Save the schedule"</button>
            <Show when=succeeded(save)><p role="status">"Saved."</p></Show>
        </ActionForm>
    }
}
