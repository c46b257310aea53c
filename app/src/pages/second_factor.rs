//! The second step of signing in. A plain form POST, like the password step, so it works
//! without WASM and the page reloads with the full session.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

use crate::auth::two_factor::SecondFactor;
use crate::components::form::{CodeInput, Field, FormError, field_error, form_error};

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    // Reads an error the server sent back in the URL after a refused code.
    let action = ServerAction::<SecondFactor>::new();
    view! {
        <Title text="Two-factor authentication" />
        <section class="auth-card">
            <h1>"Two-factor authentication"</h1>
            <p>"Enter the 6-digit code from your authenticator app. Lost your phone? Enter one of your recovery codes instead."</p>
            <form method="post" action=SecondFactor::url() class="form">
                <Field label="Code" name="code" error=field_error(action, "code")>
                    <CodeInput id="code" autofocus=true />
                </Field>
                <FormError message=form_error(action, &["code"]) />
                <button type="submit">"Continue"</button>
            </form>
            <p class="aside"><a href="/sign-in">"Start again"</a></p>
        </section>
    }
}
