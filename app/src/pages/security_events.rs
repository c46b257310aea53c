//! A merchant's own security events, for its owner and admins: sign-ins, two-factor and
//! team changes of the account and its members, newest first.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::audit_log::security_events;
use crate::pages::dashboard::DashboardNav;

#[component]
pub fn SecurityEventsPage() -> impl IntoView {
    let events = Resource::new(|| (), |_| security_events());
    view! {
        <Title text="Security events" />
        <section class="page">
            <h1>"Security events"</h1>
            // Only the owner and admins reach this page; both manage API keys too.
            <DashboardNav manages_team=true manages_keys=true />
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || events.get().map(|result| match result {
                    Ok(rows) => view! {
                        <table class="audit">
                            <thead>
                                <tr><th>"When"</th><th>"Event"</th><th>"Outcome"</th><th>"IP address"</th><th>"Device"</th></tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|row| view! {
                                    <tr>
                                        <td>{row.occurred_at}</td>
                                        <td><code>{row.event_type}</code></td>
                                        <td>{row.outcome}{row.reason.map(|reason| format!(": {reason}"))}</td>
                                        <td>{row.ip}</td>
                                        <td>{row.user_agent}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
