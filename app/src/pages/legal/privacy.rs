//! `/privacy`: every statement about what is held comes from the inventory, so the policy
//! cannot list less than the database holds.

use domain::privacy::{Holding, Subject, cookies::COOKIES, holdings};
use leptos::prelude::*;
use leptos_meta::Title;

use super::requests::RequestForm;
use crate::privacy::{ControllerAndProcessors, privacy_facts};

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let facts = Resource::new(|| (), |_| privacy_facts());
    view! {
        <Title text="Privacy policy" />
        <section class="page narrow legal">
            <h1>"Privacy policy"</h1>
            <p>
                "This policy says what personal data Saleonix holds, why, on which legal basis, for how long, "
                "who receives it and how to use your rights, under the EU General Data Protection Regulation "
                "(GDPR) and Kosovo's Law No. 06/L-082 on the Protection of Personal Data."
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || facts.get().map(|result| match result {
                    Ok(facts) => view! { <Policy facts /> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Policy(facts: ControllerAndProcessors) -> impl IntoView {
    let controller = facts.controller;
    let outside_kosovo: Vec<_> = facts
        .sub_processors
        .into_iter()
        .filter(|p| p.location != "Kosovo")
        .collect();
    let email = controller.privacy_email.clone();
    view! {
        <h2 id="controller">"Who is responsible"</h2>
        <p>
            {controller.name}", "{controller.address}" ("{controller.business_number}") is the controller. "
            "It sells to buyers as the merchant of record for the merchants on the platform, so it is also "
            "responsible for the buyers' payment data. A merchant is a separate controller for what it collects in its own shop."
        </p>
        <p>"Write to "<a href={format!("mailto:{email}")}>{email.clone()}</a>" about anything in this policy."</p>

        <h2 id="data">"What we hold, why, and for how long"</h2>
        <p>
            "Every column of the platform's database is classified in its code, and this list is printed from that "
            "classification. Data marked “kept against erasure” is kept even when you ask for erasure, because "
            "anti-money-laundering and accounting law require it, and only for the period shown."
        </p>
        {Subject::ALL.into_iter().map(|subject| view! {
            <h3>{subject.label()}</h3>
            <HoldingsTable rows=holdings(subject) />
        }).collect_view()}

        <h2 id="cookies">"Cookies"</h2>
        <p>"Saleonix sets only the cookies below. They are strictly necessary, so it asks no consent; there are no analytics, advertising or third-party cookies."</p>
        <table class="list">
            <thead><tr><th scope="col">"Cookie"</th><th scope="col">"Purpose"</th><th scope="col">"Lifetime"</th></tr></thead>
            <tbody>
                {COOKIES.iter().map(|cookie| view! {
                    <tr><td><code>{cookie.name}</code></td><td>{cookie.purpose}</td><td>{cookie.lifetime}</td></tr>
                }).collect_view()}
            </tbody>
        </table>

        <h2 id="recipients">"Who receives it"</h2>
        <ul>
            <li>"The companies that process data for Saleonix, listed with what they receive on the "<a href="/privacy/sub-processors">"sub-processors page"</a>"."</li>
            <li>"A merchant receives what its own buyers give at its checkout and the payment's details (the card number masked)."</li>
            <li>"Authorities, where the law requires it: Kosovo's Financial Intelligence Unit for anti-money-laundering reports, the tax administration, and courts."</li>
        </ul>

        <h2 id="transfers">"Transfers outside Kosovo"</h2>
        {if outside_kosovo.is_empty() {
            view! { <p>"No personal data leaves Kosovo."</p> }.into_any()
        } else {
            view! {
                <p>"These sub-processors handle data outside Kosovo, each under a data-processing agreement:"</p>
                <ul>
                    {outside_kosovo.into_iter().map(|p| view! { <li>{format!("{}: {}", p.name, p.location)}</li> }).collect_view()}
                </ul>
            }.into_any()
        }}

        <h2 id="rights">"Your rights"</h2>
        <p>
            "You may ask for a copy of your data in a machine-readable form, for its correction, its erasure or "
            "the restriction of its use, and you may object to processing based on legitimate interests. Ask with the "
            "form below: the request counts once you confirm it by the link sent to the address the data is about, "
            "and the answer is the same whether or not Saleonix knows that address. Saleonix answers within one month "
            "of the confirmation; a complex request can take two months more, and you are told why within the first "
            "month. Where the law requires a record to be kept, an erasure keeps only what that record needs, and you "
            "are told which records, why and until when. Questions go to "
            <a href={format!("mailto:{}", controller.privacy_email)}>{controller.privacy_email.clone()}</a>"."
        </p>
        <RequestForm />

        <h2 id="complaints">"Complaints"</h2>
        <p>
            "You may complain to Kosovo's supervisory authority, the Information and Privacy Agency "
            "(Agjencia për Informim dhe Privatësi, Prishtina, "<a href="https://aip.rks-gov.net">"aip.rks-gov.net"</a>
            "), or to the authority of the EU country where you live."
        </p>
    }
}

#[component]
fn HoldingsTable(rows: Vec<Holding>) -> impl IntoView {
    view! {
        <table class="list">
            <thead>
                <tr>
                    <th scope="col">"Data"</th>
                    <th scope="col">"Why"</th>
                    <th scope="col">"Legal basis"</th>
                    <th scope="col">"Kept"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td>{row.what.join("; ")}" ("{row.category.label()}")"</td>
                        <td>{row.purpose}</td>
                        <td>{row.basis.label()}</td>
                        <td>
                            {row.retention.describe()}
                            {row.kept_for_aml.then_some(view! { <br /><strong>"kept against erasure"</strong> })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
