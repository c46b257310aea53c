//! The Support module: confirmed data-subject requests, open ones first by deadline, each
//! with its statutory due date, status and assignee, and for staff holding support `act`
//! the steps: take it on, extend the deadline once (with the reason the requester is told),
//! reject it, or close a correction or restriction with what was done. On access and
//! erasure requests, staff also link the people of merchants' verifications the request is
//! about (`support_kyc`).

use leptos::prelude::*;
use leptos_meta::Title;

use super::AdminShell;
use super::support_kyc::{FindKycPeopleForm, LinkedKycPeople};
use crate::components::form::{FormError, form_error};
use crate::components::step_up::StepUpPrompt;
use crate::pages::payments::load_error;
use crate::privacy_kyc_people::{LinkKycPerson, UnlinkKycPerson};
use crate::privacy_requests::{
    ErasePrivacyRequest, ExportPrivacyRequest, PrivacyRequestStep, PrivacyRequestView,
    privacy_requests,
};

#[component]
pub fn SupportPage() -> impl IntoView {
    let step = ServerAction::<PrivacyRequestStep>::new();
    let export = ServerAction::<ExportPrivacyRequest>::new();
    let erase = ServerAction::<ErasePrivacyRequest>::new();
    let link = ServerAction::<LinkKycPerson>::new();
    let unlink = ServerAction::<UnlinkKycPerson>::new();
    let list = Resource::new(
        move || {
            (
                step.version().get(),
                export.version().get(),
                erase.version().get(),
                link.version().get(),
                unlink.version().get(),
            )
        },
        |_| privacy_requests(),
    );
    view! {
        <Title text="Support" />
        <AdminShell>
            <h1>"Support"</h1>
            <h2>"Data-subject requests"</h2>
            <p class="aside">"Confirmed requests only. The deadline is one month from confirmation, two more once extended."</p>
            <FormError message=form_error(step, &[]) />
            <FormError message=form_error(export, &[]) />
            <StepUpPrompt action=export id="export-step-up" />
            <FormError message=form_error(erase, &[]) />
            <StepUpPrompt action=erase id="erase-step-up" />
            <FormError message=form_error(link, &[]) />
            <FormError message=form_error(unlink, &[]) />
            <Transition fallback=|| view! { <p>"Loading the requests…"</p> }>
                {move || list.get().map(|result| match result {
                    Ok(view) if view.requests.is_empty() => view! { <p>"No requests."</p> }.into_any(),
                    Ok(view) => {
                        let can_act = view.can_act;
                        view! {
                            <ul class="hits requests">
                                {view.requests.into_iter().map(|request| view! { <RequestRow request step export erase link unlink can_act /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(error) => load_error(error),
                })}
            </Transition>
        </AdminShell>
    }
}

fn deadline(request: &PrivacyRequestView) -> (String, &'static str) {
    match (request.days_left, &request.due_on) {
        (Some(days), Some(due)) if days < 0 => (format!("overdue since {due}"), "badge bad"),
        (Some(days), Some(due)) if days <= 7 => {
            (format!("due {due} ({days} days left)"), "badge pending")
        }
        (Some(days), Some(due)) => (format!("due {due} ({days} days left)"), "badge ok"),
        _ => (request.status.clone(), "badge"),
    }
}

#[component]
fn RequestRow(
    request: PrivacyRequestView,
    step: ServerAction<PrivacyRequestStep>,
    export: ServerAction<ExportPrivacyRequest>,
    erase: ServerAction<ErasePrivacyRequest>,
    link: ServerAction<LinkKycPerson>,
    unlink: ServerAction<UnlinkKycPerson>,
    can_act: bool,
) -> impl IntoView {
    let (due, class) = deadline(&request);
    let open = request.status == "open";
    let names_people = matches!(request.kind.as_str(), "access" | "erasure");
    let find = (can_act && open && names_people).then(|| {
        let request_id = request.id.clone();
        view! { <FindKycPeopleForm request_id link /> }
    });
    let linked = view! {
        <LinkedKycPeople
            request_id=request.id.clone()
            people=request.kyc_people
            unlink
            editable=can_act && open
        />
    };
    let closes_by_hand = matches!(request.kind.as_str(), "correction" | "restriction");
    let extendable = request.extended_reason.is_none();
    let steps = (can_act && open).then(|| {
        let text_id = format!("text-{}", request.id);
        let (id, again, answer_id) = (request.id.clone(), request.id.clone(), request.id.clone());
        // Access and erasure requests close by their answer, with a fresh two-factor check.
        let answer = match request.kind.as_str() {
            "access" => Some(view! {
                <ActionForm action=export attr:class="form inline">
                    <input type="hidden" name="request_id" value=answer_id />
                    <button type="submit" disabled=move || export.pending().get()>"Send the export"</button>
                </ActionForm>
            }.into_any()),
            "erasure" => Some(view! {
                <ActionForm action=erase attr:class="form inline">
                    <input type="hidden" name="request_id" value=answer_id />
                    <button type="submit" disabled=move || erase.pending().get()>"Erase the data"</button>
                </ActionForm>
            }.into_any()),
            _ => None,
        };
        view! {
            <ActionForm action=step attr:class="form inline">
                <input type="hidden" name="request_id" value=id />
                <input type="hidden" name="step" value="assign" />
                <input type="hidden" name="text" value="" />
                <button type="submit">"Take it on"</button>
            </ActionForm>
            {answer}
            <ActionForm action=step attr:class="form">
                <input type="hidden" name="request_id" value=again />
                <div class="field">
                    <label for=text_id.clone()>"Reason or outcome (mailed to the requester)"</label>
                    <textarea id=text_id name="text" required maxlength="1000" rows="2"></textarea>
                </div>
                {extendable.then(|| view! {
                    <button type="submit" name="step" value="extend">"Extend by two months"</button>
                })}
                <button type="submit" name="step" value="reject">"Reject"</button>
                {closes_by_hand.then(|| view! {
                    <button type="submit" name="step" value="fulfil">"Mark done"</button>
                })}
            </ActionForm>
        }
    });
    view! {
        <li class="hit">
            <p>
                <strong>{request.email}</strong>
                {format!(" asks for {} — confirmed {}. ", request.kind, request.verified_at)}
                <span class=class>{due}</span>
            </p>
            {request.details.map(|details| view! { <p>"Details: "<q>{details}</q></p> })}
            {request.extended_reason.map(|reason| view! { <p>"Extended: "<q>{reason}</q></p> })}
            <p>{format!("Assigned to: {}", request.assignee.unwrap_or_else(|| "nobody yet".to_owned()))}</p>
            {request.outcome.map(|outcome| view! {
                <p>{format!("{} {}: ", request.status, request.closed_at.unwrap_or_default())}<q>{outcome}</q></p>
            })}
            {linked}
            {steps}
            {find}
        </li>
    }
}
