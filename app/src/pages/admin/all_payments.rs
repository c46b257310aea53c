//! The Payments module: every merchant's payments, newest first, fifty a page, filtered by
//! merchant, mode, status and a search. Every row opens the payment here, read only, with
//! its refunds and timeline; staff who hold refunds `act` find a link to refund it in the
//! Refunds module.

use domain::Mode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::AdminShell;
use crate::all_payments::{
    AllPaymentsFilter, AllPaymentsRow, AllPaymentsView, all_payments, payment_for_staff,
};
use crate::error::AppError;
use crate::pages::payments::detail::PaymentRecord;
use crate::pages::payments::list::{Pager, StatusBadges, filter_input, filter_select};
use crate::pages::payments::load_error;
use crate::payments::{PaymentDetailView, status_choices};

const MODES: [Mode; 2] = [Mode::Test, Mode::Live];

#[component]
pub fn AllPaymentsPage() -> impl IntoView {
    let fields = [(); 4].map(|_| RwSignal::new(String::new()));
    let [merchant, mode, status, search] = fields;
    let applied = RwSignal::new(AllPaymentsFilter::default());
    let before = RwSignal::new(String::new());
    let page = Resource::new(
        move || (applied.get(), before.get()),
        |(filter, before)| all_payments(filter, before),
    );
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        before.set(String::new());
        applied.set(AllPaymentsFilter {
            merchant: merchant.get(),
            mode: mode.get(),
            status: status.get(),
            search: search.get(),
        });
    };
    view! {
        <Title text="Payments" />
        <AdminShell>
            <h1>"Payments"</h1>
            <form class="form filter-grid" on:submit=apply role="search" aria-label="Filter payments">
                {filter_input("Search", "search", search, "search", "order id, email or reference")}
                {filter_input("Merchant", "merchant", merchant, "text", "business name")}
                {filter_select("Mode", "mode", mode, MODES.map(|m| (m.as_str(), m.label())))}
                {filter_select("Status", "status", status, status_choices())}
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
    let AllPaymentsView { rows, next_before } = view;
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
                {rows.into_iter().map(|row| view! { <Row row /> }).collect_view()}
            </tbody>
        </table>
        <Pager before next_before />
    }
    .into_any()
}

#[component]
fn Row(row: AllPaymentsRow) -> impl IntoView {
    let AllPaymentsRow {
        merchant_name,
        mode,
        payment: p,
    } = row;
    let href = format!("/admin/payments/{}", p.id);
    let refunded = p.refunded.is_positive().then(|| p.refunded.to_string());
    view! {
        <tr>
            <td>{p.created}</td>
            <td>{merchant_name}" "<span class="badge">{mode.label()}</span></td>
            <td><a href=href><code>{p.order_id}</code></a></td>
            <td><StatusBadges status=p.status risk_action=p.risk_action /></td>
            <td>{p.amount.to_string()}</td>
            <td>{refunded}</td>
        </tr>
    }
}

/// One payment, read only: its facts, items, refunds and timeline.
#[component]
pub fn StaffPaymentPage() -> impl IntoView {
    let params = use_params_map();
    let payment = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        payment_for_staff,
    );
    view! {
        <Title text="Payment" />
        <AdminShell>
            <h1>"Payment"</h1>
            <p class="aside"><a href="/admin/payments">"All payments"</a></p>
            <Transition fallback=|| view! { <p>"Loading the payment…"</p> }>
                {move || payment.get().map(|result| match result {
                    Ok(detail) => view! { <StaffPayment detail /> }.into_any(),
                    Err(AppError::NotFound) => view! { <p>"No payment has that id."</p> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
        </AdminShell>
    }
}

#[component]
fn StaffPayment(detail: PaymentDetailView) -> impl IntoView {
    // Refunding happens in the Refunds module, which checks the amount and a fresh code.
    let refund = (detail.can_refund && detail.refundable.is_positive()).then(|| {
        let href = format!("/admin/refunds?order={}", detail.payment.order_id);
        view! { <p><a href=href>"Refund it in the Refunds module"</a></p> }
    });
    view! {
        <h2>{detail.merchant_name.clone()}</h2>
        {refund}
        <PaymentRecord detail />
    }
}
