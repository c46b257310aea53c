use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::form::{Field, FormError, field_error, form_error};
use crate::contact::SubmitContact;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Card payments for Kosovo's online sellers"</h1>
            <p class="lead">
                "Saleonix will be the merchant of record for your sales: buyers pay by card on the "
                "bank's own secure page, through the Payten NestPay gateway acquired by BKT, and you "
                "see every payment and refund in one dashboard."
            </p>
            <p class="status" role="status">
                "We are building the platform in the open. The "
                <a href="/security">"Security & Compliance"</a>
                " page lists what is in place today."
            </p>
        </section>
        <section class="features" aria-label="What Saleonix is for">
            <article>
                <h2>"Card data stays with the bank"</h2>
                <p>"Buyers type their card on the gateway's hosted page. Saleonix is designed never to receive, store or log a card number or CVV."</p>
            </article>
            <article>
                <h2>"Euro, in cents"</h2>
                <p>"Every amount is an integer number of cents with its currency, so totals, refunds and reports add up exactly."</p>
            </article>
            <article>
                <h2>"Security first"</h2>
                <p>"Encrypted sensitive fields and strict browser policies on every page; nobody can move money or change a team without two-factor authentication."</p>
            </article>
        </section>
        <ContactForm />
    }
}

#[component]
fn ContactForm() -> impl IntoView {
    let submit = ServerAction::<SubmitContact>::new();
    let query = use_query_map();
    let sent = move || query.read().get("contact").as_deref() == Some("sent");
    let error_for = move |field| field_error(submit, field);
    view! {
        <section id="contact" class="contact">
            <h2>"Talk to us"</h2>
            <Show
                when=sent
                fallback=move || {
                    view! {
                        <p>"Tell us about your business and we will write back."</p>
                        <ActionForm action=submit attr:class="form" attr:novalidate=false>
                            <Field label="Your name" name="name" error=error_for("name")>
                                <input id="name" name="name" required maxlength="100" autocomplete="name" />
                            </Field>
                            <Field label="Email" name="email" error=error_for("email")>
                                <input id="email" name="email" type="email" required maxlength="254" autocomplete="email" />
                            </Field>
                            <Field label="Business name (optional)" name="business_name" error=error_for("business_name")>
                                <input id="business_name" name="business_name" maxlength="200" autocomplete="organization" />
                            </Field>
                            <Field label="Message" name="message" error=error_for("message")>
                                <textarea id="message" name="message" required maxlength="2000" rows="4"></textarea>
                            </Field>
                            <FormError message=form_error(submit, &["name", "email", "business_name", "message"]) />
                            <button type="submit" disabled=move || submit.pending().get()>"Send"</button>
                        </ActionForm>
                    }
                }
            >
                <p class="success" role="status">"Thank you. We have your message and will answer by email."</p>
            </Show>
        </section>
    }
}
