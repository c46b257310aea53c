//! The console's ledger (module `payouts`): the platform's own accounts month by month
//! with the adjustments waiting for a second staff member, and one merchant's entries
//! with every line and its running balance, older pages by cursor, its adjustments and
//! (payouts `act`) the adjustment form.

use domain::{Mode, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::form::{Field, FormError, field_error, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::ledger::{
    AdjustmentView, DecideAdjustment, EntryView, MerchantLedgerView, RequestAdjustment,
    merchant_ledger, platform_ledger,
};
use crate::pages::admin::AdminShell;
use crate::pages::payments::load_error;

#[component]
pub fn PlatformLedgerPage() -> impl IntoView {
    let decide = ServerAction::<DecideAdjustment>::new();
    let ledger = Resource::new(move || decide.version().get(), |_| platform_ledger());
    view! {
        <Title text="Ledger" />
        <AdminShell>
            <h1>"Ledger"</h1>
            <p class="aside">"A merchant's entries are on its ledger page, reached from the merchant's console page."</p>
            <Transition fallback=|| view! { <p>"Loading the books…"</p> }>
                {move || ledger.get().map(|result| match result {
                    Ok(view) => view! {
                        <section class="panel" aria-labelledby="waiting-heading">
                            <h2 id="waiting-heading">"Adjustments waiting for a second staff member"</h2>
                            <AdjustmentList adjustments=view.waiting decide />
                        </section>
                        <section class="panel" aria-labelledby="platform-heading">
                            <h2 id="platform-heading">"Platform accounts per month"</h2>
                            <table class="list">
                                <thead><tr><th>"Month"</th><th>"Mode"</th><th>"Account"</th><th>"Moved"</th><th>"Balance at month end"</th></tr></thead>
                                <tbody>
                                    {view.months.into_iter().map(|m| view! {
                                        <tr>
                                            <td>{m.month}</td>
                                            <td>{m.mode.as_str()}</td>
                                            <td>{m.account.replace('_', " ")}</td>
                                            <td>{m.movement.to_string()}</td>
                                            <td>{m.closing.to_string()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <FormError message=form_error(decide, &[]) />
            <StepUpPrompt action=decide id="decide-step-up" />
        </AdminShell>
    }
}

#[component]
pub fn MerchantLedgerPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let mode = move || query.read().get("mode").unwrap_or_default();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let adjust = ServerAction::<RequestAdjustment>::new();
    let decide = ServerAction::<DecideAdjustment>::new();
    let ledger = Resource::new(
        move || {
            (
                id(),
                mode(),
                before(),
                adjust.version().get(),
                decide.version().get(),
            )
        },
        |(id, mode, before, _, _)| merchant_ledger(id, mode, before),
    );
    view! {
        <Title text="Merchant ledger" />
        <AdminShell>
            <p class="aside"><a href=move || format!("/admin/merchants/{}", id())>"The merchant"</a></p>
            <Transition fallback=|| view! { <p>"Loading the ledger…"</p> }>
                {move || ledger.get().map(|result| match result {
                    Ok(view) => view! { <MerchantLedger view merchant_id=id() adjust decide /> }.into_any(),
                    Err(error) => view! { <h1>"Ledger"</h1>{load_error(error)} }.into_any(),
                })}
            </Transition>
            <FormError message=form_error(adjust, &["mode", "direction", "amount", "counter_account", "reason"]) />
            <StepUpPrompt action=adjust id="adjust-step-up" />
            <FormError message=form_error(decide, &[]) />
            <StepUpPrompt action=decide id="decide-step-up" />
        </AdminShell>
    }
}

#[component]
fn MerchantLedger(
    view: MerchantLedgerView,
    merchant_id: String,
    adjust: ServerAction<RequestAdjustment>,
    decide: ServerAction<DecideAdjustment>,
) -> impl IntoView {
    let MerchantLedgerView {
        merchant_name,
        mode,
        entries,
        next_before,
        adjustments,
        can_adjust,
        four_eyes_above,
    } = view;
    let other = if mode == Mode::Live { "test" } else { "live" };
    let mode = mode.as_str();
    let older = next_before.map(|before| {
        view! { <p><a href=format!("/admin/ledger/{merchant_id}?mode={mode}&before={before}")>"Older entries"</a></p> }
    });
    let form = can_adjust.then(|| view! { <AdjustmentForm action=adjust merchant_id=merchant_id.clone() four_eyes_above /> });
    view! {
        <h1>{format!("Ledger: {merchant_name}")}</h1>
        <p>
            {format!("{} Mode. ", if mode == "live" { "Live" } else { "Test" })}
            <a href=format!("/admin/ledger/{merchant_id}?mode={other}")>{format!("Show {other} mode")}</a>
        </p>
        <section class="panel" aria-labelledby="entries-heading">
            <h2 id="entries-heading">"Entries"</h2>
            {if entries.is_empty() {
                view! { <p>"No entries."</p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <thead><tr>
                            <th>"Entry"</th><th>"Posted"</th><th>"Type"</th><th>"Reference"</th>
                            <th>"Account"</th><th>"Debit / credit"</th><th>"Balance after"</th>
                        </tr></thead>
                        <tbody>{entries.into_iter().map(|entry| view! { <EntryRows entry /> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
            {older}
        </section>
        <section class="panel" aria-labelledby="adjustments-heading">
            <h2 id="adjustments-heading">"Adjustments"</h2>
            <AdjustmentList adjustments decide />
            {form}
        </section>
    }
}

#[component]
fn EntryRows(entry: EntryView) -> impl IntoView {
    let EntryView {
        id,
        kind,
        posted,
        reference,
        lines,
    } = entry;
    let span = lines.len().max(1);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let head = (i == 0).then(|| {
                let rows = span.to_string();
                view! {
                    <td rowspan=rows.clone()>{id}</td>
                    <td rowspan=rows.clone()>{posted.clone()}</td>
                    <td rowspan=rows.clone()>{kind.replace('_', " ")}</td>
                    <td rowspan=rows>{reference.clone()}</td>
                }
            });
            let side = if line.amount.is_positive() {
                "debit"
            } else {
                "credit"
            };
            view! {
                <tr>
                    {head}
                    <td>{line.account.replace('_', " ")}</td>
                    <td>{format!("{side} {}", line.amount.to_decimal_string().trim_start_matches('-'))}</td>
                    <td>{line.balance_after.to_string()}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn AdjustmentList(
    adjustments: Vec<AdjustmentView>,
    decide: ServerAction<DecideAdjustment>,
) -> impl IntoView {
    if adjustments.is_empty() {
        return view! { <p>"None."</p> }.into_any();
    }
    view! {
        <ul class="adjustments">
            {adjustments.into_iter().map(|a| {
                let (approve_id, reject_id) = (a.id.clone(), a.id.clone());
                let decision = a.can_decide.then(move || view! {
                    <ActionForm action=decide attr:class="inline">
                        <input type="hidden" name="adjustment_id" value=approve_id />
                        <input type="hidden" name="approve" value="true" />
                        <button type="submit">"Approve and post"</button>
                    </ActionForm>
                    <ActionForm action=decide attr:class="inline">
                        <input type="hidden" name="adjustment_id" value=reject_id />
                        <input type="hidden" name="approve" value="false" />
                        <button type="submit" class="secondary">"Reject"</button>
                    </ActionForm>
                });
                let decided = a.decided_by.map(|by| format!(", decided by {by}")).unwrap_or_default();
                let direction = if a.direction == "credit" { "Credit" } else { "Debit" };
                view! {
                    <li>
                        <p>
                            <strong>{format!("{direction} {} ", a.amount)}</strong>
                            {format!(
                                "for {} ({} mode) against {}: ", a.merchant_name, a.mode.as_str(), a.counter_account.replace('_', " "),
                            )}
                            <q>{a.reason}</q>
                            {format!(" — asked by {} {}{decided}. ", a.requested_by, a.requested)}
                            <span class=format!("badge {}", a.status)>{a.status.clone()}</span>
                        </p>
                        {decision}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn AdjustmentForm(
    action: ServerAction<RequestAdjustment>,
    merchant_id: String,
    four_eyes_above: Money,
) -> impl IntoView {
    view! {
        <h3>"Adjust the available balance"</h3>
        <p class="aside">{format!(
            "Above {} a second staff member approves it before it is posted.",
            four_eyes_above,
        )}</p>
        <ActionForm action attr:class="form">
            <input type="hidden" name="merchant_id" value=merchant_id />
            <Field label="Mode" name="mode" error=field_error(action, "mode")>
                <select id="mode" name="mode"><option value="live">"Live"</option><option value="test">"Test"</option></select>
            </Field>
            <Field label="Direction" name="direction" error=field_error(action, "direction")>
                <select id="direction" name="direction">
                    <option value="credit">"Credit the merchant"</option>
                    <option value="debit">"Debit the merchant"</option>
                </select>
            </Field>
            <Field label="Amount (euro)" name="amount" error=field_error(action, "amount")>
                <input id="amount" name="amount" inputmode="decimal" required />
            </Field>
            <Field label="Against" name="counter_account" error=field_error(action, "counter_account")>
                <select id="counter_account" name="counter_account">
                    <option value="fee_revenue">"Fee revenue (a goodwill fee refund)"</option>
                    <option value="gateway_fees">"Gateway fees"</option>
                    <option value="chargeback_losses">"Chargeback losses"</option>
                </select>
            </Field>
            <Field label="Reason (the merchant's statement shows it)" name="reason" error=field_error(action, "reason")>
                <textarea id="reason" name="reason" required minlength="5" maxlength="500" rows="2"></textarea>
            </Field>
            <button type="submit" disabled=move || action.pending().get()>"Ask for the adjustment"</button>
        </ActionForm>
    }
}
