//! The payments of the current mode, newest first, fifty a page: filters by status, dates,
//! amount and buyer email, a free search over order id, email and reference, and "older"
//! pages that stay stable while payments arrive. Payments the fraud checks flagged carry a
//! badge. Each row opens the payment.

use leptos::prelude::*;

use super::{DashboardShell, load_error};
use domain::PaymentStatus;

use crate::payments::{PaymentFilter, PaymentsPage, payments_list, status_choices};

#[component]
pub fn PaymentsListPage() -> impl IntoView {
    view! { <DashboardShell title="Payments" body=|_| view! { <Payments /> } /> }
}

#[component]
fn Payments() -> impl IntoView {
    let fields = [(); 7].map(|_| RwSignal::new(String::new()));
    let [
        status,
        from,
        to,
        min_amount,
        max_amount,
        buyer_email,
        search,
    ] = fields;
    let typed = move || PaymentFilter {
        status: status.get(),
        from: from.get(),
        to: to.get(),
        min_amount: min_amount.get(),
        max_amount: max_amount.get(),
        buyer_email: buyer_email.get(),
        search: search.get(),
    };
    let applied = RwSignal::new(PaymentFilter::default());
    let before = RwSignal::new(String::new());
    let page = Resource::new(
        move || (applied.get(), before.get()),
        |(filter, before)| payments_list(filter, before),
    );
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        before.set(String::new());
        applied.set(typed());
    };
    view! {
        <form class="form filter-grid" on:submit=apply role="search" aria-label="Filter payments">
            {filter_input("Search", "search", search, "search", "order id, email or reference")}
            {filter_select("Status", "status", status, status_choices())}
            {filter_input("From", "from", from, "date", "")}
            {filter_input("To", "to", to, "date", "")}
            {filter_input("Amount from (euro)", "min_amount", min_amount, "text", "0.01")}
            {filter_input("Amount to (euro)", "max_amount", max_amount, "text", "")}
            {filter_input("Buyer email", "buyer_email", buyer_email, "text", "")}
            <button type="submit">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <p>"Loading payments…"</p> }>
            {move || page.get().map(|result| match result {
                Ok(page) => view! { <Results page before /> }.into_any(),
                Err(error) => load_error(error),
            })}
        </Transition>
    }
}

/// One field of a list's filter form, bound to `value`.
pub fn filter_input(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    kind: &'static str,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type=kind bind:value=value placeholder=hint />
        </div>
    }
}

/// A choice in a list's filter form: any, or one of `choices` (`(value, label)`).
pub fn filter_select(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    choices: impl IntoIterator<Item = (&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id bind:value=value>
                <option value="">"Any"</option>
                {choices.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// The mark of a payment the fraud checks flagged (`review`) or blocked.
fn risk_badge(action: &str) -> impl IntoView + use<> {
    let text = if action == "block" {
        "Blocked"
    } else {
        "Flagged"
    };
    view! { " " <span class="badge bad" title="Flagged by fraud checks">{text}</span> }
}

/// A payment's status badge, and the fraud checks' mark when they flagged it.
#[component]
pub fn StatusBadges(status: PaymentStatus, risk_action: Option<String>) -> impl IntoView {
    let class = format!("badge status-{}", status.as_str());
    view! {
        <span class=class>{status.label()}</span>
        {risk_action.as_deref().map(risk_badge)}
    }
}

/// Back to the newest page, and on to older rows while there are some.
#[component]
pub fn Pager(before: RwSignal<String>, next_before: Option<String>) -> impl IntoView {
    view! {
        <p class="actions">
            <button type="button" class="secondary" on:click=move |_| before.set(String::new())>"Newest"</button>
            {next_before.map(|older| view! {
                <button type="button" class="secondary" on:click=move |_| before.set(older.clone())>"Older"</button>
            })}
        </p>
    }
}

#[component]
fn Results(page: PaymentsPage, before: RwSignal<String>) -> impl IntoView {
    let PaymentsPage { rows, next_before } = page;
    if rows.is_empty() {
        return view! { <p>"No payments match."</p> }.into_any();
    }
    view! {
        <table class="list payments">
            <thead>
                <tr><th>"Created"</th><th>"Amount"</th><th>"Status"</th><th>"Buyer"</th><th>"Reference"</th><th>"Card"</th><th>"Order"</th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|p| view! {
                    <tr>
                        <td><a href=format!("/dashboard/payments/{}", p.id)>{p.created}</a></td>
                        <td>{p.amount.to_string()}</td>
                        <td><StatusBadges status=p.status risk_action=p.risk_action /></td>
                        <td>{p.buyer_email}</td>
                        <td>{p.reference}</td>
                        <td>{p.card}</td>
                        <td><code>{p.order_id}</code></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager before next_before />
    }
    .into_any()
}
