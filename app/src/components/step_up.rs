//! The code prompt for step-up re-verification. Placed beside a sensitive action's form:
//! when the server refuses the action with `StepUpRequired`, it asks for a code, checks it,
//! and dispatches the action again with the input the user had submitted, so nothing they
//! typed is lost.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::auth::two_factor::StepUp;
use crate::components::form::{CodeInput, FormError, field_error, form_error};
use crate::error::AppError;

/// `id` prefixes the prompt's element ids; give each prompt on a page its own.
#[component]
pub fn StepUpPrompt<S>(action: ServerAction<S>, #[prop(into)] id: String) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    // The action clears its input when it completes, so keep the latest one.
    let last_input = StoredValue::new(None::<S>);
    Effect::new(move || {
        if let Some(input) = action.input().get() {
            last_input.set_value(Some(input));
        }
    });
    let verify = ServerAction::<StepUp>::new();
    Effect::watch(
        move || verify.version().get(),
        move |_, _, _| {
            if matches!(verify.value().get_untracked(), Some(Ok(())))
                && let Some(input) = last_input.get_value()
            {
                action.dispatch(input);
            }
        },
        false,
    );
    let needed = move || matches!(action.value().get(), Some(Err(AppError::StepUpRequired)));
    // Stored (Copy) so the prompt's markup can be built again each time it is needed.
    let [heading, code, code_error] =
        ["heading", "code", "code-error"].map(|part| StoredValue::new(format!("{id}-{part}")));
    let code_message = field_error(verify, "code");
    view! {
        <Show when=needed>
            <div class="step-up" role="group" aria-labelledby=heading.get_value()>
                <h3 id=heading.get_value()>"Confirm it is you"</h3>
                <p>"Enter the 6-digit code from your authenticator app (or a recovery code) to continue."</p>
                <ActionForm action=verify attr:class="form">
                    <div class="field">
                        <label for=code.get_value()>"Code"</label>
                        <CodeInput id=code.get_value() described_by=code_error.get_value() />
                        <p class="field-error" id=code_error.get_value() role="alert">{move || code_message.get()}</p>
                    </div>
                    <FormError message=form_error(verify, &["code"]) />
                    <button type="submit" disabled=move || verify.pending().get()>"Confirm and continue"</button>
                </ActionForm>
            </div>
        </Show>
    }
}
