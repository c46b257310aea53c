//! Step 3: the documents. Each is a plain multipart form posting to the upload route
//! (with or without WASM); the server answers with a redirect back to this page. A new
//! file of the same kind (and person) replaces the current one.

use leptos::prelude::*;

use crate::kyc::{DocumentView, PersonView, UPLOAD_PATH, VerificationView};

/// What the file inputs offer; the server judges the file by its content anyway.
const ACCEPT: &str = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";

#[component]
pub fn DocumentsStep(view: VerificationView) -> impl IntoView {
    let documents = view.documents.clone();
    let business_editable = |item: &str| view.may_change(item);
    let (certificate, bank_proof, identity) = (
        business_editable("registration_certificate"),
        business_editable("bank_proof"),
        business_editable("identity_documents"),
    );
    let current = move |kind: &str, person: Option<&str>| {
        documents
            .iter()
            .find(|d| d.kind == kind && d.person_id.as_deref() == person)
            .cloned()
    };
    view! {
        <section class="panel" id="documents" aria-labelledby="documents-heading">
            <h2 id="documents-heading">"3. Documents"</h2>
            <p>"PDF, JPEG or PNG files of at most 10 MB each. They are stored encrypted and only Saleonix's reviewers see them."</p>
            <UploadForm
                kind="registration_certificate"
                label="Business registration certificate"
                person=None
                current=current("registration_certificate", None)
                editable=certificate
            />
            {view.people.iter().map(|person| identity_forms(person, &current, identity)).collect_view()}
            {view.people.is_empty().then(|| view! {
                <p class="aside">"Add the representative and owners above to upload their identity documents."</p>
            })}
            <UploadForm
                kind="bank_proof"
                label="Proof of the bank account (a bank letter or statement)"
                person=None
                current=current("bank_proof", None)
                editable=bank_proof
            />
        </section>
    }
}

fn identity_forms(
    person: &PersonView,
    current: &dyn Fn(&str, Option<&str>) -> Option<DocumentView>,
    editable: bool,
) -> AnyView {
    let passport = person.identity_document == "passport";
    let front_label = if passport {
        format!("{}: passport photo page", person.full_name)
    } else {
        format!("{}: ID card, front", person.full_name)
    };
    let back = (!passport).then(|| {
        view! {
            <UploadForm
                kind="identity_back"
                label=format!("{}: ID card, back", person.full_name)
                person=Some(person.id.clone())
                current=current("identity_back", Some(&person.id))
                editable
            />
        }
    });
    view! {
        <UploadForm
            kind="identity_front"
            label=front_label
            person=Some(person.id.clone())
            current=current("identity_front", Some(&person.id))
            editable
        />
        {back}
    }
    .into_any()
}

#[component]
fn UploadForm(
    kind: &'static str,
    #[prop(into)] label: String,
    person: Option<String>,
    current: Option<DocumentView>,
    editable: bool,
) -> impl IntoView {
    let input_id = format!("file-{kind}-{}", person.as_deref().unwrap_or("business"));
    let status = match &current {
        Some(doc) => view! {
            <p>
                "Uploaded " {doc.uploaded.clone()} " (" {doc.file_type.clone()} ", " {doc.size.clone()} "). "
                <a href=doc.download_url.clone() download="">"Download"</a>
            </p>
        }
        .into_any(),
        None => view! { <p>"Not uploaded yet."</p> }.into_any(),
    };
    view! {
        <form method="post" action=UPLOAD_PATH enctype="multipart/form-data" class="form upload">
            <fieldset disabled=!editable>
                <legend>{label}</legend>
                {status}
                <input type="hidden" name="kind" value=kind />
                {person.map(|id| view! { <input type="hidden" name="person_id" value=id /> })}
                <div class="field">
                    <label for=input_id.clone()>{if current.is_some() { "Replace with a new file" } else { "File" }}</label>
                    <input id=input_id name="file" type="file" accept=ACCEPT required />
                </div>
                <button type="submit">"Upload"</button>
            </fieldset>
        </form>
    }
}
