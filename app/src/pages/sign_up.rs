//! Opening an account: the sign-up form, "check your email" (with resend), and the page
//! an emailed link opens to confirm the address.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::{ResendVerification, SignUp, VerifyEmail};
use crate::components::form::{Field, FormError, NewPasswordField, field_error, form_error};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = move |field| field_error(action, field);
    view! {
        <Title text="Open an account" />
        <section class="auth-card">
            <h1>"Open a Saleonix account"</h1>
            <p>"Start in Test Mode today; live payments open once we have verified your business."</p>
            <ActionForm action attr:class="form">
                <Field label="Your name" name="full_name" error=error("full_name")>
                    <input id="full_name" name="full_name" required maxlength="200" autocomplete="name" />
                </Field>
                <Field label="Business name" name="business_name" error=error("business_name")>
                    <input id="business_name" name="business_name" required maxlength="200" autocomplete="organization" />
                </Field>
                <Field label="Email" name="email" error=error("email")>
                    <input id="email" name="email" type="email" required maxlength="254" autocomplete="email" />
                </Field>
                <NewPasswordField label="Password" name="password" error=error("password") />
                <FormError message=form_error(action, &["full_name", "business_name", "email", "password"]) />
                <button type="submit" disabled=move || action.pending().get()>"Open my account"</button>
            </ActionForm>
            <p class="aside">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </section>
    }
}

#[component]
pub fn CheckEmailPage() -> impl IntoView {
    let action = ServerAction::<ResendVerification>::new();
    let query = use_query_map();
    let resent = move || query.read().get("resent").is_some();
    view! {
        <Title text="Check your email" />
        <section class="auth-card">
            <h1>"Check your email"</h1>
            <p>
                "If the address can receive a Saleonix account, a confirmation link is on its way. "
                "Open it to finish signing up; it works for 24 hours."
            </p>
            <Show when=resent>
                <p class="success" role="status">"If the address needs confirming, we have sent a new link."</p>
            </Show>
            <h2>"No email?"</h2>
            <ActionForm action attr:class="form">
                <Field label="Email" name="email" error=field_error(action, "email")>
                    <input id="email" name="email" type="email" required maxlength="254" autocomplete="email" />
                </Field>
                <FormError message=form_error(action, &["email"]) />
                <button type="submit" disabled=move || action.pending().get()>"Send a new link"</button>
            </ActionForm>
        </section>
    }
}

/// Opened from the email. Confirming is a button (a POST), so a mail scanner that follows
/// the link does not spend it.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let action = ServerAction::<VerifyEmail>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <Title text="Confirm your email" />
        <section class="auth-card">
            <h1>"Confirm your email address"</h1>
            <ActionForm action attr:class="form">
                <input type="hidden" name="token" value=token />
                <FormError message=form_error(action, &[]) />
                <button type="submit" disabled=move || action.pending().get()>"Confirm my email"</button>
            </ActionForm>
            <p class="aside">"Link expired? " <a href="/check-email">"Ask for a new one"</a></p>
        </section>
    }
}
