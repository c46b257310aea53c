//! The public side of data-subject requests: the form on the privacy page, the page that
//! says a link is on its way (the same for every address), and the confirmation link's
//! page. All work without WASM.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::form::{Field, FormError, field_error, form_error};
use crate::privacy_requests::{ConfirmPrivacyRequest, SubmitPrivacyRequest};

#[component]
pub fn RequestForm() -> impl IntoView {
    let submit = ServerAction::<SubmitPrivacyRequest>::new();
    let error_for = move |field| field_error(submit, field);
    view! {
        <ActionForm action=submit attr:class="form" attr:id="request-form">
            <Field label="Your email address" name="email" error=error_for("email")
                hint="The address the data is about. We send a link to it to confirm the request.">
                <input id="email" name="email" type="email" required maxlength="254" autocomplete="email" />
            </Field>
            <Field label="What are you asking for?" name="kind" error=error_for("kind")>
                <select id="kind" name="kind" required>
                    <option value="access">"A copy of my data (access)"</option>
                    <option value="correction">"Correct my data"</option>
                    <option value="erasure">"Erase my data"</option>
                    <option value="restriction">"Restrict the use of my data"</option>
                </select>
            </Field>
            <Field label="Details" name="details" error=error_for("details")
                hint="For a correction or a restriction: which data, and what should change. If a merchant named you in its verification as its representative or an owner, give your full name and date of birth: that record holds no email address, and we will ask you for the personal number on your identity document before we send it.">
                <textarea id="details" name="details" maxlength="2000" rows="3"></textarea>
            </Field>
            <FormError message=form_error(submit, &["email", "kind", "details"]) />
            <button type="submit" disabled=move || submit.pending().get()>"Send the request"</button>
        </ActionForm>
    }
}

#[component]
pub fn RequestSentPage() -> impl IntoView {
    view! {
        <Title text="Check your email" />
        <section class="page narrow legal">
            <h1>"Check your email"</h1>
            <p role="status">
                "If the address you gave is right, a link to confirm your request is on its way to it. "
                "Open it within 24 hours: the request counts from your confirmation, and we answer within one month of it."
            </p>
            <p><a href="/privacy">"Back to the privacy policy"</a></p>
        </section>
    }
}

#[component]
pub fn ConfirmRequestPage() -> impl IntoView {
    let action = ServerAction::<ConfirmPrivacyRequest>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <Title text="Confirm your request" />
        <section class="page narrow legal">
            <h1>"Confirm your request"</h1>
            <p>"Confirm that you sent this request about your personal data."</p>
            <ActionForm action attr:class="form">
                <input type="hidden" name="token" value=token />
                <FormError message=form_error(action, &[]) />
                <button type="submit" disabled=move || action.pending().get()>"Confirm my request"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn RequestConfirmedPage() -> impl IntoView {
    let query = use_query_map();
    let due = move || query.read().get("due").unwrap_or_default();
    view! {
        <Title text="Request confirmed" />
        <section class="page narrow legal">
            <h1>"Request confirmed"</h1>
            <p role="status">
                "Thank you. We answer by email by "<strong>{due}</strong>
                ". If we need more time, we tell you why before then."
            </p>
        </section>
    }
}

/// The page of an export's link: a plain form (it works without WASM) posting the token to
/// the file route, which answers the archive or comes back here with a fixed code.
#[component]
pub fn ExportDownloadPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let failure = move || {
        query.read().get("failed").map(|code| match code.as_str() {
            "used" => "This archive has already been downloaded, and its copy erased.",
            "expired" => {
                "This link has expired and the archive is erased. Ask again from the privacy page."
            }
            "unknown" => "This link is not valid.",
            _ => "The download failed on our side. Please try again in a moment.",
        })
    };
    view! {
        <Title text="Your personal data" />
        <section class="page narrow legal">
            <h1>"Your personal data"</h1>
            <p>"The archive is a ZIP file of JSON files, with a README explaining each. It can be downloaded once; then Saleonix erases its copy."</p>
            <p class="form-error" role="alert">{failure}</p>
            <form method="post" action="/api/public/privacy/export" class="form">
                <input type="hidden" name="token" value=token />
                <button type="submit">"Download my data"</button>
            </form>
        </section>
    }
}
