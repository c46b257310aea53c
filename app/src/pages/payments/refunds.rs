//! A payment's refunds and the refund form, as the merchant dashboard and the console's
//! Refunds module both show them. The form confirms before it sends (a `<details>` that
//! opens on "Refund", so the step holds without WASM too) and carries the request id the
//! server gave with the payment.

use leptos::ev::SubmitEvent;
use leptos::form::FromFormData;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use crate::components::form::{Field, FormError, field_error, form_error};
use crate::error::AppError;
use domain::{Money, RefundId, RefundStatus};

use crate::refunds::RefundView;

/// The dashboard's and the console's refund functions: the same form, the same answer.
pub trait RefundFn:
    ServerFn<Error = AppError, Output = RefundView> + DeserializeOwned + Clone + Send + Sync + 'static
{
}

impl<S> RefundFn for S where
    S: ServerFn<Error = AppError, Output = RefundView>
        + DeserializeOwned
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The id of the latest refund `action` got back. Pages load the payment again when it
/// changes, and only then: that shows the new refund and gives the form a fresh request id.
/// After an error the form keeps its id, so trying again cannot refund twice.
pub fn latest_refund<S: RefundFn>(action: ServerAction<S>) -> Memo<Option<RefundId>> {
    Memo::new(move |previous: Option<&Option<RefundId>>| {
        action.value().with(|value| match value {
            Some(Ok(refund)) => Some(refund.id),
            _ => previous.cloned().flatten(),
        })
    })
}

/// A refund's status as a badge: its words and class.
fn status(status: RefundStatus) -> (&'static str, &'static str) {
    let class = match status {
        RefundStatus::Succeeded => "badge ok",
        RefundStatus::Failed => "badge bad",
        RefundStatus::Unknown | RefundStatus::Pending => "badge pending",
    };
    (status.label(), class)
}

/// What became of a refund, in plain words, and the class it shows with.
fn outcome(refund: &RefundView) -> (&'static str, String) {
    let amount = refund.amount;
    match refund.status {
        RefundStatus::Succeeded => ("success", format!("Refunded {amount}.")),
        RefundStatus::Failed => (
            "form-error",
            format!(
                "The refund of {amount} failed. {}",
                refund.failure.as_deref().unwrap_or("Nothing was refunded.")
            ),
        ),
        RefundStatus::Unknown | RefundStatus::Pending => (
            "notice",
            format!(
                "Outcome unknown: we are confirming the refund of {amount} with the bank; do not refund again."
            ),
        ),
    }
}

/// The latest refund's outcome. Placed outside the part that reloads after a refund, so it
/// stays in view.
#[component]
pub fn RefundOutcome<S: RefundFn>(action: ServerAction<S>) -> impl IntoView {
    move || {
        action.value().get().and_then(Result::ok).map(|refund| {
            let (class, text) = outcome(&refund);
            view! { <p class=class role="status">{text}</p> }
        })
    }
}

#[component]
pub fn RefundsPanel(refunds: Vec<RefundView>, refunded: Money, refundable: Money) -> impl IntoView {
    let totals = format!("Refunded {refunded}; {refundable} can still be refunded.");
    let list = if refunds.is_empty() {
        view! { <p>"No refunds yet."</p> }.into_any()
    } else {
        view! {
            <table class="list">
                <thead>
                    <tr><th>"Asked"</th><th>"Amount"</th><th>"Method"</th><th>"Status"</th><th>"Reason"</th><th>"Completed"</th></tr>
                </thead>
                <tbody>
                    {refunds.into_iter().map(|r| {
                        let (label, class) = status(r.status);
                        let method = if r.method == "void" { "Void (cancelled before settlement)" } else { "Credit to the card" };
                        view! {
                            <tr>
                                <td>{r.created}</td>
                                <td>{r.amount.to_string()}</td>
                                <td>{method}</td>
                                <td>
                                    <span class=class>{label}</span>
                                    {r.failure.map(|failure| view! { <br /><span class="aside">{failure}</span> })}
                                </td>
                                <td>{r.reason}</td>
                                <td>{r.completed}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="refunds-heading">
            <h2 id="refunds-heading">"Refunds"</h2>
            <p>{totals}</p>
            {list}
        </section>
    }
}

/// The refund form for one payment, prefilled with all that is left to refund.
#[component]
pub fn RefundForm<S: RefundFn>(
    action: ServerAction<S>,
    payment_id: String,
    request_id: String,
    refundable: Money,
) -> impl IntoView {
    let amount = RwSignal::new(refundable.to_decimal_string());
    // What `ActionForm` does, written out because its bounds cannot be stated for both
    // refund functions at once: without WASM the browser posts the form itself.
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match S::from_event(&ev) {
            Ok(input) => {
                action.dispatch(input);
            }
            Err(error) => action
                .value()
                .set(Some(Err(AppError::Request(error.to_string())))),
        }
    };
    view! {
        <section class="panel" aria-labelledby="refund-heading">
            <h2 id="refund-heading">"Refund"</h2>
            <form class="form" method="post" action=S::url() on:submit=submit>
                <input type="hidden" name="payment_id" value=payment_id />
                <input type="hidden" name="request_id" value=request_id />
                <Field label="Amount in euro" name="amount" error=field_error(action, "amount") hint="The whole amount left, or less.">
                    <input id="amount" name="amount" required inputmode="decimal" autocomplete="off" bind:value=amount />
                </Field>
                <Field label="Reason (optional)" name="reason" error=field_error(action, "reason")>
                    <input id="reason" name="reason" maxlength="500" autocomplete="off" />
                </Field>
                <FormError message=form_error(action, &["amount", "reason"]) />
                <details class="confirm">
                    <summary>"Refund"</summary>
                    <p>{move || format!("Refund {} EUR to the buyer's card? This cannot be undone.", amount.get().trim())}</p>
                    <button type="submit" class="danger" disabled=move || action.pending().get()>"Yes, refund"</button>
                </details>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refund(status: RefundStatus, failure: Option<&str>) -> RefundView {
        RefundView {
            id: "00000000-0000-0000-0000-000000000000".parse().unwrap(),
            amount: Money::eur(500),
            method: "credit".into(),
            status,
            reason: None,
            failure: failure.map(str::to_owned),
            requested_via: "dashboard".into(),
            created: String::new(),
            completed: None,
        }
    }

    #[test]
    fn each_outcome_says_what_happened_and_what_to_do() {
        assert_eq!(
            outcome(&refund(RefundStatus::Succeeded, None)).1,
            "Refunded 5.00 EUR."
        );
        let failed = outcome(&refund(
            RefundStatus::Failed,
            Some("The gateway refused the refund. Nothing was refunded."),
        ));
        assert_eq!(
            failed.1,
            "The refund of 5.00 EUR failed. The gateway refused the refund. Nothing was refunded."
        );
        assert!(
            outcome(&refund(RefundStatus::Unknown, None))
                .1
                .ends_with("do not refund again.")
        );
        assert!(
            outcome(&refund(RefundStatus::Pending, None))
                .1
                .starts_with("Outcome unknown")
        );
    }
}
