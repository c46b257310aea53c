//! On a data-subject request, the people of merchants' verifications (KYC), who have no
//! email address on file: on an open access or erasure request, find the person the
//! requester says they are by full name and date of birth and add a match to the request;
//! on every request, the people linked to it (taken back while it is open).

use leptos::prelude::*;

use crate::components::form::{Field, FormError, field_error, form_error};
use crate::privacy_kyc_people::{
    FindKycPeople, KycMatchesView, LinkKycPerson, LinkedKycPersonView, UnlinkKycPerson,
};

/// The search form and its matches. A link reloads the request list, which renders this
/// form anew: the matches it showed go, and the linked person appears on the request.
#[component]
pub fn FindKycPeopleForm(request_id: String, link: ServerAction<LinkKycPerson>) -> impl IntoView {
    let find = ServerAction::<FindKycPeople>::new();
    let (name_id, born_id) = (
        format!("kyc-name-{request_id}"),
        format!("kyc-born-{request_id}"),
    );
    view! {
        <details class="kyc-find">
            <summary>"Named in a merchant's verification?"</summary>
            <p class="aside">
                "A merchant's representative and owners are on file without an email address. Enter the full \
                 name and date of birth the requester gave: both must match the record exactly. Adding a match \
                 needs their personal number too (ask them for it), so that knowing someone's name and birthday \
                 is not enough to be sent their record."
            </p>
            <ActionForm action=find attr:class="form inline">
                <input type="hidden" name="request_id" value=request_id />
                <Field label="Full name" name=name_id.clone() error=field_error(find, "full_name")>
                    <input id=name_id name="full_name" required maxlength="200" autocomplete="off" />
                </Field>
                <Field label="Date of birth" name=born_id.clone() error=field_error(find, "date_of_birth")>
                    <input id=born_id name="date_of_birth" type="date" required />
                </Field>
                <button type="submit" disabled=move || find.pending().get()>"Find"</button>
            </ActionForm>
            <FormError message=form_error(find, &["full_name", "date_of_birth"]) />
            {move || find.value().get().and_then(Result::ok).map(|found| view! { <Matches found link /> })}
        </details>
    }
}

#[component]
fn Matches(found: KycMatchesView, link: ServerAction<LinkKycPerson>) -> impl IntoView {
    if found.matches.is_empty() {
        return view! { <p>"No one on file with this full name and date of birth."</p> }.into_any();
    }
    let KycMatchesView {
        request_id,
        full_name,
        date_of_birth,
        matches,
    } = found;
    view! {
        <ul class="kyc-matches">
            {matches.into_iter().map(|person| {
                let removed = person
                    .removed_on
                    .map(|on| format!(", taken off the application {on}"))
                    .unwrap_or_default();
                let about = format!("On file as {}, added {}{removed}. ", person.role, person.added_on);
                // The link posts the searched name and date again: the platform checks them.
                let (request_id, full_name, date_of_birth) =
                    (request_id.clone(), full_name.clone(), date_of_birth.clone());
                let number_id = format!("kyc-number-{}", person.id);
                let add = (!person.linked).then(|| view! {
                    <ActionForm action=link attr:class="form inline">
                        <input type="hidden" name="request_id" value=request_id />
                        <input type="hidden" name="person_id" value=person.id />
                        <input type="hidden" name="full_name" value=full_name />
                        <input type="hidden" name="date_of_birth" value=date_of_birth />
                        <label for=number_id.clone()>"Personal number the requester gave"</label>
                        <input id=number_id name="personal_number" required maxlength="20" autocomplete="off" />
                        <button type="submit" disabled=move || link.pending().get()>"Add to this request"</button>
                    </ActionForm>
                });
                view! {
                    <li>
                        {about}
                        {person.linked.then(|| view! { <span class="badge ok">"Added to this request"</span> })}
                        {add}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The people linked to a request; `editable` (an open request, support `act`) offers to
/// take each back.
#[component]
pub fn LinkedKycPeople(
    request_id: String,
    people: Vec<LinkedKycPersonView>,
    unlink: ServerAction<UnlinkKycPerson>,
    editable: bool,
) -> impl IntoView {
    (!people.is_empty()).then(|| {
        view! {
            <p>"Named in merchants' verifications (their records go into the export, and an erasure keeps them):"</p>
            <ul class="kyc-linked">
                {people.into_iter().map(|person| {
                    let request_id = request_id.clone();
                    let remove = editable.then(|| view! {
                        <ActionForm action=unlink attr:class="form inline">
                            <input type="hidden" name="request_id" value=request_id />
                            <input type="hidden" name="person_id" value=person.person_id />
                            <button type="submit" class="secondary">"Take off this request"</button>
                        </ActionForm>
                    });
                    view! {
                        <li>
                            {format!("{}, {} (added {}) ", person.full_name, person.role, person.linked_at)}
                            {remove}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}
