//! What the platform does for security today, and only that. Each claim here is backed by
//! a test; grow this page as features land, never ahead of them.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SecurityPage() -> impl IntoView {
    view! {
        <Title text="Security & Compliance" />
        <section class="page">
            <h1>"Security & Compliance"</h1>
            <p class="lead">"What Saleonix does today to protect merchants, buyers and their data."</p>

            <h2>"In place today"</h2>
            <ul class="checklist">
                <li><strong>"Encrypted transport. "</strong>"Production runs on HTTPS only, with HTTP Strict Transport Security for two years, including subdomains."</li>
                <li><strong>"Strict browser policies on every response. "</strong>"A Content Security Policy with a fresh nonce for each page, no inline code otherwise, no framing by other sites, no plug-ins; forms may only post to Saleonix and the card gateway; a strict referrer policy and a permissions policy that turns off camera, microphone, location and payment browser features."</li>
                <li><strong>"No caching of private data. "</strong>"Every page and API answer is sent with "<code>"Cache-Control: no-store"</code>", so shared computers and proxies keep no copy; only the public application files are cacheable."</li>
                <li><strong>"Cross-site request forgery refused. "</strong>"Requests that change anything are refused when the browser says they come from another site."</li>
                <li><strong>"Encryption of sensitive fields. "</strong>"Fields such as bank details and gateway credentials are encrypted one by one with AES-256-GCM, with a fresh random nonce per value, keys that can rotate, and each value bound to its own record so it cannot be copied to another."</li>
                <li><strong>"Password hashing. "</strong>"Passwords are stored only as Argon2id hashes (19 MiB memory, 2 passes), OWASP's recommended minimum."</li>
                <li><strong>"Secrets kept out of logs. "</strong>"Keys and passwords are never written to logs or error messages; production refuses to start without its keys."</li>
                <li><strong>"Abuse limits. "</strong>"Public forms accept only a few requests per client per hour, counted in the database so every server shares the count; past it the answer is HTTP 429 with the time to wait."</li>
                <li><strong>"Traceable requests. "</strong>"Every request carries an id that appears in the structured server logs."</li>
                <li><strong>"Sellers verified before Live Mode. "</strong>"A merchant takes live card payments only after Saleonix has reviewed its business, its representative and owners, their identity documents and its bank account, with the names screened against a sanctions list; the reviewer who asked for changes cannot also approve. Personal numbers, bank account numbers (IBANs) and documents are stored encrypted and shown masked."</li>
                <li><strong>"Coordinated disclosure. "</strong>"Security researchers can reach us through "<a href="/.well-known/security.txt">"security.txt"</a>"."</li>
            </ul>

            <h2>"On the way"</h2>
            <p>"These are being built and are not yet live: hosted card checkout through Payten NestPay (card numbers and CVVs never reach Saleonix), email-verified accounts, two-factor authentication with TOTP, per-module staff permissions, a tamper-evident audit trail, refunds and reconciliation with the gateway, fraud checks at checkout, and data-subject requests under the GDPR and Kosovo Law No. 06/L-082."</p>
        </section>
    }
}
