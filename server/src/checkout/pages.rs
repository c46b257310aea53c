//! The buyer's pages, rendered once on the server with Leptos views and sent as plain
//! HTML: no WASM, no hydration and a single small stylesheet, so they work on any phone
//! and with scripts off (the one script, which posts the form to the gateway, has a
//! button beside it). No page has a card field: the buyer types the card at the gateway.

use domain::{Money, PaymentStatus};
use leptos::prelude::*;
use platform::config::MerchantOfRecord;
use platform::payments::Mode;
use platform::payments::attempts::Outcome;
use platform::payments::receipts::Receipt;
use platform::payments::sessions::{BuyerPage, Item, Payable};
use platform::subscriptions::{Terms, day as when};

fn document(title: &str, refresh_secs: Option<u32>, body: impl IntoView) -> String {
    let title = format!("{title} · Saleonix");
    let page = view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="robots" content="noindex" />
                {refresh_secs.map(|secs| view! { <meta http-equiv="refresh" content=secs.to_string() /> })}
                <title>{title}</title>
                <link rel="stylesheet" href=crate::site::stylesheet().to_string() />
            </head>
            <body class="pay">
                <main class="pay-card">{body}</main>
            </body>
        </html>
    };
    Owner::new().with(|| page.to_html())
}

fn test_banner(mode: Mode) -> impl IntoView {
    (mode == Mode::Test).then(|| {
        view! {
            <p class="pay-test" role="note">
                "Test Mode: no real money moves. Pay with a sandbox test card such as 5571 1355 7113 5575."
            </p>
        }
    })
}

fn merchant_of_record(mor: &MerchantOfRecord) -> impl IntoView {
    view! {
        <p class="pay-mor">
            "Saleonix is the merchant of record for this purchase: " {mor.name.clone()} ", " {mor.address.clone()}
            ", " {mor.business_number.clone()} ". You enter your card on the secure page of our payment partner, "
            "Payten for BKT; Saleonix never sees your card number."
        </p>
    }
}

fn order_lines(items: &[Item], total: Money) -> impl IntoView {
    let rows = items
        .iter()
        .map(|item| {
            // A checkout's lines were held to its limits when it was made, so a line's
            // amount always fits; one that did not would show its unit price.
            let line = item.amount().unwrap_or(item.unit_amount).to_string();
            let name = if item.quantity == 1 {
                item.name.clone()
            } else {
                format!("{} × {}", item.quantity, item.name)
            };
            view! { <tr><td>{name}</td><td class="amount">{line}</td></tr> }
        })
        .collect_view();
    view! {
        <table class="pay-lines">
            <tbody>{rows}</tbody>
            <tfoot><tr><th scope="row">"Total"</th><td class="amount">{total.to_string()}</td></tr></tfoot>
        </table>
    }
}

/// A refused Pay, told beside the field it concerns.
#[derive(Debug, Clone, Copy)]
pub struct FieldError<'a> {
    pub field: &'a str,
    pub message: &'a str,
}

/// A plan's schedule in plain words, and the consent box the buyer ticks before Pay (its
/// words are the ones stored with the attempt).
fn plan_terms(terms: &Terms, merchant: &str, error: Option<&str>) -> impl IntoView + use<> {
    let next = when(terms.planned(time::OffsetDateTime::now_utc(), 2));
    let schedule = format!(
        "Subscription: {amount} {every}, {length}. The first payment, {amount}, is taken today; \
         the next one on {next}. Your bank's payment service charges the later payments; Saleonix never keeps your card.",
        amount = terms.amount,
        every = terms.every(),
        length = terms.length(),
    );
    view! {
        <p class="pay-plan">{schedule}</p>
        <p class="pay-consent">
            <input id="consent" name="consent" type="checkbox" value="yes" required
                aria-invalid=error.is_some().then_some("true")
                aria-describedby=error.is_some().then_some("consent-error") />
            <label for="consent">{terms.consent_text(merchant)}</label>
        </p>
        {error.map(|e| view! { <p id="consent-error" class="pay-error" role="alert">{e.to_owned()}</p> })}
    }
}

/// `/pay/<token>`: what is bought, the total, the email field and the Pay button, or why
/// it cannot be paid. A plan's checkout also states the schedule and asks for consent.
pub fn checkout(
    token: &str,
    page: &BuyerPage,
    mor: &MerchantOfRecord,
    email: &str,
    error: Option<FieldError<'_>>,
) -> String {
    let total = page.amount.to_string();
    let consent_error = error.filter(|e| e.field == "consent").map(|e| e.message);
    let error = error.filter(|e| e.field != "consent").map(|e| e.message);
    let pay = match page.plan {
        Some(_) => format!("Subscribe and pay {total} today"),
        None => format!("Pay {total}"),
    };
    let terms = page
        .plan
        .map(|terms| plan_terms(&terms, &page.merchant_name, consent_error));
    let body = view! {
        {test_banner(page.mode)}
        <p class="pay-merchant">{page.merchant_name.clone()}</p>
        {order_lines(&page.items, page.amount)}
        {match page.payable {
            Payable::Yes => view! {
                <form method="post" action=format!("/pay/{token}") class="pay-form">
                    <label for="email">"Email for your receipt"</label>
                    <input id="email" name="email" type="email" required autocomplete="email" inputmode="email"
                        maxlength="254" value=email.to_owned() aria-invalid=error.is_some().then_some("true")
                        aria-describedby=error.is_some().then_some("email-error") />
                    {error.map(|e| view! { <p id="email-error" class="pay-error" role="alert">{e.to_owned()}</p> })}
                    {terms}
                    <button type="submit">{pay}</button>
                </form>
            }.into_any(),
            Payable::AlreadyPaid => view! {
                <p class="pay-status" role="status">"This checkout is already paid. No further payment is taken."</p>
            }.into_any(),
            Payable::Expired => view! {
                <p class="pay-status" role="status">"This checkout has expired. No payment was taken; please ask the seller for a new link."</p>
            }.into_any(),
            Payable::LinkUnavailable => view! {
                <p class="pay-status" role="status">"This payment link is no longer available. No payment was taken."</p>
            }.into_any(),
        }}
        {page.cancel_url.clone().map(|url| view! { <p><a href=url>"Cancel and return to the seller"</a></p> })}
        {merchant_of_record(mor)}
    };
    document(&format!("Pay {}", page.merchant_name), None, body)
}

/// The signed form to the gateway's hosted page, posted by a nonce-carrying script or,
/// with scripts off, by its button.
pub fn to_gateway(form: &payten::HostedForm, nonce: &str) -> String {
    let fields = form
        .fields
        .iter()
        .map(
            |(name, value)| view! { <input type="hidden" name=name.clone() value=value.clone() /> },
        )
        .collect_view();
    let body = view! {
        <h1>"Taking you to the secure payment page…"</h1>
        <form id="to-gateway" method="post" action=form.action.clone()>
            {fields}
            <button type="submit">"Continue to the payment page"</button>
        </form>
        <script nonce=nonce.to_owned()>"document.forms[0].submit();"</script>
    };
    document("Payment", None, body)
}

/// `/pay/result/<order id>`.
pub fn result(order_id: &str, outcome: &Outcome) -> String {
    let amount = outcome.amount.to_string();
    let merchant = outcome.merchant_name.clone();
    let back = |url: &Option<String>, label: &'static str| {
        url.clone()
            .map(|url| view! { <p><a href=url>{label}</a></p> })
    };
    let retry = outcome.session_open.then(|| {
        view! { <p><a class="button" href=format!("/pay/{}", outcome.session_token)>"Try again"</a></p> }
    });
    let (title, refresh, body) = match outcome.status {
        PaymentStatus::Paid | PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded => (
            "Payment received",
            None,
            view! {
                <h1>"Payment received"</h1>
                <p role="status">{format!("You paid {amount} to {merchant}.")}</p>
                {outcome.buyer_email.clone().map(|email| view! { <p>{format!("A receipt is on its way to {email}.")}</p> })}
                <p><a href=format!("/pay/receipt/{order_id}")>"View your receipt"</a></p>
                {back(&outcome.success_url, "Return to the seller")}
            }
            .into_any(),
        ),
        PaymentStatus::Created | PaymentStatus::Pending => (
            "Confirming your payment",
            Some(5),
            view! {
                <h1>"Confirming your payment"</h1>
                <p role="status">"We are confirming your payment with the bank. This page updates by itself; please do not pay again."</p>
            }
            .into_any(),
        ),
        // A charge the order does not keep: say so plainly, never "being confirmed".
        PaymentStatus::Duplicate => {
            let (title, text) = if outcome.returned {
                ("Charge returned", format!("{amount} has been returned to your card. You do not need to do anything."))
            } else {
                (
                    "Charge being returned",
                    format!("{amount} is being returned to your card automatically. You do not need to do anything; your bank may take a few days to show it."),
                )
            };
            let why = outcome.decline_reason.clone().unwrap_or_else(|| "This charge was not kept.".into());
            (
                title,
                None,
                view! {
                    <h1>{title}</h1>
                    <p role="status">{why}</p>
                    <p>{text}</p>
                    {back(&outcome.success_url, "Return to the seller")}
                }
                .into_any(),
            )
        }
        PaymentStatus::Expired => (
            "Checkout expired",
            None,
            view! { <h1>"Checkout expired"</h1><p role="status">"No payment was taken."</p> }.into_any(),
        ),
        PaymentStatus::Declined | PaymentStatus::Failed => (
            "Payment not completed",
            None,
            view! {
                <h1>"Payment not completed"</h1>
                <p role="status">{outcome.decline_reason.clone().unwrap_or_else(|| "The payment did not go through.".into())}</p>
                <p>"No money was taken."</p>
                {retry}
                {back(&outcome.cancel_url, "Return to the seller")}
            }
            .into_any(),
        ),
    };
    document(title, refresh, view! { {test_banner(outcome.mode)} {body} })
}

/// `/pay/receipt/<order id>`.
pub fn receipt(receipt: &Receipt, mor: &MerchantOfRecord) -> String {
    let paid_at = receipt
        .paid_at
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    let body = view! {
        {test_banner(receipt.mode)}
        <h1>"Receipt"</h1>
        <p class="pay-merchant">{receipt.merchant_name.clone()}</p>
        {order_lines(&receipt.items, receipt.amount)}
        <dl class="pay-facts">
            <dt>"Paid with"</dt><dd>{receipt.card()}</dd>
            <dt>"Order"</dt><dd>{receipt.order_id.clone()}</dd>
            <dt>"Authorisation"</dt><dd>{receipt.auth_code.clone().unwrap_or_else(|| "-".into())}</dd>
            <dt>"Date"</dt><dd>{paid_at}</dd>
        </dl>
        {merchant_of_record(mor)}
        <p class="pay-mor">"Questions about this payment: " {mor.support_email.clone()}</p>
    };
    document("Receipt", None, body)
}

/// A page for what has no better one: not found, refused, limited.
pub fn message(title: &str, text: &str) -> String {
    let body = view! { <h1>{title.to_owned()}</h1><p role="status">{text.to_owned()}</p> };
    document(title, None, body)
}

/// `/portal/<token>`: the buyer's subscriptions with one merchant, each with its schedule,
/// where it stands, its payments (with their receipts) and, while it runs, Cancel.
pub fn portal(
    token: &str,
    view: &platform::subscriptions::portal::Portal,
    error: Option<&str>,
) -> String {
    use platform::subscriptions::Status;
    let subscriptions = view
        .subscriptions
        .iter()
        .map(|s| {
            let status = match (s.status, s.ends_at) {
                _ if s.cancel_pending => "Being cancelled".to_owned(),
                (_, Some(ends)) => format!(
                    "Ends on {}: the period paid for runs to then, and no further payment is taken",
                    when(ends)
                ),
                (Status::Active, None) => s
                    .next_charge_at
                    .map(|at| format!("Active: next payment on {}", when(at)))
                    .unwrap_or_else(|| "Active".to_owned()),
                (Status::PastDue, None) => {
                    "Past due: the bank declined a payment, which you can pay below".to_owned()
                }
                (Status::Cancelled, None) => "Cancelled: no further payment is taken".to_owned(),
                (Status::Ended, None) if s.renew_token.is_some() => {
                    "Every payment of this series was made: renew below to go on".to_owned()
                }
                (Status::Ended, None) => "Ended: every payment was made".to_owned(),
                (Status::Unpaid, None) => {
                    "Ended: a declined payment was not paid in time; no further payment is taken"
                        .to_owned()
                }
            };
            let payments = s
                .installments
                .iter()
                .map(|i| {
                    let name = format!("Payment {} of {}", i.number, s.terms.installments);
                    let (label, action) = match (&i.pay_token, &i.paid_later) {
                        (Some(pay), _) => (
                            i.status.label().to_owned(),
                            Some(view! {
                                <a href=format!("/pay/{pay}")>{format!("Pay {}", name.to_lowercase())}</a>
                            }.into_any()),
                        ),
                        (None, Some(paid)) => (
                            "Paid after a decline".to_owned(),
                            Some(view! { <a href=format!("/pay/receipt/{paid}")>"Receipt"</a> }.into_any()),
                        ),
                        (None, None) => (
                            i.status.label().to_owned(),
                            i.status.is_captured().then(|| {
                                view! { <a href=format!("/pay/receipt/{}", i.order_id)>"Receipt"</a> }
                                    .into_any()
                            }),
                        ),
                    };
                    view! {
                        <tr>
                            <td>{name}</td>
                            <td class="amount">{i.amount.to_string()}</td>
                            <td>{label}</td>
                            <td>{action}</td>
                        </tr>
                    }
                })
                .collect_view();
            let heading = format!("subscription-{}", s.id);
            let labelled_by = heading.clone();
            let cancel = (s.status.is_running() && !s.cancel_pending).then(|| {
                view! {
                    <form method="post" action=format!("/portal/{token}/cancel")>
                        <input type="hidden" name="subscription" value=s.id.to_string() />
                        <button type="submit">{format!("Cancel {}", s.plan_name)}</button>
                    </form>
                }
            });
            let renew = s.renew_token.as_ref().map(|renew| {
                view! { <p><a href=format!("/pay/{renew}")>{format!("Renew {}", s.plan_name)}</a></p> }
            });
            view! {
                <section aria-labelledby=labelled_by>
                    <h2 id=heading>{s.plan_name.clone()}</h2>
                    <p>{format!("{} {}, {}.", s.terms.amount, s.terms.every(), s.terms.length())}</p>
                    <p role="status">{status}</p>
                    <table class="pay-lines"><tbody>{payments}</tbody></table>
                    {cancel}
                    {renew}
                </section>
            }
        })
        .collect_view();
    let body = view! {
        {test_banner(view.mode)}
        <h1>{format!("Your subscriptions with {}", view.merchant_name)}</h1>
        {error.map(|e| view! { <p class="pay-error" role="alert">{e.to_owned()}</p> })}
        {subscriptions}
        <p class="pay-mor">"Cancelling stops the payments not yet taken; payments already made are not returned by cancelling."</p>
    };
    document("Your subscriptions", None, body)
}

/// An expired portal link, with the button that mails a fresh one.
pub fn portal_expired(token: &str) -> String {
    let body = view! {
        <h1>"This link has expired"</h1>
        <p>"For your security, links to your subscriptions work for a limited time."</p>
        <form method="post" action=format!("/portal/{token}/renew")>
            <button type="submit">"Email me a new link"</button>
        </form>
    };
    document("Link expired", None, body)
}

/// The same answer whether or not a link went out.
pub fn portal_link_sent() -> String {
    message(
        "Check your email",
        &format!(
            "If that address has subscriptions paid through Saleonix, a link to them is on its way. It works for {} days.",
            platform::subscriptions::portal::LINK_DAYS
        ),
    )
}

/// `/portal`: asks for links to one's subscriptions by email.
pub fn portal_request(error: Option<&str>) -> String {
    let body = view! {
        <h1>"Your subscriptions"</h1>
        <p>"Enter the email address you paid with; we will send a link to your subscriptions with each seller."</p>
        <form method="post" action="/portal" class="pay-form">
            <label for="email">"Email address"</label>
            <input id="email" name="email" type="email" required autocomplete="email" maxlength="254"
                aria-invalid=error.is_some().then_some("true")
                aria-describedby=error.is_some().then_some("email-error") />
            {error.map(|e| view! { <p id="email-error" class="pay-error" role="alert">{e.to_owned()}</p> })}
            <button type="submit">"Send me a link"</button>
        </form>
    };
    document("Your subscriptions", None, body)
}
