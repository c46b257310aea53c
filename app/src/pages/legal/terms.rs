//! `/terms`: the terms for merchants and for buyers. The figures a merchant agrees to (fees,
//! payout timing, reserve) are per merchant and shown in its dashboard, so the text points
//! there instead of repeating numbers that could drift.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TermsPage() -> impl IntoView {
    view! {
        <Title text="Terms of service" />
        <section class="page narrow legal">
            <h1>"Terms of service"</h1>
            <p>"Version of 30 November 2026. These terms are governed by the law of the Republic of Kosovo."</p>

            <h2 id="merchants">"For merchants"</h2>
            <h3>"Saleonix as merchant of record"</h3>
            <p>
                "Saleonix sells your goods or services to your buyers in its own name, as the merchant of record, "
                "takes their card payments through the Payten NestPay gateway acquired by BKT, and pays you what it "
                "collected less its fees, refunds, chargebacks and any reserve. You supply what you sell, describe it "
                "truthfully, deliver it and answer your buyers."
            </p>
            <h3>"Verification"</h3>
            <p>
                "Before you take live payments Saleonix verifies your business, its owners and representatives and its bank "
                "account, as anti-money-laundering law requires. Until then, and whenever your account is suspended, you "
                "can use Test Mode only; Test Mode never moves money."
            </p>
            <h3>"Fees and payouts"</h3>
            <p>
                "The fees are those of your fee schedule, shown under Balance in your dashboard, with VAT where it applies. "
                "Each payment becomes available after the settlement delay of your terms, less any rolling reserve, and is "
                "paid to your verified bank account on your payout schedule. Refunds and chargebacks are taken from your balance."
            </p>
            <h3>"What you may not sell"</h3>
            <p>
                "Anything unlawful in Kosovo or where the buyer is; weapons and ammunition; drugs and medicines without a "
                "licence; gambling; adult content; counterfeit goods; financial products, crypto-assets and money transfers; "
                "and anything the card schemes forbid."
            </p>
            <h3>"Suspension and ending"</h3>
            <p>
                "Saleonix may suspend live payments on signs of fraud, of a breach of these terms, or of a legal duty to do "
                "so, and tells you why unless the law forbids it. Either party may end the agreement with 30 days' notice; "
                "your balance is paid out after the chargeback period, less what is owed."
            </p>

            <h2 id="buyers">"For buyers"</h2>
            <h3>"Who you buy from"</h3>
            <p>
                "When you pay on a Saleonix checkout you buy from Saleonix, as the merchant of record, for the merchant named "
                "on the checkout and the receipt; the merchant supplies the goods or services. Your card is charged on the "
                "bank's own payment page; Saleonix never sees your card number or security code."
            </p>
            <h3>"Refunds and problems"</h3>
            <p>
                "Ask the merchant first: refunds are made by the merchant through Saleonix and go back to the card you paid "
                "with. If the merchant does not answer, write to Saleonix's support address on your receipt. Your rights as "
                "a consumer under Kosovo law are not affected."
            </p>
            <p>"How Saleonix handles your personal data is in the "<a href="/privacy">"privacy policy"</a>"."</p>
        </section>
    }
}
