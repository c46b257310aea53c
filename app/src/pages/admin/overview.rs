//! The console's landing page: who is signed in, and what waits for them.

use leptos::prelude::*;
use leptos_meta::Title;

use super::AdminShell;
use crate::admin::admin_overview;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_overview());
    view! {
        <Title text="Admin console" />
        <AdminShell>
            <h1>"Admin console"</h1>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || overview.get().map(|result| match result {
                    Ok(overview) => view! {
                        <p>"Welcome, " {overview.full_name.clone()} "."</p>
                        {overview.merchants_awaiting_review.map(|count| view! {
                            <p class="status">
                                <a href="/admin/kyc">{format!("Applications awaiting review: {count}")}</a>
                            </p>
                        })}
                        {(overview.modules.is_empty() && !overview.is_admin).then(|| view! {
                            <p class="notice">"You hold no modules yet. A platform administrator grants them."</p>
                        })}
                    }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </AdminShell>
    }
}
