//! Form pieces shared by every page: a labelled field with its inline error, the form's
//! general error, and the signals that read both out of a server action's result. With
//! WASM the result arrives through the action; without it, the server redirects back with
//! the error in the URL and the action starts from it, so the same markup serves both.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// The message for `field` in the action's latest error.
pub fn field_error<S>(action: ServerAction<S>, field: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .with(|v| v.as_ref()?.as_ref().err()?.for_field(field))
    })
}

/// The action's latest error unless it belongs to one of the form's own `fields`, or is a
/// step-up request (which `StepUpPrompt` answers).
pub fn form_error<S>(
    action: ServerAction<S>,
    fields: &'static [&'static str],
) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| {
            let error = v.as_ref()?.as_ref().err()?;
            match error {
                AppError::Validation { field, .. } if fields.contains(&field.as_str()) => None,
                // The step-up prompt beside the form asks for the code; no second message.
                AppError::StepUpRequired => None,
                other => Some(other.to_string()),
            }
        })
    })
}

/// Whether the action's latest call succeeded, for a confirmation beside its form.
pub fn succeeded<S>(action: ServerAction<S>) -> impl Fn() -> bool + Copy + Send + Sync + 'static
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    move || action.value().with(|v| matches!(v, Some(Ok(_))))
}

/// A labelled input with its inline error, linked for screen readers. `name` is the
/// input's id (the error's is `{name}-error`); forms repeated on a page prefix it.
#[component]
pub fn Field(
    label: &'static str,
    #[prop(into)] name: String,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=name.clone()>{label}</label>
            {children()}
            {hint.map(|hint| view! { <p class="field-hint">{hint}</p> })}
            <p class="field-error" id=format!("{name}-error") role="alert">{move || error.get()}</p>
        </div>
    }
}

/// A field for choosing a new password. `minlength` matches the server's rule (12, in
/// `platform::password`), which the server checks again with the strength estimate.
#[component]
pub fn NewPasswordField(
    label: &'static str,
    name: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "At least 12 characters. A few unrelated words make a strong password.")] hint: &'static str,
) -> impl IntoView {
    view! {
        <Field label name error hint>
            <input id=name name=name type="password" required minlength="12" autocomplete="new-password" />
        </Field>
    }
}

/// The input for a code from an authenticator app or a recovery code (letters, digits and
/// dashes), as the sign-in's second step and the step-up prompt ask for it.
#[component]
pub fn CodeInput(
    #[prop(into)] id: String,
    #[prop(optional, into)] described_by: Option<String>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    view! {
        <input
            id=id
            name="code"
            required
            maxlength="20"
            autocomplete="one-time-code"
            autocapitalize="off"
            spellcheck="false"
            aria-describedby=described_by
            autofocus=autofocus
        />
    }
}

/// The invitee's address and name, as the staff and team invitation forms ask for them.
#[component]
pub fn InviteeFields<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    view! {
        <Field label="Email" name="email" error=field_error(action, "email")>
            <input id="email" name="email" type="email" required maxlength="254" autocomplete="off" />
        </Field>
        <Field label="Name" name="full_name" error=field_error(action, "full_name")>
            <input id="full_name" name="full_name" required maxlength="200" autocomplete="off" />
        </Field>
    }
}

/// The form's general error (rate limits, sign-in failures, expired links).
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! { <p class="form-error" role="alert">{move || message.get()}</p> }
}
