//! The Refunds module: look a payment up by its gateway order id (the address keeps it, as
//! `?order=SX…`), see it with its merchant, refunds and timeline, and refund all or part of
//! it. Refunding needs refunds `act`, and above the configured amount a fresh code.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::AdminShell;
use crate::components::step_up::StepUpPrompt;
use crate::error::AppError;
use crate::pages::payments::detail::PaymentFacts;
use crate::pages::payments::load_error;
use crate::pages::payments::refunds::{RefundOutcome, latest_refund};
use crate::refunds::{StaffPaymentView, StaffRefund, staff_payment};

#[component]
pub fn RefundsPage() -> impl IntoView {
    let query = use_query_map();
    let order = move || query.read().get("order").unwrap_or_default();
    let refund = ServerAction::<StaffRefund>::new();
    let made = latest_refund(refund);
    let payment = Resource::new(
        move || (order(), made.get()),
        |(order, _)| async move {
            if order.trim().is_empty() {
                None
            } else {
                Some(staff_payment(order).await)
            }
        },
    );
    view! {
        <Title text="Refunds" />
        <AdminShell>
            <h1>"Refunds"</h1>
            // A plain GET form: the order id goes into the address, so a payment can be linked to.
            <form class="form filter-grid" method="get" action="/admin/refunds" role="search" aria-label="Find a payment">
                <div class="field">
                    <label for="order">"Gateway order id"</label>
                    <input id="order" name="order" required autocomplete="off" placeholder="SX…" value=order />
                </div>
                <button type="submit">"Find the payment"</button>
            </form>
            <RefundOutcome action=refund />
            <Transition fallback=|| view! { <p>"Loading the payment…"</p> }>
                {move || payment.get().flatten().map(|result| match result {
                    Ok(view) => view! { <StaffPayment view refund /> }.into_any(),
                    Err(AppError::NotFound) => view! { <p>"No payment has that order id."</p> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            // Outside the part that reloads, so the prompt keeps the refund it repeats.
            <StepUpPrompt action=refund id="refund-step-up" />
        </AdminShell>
    }
}

#[component]
fn StaffPayment(view: StaffPaymentView, refund: ServerAction<StaffRefund>) -> impl IntoView {
    let StaffPaymentView {
        payment,
        step_up_above: above,
    } = view;
    let step_up = payment.can_refund.then(|| {
        view! { <p class="aside">{format!("Refunds above {above} ask for a code from your authenticator app first.")}</p> }
    });
    view! {
        <h2>{payment.merchant_name.clone()}</h2>
        {step_up}
        <PaymentFacts detail=payment refund />
    }
}
