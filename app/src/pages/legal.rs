//! Placeholders for the documents a lawyer will write. They say so plainly.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn Placeholder(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title />
        <section class="page narrow">
            <h1>{title}</h1>
            <p class="notice" role="note">
                <strong>"Placeholder. "</strong>
                "This page is a draft outline awaiting legal review. It is not yet the binding text."
            </p>
            {children()}
        </section>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! {
        <Placeholder title="Privacy policy">
            <p>"The final policy will cover, under the GDPR and Kosovo Law No. 06/L-082 on the Protection of Personal Data:"</p>
            <ul>
                <li>"who the controller is and how to reach the data protection contact;"</li>
                <li>"what personal data Saleonix processes for merchants, their teams and buyers, and why;"</li>
                <li>"how long records are kept, including payment records kept for anti-money-laundering duties;"</li>
                <li>"the rights to access, export, correct and erase personal data, and how to use them;"</li>
                <li>"which processors receive data, such as the card gateway and the email provider."</li>
            </ul>
        </Placeholder>
    }
}

#[component]
pub fn TermsPage() -> impl IntoView {
    view! {
        <Placeholder title="Terms of service">
            <p>"The final terms will cover the merchant agreement, Saleonix's role as merchant of record, fees, refunds and chargebacks, acceptable use, suspension and termination, and the governing law."</p>
        </Placeholder>
    }
}
