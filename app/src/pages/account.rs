//! Account settings: change password, the way to two-factor settings, active sessions,
//! sign out one or all, and for merchant team members their own data (`own_data`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::account::{
    ChangePassword, RevokeSession, SessionView, SignOutEverywhere, active_sessions,
};
use crate::auth::current_viewer;
use crate::components::form::{Field, FormError, NewPasswordField, field_error, form_error};
use crate::pages::own_data::OwnData;

#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map();
    // Merchant team members see their own data's panel; staff accounts are closed by an administrator.
    let viewer = Resource::new(|| (), |_| current_viewer());
    let notice = move || {
        let query = query.read();
        if query.get("password").is_some() {
            Some("Your password is changed. Your other sessions were signed out.")
        } else if query.get("session").is_some() {
            Some("That session is signed out.")
        } else {
            None
        }
    };
    view! {
        <Title text="Account" />
        <section class="page">
            <h1>"Account settings"</h1>
            {move || notice().map(|text| view! { <p class="success" role="status">{text}</p> })}
            <ChangePasswordForm />
            <section class="panel" aria-labelledby="two-factor-heading">
                <h2 id="two-factor-heading">"Two-factor authentication"</h2>
                <p>"A code from your phone as well as your password, each time you sign in."</p>
                <a href="/account/two-factor">"Manage two-factor authentication"</a>
            </section>
            <Sessions />
            <Transition fallback=|| ()>
                {move || viewer.get().and_then(Result::ok).flatten()
                    .filter(|me| me.business_name.is_some())
                    .map(|_| view! { <OwnData /> })}
            </Transition>
        </section>
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    view! {
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <ActionForm action attr:class="form">
                <Field label="Current password" name="current_password" error=field_error(action, "current_password")>
                    <input id="current_password" name="current_password" type="password" required autocomplete="current-password" />
                </Field>
                <NewPasswordField
                    label="New password"
                    name="new_password"
                    error=field_error(action, "new_password")
                    hint="At least 12 characters. Changing it signs out your other sessions."
                />
                <FormError message=form_error(action, &["current_password", "new_password"]) />
                <button type="submit" disabled=move || action.pending().get()>"Change password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Sessions() -> impl IntoView {
    let revoke = ServerAction::<RevokeSession>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let sessions = Resource::new(move || revoke.version().get(), |_| active_sessions());
    view! {
        <section class="panel" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <Transition fallback=|| view! { <p>"Loading sessions…"</p> }>
                {move || sessions.get().map(|result| match result {
                    Ok(list) => view! { <SessionTable list revoke /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <FormError message=form_error(revoke, &[]) />
            <form method="post" action=SignOutEverywhere::url() class="inline">
                <button type="submit" class="secondary">"Sign out everywhere"</button>
            </form>
            <FormError message=form_error(everywhere, &[]) />
        </section>
    }
}

fn when(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

#[component]
fn SessionTable(list: Vec<SessionView>, revoke: ServerAction<RevokeSession>) -> impl IntoView {
    view! {
        <table class="sessions">
            <thead>
                <tr><th>"Device"</th><th>"IP address"</th><th>"Signed in"</th><th>"Last active"</th><th></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|s| view! {
                    <tr>
                        <td>{s.device}</td>
                        <td>{s.ip}</td>
                        <td>{when(s.signed_in_at)}</td>
                        <td>{when(s.last_seen_at)}</td>
                        <td>
                            {if s.current {
                                view! { <span class="badge">"This session"</span> }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=revoke attr:class="inline">
                                        <input type="hidden" name="handle" value=s.handle />
                                        <button type="submit" class="secondary">"Sign out"</button>
                                    </ActionForm>
                                }.into_any()
                            }}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
