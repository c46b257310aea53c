//! `/privacy/sub-processors`: the companies that process personal data for the platform,
//! from the settings (`SALEONIX_PRIVACY__*` or `[privacy]` in `saleonix.toml`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::privacy::privacy_facts;

#[component]
pub fn SubProcessorsPage() -> impl IntoView {
    let facts = Resource::new(|| (), |_| privacy_facts());
    view! {
        <Title text="Sub-processors" />
        <section class="page narrow legal">
            <h1>"Sub-processors"</h1>
            <p>
                "These companies process personal data on Saleonix's behalf, under data-processing agreements. "
                "The "<a href="/privacy">"privacy policy"</a>" says what Saleonix itself holds."
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || facts.get().map(|result| match result {
                    Ok(facts) => view! {
                        <table class="list">
                            <thead>
                                <tr>
                                    <th scope="col">"Company"</th>
                                    <th scope="col">"What it does"</th>
                                    <th scope="col">"Where"</th>
                                    <th scope="col">"Data it receives"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {facts.sub_processors.into_iter().map(|p| view! {
                                    <tr><td>{p.name}</td><td>{p.purpose}</td><td>{p.location}</td><td>{p.data}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p>"Last changed on "<time datetime=facts.sub_processors_changed_on.clone()>{facts.sub_processors_changed_on.clone()}</time>"."</p>
                    }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
