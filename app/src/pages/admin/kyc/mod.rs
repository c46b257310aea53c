//! The console's Verification screens (merchants module): the review queue with the time
//! each application has waited, every application by status (this file), and one
//! application under review (`application`, with its decision forms in `decide`).

mod application;
mod decide;

pub use application::KycApplicationPage;

use leptos::prelude::*;
use leptos_meta::Title;

use super::AdminShell;
use crate::kyc_review::{ApplicationRow, QueueRow, kyc_applications, kyc_queue, status_label};
use crate::pages::payments::load_error;

/// The statuses in the order the list shows them: with staff first, decided last.
const STATUS_ORDER: [&str; 5] = [
    "submitted",
    "changes_requested",
    "draft",
    "approved",
    "rejected",
];

/// The badge class of a status slug.
pub fn status_class(slug: &str) -> &'static str {
    match slug {
        "approved" => "badge ok",
        "rejected" => "badge bad",
        _ => "badge pending",
    }
}

#[component]
pub fn KycQueuePage() -> impl IntoView {
    let queue = Resource::new(|| (), |_| kyc_queue());
    let applications = Resource::new(|| (), |_| kyc_applications());
    view! {
        <Title text="Verification" />
        <AdminShell>
            <h1>"Verification"</h1>
            <section class="panel" aria-labelledby="queue-heading">
                <h2 id="queue-heading">"Waiting for review"</h2>
                <Transition fallback=|| view! { <p>"Loading the queue…"</p> }>
                    {move || queue.get().map(|result| match result {
                        Ok(rows) if rows.is_empty() => view! { <p>"No application is waiting for review."</p> }.into_any(),
                        Ok(rows) => view! { <QueueTable rows /> }.into_any(),
                        Err(error) => load_error(error),
                    })}
                </Transition>
            </section>
            <section class="panel" aria-labelledby="all-heading">
                <h2 id="all-heading">"All applications"</h2>
                <Transition fallback=|| view! { <p>"Loading applications…"</p> }>
                    {move || applications.get().map(|result| match result {
                        Ok(rows) if rows.is_empty() => view! { <p>"No merchant has started an application yet."</p> }.into_any(),
                        Ok(rows) => view! { <ByStatus rows /> }.into_any(),
                        Err(error) => load_error(error),
                    })}
                </Transition>
            </section>
        </AdminShell>
    }
}

#[component]
fn QueueTable(rows: Vec<QueueRow>) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr><th>"Business"</th><th>"Submitted"</th><th>"Waiting"</th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td><a href=format!("/admin/kyc/{}", row.merchant_id)>{row.business_name}</a></td>
                        <td>{row.submitted}</td>
                        <td>{row.waiting}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One table per status that has applications, in [`STATUS_ORDER`].
#[component]
fn ByStatus(rows: Vec<ApplicationRow>) -> impl IntoView {
    STATUS_ORDER
        .into_iter()
        .filter_map(|status| {
            let group: Vec<ApplicationRow> = rows.iter().filter(|row| row.status == status).cloned().collect();
            (!group.is_empty()).then(|| {
                let heading = format!("{} ({})", status_label(status), group.len());
                view! {
                    <h3>{heading}</h3>
                    <table class="list">
                        <thead>
                            <tr><th>"Business"</th><th>"Last change"</th><th>"Note"</th></tr>
                        </thead>
                        <tbody>
                            {group.into_iter().map(|row| view! {
                                <tr>
                                    <td><a href=format!("/admin/kyc/{}", row.merchant_id)>{row.business_name}</a></td>
                                    <td>{row.updated}</td>
                                    <td>{row.note.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })
        })
        .collect_view()
}
