//! Step 2: the legal representative and every owner of 25 % or more. Each person is
//! listed with their personal number masked; each has its own form to change them, and
//! a form adds a person.

use leptos::prelude::*;

use super::{Actions, reload_on_success};
use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::kyc::{PersonView, SavePerson, VerificationView};

const FIELDS: [&str; 10] = [
    "role",
    "ownership_percent",
    "full_name",
    "date_of_birth",
    "nationality",
    "personal_number",
    "address",
    "identity_document",
    "is_pep",
    "pep_details",
];

#[component]
pub fn PeopleStep(view: VerificationView, actions: Actions, editable: bool) -> impl IntoView {
    let has_representative = view.people.iter().any(|p| p.role == "representative");
    let pep_details = view.pep_details.clone();
    let remove = actions.remove;
    view! {
        <section class="panel" id="people" aria-labelledby="people-heading">
            <h2 id="people-heading">"2. Representative and owners"</h2>
            <p>
                "Add the business's legal representative and every person who owns 25 % or more of it. "
                "Personal numbers are stored encrypted and shown only by their last three characters."
            </p>
            {if view.people.is_empty() {
                view! { <p>"No one is on the application yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="people">
                        {view.people.into_iter().enumerate().map(|(n, person)| {
                            let details = pep_details.clone();
                            view! { <PersonEntry person prefix=format!("p{n}") pep_details=details actions editable /> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <FormError message=form_error(remove, &[]) />
            {editable.then(|| view! {
                <h3>"Add a person"</h3>
                <PersonForm
                    action=actions.person
                    prefix="new".to_owned()
                    person=None
                    pep_details=pep_details.clone()
                    default_role=if has_representative { "owner" } else { "representative" }
                />
            })}
        </section>
    }
}

#[component]
fn PersonEntry(
    person: PersonView,
    prefix: String,
    pep_details: String,
    actions: Actions,
    editable: bool,
) -> impl IntoView {
    let save = ServerAction::<SavePerson>::new();
    reload_on_success(save, actions.changed);
    let remove = actions.remove;
    let role = if person.role == "representative" {
        "Legal representative"
    } else {
        "Owner"
    };
    let share = person
        .ownership_percent
        .map(|p| format!(", owns {p} %"))
        .unwrap_or_default();
    let document = if person.identity_document == "passport" {
        "passport"
    } else {
        "ID card"
    };
    let summary = format!(
        "{} · {role}{share} · born {} · {} · number {} · {document}{}",
        person.full_name,
        person.date_of_birth,
        person.nationality,
        person.personal_number_masked,
        if person.is_pep {
            " · politically exposed"
        } else {
            ""
        },
    );
    let (id, remove_label) = (person.id.clone(), format!("Remove {}", person.full_name));
    view! {
        <li>
            <p>{summary}</p>
            {editable.then(|| view! {
                <details>
                    <summary>"Change"</summary>
                    <PersonForm action=save prefix=prefix.clone() person=Some(person.clone()) pep_details default_role="owner" />
                </details>
                <ActionForm action=remove attr:class="inline">
                    <input type="hidden" name="person_id" value=id.clone() />
                    <button type="submit" class="secondary" aria-label=remove_label.clone() disabled=move || remove.pending().get()>
                        "Remove"
                    </button>
                </ActionForm>
            })}
        </li>
    }
}

/// One person's form: empty to add, or filled in to change them (the personal number
/// left blank keeps the stored one). Ids carry `prefix`, so several forms share a page.
#[component]
fn PersonForm(
    action: ServerAction<SavePerson>,
    prefix: String,
    person: Option<PersonView>,
    pep_details: String,
    default_role: &'static str,
) -> impl IntoView {
    // Each field's input id and error id, with the form's prefix.
    let [
        role_ids,
        own_ids,
        name_ids,
        dob_ids,
        nat_ids,
        num_ids,
        addr_ids,
        doc_ids,
        pep_ids,
        pepd_ids,
    ] = FIELDS.map(|name| (format!("{prefix}-{name}"), format!("{prefix}-{name}-error")));
    let error = move |field: &'static str| field_error(action, field);
    let value = |pick: fn(&PersonView) -> String| person.as_ref().map(pick).unwrap_or_default();
    let (full_name, date_of_birth, nationality, address) = (
        value(|p| p.full_name.clone()),
        value(|p| p.date_of_birth.clone()),
        value(|p| p.nationality.clone()),
        value(|p| p.address.clone()),
    );
    let ownership = person
        .as_ref()
        .and_then(|p| p.ownership_percent)
        .map(|n| n.to_string())
        .unwrap_or_default();
    let masked = person.as_ref().map(|p| p.personal_number_masked.clone());
    let person_id = person.as_ref().map(|p| p.id.clone()).unwrap_or_default();
    let representative = person
        .as_ref()
        .map_or(default_role == "representative", |p| {
            p.role == "representative"
        });
    let passport = person
        .as_ref()
        .is_some_and(|p| p.identity_document == "passport");
    let is_pep = person.as_ref().is_some_and(|p| p.is_pep);
    let changing = person.is_some();
    let number_hint = if changing {
        "Shown only by its last three characters. Leave empty to keep it; type it again to change it."
    } else {
        "Kosovo personal number: 10 digits. Other nationalities: the passport number."
    };
    view! {
        <ActionForm action attr:class="form">
            <input type="hidden" name="person_id" value=person_id />
            <Field label="Role" name=role_ids.0.clone() error=error("role")>
                <select id=role_ids.0 name="role" aria-describedby=role_ids.1>
                    <option value="representative" selected=representative>"Legal representative"</option>
                    <option value="owner" selected=!representative>"Beneficial owner (25 % or more)"</option>
                </select>
            </Field>
            <Field
                label="Ownership, in percent"
                name=own_ids.0.clone()
                error=error("ownership_percent")
                hint="From 25 to 100; leave empty for a representative who owns nothing."
            >
                <input id=own_ids.0 name="ownership_percent" inputmode="numeric" maxlength="4"
                    value=ownership
                    aria-describedby=own_ids.1 autocomplete="off" />
            </Field>
            <Field label="Full name" name=name_ids.0.clone() error=error("full_name")>
                <input id=name_ids.0 name="full_name" maxlength="200" value=full_name
                    aria-describedby=name_ids.1 autocomplete="off" />
            </Field>
            <Field label="Date of birth" name=dob_ids.0.clone() error=error("date_of_birth")>
                <input id=dob_ids.0 name="date_of_birth" type="date" value=date_of_birth
                    aria-describedby=dob_ids.1 autocomplete="off" />
            </Field>
            <Field label="Nationality" name=nat_ids.0.clone() error=error("nationality") hint="Two-letter country code: XK for Kosovo, AL for Albania, DE for Germany.">
                <input id=nat_ids.0 name="nationality" maxlength="2" value=nationality
                    aria-describedby=nat_ids.1 autocomplete="off" />
            </Field>
            <Field label="Personal number or passport number" name=num_ids.0.clone() error=error("personal_number") hint=number_hint>
                <input id=num_ids.0 name="personal_number" maxlength="20"
                    placeholder=masked
                    aria-describedby=num_ids.1 autocomplete="off" />
            </Field>
            <Field label="Home address" name=addr_ids.0.clone() error=error("address")>
                <input id=addr_ids.0 name="address" maxlength="300" value=address
                    aria-describedby=addr_ids.1 autocomplete="off" />
            </Field>
            <Field label="Identity document" name=doc_ids.0.clone() error=error("identity_document")>
                <select id=doc_ids.0 name="identity_document" aria-describedby=doc_ids.1>
                    <option value="id_card" selected=!passport>"ID card (front and back)"</option>
                    <option value="passport" selected=passport>"Passport (the photo page)"</option>
                </select>
            </Field>
            <Field
                label="Politically exposed person?"
                name=pep_ids.0.clone()
                error=error("is_pep")
                hint="Someone who holds or held a prominent public function, or their close family or associates."
            >
                <select id=pep_ids.0 name="is_pep" aria-describedby=pep_ids.1>
                    <option value="no" selected=!is_pep>"No"</option>
                    <option value="yes" selected=is_pep>"Yes"</option>
                </select>
            </Field>
            <Field label="If yes: the public function and when" name=pepd_ids.0.clone() error=error("pep_details")>
                <textarea id=pepd_ids.0 name="pep_details" maxlength="1000" rows="2"
                    aria-describedby=pepd_ids.1>{pep_details}</textarea>
            </Field>
            <FormError message=form_error(action, &FIELDS) />
            <Show when=succeeded(action)>
                <p class="success" role="status">"Saved."</p>
            </Show>
            <button type="submit" disabled=move || action.pending().get()>
                {if changing { "Save the changes" } else { "Add the person" }}
            </button>
        </ActionForm>
    }
}
