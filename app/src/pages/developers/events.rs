//! The events of the dashboard's mode, newest first, each opening to its JSON as a webhook
//! delivers it; "Older events" pages on with the last event's id (`?starting_after=`).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::pages::payments::{DashboardShell, load_error};
use crate::payments::DashboardView;
use crate::webhook_log::{EventPage, EventRow, event_list};

#[component]
pub fn EventsPage() -> impl IntoView {
    view! { <DashboardShell title="Events" body=move |_: DashboardView| {
        view! { <EventsBody /> }.into_any()
    } /> }
}

#[component]
fn EventsBody() -> impl IntoView {
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("starting_after"), event_list);
    view! {
        <p>
            <a href="/dashboard/developers">"Developers"</a>" · "
            <a href="/dashboard/developers/webhooks">"Webhooks"</a>
        </p>
        <p>"What happened in the mode shown above, in the last 30 days: what your endpoints receive and the API's /v1/events returns."</p>
        <Transition fallback=|| view! { <p>"Loading the events…"</p> }>
            {move || page.get().map(|result| match result {
                Ok(page) => view! { <Events page /> }.into_any(),
                Err(AppError::NotFound) => view! {
                    <p>"That page of events is no longer kept. "<a href="/dashboard/developers/events">"See the newest."</a></p>
                }.into_any(),
                Err(error) => load_error(error),
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn Events(page: EventPage) -> impl IntoView {
    if page.events.is_empty() {
        return view! { <p>"No events yet."</p> }.into_any();
    }
    let older = page.older.map(|cursor| {
        view! { <p><a href=format!("/dashboard/developers/events?starting_after={cursor}")>"Older events"</a></p> }
    });
    view! {
        <ul class="events">
            {page.events.into_iter().map(|event| view! { <EventLine event /> }.into_any()).collect_view()}
        </ul>
        {older}
    }
    .into_any()
}

#[component]
fn EventLine(event: EventRow) -> impl IntoView {
    view! {
        <li>
            <details>
                <summary>
                    <code>{event.kind}</code>" "{event.object_id}" · "{event.created_at}" · "
                    <code class="aside">{event.id}</code>
                </summary>
                <pre>{event.json}</pre>
            </details>
        </li>
    }
    .into_any()
}
