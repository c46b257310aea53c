//! Signing in. A plain form POST rather than an action: signing in changes the session,
//! and a full page load afterwards gives every part of the page the new one.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::SignIn;
use crate::components::form::{Field, FormError, form_error};

#[component]
pub fn SignInPage() -> impl IntoView {
    // Reads an error the server sent back in the URL after a failed attempt.
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let notice = move || {
        let query = query.read();
        if query.get("verified").is_some() {
            Some("Your email address is confirmed. Please sign in.")
        } else if query.get("reset").is_some() {
            Some("Your password is changed and every session was signed out. Please sign in.")
        } else if query.get("invited").is_some() {
            Some("Your password is set. Please sign in.")
        } else if query.get("signed_out").is_some() {
            Some("You are signed out.")
        } else if query.get("closed").is_some() {
            Some(
                "Your account is closed and your personal data erased. A last email says what is kept.",
            )
        } else {
            None
        }
    };
    view! {
        <Title text="Sign in" />
        <section class="auth-card">
            <h1>"Sign in"</h1>
            {move || notice().map(|text| view! { <p class="success" role="status">{text}</p> })}
            <form method="post" action=SignIn::url() class="form">
                <Field label="Email" name="email">
                    <input id="email" name="email" type="email" required maxlength="254" autocomplete="username" />
                </Field>
                <Field label="Password" name="password">
                    <input id="password" name="password" type="password" required autocomplete="current-password" />
                </Field>
                <FormError message=form_error(action, &[]) />
                <button type="submit">"Sign in"</button>
            </form>
            <p class="aside">
                <a href="/forgot-password">"Forgot your password?"</a>
                " · "
                <a href="/sign-up">"Open an account"</a>
            </p>
        </section>
    }
}
