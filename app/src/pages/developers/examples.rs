//! Copyable examples: creating a checkout session with curl, and checking a webhook's
//! signature (Standard Webhooks) by hand, so a developer can try both before choosing a
//! library.

use leptos::prelude::*;

use crate::components::copy::CopyButton;

/// The checkout session request, against `origin`.
pub fn checkout_example(origin: &str) -> String {
    format!(
        "curl {origin}/v1/checkout_sessions \\\n  \
         -H \"Authorization: Bearer sk_test_…\" \\\n  \
         -H \"Idempotency-Key: order-1042\" \\\n  \
         -H \"Content-Type: application/json\" \\\n  \
         -d '{{\"line_items\":[{{\"name\":\"T-shirt\",\"unit_amount\":1500,\"quantity\":1}}],\"success_url\":\"https://shop.example/thanks\"}}'"
    )
}

/// One delivery checked with openssl: the body exactly as received, in `body.json`.
const WEBHOOK_EXAMPLE: &str = r#"secret='whsec_…'            # the endpoint's signing secret
id="$WEBHOOK_ID"; ts="$WEBHOOK_TIMESTAMP"   # the webhook-id and webhook-timestamp headers
key=$(printf %s "${secret#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
{ printf '%s.%s.' "$id" "$ts"; cat body.json; } \
  | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64
# equal to a value after "v1," in the webhook-signature header: genuine"#;

#[component]
pub fn Examples(origin: String) -> impl IntoView {
    let checkout = checkout_example(&origin);
    view! {
        <section class="panel" aria-labelledby="examples-heading">
            <h2 id="examples-heading">"Examples"</h2>
            <h3 id="checkout-example-heading">"Create a checkout session"</h3>
            <p>
                "Send the buyer to the session's " <code>"url"</code>
                ". A retry with the same " <code>"Idempotency-Key"</code>
                " gets the first answer again instead of a second session."
            </p>
            <pre class="example" aria-labelledby="checkout-example-heading"><code>{checkout.clone()}</code></pre>
            <CopyButton text=checkout label="Copy the checkout example" />
            <h3 id="webhook-example-heading">"Verify a webhook"</h3>
            <p>
                "Saleonix signs each delivery as the Standard Webhooks specification says, so any Standard Webhooks library verifies it. "
                "Three headers come with it: " <code>"webhook-id"</code> ", " <code>"webhook-timestamp"</code>
                " (seconds since 1970) and " <code>"webhook-signature"</code> ", one or more "
                <code>"v1,"</code> " followed by the base64 HMAC-SHA256 of " <code>"id.timestamp.body"</code>
                ", keyed with your endpoint's secret: the part after " <code>"whsec_"</code> ", base64-decoded."
            </p>
            <p>
                "Compute it over the raw body before parsing it, compare in constant time, and refuse a timestamp more than five minutes from your clock: that stops a recorded delivery from being replayed."
            </p>
            <pre class="example" aria-labelledby="webhook-example-heading"><code>{WEBHOOK_EXAMPLE}</code></pre>
            <CopyButton text=WEBHOOK_EXAMPLE.to_owned() label="Copy the webhook example" />
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_checkout_example_is_the_documented_request() {
        let example = super::checkout_example("https://pay.example");
        assert!(example.starts_with("curl https://pay.example/v1/checkout_sessions \\\n"));
        assert!(example.contains(
            r#"-d '{"line_items":[{"name":"T-shirt","unit_amount":1500,"quantity":1}],"success_url":"https://shop.example/thanks"}'"#
        ));
    }
}
