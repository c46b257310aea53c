//! The Payments module: every merchant's payments, newest first, fifty a page, filtered by
//! merchant, mode, status and a search. A row opens the payment in the Refunds module when
//! the viewer holds refunds too; otherwise the row is all they see of it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::AdminShell;
use crate::all_payments::{AllPaymentsFilter, AllPaymentsRow, AllPaymentsView, all_payments};
use crate::pages::payments::list::{Pager, StatusBadges, filter_input, filter_select};
use crate::pages::payments::load_error;
use crate::payments::{STATUSES, format_money};

const MODES: &[(&str, &str)] = &[("test", "Test"), ("live", "Live")];

#[component]
pub fn AllPaymentsPage() -> impl IntoView {
    let fields = [(); 4].map(|_| RwSignal::new(String::new()));
    let [merchant, mode, status, search] = fields;
    let applied = RwSignal::new(AllPaymentsFilter::default());
    let before = RwSignal::new(String::new());
    let page = Resource::new(move || (applied.get(), before.get()), |(filter, before)| all_payments(filter, before));
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        before.set(String::new());
        applied.set(AllPaymentsFilter { merchant: merchant.get(), mode: mode.get(), status: status.get(), search: search.get() });
    };
    view! {
        <Title text="Payments" />
        <AdminShell>
            <h1>"Payments"</h1>
            <form class="form filter-grid" on:submit=apply role="search" aria-label="Filter payments">
                {filter_input("Search", "search", search, "search", "order id, email or reference")}
                {filter_input("Merchant", "merchant", merchant, "text", "business name")}
                {filter_select("Mode", "mode", mode, MODES)}
                {filter_select("Status", "status", status, STATUSES)}
                <button type="submit">"Filter"</button>
            </form>
            <Transition fallback=|| view! { <p>"Loading payments…"</p> }>
                {move || page.get().map(|result| match result {
                    Ok(view) => view! { <Results view before /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
        </AdminShell>
    }
}

#[component]
fn Results(view: AllPaymentsView, before: RwSignal<String>) -> impl IntoView {
    let AllPaymentsView { rows, next_before, can_open } = view;
    if rows.is_empty() {
        return view! { <p>"No payments match."</p> }.into_any();
    }
    view! {
        <table class="list payments">
            <thead>
                <tr>
                    <th>"Created"</th><th>"Merchant"</th><th>"Order"</th><th>"Status"</th><th>"Amount"</th><th>"Refunded"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! { <Row row can_open /> }).collect_view()}
            </tbody>
        </table>
        <Pager before next_before />
    }
    .into_any()
}

#[component]
fn Row(row: AllPaymentsRow, can_open: bool) -> impl IntoView {
    let AllPaymentsRow { merchant_name, mode, payment: p } = row;
    let order = if can_open {
        let href = format!("/admin/refunds?order={}", p.order_id);
        view! { <a href=href><code>{p.order_id}</code></a> }.into_any()
    } else {
        view! { <code>{p.order_id}</code> }.into_any()
    };
    let refunded = (p.refunded_minor > 0).then(|| format_money(p.refunded_minor, &p.currency));
    view! {
        <tr>
            <td>{p.created}</td>
            <td>{merchant_name}" "<span class="badge">{mode.label()}</span></td>
            <td>{order}</td>
            <td><StatusBadges status=p.status risk_action=p.risk_action /></td>
            <td>{format_money(p.amount_minor, &p.currency)}</td>
            <td>{refunded}</td>
        </tr>
    }
}
