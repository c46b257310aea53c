//! The merchants module: every merchant account with its KYC status (linked to its review
//! under `/admin/kyc`), and one merchant's members with the suspension switch (a step-up
//! action). Verification is no switch: staff approve the KYC application instead. A
//! platform administrator resets a member's two-factor here (a lost phone, no codes left).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::AdminShell;
use crate::admin::{
    MerchantDetailView, MerchantRow, SetMerchantFlag, merchant_detail, merchant_list,
};
use crate::auth::two_factor::ResetTwoFactor;
use crate::components::form::{FormError, form_error, succeeded};
use crate::components::step_up::StepUpPrompt;
use crate::kyc_review::status_label;

/// The status badge's text and class; closing outranks everything, a suspension outranks
/// verification, and an unverified merchant shows where its KYC application stands.
fn status(merchant: &MerchantRow) -> (&'static str, &'static str) {
    if merchant.closed {
        ("Closed", "badge bad")
    } else if merchant.suspended {
        ("Suspended", "badge bad")
    } else if merchant.verified {
        ("Verified", "badge ok")
    } else if merchant.kyc_status == "approved" {
        // Approved but not verified: a re-verification deadline passed.
        ("Restricted", "badge bad")
    } else {
        (status_label(&merchant.kyc_status), "badge pending")
    }
}

/// A link to the merchant's KYC review, once it has an application.
fn review_link(merchant: &MerchantRow) -> Option<AnyView> {
    (merchant.kyc_status != "none").then(|| {
        view! { <a href=format!("/admin/kyc/{}", merchant.id)>{status_label(&merchant.kyc_status)}</a> }.into_any()
    })
}

#[component]
fn StatusBadge(merchant: MerchantRow) -> impl IntoView {
    let (text, class) = status(&merchant);
    view! { <span class=class>{text}</span> }
}

#[component]
pub fn MerchantsPage() -> impl IntoView {
    let merchants = Resource::new(|| (), |_| merchant_list());
    view! {
        <Title text="Merchants" />
        <AdminShell>
            <h1>"Merchants"</h1>
            <Transition fallback=|| view! { <p>"Loading merchants…"</p> }>
                {move || merchants.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p>"No merchant accounts yet."</p> }.into_any(),
                    Ok(list) => view! { <MerchantTable list /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </AdminShell>
    }
}

#[component]
fn MerchantTable(list: Vec<MerchantRow>) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr><th>"Business"</th><th>"Created"</th><th>"Status"</th><th>"Verification"</th><th>"Members"</th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|m| view! {
                    <tr>
                        <td><a href=format!("/admin/merchants/{}", m.id)>{m.business_name.clone()}</a></td>
                        <td>{m.created.clone()}</td>
                        <td><StatusBadge merchant=m.clone() /></td>
                        <td>{review_link(&m).unwrap_or_else(|| view! { "Not started" }.into_any())}</td>
                        <td>{m.members}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn MerchantPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let flag = ServerAction::<SetMerchantFlag>::new();
    let reset = ServerAction::<ResetTwoFactor>::new();
    let detail = Resource::new(
        move || (id(), flag.version().get(), reset.version().get()),
        |(id, _, _)| merchant_detail(id),
    );
    view! {
        <Title text="Merchant" />
        <AdminShell>
            <p class="aside"><a href="/admin/merchants">"All merchants"</a></p>
            <Transition fallback=|| view! { <p>"Loading the merchant…"</p> }>
                {move || detail.get().map(|result| match result {
                    Ok(detail) => view! { <MerchantDetailPanel detail flag reset /> }.into_any(),
                    Err(error) => view! {
                        <h1>"Merchant"</h1>
                        <p class="form-error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                })}
            </Transition>
            // Outside the part that re-renders after each action, so the prompt keeps the
            // input it repeats once the code is confirmed.
            <FormError message=form_error(flag, &[]) />
            <StepUpPrompt action=flag id="flag-step-up" />
            <Show when=succeeded(reset)>
                <p class="success" role="status">"Two-factor reset: the member's sessions have ended, and they set it up again at their next sign-in."</p>
            </Show>
            <FormError message=form_error(reset, &[]) />
            <StepUpPrompt action=reset id="reset-step-up" />
            <crate::pages::admin::merchant_terms::MerchantTerms />
        </AdminShell>
    }
}

#[component]
fn MerchantDetailPanel(
    detail: MerchantDetailView,
    flag: ServerAction<SetMerchantFlag>,
    reset: ServerAction<ResetTwoFactor>,
) -> impl IntoView {
    let MerchantDetailView {
        merchant,
        members,
        can_act,
        resets_two_factor,
    } = detail;
    let switches = can_act.then(|| {
        let suspended = merchant.suspended;
        let suspend_label = if suspended { "Reinstate" } else { "Suspend" };
        view! {
            <p class="actions">
                <FlagForm flag id=merchant.id.clone() name="suspended" on=!suspended label=suspend_label />
            </p>
        }
    });
    let verification = match review_link(&merchant) {
        Some(link) => view! { <p>"Verification: " {link}"."</p> }.into_any(),
        None => view! { <p>"Verification: not started. Live Mode opens once staff approve its application."</p> }.into_any(),
    };
    view! {
        <header class="dashboard-head">
            <h1>{merchant.business_name.clone()}</h1>
            <StatusBadge merchant=merchant.clone() />
        </header>
        <p>{format!("Created {}.", merchant.created)}</p>
        {verification}
        {switches}
        <section class="panel" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <table class="list">
                <thead>
                    <tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Invited"</th><th>"Two-factor"</th></tr>
                </thead>
                <tbody>
                    {members.into_iter().map(|m| view! {
                        <tr>
                            <td>{m.full_name}</td>
                            <td>{m.email}</td>
                            <td>{m.role.label()}</td>
                            <td>{if m.invited { "Invited, not accepted yet" } else { "No" }}</td>
                            <td>
                                {if m.mfa_enabled { "On " } else { "Off" }}
                                {(m.mfa_enabled && resets_two_factor).then(|| view! {
                                    <ActionForm action=reset attr:class="inline">
                                        <input type="hidden" name="user_id" value=m.user_id.clone() />
                                        <button type="submit" class="secondary" disabled=move || reset.pending().get()>"Reset two-factor"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// One switch: sets `name` to `on` for the merchant.
#[component]
fn FlagForm(
    flag: ServerAction<SetMerchantFlag>,
    id: String,
    name: &'static str,
    on: bool,
    label: &'static str,
) -> impl IntoView {
    // A suspension stops the merchant's business, so that switch looks dangerous.
    let class = if name == "suspended" && on {
        "danger"
    } else {
        "secondary"
    };
    view! {
        <ActionForm action=flag attr:class="inline">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="flag" value=name />
            <input type="hidden" name="on" value=on.to_string() />
            <button type="submit" class=class disabled=move || flag.pending().get()>{label}</button>
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_and_suspension_outrank_verification_and_the_kyc_status_shows_otherwise() {
        let row = |verified, suspended, kyc: &str| MerchantRow {
            id: String::new(),
            business_name: String::new(),
            created: String::new(),
            verified,
            suspended,
            closed: false,
            members: 1,
            kyc_status: kyc.into(),
        };
        assert_eq!(status(&row(true, true, "approved")).0, "Suspended");
        assert_eq!(status(&row(true, false, "approved")).0, "Verified");
        assert_eq!(status(&row(false, false, "submitted")).0, "Awaiting review");
        assert_eq!(status(&row(false, false, "none")).0, "Not started");
        assert_eq!(status(&row(false, false, "approved")).0, "Restricted");
        let closed = MerchantRow {
            closed: true,
            ..row(true, true, "approved")
        };
        assert_eq!(status(&closed).0, "Closed");
    }
}
