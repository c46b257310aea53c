//! One payment: its amount, status, buyer, card and gateway answer, the fraud checks' note,
//! the items, its refunds with the refund form (owners, admins and finance), and its
//! timeline (every state change, return, callback, status query and refund, with its time).

use domain::PaymentStatus;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::refunds::{RefundFn, RefundForm, RefundOutcome, RefundsPanel, latest_refund};
use super::{DashboardShell, load_error};
use crate::components::step_up::StepUpPrompt;
use crate::payments::{FeesView, PaymentDetailView, TimelineView, payment_detail};
use crate::refunds::RefundPayment;

#[component]
pub fn PaymentPage() -> impl IntoView {
    view! { <DashboardShell title="Payment" body=|_| view! { <Payment /> } /> }
}

#[component]
fn Payment() -> impl IntoView {
    let params = use_params_map();
    let refund = ServerAction::<RefundPayment>::new();
    let made = latest_refund(refund);
    let detail = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), made.get()),
        |(id, _)| payment_detail(id),
    );
    view! {
        <p class="aside"><a href="/dashboard/payments">"All payments"</a></p>
        <RefundOutcome action=refund />
        <StepUpPrompt action=refund id="refund-step-up" />
        <Transition fallback=|| view! { <p>"Loading the payment…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(detail) => view! { <PaymentFacts detail refund /> }.into_any(),
                Err(error) => load_error(error),
            })}
        </Transition>
    }
}

/// What a timeline entry did to the state: "Pending → Paid", or "Stayed Paid".
fn change(entry: &TimelineView) -> String {
    match (entry.from_status, entry.to_status) {
        (Some(from), Some(to)) => format!("{} → {}", from.label(), to.label()),
        (None, Some(to)) => format!("Started as {}", to.label()),
        (Some(from), None) => format!("Stayed {}", from.label()),
        (None, None) => "No change".to_owned(),
    }
}

/// The payment's facts, items, refunds and timeline, with the refund form when the viewer
/// may refund and something is left to refund.
#[component]
pub fn PaymentFacts<S: RefundFn>(
    detail: PaymentDetailView,
    refund: ServerAction<S>,
) -> impl IntoView {
    let form = (detail.can_refund && detail.refundable.is_positive()).then(|| {
        let (payment_id, request_id, refundable) = (
            detail.payment.id.to_string(),
            detail.refund_request_id.clone(),
            detail.refundable,
        );
        view! { <RefundForm action=refund payment_id request_id refundable /> }.into_any()
    });
    view! { <PaymentRecord detail form /> }
}

/// What the payment brought the merchant: the buyer's gross, Saleonix's fee, the VAT on
/// the fee, and the net that goes to the merchant's balance.
#[component]
fn FeesPanel(fees: FeesView) -> impl IntoView {
    let rows = [
        ("Gross", fees.gross),
        ("Saleonix fee", fees.fee),
        ("VAT on the fee", fees.vat),
        ("Net", fees.net),
    ];
    view! {
        <section class="panel" aria-labelledby="fees-heading">
            <h2 id="fees-heading">"Fees"</h2>
            <dl class="facts">
                {rows.into_iter().map(|(label, money)| view! { <dt>{label}</dt><dd>{money.to_string()}</dd> }).collect_view()}
            </dl>
        </section>
    }
}

/// The payment's facts, items, refunds and timeline, read only; `form`, when given, shows
/// below the refunds.
#[component]
pub fn PaymentRecord(
    detail: PaymentDetailView,
    #[prop(default = None)] form: Option<AnyView>,
) -> impl IntoView {
    let PaymentDetailView {
        payment,
        mode,
        checkout_url,
        masked_card,
        card_brand,
        auth_code,
        three_d_secure,
        decline_reason,
        paid,
        items,
        timeline,
        merchant_name: _,
        refunds,
        refundable,
        risk_reasons,
        fees,
        can_refund: _,
        refund_request_id: _,
    } = detail;
    let refunded = payment.refunded;
    let risk_note = (!risk_reasons.is_empty())
        .then(|| view! { <p class="notice" role="note">{format!("Flagged by fraud checks: {}.", risk_reasons.join("; "))}</p> });
    // A duplicate is money the order does not keep; the merchant must not ship for it twice.
    let duplicate = payment.status == PaymentStatus::Duplicate;
    let duplicate_note = duplicate.then(|| {
        let why = decline_reason.clone().unwrap_or_default();
        let then = if refunded.minor() >= payment.amount.minor() {
            "It has been returned to the buyer in full."
        } else {
            "Saleonix is returning it to the buyer in full; there is nothing for you to do."
        };
        view! { <p class="notice" role="note">{format!("Duplicate charge. {why} {then}")}</p> }
    });
    // For a duplicate the phrase says why the charge was not kept; it is not a decline.
    let decline_reason = decline_reason.filter(|_| !duplicate);
    let facts = [
        ("Amount", Some(payment.amount.to_string())),
        ("Status", Some(payment.status.label().to_owned())),
        ("Mode", Some(mode.label().to_owned())),
        ("Order id", Some(payment.order_id)),
        ("Created", Some(payment.created)),
        ("Paid", paid),
        ("Buyer email", payment.buyer_email),
        ("Reference", payment.reference),
        ("Card", masked_card),
        ("Card brand", card_brand),
        ("Authorisation code", auth_code),
        ("3-D Secure", three_d_secure),
        ("Decline reason", decline_reason),
        ("Checkout", Some(checkout_url)),
    ];
    view! {
        {duplicate_note}
        {risk_note}
        <dl class="facts">
            {facts.into_iter().filter_map(|(label, value)| value.map(|value| view! { <dt>{label}</dt><dd>{value}</dd> })).collect_view()}
        </dl>
        {fees.map(|fees| view! { <FeesPanel fees /> })}
        <section class="panel" aria-labelledby="items-heading">
            <h2 id="items-heading">"Items"</h2>
            <table class="list">
                <thead><tr><th>"Item"</th><th>"Unit price"</th><th>"Quantity"</th><th>"Amount"</th></tr></thead>
                <tbody>
                    {items.into_iter().map(|item| view! {
                        <tr>
                            <td>{item.name}</td>
                            <td>{item.unit_amount.to_string()}</td>
                            <td>{item.quantity}</td>
                            <td>{item.amount.to_string()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <RefundsPanel refunds refunded refundable />
        {form}
        <section class="panel" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            <ol class="timeline">
                {timeline.into_iter().map(|entry| {
                    let (change, source) = (change(&entry), entry.source_words());
                    view! {
                        <li>
                            <time>{entry.at}</time>
                            " · " {source} " · " <strong>{change}</strong>
                            {entry.note.map(|note| view! { " · " <span class="aside">{note.words()}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
