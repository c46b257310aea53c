//! One application under review: where it stands, the checklist with its decisions, the
//! business details, the people (personal numbers masked), the current documents (opened
//! through the audited staff download), the bank account and sanctions panels, and the
//! approve, reject and re-verification forms for staff who may decide.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::decide::{Actions, Checklist, Decisions};
use super::status_class;
use crate::components::form::{FormError, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::kyc_review::{
    AcceptKycItem, ApproveKyc, DocumentView, Fact, PersonView, RejectKyc, RequestKycChanges,
    RequestReverification, ReviewView, kyc_application, status_label,
};
use crate::pages::admin::AdminShell;
use crate::pages::admin::bank_account::BankAccountPanel;
use crate::pages::admin::sanctions::SanctionsPanel;

#[component]
pub fn KycApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = Actions {
        accept: ServerAction::<AcceptKycItem>::new(),
        changes: ServerAction::<RequestKycChanges>::new(),
        approve: ServerAction::<ApproveKyc>::new(),
        reject: ServerAction::<RejectKyc>::new(),
        reverify: ServerAction::<RequestReverification>::new(),
    };
    // Reloaded after every decision, so the page shows what the server kept.
    let review = Resource::new(
        move || (id(), actions.versions()),
        |(id, _)| kyc_application(id),
    );
    view! {
        <Title text="Verification review" />
        <AdminShell>
            <p class="aside"><a href="/admin/kyc">"All applications"</a></p>
            // Outside the part that re-renders after each decision, so a refusal stays in
            // view and the step-up prompts keep the input they repeat.
            <FormError message=form_error(actions.accept, &[]) />
            <FormError message=form_error(actions.changes, &[]) />
            <FormError message=form_error(actions.approve, &[]) />
            <FormError message=form_error(actions.reject, &[]) />
            <FormError message=form_error(actions.reverify, &[]) />
            <StepUpPrompt action=actions.approve id="approve-step-up" />
            <StepUpPrompt action=actions.reject id="reject-step-up" />
            <Transition fallback=|| view! { <p>"Loading the application…"</p> }>
                {move || review.get().map(|result| match result {
                    Ok(view) => view! { <Review view actions /> }.into_any(),
                    Err(error) => view! {
                        <h1>"Verification review"</h1>
                        <p class="form-error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                })}
            </Transition>
        </AdminShell>
    }
}

#[component]
fn Review(view: ReviewView, actions: Actions) -> impl IntoView {
    let merchant_id = view.merchant_id.clone();
    let standing = standing(&view);
    let read_only = (!view.can_act).then(|| {
        view! { <p class="notice" role="note">"You can read this application. Deciding on it needs the merchants module at act."</p> }
    });
    view! {
        <header class="dashboard-head">
            <h1>{view.business_name.clone()}</h1>
            <span class=status_class(&view.status)>{status_label(&view.status)}</span>
        </header>
        <ul class="checklist">
            {standing.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
        </ul>
        {read_only}
        <Checklist view=view.clone() actions />
        <FactsPanel id="business-heading" title="Business details" facts=view.business.clone() />
        <People people=view.people.clone() />
        <Documents documents=view.documents.clone() />
        <BankAccountPanel merchant_id=merchant_id.clone() />
        <SanctionsPanel merchant_id=merchant_id.clone() />
        <Decisions view actions />
    }
}

/// Where the application stands, in sentences: submitted, decided, deadlines, Live Mode.
fn standing(view: &ReviewView) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(at) = &view.submitted {
        lines.push(format!("Submitted {at}."));
    }
    if let (Some(at), Some(by)) = (&view.decided, &view.decided_by) {
        lines.push(format!("Last decided {at} by {by}."));
    }
    if let Some(reason) = &view.rejection_reason {
        lines.push(format!("Rejected: {reason}"));
    }
    if let Some(by) = &view.changes_requested_by {
        lines.push(format!("Changes last asked for by {by}."));
    }
    if let Some(due) = &view.reverification_due {
        lines.push(format!("Re-verification due by {due} (end of day, UTC)."));
    }
    if let Some(at) = &view.restricted {
        lines.push(format!(
            "Restricted to Test Mode since {at}: the re-verification was overdue."
        ));
    }
    lines.push(
        match (view.suspended, view.verified) {
            (true, _) => "The merchant is suspended: Live Mode is closed whatever the review says.",
            (false, true) => "Live Mode is open.",
            (false, false) => "Live Mode is closed.",
        }
        .to_owned(),
    );
    lines
}

#[component]
fn FactsPanel(id: &'static str, title: &'static str, facts: Vec<Fact>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby=id>
            <h2 id=id>{title}</h2>
            <FactList facts />
        </section>
    }
}

#[component]
fn FactList(facts: Vec<Fact>) -> impl IntoView {
    view! {
        <dl>
            {facts.into_iter().map(|fact| view! { <dt>{fact.label}</dt><dd>{fact.value}</dd> }).collect_view()}
        </dl>
    }
}

#[component]
fn People(people: Vec<PersonView>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="people-heading">
            <h2 id="people-heading">"Representative and owners"</h2>
            {if people.is_empty() {
                view! { <p>"No one entered yet."</p> }.into_any()
            } else {
                people.into_iter().map(|person| view! {
                    <h3>{person.heading}</h3>
                    <FactList facts=person.facts />
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn Documents(documents: Vec<DocumentView>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="documents-heading">
            <h2 id="documents-heading">"Documents"</h2>
            {if documents.is_empty() {
                view! { <p>"No documents uploaded."</p> }.into_any()
            } else {
                view! {
                    <p class="aside">"Each download is recorded in the audit trail."</p>
                    <table class="list">
                        <thead>
                            <tr><th>"Document"</th><th>"Person"</th><th>"Type"</th><th>"Size"</th><th>"Uploaded"</th></tr>
                        </thead>
                        <tbody>
                            {documents.into_iter().map(|d| view! {
                                <tr>
                                    <td><a href=d.href rel="noopener" target="_blank">{d.kind}</a></td>
                                    <td>{d.person.unwrap_or_default()}</td>
                                    <td>{d.content_type}</td>
                                    <td>{d.size}</td>
                                    <td>{d.uploaded}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
