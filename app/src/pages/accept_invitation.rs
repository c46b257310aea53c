//! The page an invitation link opens: the invitee chooses a password, then signs in. A
//! plain form post, so it works before the WASM has loaded.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::AcceptInvitation;
use crate::components::form::{FormError, NewPasswordField, field_error, form_error};

#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    // Reads an error the server sent back in the URL after a refused attempt.
    let action = ServerAction::<AcceptInvitation>::new();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    view! {
        <Title text="Accept your invitation" />
        <section class="auth-card">
            <h1>"Accept your invitation"</h1>
            <p>"Choose a password for your Saleonix account, then sign in with it."</p>
            <form method="post" action=AcceptInvitation::url() class="form">
                <input type="hidden" name="token" value=token />
                <NewPasswordField label="Choose a password" name="password" error=field_error(action, "password") />
                <FormError message=form_error(action, &["password"]) />
                <button type="submit">"Set my password"</button>
            </form>
            // A reset link proves the address just as well, so it stands in for an expired invitation.
            <p class="aside">"Link expired? " <a href="/forgot-password">"Ask for a new one"</a></p>
        </section>
    }
}
