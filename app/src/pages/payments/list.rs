//! The payments of the current mode, newest first, fifty a page: filters by status, dates,
//! amount and buyer email, a free search over order id, email and reference, and "older"
//! pages that stay stable while payments arrive. Payments the fraud checks flagged carry a
//! badge. Each row opens the payment.

use leptos::prelude::*;

use super::{DashboardShell, load_error};
use crate::payments::{PaymentFilter, PaymentsPage, STATUSES, format_money, payments_list, status_label};

#[component]
pub fn PaymentsListPage() -> impl IntoView {
    view! { <DashboardShell title="Payments" body=|_| view! { <Payments /> } /> }
}

#[component]
fn Payments() -> impl IntoView {
    let fields = [(); 7].map(|_| RwSignal::new(String::new()));
    let [status, from, to, min_amount, max_amount, buyer_email, search] = fields;
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
    let page = Resource::new(move || (applied.get(), before.get()), |(filter, before)| payments_list(filter, before));
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        before.set(String::new());
        applied.set(typed());
    };
    let input = |label: &'static str, id: &'static str, value: RwSignal<String>, kind: &'static str, hint: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind bind:value=value placeholder=hint />
            </div>
        }
    };
    view! {
        <form class="form filter-grid" on:submit=apply role="search" aria-label="Filter payments">
            {input("Search", "search", search, "search", "order id, email or reference")}
            <div class="field">
                <label for="status">"Status"</label>
                <select id="status" bind:value=status>
                    <option value="">"Any"</option>
                    {STATUSES.iter().map(|&(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </div>
            {input("From", "from", from, "date", "")}
            {input("To", "to", to, "date", "")}
            {input("Amount from (euro)", "min_amount", min_amount, "text", "0.01")}
            {input("Amount to (euro)", "max_amount", max_amount, "text", "")}
            {input("Buyer email", "buyer_email", buyer_email, "text", "")}
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

/// The mark of a payment the fraud checks flagged (`review`) or blocked.
fn risk_badge(action: &str) -> impl IntoView + use<> {
    let text = if action == "block" { "Blocked" } else { "Flagged" };
    view! { " " <span class="badge bad" title="Flagged by fraud checks">{text}</span> }
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
                {rows.into_iter().map(|p| {
                    let class = format!("badge status-{}", p.status);
                    view! {
                        <tr>
                            <td><a href=format!("/dashboard/payments/{}", p.id)>{p.created}</a></td>
                            <td>{format_money(p.amount_minor, &p.currency)}</td>
                            <td>
                                <span class=class>{status_label(&p.status).to_owned()}</span>
                                {p.risk_action.as_deref().map(risk_badge)}
                            </td>
                            <td>{p.buyer_email}</td>
                            <td>{p.reference}</td>
                            <td>{p.card}</td>
                            <td><code>{p.order_id}</code></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p class="actions">
            <button type="button" class="secondary" on:click=move |_| before.set(String::new())>"Newest"</button>
            {next_before.map(|older| view! {
                <button type="button" class="secondary" on:click=move |_| before.set(older.clone())>"Older"</button>
            })}
        </p>
    }
    .into_any()
}
