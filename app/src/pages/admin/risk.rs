//! The Risk module: the five rules of the fraud checks, the blocklist, the merchants with
//! their own maximum amount per payment and the form that sets one, and the recent
//! decisions (flagged and blocked ones; `?decisions=all` adds those let through). Staff
//! with risk `view` see the settings greyed; `act` edits them.

use domain::Money;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::AdminShell;
use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::components::step_up::StepUpPrompt;
use crate::pages::payments::load_error;
use crate::risk::{
    AddBlock, BlockView, DecisionView, MerchantChoice, MerchantLimitView, RemoveBlock, RiskView,
    RuleView, SetMerchantLimit, SetRiskRule, risk_decisions, risk_settings,
};

/// What each rule counts, and the unit of its limit.
fn rule_text(rule: &str) -> (&'static str, &'static str) {
    match rule {
        "ip_velocity" => ("Attempts from one IP address", "Limit (attempts)"),
        "email_velocity" => ("Attempts with one buyer email", "Limit (attempts)"),
        "session_velocity" => ("Attempts on one checkout", "Limit (attempts)"),
        "ip_decline_ratio" => (
            "Declined attempts from one IP address",
            "Limit (% declined)",
        ),
        "max_amount" => (
            "Amount of one payment (unless the merchant has its own maximum)",
            "Limit in euro",
        ),
        _ => ("Rule", "Limit"),
    }
}

const ACTIONS: &[(&str, &str)] = &[("review", "Flag for review"), ("block", "Block")];

#[component]
pub fn RiskPage() -> impl IntoView {
    let query = use_query_map();
    let all = move || query.read().get("decisions").is_some_and(|v| v == "all");
    let add = ServerAction::<AddBlock>::new();
    let remove = ServerAction::<RemoveBlock>::new();
    let limit = ServerAction::<SetMerchantLimit>::new();
    // Reloaded after each change that the settings list, so the page shows what was saved.
    let settings = Resource::new(
        move || {
            (
                add.version().get(),
                remove.version().get(),
                limit.version().get(),
            )
        },
        |_| risk_settings(),
    );
    let decisions = Resource::new(all, risk_decisions);
    view! {
        <Title text="Risk" />
        <AdminShell>
            <h1>"Risk"</h1>
            <Transition fallback=|| view! { <p>"Loading the settings…"</p> }>
                {move || settings.get().map(|result| match result {
                    Ok(view) => view! { <Settings view add remove limit /> }.into_any(),
                    Err(error) => load_error(error),
                })}
            </Transition>
            <StepUpPrompt action=add id="block-add-step-up" />
            <StepUpPrompt action=remove id="block-remove-step-up" />
            <StepUpPrompt action=limit id="limit-step-up" />
            <section class="panel" aria-labelledby="decisions-heading">
                <h2 id="decisions-heading">"Recent decisions"</h2>
                <p class="aside">
                    {move || if all() {
                        view! { <a href="?">"Show flagged and blocked only"</a> }
                    } else {
                        view! { <a href="?decisions=all">"Show every decision"</a> }
                    }}
                </p>
                <Transition fallback=|| view! { <p>"Loading decisions…"</p> }>
                    {move || decisions.get().map(|result| match result {
                        Ok(list) => view! { <Decisions list /> }.into_any(),
                        Err(error) => load_error(error),
                    })}
                </Transition>
            </section>
        </AdminShell>
    }
}

#[component]
fn Settings(
    view: RiskView,
    add: ServerAction<AddBlock>,
    remove: ServerAction<RemoveBlock>,
    limit: ServerAction<SetMerchantLimit>,
) -> impl IntoView {
    let RiskView {
        rules,
        blocklist,
        merchants,
        limits,
        can_act,
    } = view;
    view! {
        <section class="panel" aria-labelledby="rules-heading">
            <h2 id="rules-heading">"Rules"</h2>
            <p class="aside">
                "Each rule looks back over its window, at attempts in the same mode only (Test attempts never count towards a Live decision). \
                 An IPv6 address counts with its whole /64 network. The strictest action of the rules that fire wins."
            </p>
            {rules.into_iter().map(|rule| view! { <RuleForm rule can_act /> }).collect_view()}
        </section>
        <section class="panel" aria-labelledby="blocklist-heading">
            <h2 id="blocklist-heading">"Blocklist"</h2>
            <Blocklist list=blocklist remove can_act />
            {can_act.then(|| view! { <AddBlockForm add /> })}
        </section>
        <section class="panel" aria-labelledby="limit-heading">
            <h2 id="limit-heading">"A merchant's maximum per payment"</h2>
            <MerchantLimits list=limits />
            <MerchantLimitForm merchants save=limit can_act />
        </section>
    }
}

/// One rule's settings; the fields a rule does not use go along unchanged.
#[component]
fn RuleForm(rule: RuleView, can_act: bool) -> impl IntoView {
    let save = ServerAction::<SetRiskRule>::new();
    let (title, limit_label) = rule_text(&rule.rule);
    let name = rule.rule.clone();
    let prompt_id = format!("{name}-step-up");
    let id = move |field: &str| format!("{name}-{field}");
    let limit = if rule.rule == "max_amount" {
        // The maximum amount's limit is kept in cents of euro.
        Money::eur(rule.limit_value).to_decimal_string()
    } else {
        rule.limit_value.to_string()
    };
    let uses_window = rule.rule != "max_amount";
    let uses_attempts = rule.rule == "ip_decline_ratio";
    let number = |label: &'static str, field: &'static str, value: String, shown: bool| {
        if !shown {
            return view! { <input type="hidden" name=field value=value /> }.into_any();
        }
        let (id, error) = (id(field), field_error(save, field));
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id name=field value=value required inputmode="numeric" autocomplete="off" />
                <p class="field-error" role="alert">{move || error.get()}</p>
            </div>
        }
        .into_any()
    };
    let fields = [
        number(limit_label, "limit_value", limit, true),
        number(
            "Window (minutes)",
            "window_minutes",
            rule.window_minutes.to_string(),
            uses_window,
        ),
        number(
            "Minimum attempts",
            "min_attempts",
            rule.min_attempts.to_string(),
            uses_attempts,
        ),
    ];
    let action_id = id("action");
    view! {
        <ActionForm action=save attr:class="form rule">
            <h3>{title}</h3>
            <input type="hidden" name="rule" value=rule.rule.clone() />
            <fieldset class="filter-grid" disabled=!can_act>
                {fields.into_iter().collect_view()}
                <div class="field">
                    <label for=action_id.clone()>"Action"</label>
                    <select id=action_id name="action">
                        {ACTIONS.iter().map(|&(value, text)| view! {
                            <option value=value selected=value == rule.action>{text}</option>
                        }).collect_view()}
                    </select>
                </div>
                <label class="check">
                    <input type="checkbox" name="enabled" value="on" checked=rule.enabled />
                    " Enabled"
                </label>
            </fieldset>
            <FormError message=form_error(save, &["limit_value", "window_minutes", "min_attempts"]) />
            <Show when=succeeded(save)>
                <p class="success" role="status">"Saved."</p>
            </Show>
            {can_act.then(|| view! { <button type="submit" disabled=move || save.pending().get()>"Save the rule"</button> })}
        </ActionForm>
        <StepUpPrompt action=save id=prompt_id />
    }
}

#[component]
fn Blocklist(
    list: Vec<BlockView>,
    remove: ServerAction<RemoveBlock>,
    can_act: bool,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>"Nothing is blocked."</p> }.into_any();
    }
    view! {
        <table class="list">
            <thead><tr><th>"Kind"</th><th>"Value"</th><th>"Note"</th><th>"Added"</th><th></th></tr></thead>
            <tbody>
                {list.into_iter().map(|b| {
                    let control = can_act.then(|| {
                        let label = format!("Remove {} from the blocklist", b.value);
                        view! {
                            <ActionForm action=remove attr:class="inline">
                                <input type="hidden" name="id" value=b.id.clone() />
                                <button type="submit" class="secondary" aria-label=label disabled=move || remove.pending().get()>
                                    "Remove"
                                </button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr>
                            <td>{b.kind}</td>
                            <td><code>{b.value}</code></td>
                            <td>{b.note}</td>
                            <td>{b.created}</td>
                            <td class="row-actions">{control}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <FormError message=form_error(remove, &[]) />
    }
    .into_any()
}

#[component]
fn AddBlockForm(add: ServerAction<AddBlock>) -> impl IntoView {
    view! {
        <ActionForm action=add attr:class="form filter-grid">
            <Field label="Kind" name="kind" error=field_error(add, "kind")>
                <select id="kind" name="kind">
                    <option value="email">"Buyer email"</option>
                    <option value="ip">"IP address"</option>
                    <option value="network">"Network"</option>
                </select>
            </Field>
            <Field label="Value" name="value" error=field_error(add, "value") hint="buyer@example.com, 203.0.113.7 or 203.0.113.0/24">
                <input id="value" name="value" required maxlength="254" autocomplete="off" />
            </Field>
            <Field label="Note (optional)" name="note" error=field_error(add, "note")>
                <input id="note" name="note" maxlength="500" autocomplete="off" />
            </Field>
            <button type="submit" disabled=move || add.pending().get()>"Add to the blocklist"</button>
        </ActionForm>
        <FormError message=form_error(add, &["kind", "value", "note"]) />
    }
}

/// The merchants with their own maximum; each maximum is in euro, like the form's.
#[component]
fn MerchantLimits(list: Vec<MerchantLimitView>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>"No merchant has its own maximum: the rule's limit applies to all."</p> }.into_any();
    }
    view! {
        <table class="list">
            <thead><tr><th>"Merchant"</th><th>"Maximum per payment"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|l| view! {
                    <tr><td>{l.merchant_name}</td><td>{l.max.to_string()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn MerchantLimitForm(
    merchants: Vec<MerchantChoice>,
    save: ServerAction<SetMerchantLimit>,
    can_act: bool,
) -> impl IntoView {
    view! {
        <p class="aside">"It replaces the rule's limit for that merchant. Leave the amount empty to use the rule's limit again."</p>
        <ActionForm action=save attr:class="form">
            <fieldset class="filter-grid" disabled=!can_act>
                <Field label="Merchant" name="merchant_id">
                    <select id="merchant_id" name="merchant_id">
                        {merchants.into_iter().map(|m| view! { <option value=m.id>{m.name}</option> }).collect_view()}
                    </select>
                </Field>
                <Field label="Maximum per payment in euro" name="max_amount" error=field_error(save, "max_amount")>
                    <input id="max_amount" name="max_amount" inputmode="decimal" autocomplete="off" />
                </Field>
            </fieldset>
            <FormError message=form_error(save, &["max_amount"]) />
            <Show when=succeeded(save)>
                <p class="success" role="status">"The merchant's maximum is saved."</p>
            </Show>
            {can_act.then(|| view! { <button type="submit" disabled=move || save.pending().get()>"Save the maximum"</button> })}
        </ActionForm>
    }
}

#[component]
fn Decisions(list: Vec<DecisionView>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>"No decisions to show."</p> }.into_any();
    }
    view! {
        <table class="list">
            <thead>
                <tr><th>"When"</th><th>"Merchant"</th><th>"Order"</th><th>"Buyer"</th><th>"IP address"</th><th>"Amount"</th><th>"Action"</th><th>"Why"</th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|d| {
                    let class = match d.action.as_str() {
                        "block" => "badge bad",
                        "review" => "badge pending",
                        _ => "badge ok",
                    };
                    view! {
                        <tr>
                            <td>{d.at}</td>
                            <td>{d.merchant_name}" "<span class="badge">{d.mode.label()}</span></td>
                            <td>{d.order_id.map(|order| view! { <code>{order}</code> })}</td>
                            <td>{d.buyer_email}</td>
                            <td>{d.ip}</td>
                            <td>{d.amount.to_string()}</td>
                            <td><span class=class>{d.action}</span></td>
                            <td><ul>{d.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
