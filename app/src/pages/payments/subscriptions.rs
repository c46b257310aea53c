//! Subscriptions of the current mode: the plans (for owners, admins and developers a new
//! plan and a checkout that signs a buyer up for one), and the subscriptions signed up,
//! each with where it stands and, for who may refund, cancelling (with a fresh second
//! factor) now or at the end of the period paid for, keeping one that was to end, and the
//! dunning schedule.

use leptos::prelude::*;

use super::{DashboardShell, ShareableUrl, load_error};
use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::components::step_up::StepUpPrompt;
use crate::payments::DashboardView;
use crate::subscriptions::{
    CancelAtPeriodEnd, CancelSubscription, CreatePlan, CreatePlanCheckout, CreatePlanLink,
    INTERVALS, KeepSubscription, PlanView, SetDunning, SubscriptionView, SubscriptionsView,
    subscriptions,
};

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    view! { <DashboardShell title="Subscriptions" body=|state: DashboardView| view! { <Subscriptions can_edit=state.can_edit /> } /> }
}

#[component]
fn Subscriptions(can_edit: bool) -> impl IntoView {
    let create = ServerAction::<CreatePlan>::new();
    let checkout = ServerAction::<CreatePlanCheckout>::new();
    let link = ServerAction::<CreatePlanLink>::new();
    let cancel = ServerAction::<CancelSubscription>::new();
    let dunning = ServerAction::<SetDunning>::new();
    let actions = Actions {
        cancel,
        period_end: ServerAction::<CancelAtPeriodEnd>::new(),
        keep: ServerAction::<KeepSubscription>::new(),
    };
    let list = Resource::new(
        move || {
            (
                create.version().get(),
                cancel.version().get(),
                actions.period_end.version().get(),
                actions.keep.version().get(),
                dunning.version().get(),
            )
        },
        |_| subscriptions(),
    );
    view! {
        <section class="panel" aria-labelledby="subscriptions-heading">
            <h2 id="subscriptions-heading">"Subscriptions"</h2>
            <p class="aside">
                "The bank's payment service charges each installment on its own schedule; Saleonix never keeps the card. "
                "Installments appear here and under Payments as the service reports them."
            </p>
            <Transition fallback=|| view! { <p>"Loading subscriptions…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(view) if view.subscriptions.is_empty() => view! { <p>"No subscriptions in this mode yet."</p> }.into_any(),
                    Ok(view) => view! { <SubscriptionTable list=view.subscriptions actions can_cancel=view.can_cancel /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(cancel, &[]) />
            <FormError message=form_error(actions.period_end, &[]) />
            <FormError message=form_error(actions.keep, &[]) />
            <StepUpPrompt action=cancel id="cancel-subscription-step-up" />
            <StepUpPrompt action=actions.period_end id="period-end-step-up" />
        </section>
        <section class="panel" aria-labelledby="plans-heading">
            <h2 id="plans-heading">"Plans"</h2>
            <Transition fallback=|| view! { <p>"Loading plans…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(view) if view.plans.is_empty() => view! { <p>"No plans in this mode yet."</p> }.into_any(),
                    Ok(view) => view! { <PlanTable list=view.plans checkout link can_edit /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(checkout, &[]) />
            <FormError message=form_error(link, &[]) />
            {move || checkout.value().get().and_then(Result::ok).map(|url| view! {
                <p class="success" role="status">"The sign-up checkout is ready (24 hours): " <ShareableUrl url /></p>
            })}
            {move || link.value().get().and_then(Result::ok).map(|url| view! {
                <p class="success" role="status">"The payment link is ready; each buyer who opens it signs up: " <ShareableUrl url /></p>
            })}
        </section>
        <Transition fallback=|| ()>
            {move || list.get().and_then(Result::ok).map(|view| view! { <Dunning view dunning /> })}
        </Transition>
        {can_edit.then(|| view! { <NewPlan create /> })}
    }
}

/// What follows a declined installment, and for who may refund, the form to change it.
#[component]
fn Dunning(view: SubscriptionsView, dunning: ServerAction<SetDunning>) -> impl IntoView {
    let SubscriptionsView {
        max_declines,
        grace_days,
        can_cancel,
        ..
    } = view;
    let form = can_cancel.then(|| {
        view! {
            <ActionForm action=dunning attr:class="form">
                <Field label="Declined payments left unpaid that end a subscription" name="max_declines" error=field_error(dunning, "max_declines") hint="1 to 10">
                    <input id="max_declines" name="max_declines" type="number" min="1" max="10" step="1" value=max_declines.to_string() required />
                </Field>
                <Field label="Days the buyer has to pay a declined payment" name="grace_days" error=field_error(dunning, "grace_days") hint="1 to 60">
                    <input id="grace_days" name="grace_days" type="number" min="1" max="60" step="1" value=grace_days.to_string() required />
                </Field>
                <FormError message=form_error(dunning, &["max_declines", "grace_days"]) />
                <Show when=succeeded(dunning)>
                    <p class="success" role="status">"The schedule is saved; it applies to declines from now on."</p>
                </Show>
                <button type="submit" disabled=move || dunning.pending().get()>"Save the schedule"</button>
            </ActionForm>
        }
    });
    view! {
        <section class="panel" aria-labelledby="dunning-heading">
            <h2 id="dunning-heading">"When a payment is declined"</h2>
            <p>
                {format!(
                    "The bank does not try a declined payment again. The buyer is emailed a link to pay it within {grace_days} days; \
                     the subscription is past due until they do. If it stays unpaid, or {max_declines} declined payments are unpaid \
                     at once, Saleonix cancels the subscription at the bank and it ends unpaid. \
                     Test Mode and Live Mode each have their own schedule."
                )}
            </p>
            {form}
        </section>
    }
}

#[component]
fn NewPlan(create: ServerAction<CreatePlan>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="new-plan-heading">
            <h2 id="new-plan-heading">"New plan"</h2>
            <p class="aside">"The first payment is taken when the buyer signs up: the bank's payment service offers no free trial."</p>
            <ActionForm action=create attr:class="form">
                <Field label="Name" name="name" error=field_error(create, "name")>
                    <input id="name" name="name" required maxlength="200" autocomplete="off" />
                </Field>
                <Field label="Each payment in euro" name="price" error=field_error(create, "price") hint="For example 9.90">
                    <input id="price" name="price" required inputmode="decimal" autocomplete="off" />
                </Field>
                <Field label="Every" name="interval_count" error=field_error(create, "interval_count") hint="1 to 999">
                    <input id="interval_count" name="interval_count" type="number" min="1" max="999" step="1" value="1" required />
                </Field>
                <Field label="Interval" name="interval" error=field_error(create, "interval")>
                    <select id="interval" name="interval">
                        {INTERVALS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                </Field>
                <Field label="Payments in all" name="installments" error=field_error(create, "installments") hint="2 to 121, the first at sign-up; leave empty when until cancelled">
                    <input id="installments" name="installments" type="number" min="2" max="121" step="1" />
                </Field>
                <label class="check">
                    <input type="checkbox" name="until_cancelled" value="on" aria-describedby="until-cancelled-hint" />
                    " Until cancelled"
                </label>
                <p id="until-cancelled-hint" class="field-hint">"The bank's payment service runs at most 121 payments in one series. When a series ends, Saleonix emails the buyer to agree to the next one; nothing more is charged unless they do."</p>
                <FormError message=form_error(create, &["name", "price", "interval", "interval_count", "installments", "until_cancelled"]) />
                <Show when=succeeded(create)>
                    <p class="success" role="status">"The plan is created."</p>
                </Show>
                <button type="submit" disabled=move || create.pending().get()>"Create the plan"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PlanTable(
    list: Vec<PlanView>,
    checkout: ServerAction<CreatePlanCheckout>,
    link: ServerAction<CreatePlanLink>,
    can_edit: bool,
) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr><th>"Plan"</th><th>"Price"</th><th>"Schedule"</th><th>"Created"</th><th></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|p| {
                    let control = can_edit.then(|| {
                        let label = format!("Make a sign-up checkout for {}", p.name);
                        let link_label = format!("Make a payment link for {}", p.name);
                        let (id, link_id) = (p.id.clone(), p.id.clone());
                        view! {
                            <ActionForm action=checkout attr:class="inline">
                                <input type="hidden" name="plan" value=id />
                                <input type="hidden" name="buyer_email" value="" />
                                <button type="submit" class="secondary" aria-label=label disabled=move || checkout.pending().get()>
                                    "Sign-up checkout"
                                </button>
                            </ActionForm>
                            <ActionForm action=link attr:class="inline">
                                <input type="hidden" name="plan" value=link_id />
                                <button type="submit" class="secondary" aria-label=link_label disabled=move || link.pending().get()>
                                    "Payment link"
                                </button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr>
                            <td>{p.name.clone()}</td>
                            <td>{p.price.to_string()}</td>
                            <td>{p.schedule.clone()}</td>
                            <td>{p.created.clone()}</td>
                            <td class="row-actions">{control}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What a subscription's row can do.
#[derive(Clone, Copy)]
struct Actions {
    cancel: ServerAction<CancelSubscription>,
    period_end: ServerAction<CancelAtPeriodEnd>,
    keep: ServerAction<KeepSubscription>,
}

#[component]
fn SubscriptionTable(
    list: Vec<SubscriptionView>,
    actions: Actions,
    can_cancel: bool,
) -> impl IntoView {
    let Actions {
        cancel,
        period_end,
        keep,
    } = actions;
    view! {
        <table class="list">
            <thead>
                <tr>
                    <th>"Buyer"</th><th>"Plan"</th><th>"Status"</th><th>"Paid"</th><th>"Next charge"</th>
                    <th>"Since"</th><th></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|s| {
                    let buyer = s.buyer_email.clone().unwrap_or_else(|| "(erased)".into());
                    let control = (can_cancel && s.running).then(|| {
                        let (id, later_id) = (s.id.clone(), s.id.clone());
                        let label = format!("Cancel the subscription of {buyer}");
                        let later = match &s.ends {
                            Some(_) => {
                                let label = format!("Keep the subscription of {buyer}");
                                view! {
                                    <ActionForm action=keep attr:class="inline">
                                        <input type="hidden" name="id" value=later_id />
                                        <button type="submit" class="secondary" aria-label=label disabled=move || keep.pending().get()>
                                            "Keep"
                                        </button>
                                    </ActionForm>
                                }.into_any()
                            }
                            None => {
                                let label = format!("End the subscription of {buyer} with its period");
                                s.next_charge.is_some().then(move || view! {
                                    <ActionForm action=period_end attr:class="inline">
                                        <input type="hidden" name="id" value=later_id />
                                        <button type="submit" class="secondary" aria-label=label disabled=move || period_end.pending().get()>
                                            "Cancel at period end"
                                        </button>
                                    </ActionForm>
                                }).into_any()
                            }
                        };
                        view! {
                            <ActionForm action=cancel attr:class="inline">
                                <input type="hidden" name="id" value=id />
                                <button type="submit" class="secondary" aria-label=label disabled=move || cancel.pending().get()>
                                    "Cancel now"
                                </button>
                            </ActionForm>
                            {later}
                        }
                    });
                    view! {
                        <tr>
                            <td>{buyer.clone()}</td>
                            <td>{s.plan.clone()} <br /><span class="aside">{format!("{} {}", s.price, s.schedule)}</span></td>
                            <td><span class=format!("badge status-{}", s.status)>{s.status_label.clone()}</span></td>
                            <td>{s.paid.clone()}</td>
                            <td>{match (&s.ends, &s.next_charge) {
                                (Some(ends), _) => format!("None: ends {ends}"),
                                (None, Some(next)) => next.clone(),
                                (None, None) => "-".into(),
                            }}</td>
                            <td>{s.created.clone()}</td>
                            <td class="row-actions">{control}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
