//! What the platform does for security today, and only that. Every sentence of this page is
//! mapped in the README's "What the Security page claims" table to the test that proves it
//! (or to the roadmap issue it waits on), and a test fails on a sentence the table lacks.
//! One sentence per list item or paragraph, so the test can read them.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SecurityPage() -> impl IntoView {
    view! {
        <Title text="Security & Compliance" />
        <section class="page security">
            <h1>"Security & Compliance"</h1>
            <p class="lead">"Each statement under “In place today” describes what Saleonix does now, and an automated test proves it."</p>

            <h2>"In place today"</h2>
            <ul class="checklist claims">
                <li>"Buyers type their card number on the card gateway's hosted page, and no card number reaches Saleonix's database."</li>
                <li>"Production serves Saleonix over HTTPS with HTTP Strict Transport Security for two years, including subdomains, and redirects plain HTTP."</li>
                <li>"Every response carries a Content Security Policy with a fresh nonce per page and no inline code, and forbids framing by other sites."</li>
                <li>"Pages and server answers are sent with “Cache-Control: no-store”, so shared computers and proxies keep no copy."</li>
                <li>"A request that changes anything is refused when the browser says it comes from another site."</li>
                <li>"Passwords are stored only as Argon2id hashes with 19 MiB of memory and 2 passes."</li>
                <li>"Signing in answers the same, in about the same time, whether or not the address has an account."</li>
                <li>"A team invitation answers the same whether or not the address has an account, and mails no text the inviter chose in its subject."</li>
                <li>"An account signs in only after confirming its email address."</li>
                <li>"Two-factor authentication with an authenticator app and single-use recovery codes protects sign-in, and a used code is refused."</li>
                <li>"Turning two-factor authentication on asks for the password again."</li>
                <li>"A password reset leaves two-factor authentication on."</li>
                <li>"Saleonix staff cannot work until they have turned on two-factor authentication."</li>
                <li>"Every page and server function admits exactly the roles and staff permissions its declared policy names."</li>
                <li>"Sign-in, sign-up and password reset accept a limited number of attempts, counted in the database so every server shares the count, and past the limit answer with the time to wait."</li>
                <li>"Sensitive fields are encrypted one by one with AES-256-GCM, and a value copied to another record does not decrypt."</li>
                <li>"Keys, passwords and other secrets print redacted in debug output, so they cannot reach a log that way."</li>
                <li>"Production refuses to start without its keys and names the one missing."</li>
                <li>"Security-relevant actions are written to an audit trail whose hash chain shows a changed or deleted row."</li>
                <li>"A merchant takes live card payments only once Saleonix has verified the business and while it is not suspended."</li>
                <li>"A refund whose gateway answer is lost is settled once, from the gateway's order history."</li>
                <li>"Reconciliation with the gateway finds a second charge for one checkout and returns it to the buyer."</li>
                <li>"Fraud checks at checkout block blocklisted buyers and amounts over a merchant's limit, and flag bursts of attempts for review."</li>
                <li>"The privacy policy lists every kind of personal data the platform's database holds, printed from a classification of every column that a test checks against the database."</li>
                <li>"Saleonix sets one cookie, the strictly necessary session cookie, and no tracking or advertising cookies."</li>
                <li>"Anyone can ask from the privacy page for a copy of their personal data: the request counts once confirmed from the address, the answer is the same whether or not Saleonix knows the address, and the archive is handed over once through a link."</li>
                <li>"Personal data is deleted on a schedule: unconfirmed sign-ups after 30 days, unpaid checkouts' email addresses and sent mail after 90 days, each run recorded in the audit trail."</li>
                <li>"A person can have their personal data erased on request: the records the law requires are kept without their email address or IP address, and the audit trail still verifies."</li>
                <li>"Database backups are encrypted with AES-256 before they are stored, and the stored backup shows none of the data without its key."</li>
                <li>"A restore drill, run as an automated test, brings a backup back to a chosen moment, and the audit trail verifies on the restored database."</li>
                <li>"Saleonix runs as several servers behind a proxy: a test kills one during a minute of payments and refunds, and every payment, refund and receipt is still recorded exactly once."</li>
                <li>"Security researchers can reach us through " <a href="/.well-known/security.txt">"security.txt"</a> "."</li>
            </ul>

            <h2>"Compliance"</h2>
            <p class="statement">"Our controls are aligned with the AICPA Trust Services Criteria, on which SOC 2 reports are based; Saleonix has no SOC 2 attestation and claims none."</p>

            <h2>"On our roadmap"</h2>
            <p>"These are not built yet, and nothing above depends on them."</p>
            <ul class="roadmap">
                <li>"A merchant API with keys, idempotency and signed webhooks."</li>
                <li>"Subscriptions on the gateway's recurring payments."</li>
                <li>"Albanian, Serbian (Latin) and English throughout, and accessibility to WCAG 2.2 AA."</li>
                <li>"Merchant users exporting their own data and closing their account from the dashboard."</li>
            </ul>
        </section>
    }
}
