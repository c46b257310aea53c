//! The API reference page: the OpenAPI document as plain HTML, a heading per tag and a
//! table per operation's parameters, rendered on the server (no viewer script: the CSP
//! forbids one, and the page reads the same without WASM).

use leptos::prelude::*;

use crate::api_reference::{Operation, Parameter, Reference, api_reference_document};
use crate::pages::payments::{DashboardShell, load_error};

/// Text whose `backticked` parts are code, as the document writes them.
fn inline(text: &str) -> AnyView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_owned()}</code> }.into_any()
            } else {
                part.to_owned().into_any()
            }
        })
        .collect_view()
        .into_any()
}

/// An id for an anchor: letters and digits, the rest as dashes.
fn anchor(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

#[component]
pub fn ReferencePage() -> impl IntoView {
    view! { <DashboardShell title="API reference" body=|_| view! { <ReferenceBody /> }.into_any() /> }
}

#[component]
fn ReferenceBody() -> impl IntoView {
    let reference = Resource::new(|| (), |_| api_reference_document());
    view! {
        <p>
            <a href="/dashboard/developers">"Back to your API keys"</a>
            " · The same description as a file: "
            <a href="/v1/openapi.json" rel="external">"openapi.json"</a>
        </p>
        <Transition fallback=|| view! { <p>"Loading the reference…"</p> }>
            {move || reference.get().map(|result| match result {
                Ok(reference) => view! { <Document reference /> }.into_any(),
                Err(error) => load_error(error),
            })}
        </Transition>
    }
}

#[component]
fn Document(reference: Reference) -> impl IntoView {
    let contents = reference
        .sections
        .iter()
        .map(|s| {
            let href = format!("#{}", anchor(&s.tag));
            view! { <li><a href=href rel="external">{s.tag.clone()}</a></li> }.into_any()
        })
        .collect_view();
    let codes = reference
        .error_codes
        .into_iter()
        .map(|(code, meaning)| {
            view! { <tr><td><code>{code}</code></td><td>{inline(&meaning)}</td></tr> }.into_any()
        })
        .collect_view();
    let sections = reference
        .sections
        .into_iter()
        .map(|section| {
            let (id, labelled_by) = (anchor(&section.tag), anchor(&section.tag));
            view! {
                <section class="panel api-tag" aria-labelledby=labelled_by>
                    <h2 id=id>{section.tag}</h2>
                    {section.operations.into_iter().map(|operation| view! { <OperationView operation /> }.into_any()).collect_view()}
                </section>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="api-intro-heading">
            <h2 id="api-intro-heading">{format!("{} (version {})", reference.title, reference.version)}</h2>
            {reference.introduction.iter().map(|p| view! { <p>{inline(p)}</p> }).collect_view()}
            <nav aria-label="Resources"><ul>{contents}</ul></nav>
        </section>
        {sections}
        <section class="panel" aria-labelledby="api-errors-heading">
            <h2 id="api-errors-heading">"Error codes"</h2>
            <p>
                "Every failure answers " <code>"{\"error\": {\"type\", \"code\", \"message\", \"param\", \"request_id\"}}"</code>
                ". The codes are stable; the messages are for people and may change."
            </p>
            <table class="list">
                <thead><tr><th scope="col">"Code"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>{codes}</tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn OperationView(operation: Operation) -> impl IntoView {
    let heading = format!("{} {}", operation.method, operation.path);
    let (id, labelled_by) = (anchor(&heading), anchor(&heading));
    let summary = (!operation.summary.is_empty())
        .then(|| view! { <p><strong>{inline(&operation.summary)}</strong></p> });
    let description = operation
        .description
        .split("\n\n")
        .filter(|p| !p.trim().is_empty() && p.trim() != operation.summary.trim())
        .map(|p| view! { <p>{inline(p)}</p> })
        .collect_view();
    let parameters = (!operation.parameters.is_empty()).then(|| {
        view! { <ParameterTable caption="Parameters" rows=operation.parameters /> }.into_any()
    });
    let body = (!operation.body.is_empty())
        .then(|| view! { <ParameterTable caption="JSON body" rows=operation.body /> }.into_any());
    let responses = operation
        .responses
        .into_iter()
        .map(|(status, meaning)| {
            view! { <tr><td><code>{status}</code></td><td>{inline(&meaning)}</td></tr> }.into_any()
        })
        .collect_view();
    view! {
        <article class="api-operation" aria-labelledby=labelled_by>
            <h3 id=id><code>{heading}</code></h3>
            {summary}
            {description}
            {parameters}
            {body}
            <table class="list">
                <caption>"Responses"</caption>
                <thead><tr><th scope="col">"Status"</th><th scope="col">"Meaning"</th></tr></thead>
                <tbody>{responses}</tbody>
            </table>
        </article>
    }
    .into_any()
}

#[component]
fn ParameterTable(caption: &'static str, rows: Vec<Parameter>) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|p| {
            view! {
                <tr>
                    <td><code>{p.name}</code></td>
                    <td>{p.location}</td>
                    <td>{p.kind}</td>
                    <td>{if p.required { "Required" } else { "Optional" }}</td>
                    <td>{inline(&p.description)}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <table class="list">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"In"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Required"</th>
                    <th scope="col">"Description"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
