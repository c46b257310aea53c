//! Step 1: the business details, saved on their own.

use leptos::prelude::*;

use crate::components::form::{Field, FormError, field_error, form_error, succeeded};
use crate::kyc::{SaveBusiness, VerificationView};

const FIELDS: &[&str] = &[
    "legal_form",
    "registered_name",
    "trading_name",
    "registration_number",
    "fiscal_number",
    "vat_number",
    "address_line",
    "city",
    "postal_code",
    "website",
    "category",
    "monthly_volume",
    "average_ticket",
];

fn options(choices: &[(String, String)], chosen: &str) -> impl IntoView + use<> {
    let chosen = chosen.to_owned();
    let blank = chosen.is_empty();
    view! {
        <option value="" selected=blank>"Choose…"</option>
        {choices.iter().map(|(value, label)| {
            let selected = *value == chosen;
            view! { <option value=value.clone() selected=selected>{label.clone()}</option> }
        }).collect_view()}
    }
}

#[component]
pub fn BusinessStep(
    view: VerificationView,
    action: ServerAction<SaveBusiness>,
    editable: bool,
) -> impl IntoView {
    let b = view.business;
    let error = move |field: &'static str| field_error(action, field);
    // A text input with its saved value, its error tied to it for screen readers.
    let input = move |name: &'static str, value: String, extra: (&'static str, &'static str)| {
        view! {
            <input
                id=name
                name=name
                value=value
                aria-describedby=format!("{name}-error")
                inputmode=extra.0
                maxlength=extra.1
                autocomplete="off"
            />
        }
    };
    view! {
        <section class="panel" id="business" aria-labelledby="business-heading">
            <h2 id="business-heading">"1. Your business"</h2>
            <ActionForm action attr:class="form">
                <fieldset disabled=!editable>
                    <Field label="Legal form" name="legal_form" error=error("legal_form")>
                        <select id="legal_form" name="legal_form" aria-describedby="legal_form-error">
                            {options(&view.legal_forms, &b.legal_form)}
                        </select>
                    </Field>
                    <Field label="Registered name" name="registered_name" error=error("registered_name")>
                        {input("registered_name", b.registered_name, ("text", "200"))}
                    </Field>
                    <Field label="Trading name (if different)" name="trading_name" error=error("trading_name")>
                        {input("trading_name", b.trading_name, ("text", "200"))}
                    </Field>
                    <Field
                        label="Business registration number (NUI)"
                        name="registration_number"
                        error=error("registration_number")
                        hint="The 9-digit unique identification number from ARBK."
                    >
                        {input("registration_number", b.registration_number, ("numeric", "11"))}
                    </Field>
                    <Field label="Fiscal number" name="fiscal_number" error=error("fiscal_number") hint="9 digits.">
                        {input("fiscal_number", b.fiscal_number, ("numeric", "11"))}
                    </Field>
                    <Field
                        label="VAT number (if registered for VAT)"
                        name="vat_number"
                        error=error("vat_number")
                        hint="9 digits; leave empty if not registered."
                    >
                        {input("vat_number", b.vat_number, ("numeric", "11"))}
                    </Field>
                    <Field label="Registered address: street and number" name="address_line" error=error("address_line")>
                        {input("address_line", b.address_line, ("text", "200"))}
                    </Field>
                    <Field label="City" name="city" error=error("city")>
                        {input("city", b.city, ("text", "100"))}
                    </Field>
                    <Field label="Postal code" name="postal_code" error=error("postal_code") hint="5 digits, such as 10000.">
                        {input("postal_code", b.postal_code, ("numeric", "5"))}
                    </Field>
                    <Field
                        label="Website, or where you sell"
                        name="website"
                        error=error("website")
                        hint="Your shop's address, or for example: Instagram @yourshop, market stall in Prizren."
                    >
                        {input("website", b.website, ("text", "300"))}
                    </Field>
                    <Field label="What you sell" name="category" error=error("category")>
                        <select id="category" name="category" aria-describedby="category-error">
                            {options(&view.categories, &b.category)}
                        </select>
                    </Field>
                    <Field
                        label="Expected payments per month, in euro"
                        name="monthly_volume"
                        error=error("monthly_volume")
                        hint="The total you expect to take in a month, such as 20000."
                    >
                        {input("monthly_volume", b.monthly_volume, ("decimal", "20"))}
                    </Field>
                    <Field
                        label="Average payment, in euro"
                        name="average_ticket"
                        error=error("average_ticket")
                        hint="A typical buyer's payment, such as 35.50."
                    >
                        {input("average_ticket", b.average_ticket, ("decimal", "20"))}
                    </Field>
                    <FormError message=form_error(action, FIELDS) />
                    <Show when=succeeded(action)>
                        <p class="success" role="status">"Saved. You can continue with the next step."</p>
                    </Show>
                    <button type="submit" disabled=move || action.pending().get()>"Save the business details"</button>
                </fieldset>
            </ActionForm>
        </section>
    }
}
