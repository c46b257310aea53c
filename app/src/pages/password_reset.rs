//! "Forgot password" (always the same answer) and the page the reset link opens.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::{ForgotPassword, ResetPassword};
use crate::components::form::{Field, FormError, NewPasswordField, field_error, form_error};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    view! {
        <Title text="Forgot password" />
        <section class="auth-card">
            <h1>"Forgot your password?"</h1>
            <Show
                when=sent
                fallback=move || view! {
                    <p>"Give the email address of your account and we will send a link to choose a new password."</p>
                    <ActionForm action attr:class="form">
                        <Field label="Email" name="email" error=field_error(action, "email")>
                            <input id="email" name="email" type="email" required maxlength="254" autocomplete="email" />
                        </Field>
                        <FormError message=form_error(action, &["email"]) />
                        <button type="submit" disabled=move || action.pending().get()>"Send the link"</button>
                    </ActionForm>
                }
            >
                <p class="success" role="status">
                    "If an account uses that address, we have sent it a link to reset the password. "
                    "The link works once, for 30 minutes."
                </p>
            </Show>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <Title text="Choose a new password" />
        <section class="auth-card">
            <h1>"Choose a new password"</h1>
            <p>"Saving it signs your account out everywhere."</p>
            <ActionForm action attr:class="form">
                <input type="hidden" name="token" value=token />
                <NewPasswordField label="New password" name="password" error=field_error(action, "password") />
                <FormError message=form_error(action, &["password"]) />
                <button type="submit" disabled=move || action.pending().get()>"Save the new password"</button>
            </ActionForm>
            <p class="aside">"Link expired? " <a href="/forgot-password">"Ask for a new one"</a></p>
        </section>
    }
}
