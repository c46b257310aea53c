//! The dashboard's Verification page: the checklist and the guided application.
//!
//! The checklist always shows every item with its state in words and staff's reason.
//! The steps below (business, people, documents, the bank account, sending) each save on
//! their own, so the application is a draft at every step. Every member reads the page;
//! owners and admins see the forms enabled while the item may be changed. Uploads are
//! plain multipart forms (they work with or without WASM): the server redirects back with
//! `uploaded=<kind>` or `upload_error=<code>`.

pub mod bank_account;
mod business;
mod documents;
mod people;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::form::{FormError, form_error, succeeded};
use crate::kyc::{
    ChecklistLine, RemovePerson, SaveBusiness, SavePerson, SubmitApplication, VerificationView,
    verification,
};
use crate::pages::payments::{DashboardShell, load_error};
use crate::payments::DashboardView;

use self::bank_account::BankAccountSection;

/// The page's actions, created once: the application reloads after each.
#[derive(Clone, Copy)]
pub struct Actions {
    pub business: ServerAction<SaveBusiness>,
    pub person: ServerAction<SavePerson>,
    pub remove: ServerAction<RemovePerson>,
    pub submit: ServerAction<SubmitApplication>,
    /// Bumped by forms that own their action (editing one person).
    pub changed: RwSignal<u32>,
}

/// Bumps `changed` each time `action` succeeds.
pub fn reload_on_success<S>(action: ServerAction<S>, changed: RwSignal<u32>)
where
    S: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            changed.update(|n| *n += 1);
        }
    });
}

#[component]
pub fn VerificationPage() -> impl IntoView {
    view! { <DashboardShell title="Verification" body=|_: DashboardView| view! { <Verification /> } /> }
}

#[component]
fn Verification() -> impl IntoView {
    let actions = Actions {
        business: ServerAction::new(),
        person: ServerAction::new(),
        remove: ServerAction::new(),
        submit: ServerAction::new(),
        changed: RwSignal::new(0),
    };
    // The application reloads after a change is saved, not after a refusal: the form
    // keeps what the member typed beside the error.
    reload_on_success(actions.business, actions.changed);
    reload_on_success(actions.person, actions.changed);
    reload_on_success(actions.remove, actions.changed);
    reload_on_success(actions.submit, actions.changed);
    let bank_account = ServerAction::new();
    reload_on_success(bank_account, actions.changed);
    let versions = move || actions.changed.get();
    let application = Resource::new(versions, |_| verification());
    view! {
        <p class="aside">
            "Test Mode stays available throughout: keep building and testing while Saleonix verifies your business. "
            "Live Mode opens once your application is approved."
        </p>
        <UploadNotice />
        <Transition fallback=|| view! { <p>"Loading your application…"</p> }>
            {move || application.get().map(|result| match result {
                Ok(view) => view! { <Application view actions /> }.into_any(),
                Err(error) => load_error(error),
            })}
        </Transition>
        // Beside the application rather than inside it: the section loads its own account
        // (and the server says whether this member may change it), and a Transition nested
        // a third deep (the dashboard's, the application's, the account's) failed to hydrate.
        <BankAccountSection save=bank_account />
        <Transition fallback=|| ()>
            {move || application.get().map(|result| result.ok().map(|view| view! { <SubmitStep view actions /> }))}
        </Transition>
    }
}

/// The outcome of an upload, from the redirect's query: fixed codes, told in words here.
#[component]
fn UploadNotice() -> impl IntoView {
    let query = use_query_map();
    let uploaded = move || query.read().get("uploaded").is_some();
    let error = move || {
        query.read().get("upload_error").map(|code| match code.as_str() {
            "size" => "The file is larger than 10 MB. Upload a smaller scan or photo.",
            "type" => "That file is not a PDF, JPEG or PNG. Scan or photograph the document and upload that file.",
            "empty" => "Choose a file to upload.",
            "person" => "Choose one of the people on your application for this identity document.",
            "passport_back" => "A passport has one page to upload: upload it as the front.",
            "closed" => "This part of your application cannot be changed now.",
            _ => "The upload did not work. Please try again.",
        })
    };
    view! {
        <Show when=uploaded>
            <p class="success" role="status">"The document is uploaded."</p>
        </Show>
        <p class="form-error" role="alert">{error}</p>
    }
}

#[component]
fn Application(view: VerificationView, actions: Actions) -> impl IntoView {
    let editable = |item: &str| view.may_change(item);
    let (business_editable, people_editable) = (editable("business"), editable("people"));
    view! {
        <StatusPanel view=view.clone() />
        <Checklist lines=view.checklist.clone() />
        <business::BusinessStep view=view.clone() action=actions.business editable=business_editable />
        <people::PeopleStep view=view.clone() actions editable=people_editable />
        <documents::DocumentsStep view=view.clone() />
    }
}

#[component]
fn StatusPanel(view: VerificationView) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="status-heading">
            <h2 id="status-heading">"Application status"</h2>
            <p class=format!("status status-{}", view.status)>{view.status_text}</p>
            {view.suspended.then(|| view! {
                <p class="form-error" role="alert">
                    "Your account is suspended: Live Mode is closed and you are working in Test Mode. "
                    "Contact Saleonix support to learn why and what to do."
                </p>
            })}
            {(!view.can_edit).then(|| view! {
                <p class="aside">"Only the account's owner and admins can change the application."</p>
            })}
        </section>
    }
}

/// Every item, always, with its state in words and staff's reason when they asked for
/// changes.
#[component]
fn Checklist(lines: Vec<ChecklistLine>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="checklist-heading">
            <h2 id="checklist-heading">"Checklist"</h2>
            <ol class="checklist">
                {lines.into_iter().map(|line| view! {
                    <li class=format!("checklist-item state-{}", line.state)>
                        <span class="checklist-label">{line.label}</span>": "
                        <strong class="checklist-state">{line.state_label}</strong>
                        {line.reason.map(|reason| view! {
                            <p class="checklist-reason">"Saleonix asks: "{reason}</p>
                        })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn SubmitStep(view: VerificationView, actions: Actions) -> impl IntoView {
    let submit = actions.submit;
    let can_submit = view.can_submit;
    let hint = if view.can_submit {
        "Everything is filled in. Send the application and Saleonix will review it."
    } else {
        "The button works once every item of the checklist is filled in."
    };
    view! {
        <section class="panel" id="submit" aria-labelledby="submit-heading">
            <h2 id="submit-heading">"5. Send for review"</h2>
            <p>{hint}</p>
            {view.can_edit.then(|| view! {
                <ActionForm action=submit attr:class="form">
                    <FormError message=form_error(submit, &[]) />
                    <Show when=succeeded(submit)>
                        <p class="success" role="status">"Sent. Saleonix will review your application."</p>
                    </Show>
                    <button type="submit" disabled=move || !can_submit || submit.pending().get()>
                        "Send the application"
                    </button>
                </ActionForm>
            })}
        </section>
    }
}
