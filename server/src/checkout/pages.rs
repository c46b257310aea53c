//! The buyer's pages, rendered once on the server with Leptos views and sent as plain
//! HTML: no WASM, no hydration and a single small stylesheet, so they work on any phone
//! and with scripts off (the one script, which posts the form to the gateway, has a
//! button beside it). No page has a card field: the buyer types the card at the gateway.

use domain::{Money, PaymentStatus};
use i18n::{Locale, choice, format};
use leptos::prelude::*;
use leptos_i18n::td_string;
use platform::config::MerchantOfRecord;
use platform::payments::Mode;
use platform::payments::attempts::Outcome;
use platform::payments::reasons;
use platform::payments::receipts::Receipt;
use platform::payments::sessions::{BuyerPage, Item, Payable};
use platform::subscriptions::Terms;

use super::language;

/// The accessibility statement, linked from the foot of every buyer page.
pub const ACCESSIBILITY_PATH: &str = "/accessibility";

/// A page in the buyer's language ([`language::locale`]), with the language switcher
/// linking `here` (the page to reload in another language) or, without it, the page being
/// answered when a GET can reload it. No page reloads itself: a timed refresh fails WCAG
/// 2.2.1 and makes a screen reader start the page again.
fn document(title: &str, here: Option<&str>, body: impl IntoView) -> String {
    let locale = language::locale();
    let title = format!("{title} · Saleonix");
    let switcher = here
        .map(str::to_owned)
        .or_else(|| language::here().map(|h| h.to_string()))
        .map(|here| switcher(locale, &here));
    let page = view! {
        <!DOCTYPE html>
        <html lang=choice::tag(locale)>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="robots" content="noindex" />
                <title>{title}</title>
                <link rel="stylesheet" href=crate::site::stylesheet().to_string() />
            </head>
            <body class="pay">
                {switcher}
                <main class="pay-card">{body}</main>
                <footer>
                    <a href=ACCESSIBILITY_PATH>{td_string!(locale, accessibility.link)}</a>
                </footer>
            </body>
        </html>
    };
    // These pages are never hydrated, so Leptos's hydration markers (`<!>`) go: bytes on
    // every buyer's first load for nothing. Text is escaped, so no page data is one.
    Owner::new().with(|| page.to_html()).replace("<!>", "")
}

/// Links to `here` in each language, each named in its own language.
fn switcher(current: Locale, here: &str) -> impl IntoView + use<> {
    let links = choice::ALL
        .into_iter()
        .map(|locale| {
            let href = format!("{here}?{}={}", choice::PARAM, choice::tag(locale));
            view! {
                <li>
                    <a href=href lang=choice::tag(locale) hreflang=choice::tag(locale)
                        aria-current=(locale == current).then_some("true")>
                        {choice::endonym(locale)}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="pay-lang" aria-label=td_string!(current, page.language)>
            <ul>{links}</ul>
        </nav>
    }
}

fn test_banner(mode: Mode) -> impl IntoView {
    let locale = language::locale();
    (mode == Mode::Test).then(|| {
        view! { <p class="pay-test" role="note">{td_string!(locale, page.test_mode)}</p> }
    })
}

fn merchant_of_record(mor: &MerchantOfRecord) -> impl IntoView + use<> {
    let locale = language::locale();
    let text = td_string!(
        locale,
        page.merchant_of_record,
        name = &mor.name,
        address = &mor.address,
        number = &mor.business_number
    );
    view! { <p class="pay-mor">{text}</p> }
}

fn money(amount: Money) -> String {
    format::money(language::locale(), amount)
}

fn order_lines(items: &[Item], total: Money) -> impl IntoView + use<> {
    let rows = items
        .iter()
        .map(|item| {
            // A checkout's lines were held to its limits when it was made, so a line's
            // amount always fits; one that did not would show its unit price.
            let line = money(item.amount().unwrap_or(item.unit_amount));
            let name = if item.quantity == 1 {
                item.name.clone()
            } else {
                format!("{} × {}", item.quantity, item.name)
            };
            view! { <tr><td>{name}</td><td class="amount">{line}</td></tr> }
        })
        .collect_view();
    let label = td_string!(language::locale(), page.total);
    view! {
        <table class="pay-lines">
            <tbody>{rows}</tbody>
            <tfoot><tr><th scope="row">{label}</th><td class="amount">{money(total)}</td></tr></tfoot>
        </table>
    }
}

/// A refused Pay, told beside the field it concerns. That field comes back `aria-invalid`,
/// described by the error and focused (`autofocus`), so a screen reader reads its label and
/// the error together: an alert on a page that has just loaded is not always announced.
#[derive(Debug, Clone, Copy)]
pub struct FieldError<'a> {
    pub field: &'a str,
    pub message: &'a str,
}

impl FieldError<'_> {
    /// The words for the buyer: the fields a buyer fills are worded in their language;
    /// any other refusal keeps the platform's words.
    fn words(&self, locale: Locale) -> String {
        match self.field {
            "email" => td_string!(locale, checkout.email_invalid).to_owned(),
            "consent" => td_string!(locale, plan.consent_required).to_owned(),
            _ => self.message.to_owned(),
        }
    }
}

/// A plan's schedule in plain words, and the consent box the buyer ticks before Pay (its
/// words are the ones stored with the attempt, in the same language).
fn plan_terms(terms: &Terms, merchant: &str, error: Option<String>) -> impl IntoView + use<> {
    let locale = language::locale();
    let next = format::date(locale, terms.planned(time::OffsetDateTime::now_utc(), 2));
    let schedule = td_string!(
        locale,
        plan.schedule,
        amount = money(terms.amount),
        every = terms.every(locale),
        length = terms.length(locale),
        next = next
    );
    let invalid = error.is_some();
    view! {
        <p class="pay-plan">{schedule}</p>
        <p class="pay-consent">
            <input id="consent" name="consent" type="checkbox" value="yes" required
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then_some("consent-error") autofocus=invalid />
            <label for="consent">{terms.consent_text(merchant, locale)}</label>
        </p>
        {error.map(|e| view! { <p id="consent-error" class="pay-error" role="alert">{e}</p> })}
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
    let locale = language::locale();
    let total = money(page.amount);
    let consent_error = error
        .filter(|e| e.field == "consent")
        .map(|e| e.words(locale));
    let error = error
        .filter(|e| e.field != "consent")
        .map(|e| e.words(locale));
    let invalid = error.is_some();
    let pay = match page.plan {
        Some(_) => td_string!(locale, checkout.subscribe, total = total),
        None => td_string!(locale, checkout.pay, total = total),
    };
    let terms = page
        .plan
        .map(|terms| plan_terms(&terms, &page.merchant_name, consent_error));
    let here = format!("/pay/{token}");
    let status =
        |text: &'static str| view! { <p class="pay-status" role="status">{text}</p> }.into_any();
    let body = view! {
        {test_banner(page.mode)}
        <h1 class="pay-merchant">{page.merchant_name.clone()}</h1>
        {order_lines(&page.items, page.amount)}
        {match page.payable {
            Payable::Yes => view! {
                <form method="post" action=here.clone() class="pay-form">
                    <label for="email">{td_string!(locale, checkout.email)}</label>
                    <input id="email" name="email" type="email" required autocomplete="email"
                        maxlength="254" value=email.to_owned() aria-invalid=invalid.then_some("true")
                        aria-describedby=invalid.then_some("email-error") autofocus=invalid />
                    {error.map(|e| view! { <p id="email-error" class="pay-error" role="alert">{e}</p> })}
                    {terms}
                    <button type="submit">{pay}</button>
                </form>
            }.into_any(),
            Payable::AlreadyPaid => status(td_string!(locale, checkout.already_paid)),
            Payable::Expired => status(td_string!(locale, checkout.expired)),
            Payable::LinkUnavailable => status(td_string!(locale, checkout.link_unavailable)),
        }}
        {page.cancel_url.clone().map(|url| view! { <p><a href=url>{td_string!(locale, checkout.cancel)}</a></p> })}
        {merchant_of_record(mor)}
    };
    let title = td_string!(locale, checkout.title, merchant = &page.merchant_name);
    document(&title, Some(&here), body)
}

/// The signed form to the gateway's hosted page, posted by a nonce-carrying script or,
/// with scripts off, by its button.
pub fn to_gateway(form: &payten::HostedForm, nonce: &str) -> String {
    let locale = language::locale();
    let fields = form
        .fields
        .iter()
        .map(
            |(name, value)| view! { <input type="hidden" name=name.clone() value=value.clone() /> },
        )
        .collect_view();
    let body = view! {
        <h1>{td_string!(locale, checkout.to_gateway)}</h1>
        <form id="to-gateway" method="post" action=form.action.clone()>
            {fields}
            <button type="submit">{td_string!(locale, checkout.to_gateway_button)}</button>
        </form>
        <script nonce=nonce.to_owned()>"document.forms[0].submit();"</script>
    };
    document(td_string!(locale, checkout.to_gateway_title), None, body)
}

/// `/pay/result/<order id>`.
pub fn result(order_id: &str, outcome: &Outcome) -> String {
    let locale = language::locale();
    let amount = money(outcome.amount);
    let merchant = &outcome.merchant_name;
    let back = |url: &Option<String>| {
        url.clone().map(|url| {
            view! { <p><a href=url>{td_string!(locale, page.return_to_seller)}</a></p> }
        })
    };
    // A stored reason in the buyer's language; words that are no known reason are the
    // gateway's own and stay as they are.
    let reason = |fallback: &'static str| match &outcome.decline_reason {
        Some(stored) => {
            reasons::in_locale(stored, locale).map_or_else(|| stored.clone(), str::to_owned)
        }
        None => fallback.to_owned(),
    };
    let retry = outcome.session_open.then(|| {
        view! { <p><a class="button" href=format!("/pay/{}", outcome.session_token)>{td_string!(locale, result.try_again)}</a></p> }
    });
    let here = format!("/pay/result/{order_id}");
    let (title, body) = match outcome.status {
        PaymentStatus::Paid | PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded => (
            td_string!(locale, result.paid),
            view! {
                <h1>{td_string!(locale, result.paid)}</h1>
                <p role="status">{td_string!(locale, result.paid_text, amount = amount, merchant = merchant)}</p>
                {outcome.buyer_email.clone().map(|email| view! { <p>{td_string!(locale, result.receipt_sent, email = email)}</p> })}
                <p><a href=format!("/pay/receipt/{order_id}")>{td_string!(locale, result.view_receipt)}</a></p>
                {back(&outcome.success_url)}
            }
            .into_any(),
        ),
        PaymentStatus::Created | PaymentStatus::Pending => (
            td_string!(locale, result.confirming),
            view! {
                <h1>{td_string!(locale, result.confirming)}</h1>
                <p role="status">{td_string!(locale, result.confirming_text)}</p>
                <p><a class="button" href=here.clone()>{td_string!(locale, result.check_again)}</a></p>
            }
            .into_any(),
        ),
        // A charge the order does not keep: say so plainly, never "being confirmed".
        PaymentStatus::Duplicate => {
            let (title, text) = if outcome.returned {
                (
                    td_string!(locale, result.returned),
                    td_string!(locale, result.returned_text, amount = amount),
                )
            } else {
                (
                    td_string!(locale, result.returning),
                    td_string!(locale, result.returning_text, amount = amount),
                )
            };
            let why = reason(td_string!(locale, result.not_kept));
            (
                title,
                view! {
                    <h1>{title}</h1>
                    <p role="status">{why}</p>
                    <p>{text}</p>
                    {back(&outcome.success_url)}
                }
                .into_any(),
            )
        }
        PaymentStatus::Expired => (
            td_string!(locale, result.expired),
            view! {
                <h1>{td_string!(locale, result.expired)}</h1>
                <p role="status">{td_string!(locale, result.no_payment)}</p>
            }
            .into_any(),
        ),
        PaymentStatus::Declined | PaymentStatus::Failed => (
            td_string!(locale, result.failed),
            view! {
                <h1>{td_string!(locale, result.failed)}</h1>
                <p role="status">{reason(td_string!(locale, result.failed_text))}</p>
                <p>{td_string!(locale, result.no_money)}</p>
                {retry}
                {back(&outcome.cancel_url)}
            }
            .into_any(),
        ),
    };
    document(
        title,
        Some(&here),
        view! { {test_banner(outcome.mode)} {body} },
    )
}

/// `/pay/receipt/<order id>`.
pub fn receipt(receipt: &Receipt, mor: &MerchantOfRecord) -> String {
    let locale = language::locale();
    let card = receipt
        .described_card()
        .unwrap_or_else(|| td_string!(locale, receipt.card).to_owned());
    let title = td_string!(locale, page.receipt);
    let body = view! {
        {test_banner(receipt.mode)}
        <h1>{title}</h1>
        <p class="pay-merchant">{receipt.merchant_name.clone()}</p>
        {order_lines(&receipt.items, receipt.amount)}
        <dl class="pay-facts">
            <dt>{td_string!(locale, receipt.paid_with)}</dt><dd>{card}</dd>
            <dt>{td_string!(locale, receipt.order)}</dt><dd>{receipt.order_id.clone()}</dd>
            <dt>{td_string!(locale, receipt.authorisation)}</dt><dd>{receipt.auth_code.clone().unwrap_or_else(|| "-".into())}</dd>
            <dt>{td_string!(locale, receipt.date)}</dt><dd>{format::date_time(locale, receipt.paid_at)}</dd>
        </dl>
        {merchant_of_record(mor)}
        <p class="pay-mor">{td_string!(locale, receipt.questions, email = &mor.support_email)}</p>
    };
    let here = format!("/pay/receipt/{}", receipt.order_id);
    document(title, Some(&here), body)
}

/// When the accessibility statement was last checked against the pages it speaks for.
const ACCESSIBILITY_REVIEWED: time::OffsetDateTime = time::macros::datetime!(2026-12-03 12:00 UTC);

/// `/accessibility`: what the buyer pages aim for (WCAG 2.2 AA), how that is tested, what
/// is not covered yet, and where to report a barrier.
pub fn accessibility(mor: &MerchantOfRecord) -> String {
    let locale = language::locale();
    let title = td_string!(locale, accessibility.title);
    let reviewed = format::date(locale, ACCESSIBILITY_REVIEWED);
    let body = view! {
        <h1>{title}</h1>
        <p>{td_string!(locale, accessibility.target)}</p>
        <h2>{td_string!(locale, accessibility.tested_heading)}</h2>
        <p>{td_string!(locale, accessibility.tested_scan)}</p>
        <p>{td_string!(locale, accessibility.tested_browser)}</p>
        <h2>{td_string!(locale, accessibility.limits_heading)}</h2>
        <p>{td_string!(locale, accessibility.limits_card)}</p>
        <p>{td_string!(locale, accessibility.limits_dashboard)}</p>
        <h2>{td_string!(locale, accessibility.report_heading)}</h2>
        <p>{td_string!(locale, accessibility.report)}</p>
        <p><a href=format!("mailto:{}", mor.support_email)>{mor.support_email.clone()}</a></p>
        <p class="pay-mor">{td_string!(locale, accessibility.reviewed, date = reviewed)}</p>
    };
    document(title, Some(ACCESSIBILITY_PATH), body)
}

/// The words of a page for what has no better one (not found, refused, limited): a title
/// and a sentence, in the buyer's language.
#[derive(Debug, Clone, Copy)]
pub enum Message {
    NotFound,
    WentWrong,
    TooManyAttempts,
    RiskBlocked,
    MerchantClosed,
    PaymentsPaused,
    Unverified,
    TooManyUnverified,
}

/// A page for what has no better one.
pub fn message(message: Message) -> String {
    let locale = language::locale();
    let (title, text) = match message {
        Message::NotFound => (
            td_string!(locale, message.not_found),
            td_string!(locale, message.not_found_text),
        ),
        Message::WentWrong => (
            td_string!(locale, message.went_wrong),
            td_string!(locale, message.went_wrong_text),
        ),
        Message::TooManyAttempts => (
            td_string!(locale, message.too_many),
            td_string!(locale, message.too_many_text),
        ),
        Message::RiskBlocked => (
            td_string!(locale, message.risk),
            td_string!(locale, message.risk_text),
        ),
        Message::MerchantClosed => (
            td_string!(locale, message.closed),
            td_string!(locale, message.closed_text),
        ),
        Message::PaymentsPaused => (
            td_string!(locale, message.paused),
            td_string!(locale, message.paused_text),
        ),
        Message::Unverified => (
            td_string!(locale, message.unverified),
            td_string!(locale, message.unverified_text),
        ),
        Message::TooManyUnverified => (
            td_string!(locale, message.too_many_unverified),
            td_string!(locale, message.too_many_unverified_text),
        ),
    };
    text_page(title, text)
}

fn text_page(title: &str, text: &str) -> String {
    let body = view! { <h1>{title.to_owned()}</h1><p role="status">{text.to_owned()}</p> };
    document(title, None, body)
}

/// A payment's state as the portal lists it.
fn status_label(locale: Locale, status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Created => td_string!(locale, status.created),
        PaymentStatus::Pending => td_string!(locale, status.pending),
        PaymentStatus::Paid => td_string!(locale, status.paid),
        PaymentStatus::Declined => td_string!(locale, status.declined),
        PaymentStatus::Failed => td_string!(locale, status.failed),
        PaymentStatus::Expired => td_string!(locale, status.expired),
        PaymentStatus::Refunded => td_string!(locale, status.refunded),
        PaymentStatus::PartiallyRefunded => td_string!(locale, status.partially_refunded),
        PaymentStatus::Duplicate => td_string!(locale, status.duplicate),
    }
}

/// Why a portal cancel changed nothing.
#[derive(Debug, Clone, Copy)]
pub enum PortalError {
    AlreadyOver,
    NoAnswer,
}

/// `/portal/<token>`: the buyer's subscriptions with one merchant, each with its schedule,
/// where it stands, its payments (with their receipts) and, while it runs, Cancel.
pub fn portal(
    token: &str,
    view: &platform::subscriptions::portal::Portal,
    error: Option<PortalError>,
) -> String {
    use platform::subscriptions::Status;
    let locale = language::locale();
    let date = |at| format::date(locale, at);
    let subscriptions = view
        .subscriptions
        .iter()
        .map(|s| {
            let status = match (s.status, s.ends_at) {
                _ if s.cancel_pending => td_string!(locale, portal.being_cancelled).to_owned(),
                (_, Some(ends)) => td_string!(locale, portal.ends_on, date = date(ends)),
                (Status::Active, None) => match s.next_charge_at {
                    Some(at) => td_string!(locale, portal.active_next, date = date(at)),
                    None => td_string!(locale, portal.active).to_owned(),
                },
                (Status::PastDue, None) => td_string!(locale, portal.past_due).to_owned(),
                (Status::Cancelled, None) => td_string!(locale, portal.cancelled).to_owned(),
                (Status::Ended, None) if s.renew_token.is_some() => {
                    td_string!(locale, portal.renew_offered).to_owned()
                }
                (Status::Ended, None) => td_string!(locale, portal.ended).to_owned(),
                (Status::Unpaid, None) => td_string!(locale, portal.unpaid).to_owned(),
            };
            let total = s.terms.installments;
            let payments = s
                .installments
                .iter()
                .map(|i| {
                    let name = td_string!(locale, portal.installment, number = i.number, total = total);
                    let receipt = td_string!(locale, page.receipt);
                    let (label, action) = match (&i.pay_token, &i.paid_later) {
                        (Some(pay), _) => (
                            status_label(locale, i.status).to_owned(),
                            Some(view! {
                                <a href=format!("/pay/{pay}")>{td_string!(locale, portal.pay_installment, number = i.number, total = total)}</a>
                            }.into_any()),
                        ),
                        (None, Some(paid)) => (
                            td_string!(locale, portal.paid_late).to_owned(),
                            Some(view! { <a href=format!("/pay/receipt/{paid}")>{receipt}</a> }.into_any()),
                        ),
                        (None, None) => (
                            status_label(locale, i.status).to_owned(),
                            i.status.is_captured().then(|| {
                                view! { <a href=format!("/pay/receipt/{}", i.order_id)>{receipt}</a> }
                                    .into_any()
                            }),
                        ),
                    };
                    view! {
                        <tr>
                            <td>{name}</td>
                            <td class="amount">{money(i.amount)}</td>
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
                        <button type="submit">{td_string!(locale, portal.cancel, plan = &s.plan_name)}</button>
                    </form>
                }
            });
            let renew = s.renew_token.as_ref().map(|renew| {
                view! { <p><a href=format!("/pay/{renew}")>{td_string!(locale, portal.renew, plan = &s.plan_name)}</a></p> }
            });
            let terms = td_string!(
                locale,
                portal.terms,
                amount = money(s.terms.amount),
                every = s.terms.every(locale),
                length = s.terms.length(locale)
            );
            view! {
                <section aria-labelledby=labelled_by>
                    <h2 id=heading>{s.plan_name.clone()}</h2>
                    <p>{terms}</p>
                    <p role="status">{status}</p>
                    <table class="pay-lines"><tbody>{payments}</tbody></table>
                    {cancel}
                    {renew}
                </section>
            }
        })
        .collect_view();
    let error = error.map(|e| match e {
        PortalError::AlreadyOver => td_string!(locale, portal.already_over).to_owned(),
        PortalError::NoAnswer => td_string!(locale, portal.no_answer).to_owned(),
    });
    let body = view! {
        {test_banner(view.mode)}
        <h1>{td_string!(locale, portal.heading, merchant = &view.merchant_name)}</h1>
        {error.map(|e| view! { <p class="pay-error" role="alert">{e}</p> })}
        {subscriptions}
        <p class="pay-mor">{td_string!(locale, portal.cancel_note)}</p>
    };
    let here = format!("/portal/{token}");
    document(td_string!(locale, portal.title), Some(&here), body)
}

/// An expired portal link, with the button that mails a fresh one.
pub fn portal_expired(token: &str) -> String {
    let locale = language::locale();
    let body = view! {
        <h1>{td_string!(locale, portal.expired)}</h1>
        <p>{td_string!(locale, portal.expired_text)}</p>
        <form method="post" action=format!("/portal/{token}/renew")>
            <button type="submit">{td_string!(locale, portal.email_new_link)}</button>
        </form>
    };
    let here = format!("/portal/{token}");
    document(td_string!(locale, portal.expired_title), Some(&here), body)
}

/// The same answer whether or not a link went out.
pub fn portal_link_sent() -> String {
    let locale = language::locale();
    let days = platform::subscriptions::portal::LINK_DAYS;
    text_page(
        td_string!(locale, portal.link_sent),
        &td_string!(locale, portal.link_sent_text, count = days),
    )
}

/// `/portal`: asks for links to one's subscriptions by email.
pub fn portal_request(invalid: bool) -> String {
    let locale = language::locale();
    let error = invalid.then(|| td_string!(locale, checkout.email_invalid).to_owned());
    let body = view! {
        <h1>{td_string!(locale, portal.title)}</h1>
        <p>{td_string!(locale, portal.request_text)}</p>
        <form method="post" action="/portal" class="pay-form">
            <label for="email">{td_string!(locale, portal.email)}</label>
            <input id="email" name="email" type="email" required autocomplete="email" maxlength="254"
                aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then_some("email-error") autofocus=invalid />
            {error.map(|e| view! { <p id="email-error" class="pay-error" role="alert">{e}</p> })}
            <button type="submit">{td_string!(locale, portal.send_link)}</button>
        </form>
    };
    document(td_string!(locale, portal.title), Some("/portal"), body)
}
