//! The code prompt for step-up re-verification. Placed beside a sensitive action's form:
//! when the server refuses the action with `StepUpRequired`, it asks for a code, checks it,
//! and dispatches the action again with the input the user had submitted, so nothing they
//! typed is lost.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::auth::two_factor::StepUp;
use crate::components::form::{Field, FormError, field_error, form_error};
use crate::error::AppError;

#[component]
pub fn StepUpPrompt<S>(action: ServerAction<S>) -> impl IntoView
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
    view! {
        <Show when=needed>
            <div class="step-up" role="group" aria-labelledby="step-up-heading">
                <h3 id="step-up-heading">"Confirm it is you"</h3>
                <p>"Enter the 6-digit code from your authenticator app (or a recovery code) to continue."</p>
                <ActionForm action=verify attr:class="form">
                    <Field label="Code" name="step_up_code" error=field_error(verify, "code")>
                        <input
                            id="step_up_code"
                            name="code"
                            required
                            maxlength="20"
                            autocomplete="one-time-code"
                            autocapitalize="off"
                            spellcheck="false"
                        />
                    </Field>
                    <FormError message=form_error(verify, &["code"]) />
                    <button type="submit" disabled=move || verify.pending().get()>"Confirm and continue"</button>
                </ActionForm>
            </div>
        </Show>
    }
}
