//! The words of the emails a buyer gets, in the language they paid in
//! (`payments.buyer_locale`, which a subscription's later mails take from its first
//! payment): the receipt, a refund's notice, a declined installment, a renewal offer and
//! the link to their subscriptions. The callers read the facts and queue the mail in the
//! transaction of the change it reports.

use domain::Money;
use i18n::{Locale, format};
use leptos_i18n::td_string;
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::config::Settings;
use crate::mail::OutgoingMail;
use crate::payments::Mode;
use crate::payments::receipts::Receipt;
use crate::subscriptions::Terms;
use crate::subscriptions::portal::LINK_DAYS;

/// Who a mail goes to, and in which language and mode.
#[derive(Debug, Clone, Copy)]
pub struct Buyer<'a> {
    pub to: &'a str,
    pub locale: Locale,
    pub mode: Mode,
}

impl Buyer<'_> {
    fn mail(&self, subject: String, body: String) -> OutgoingMail {
        let notice = match self.mode {
            Mode::Test => format!("{}\n\n", td_string!(self.locale, mail.test_mode)),
            Mode::Live => String::new(),
        };
        OutgoingMail {
            to: self.to.to_owned(),
            subject,
            body: SecretString::from(format!("{notice}{body}")),
        }
    }

    fn money(&self, money: Money) -> String {
        format::money(self.locale, money)
    }
}

/// The receipt of a paid payment; `portal` is the link to the buyer's subscription when
/// the payment is one of its installments.
pub fn receipt(
    settings: &Settings,
    receipt: &Receipt,
    to: &str,
    portal: Option<&str>,
) -> OutgoingMail {
    let buyer = Buyer {
        to,
        locale: receipt.buyer_locale,
        mode: receipt.mode,
    };
    let locale = buyer.locale;
    let merchant = &receipt.merchant_name;
    let mor = &settings.merchant_of_record;
    let lines: String = receipt
        .items
        .iter()
        .map(|i| {
            // A checkout's lines were held to its limits when it was made, so a line's
            // amount always fits; one that did not would print its unit price.
            let total = buyer.money(i.amount().unwrap_or(i.unit_amount));
            format!("  {} × {}  {total}\n", i.quantity, i.name)
        })
        .collect();
    let facts = [
        (td_string!(locale, receipt.paid_with), card(receipt, locale)),
        (td_string!(locale, receipt.order), receipt.order_id.clone()),
        (
            td_string!(locale, receipt.authorisation),
            receipt.auth_code.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            td_string!(locale, receipt.date),
            format::date_time(locale, receipt.paid_at),
        ),
    ]
    .map(|(label, value)| format!("{label}: {value}\n"))
    .concat();
    let mut body = format!(
        "{thanks}\n\n{lines}\n  {total_label}: {total}\n\n{facts}\n{mor_text}\n{questions}\n\n{view}: {url}\n",
        thanks = td_string!(locale, mail.receipt_thanks, merchant = merchant),
        total_label = td_string!(locale, mail.total_paid),
        total = buyer.money(receipt.amount),
        mor_text = td_string!(
            locale,
            mail.merchant_of_record,
            name = &mor.name,
            address = &mor.address,
            number = &mor.business_number
        ),
        questions = td_string!(locale, receipt.questions, email = &mor.support_email),
        view = td_string!(locale, mail.view_receipt),
        url = receipt_url(settings, receipt),
    );
    if let Some(portal) = portal {
        let count = u32::try_from(LINK_DAYS).unwrap_or(30);
        body.push_str(&format!(
            "\n{}: {portal}\n({})\n",
            td_string!(locale, mail.subscription),
            td_string!(locale, mail.link_days, count = count),
        ));
    }
    let subject = td_string!(locale, mail.receipt_subject, merchant = merchant);
    buyer.mail(subject, body)
}

/// The notice of `refund`, made by the gateway, of the payment `receipt` shows.
pub fn refund(settings: &Settings, receipt: &Receipt, to: &str, refund: Money) -> OutgoingMail {
    let buyer = Buyer {
        to,
        locale: receipt.buyer_locale,
        mode: receipt.mode,
    };
    let locale = buyer.locale;
    let merchant = &receipt.merchant_name;
    let (refunded, total) = (buyer.money(refund), buyer.money(receipt.amount));
    let card = card(receipt, locale);
    let text = td_string!(
        locale,
        mail.refund_text,
        merchant = merchant,
        refund = &refunded,
        total = &total,
        order = &receipt.order_id,
        card = &card
    );
    let body = format!(
        "{text}\n\n{days}\n\n{questions}\n\n{view}: {url}\n",
        days = td_string!(locale, mail.refund_bank_days),
        questions = td_string!(
            locale,
            mail.refund_questions,
            email = &settings.merchant_of_record.support_email
        ),
        view = td_string!(locale, mail.view_receipt),
        url = receipt_url(settings, receipt),
    );
    buyer.mail(
        td_string!(locale, mail.refund_subject, merchant = merchant),
        body,
    )
}

/// A subscription's installment the bank declined, which the buyer can pay on its checkout
/// (`pay_token`) until `by`.
pub struct DeclinedInstallment<'a> {
    pub merchant: &'a str,
    pub plan: &'a str,
    pub number: u16,
    pub installments: u16,
    pub amount: Money,
    pub pay_token: &'a str,
    pub by: OffsetDateTime,
    pub portal_url: &'a str,
}

pub fn installment_declined(
    settings: &Settings,
    buyer: Buyer<'_>,
    declined: &DeclinedInstallment<'_>,
) -> OutgoingMail {
    let locale = buyer.locale;
    let DeclinedInstallment {
        merchant,
        plan,
        number,
        installments: total,
        pay_token,
        portal_url,
        ..
    } = *declined;
    let amount = buyer.money(declined.amount);
    let text = td_string!(
        locale,
        mail.declined_text,
        number = number,
        total = total,
        amount = &amount,
        plan = plan,
        merchant = merchant
    );
    let day = format::date(locale, declined.by);
    let body = format!(
        "{text}\n\n{pay}: {pay_url}\n\n{unpaid}\n\n{portal}: {portal_url}\n",
        pay = td_string!(locale, mail.declined_pay, day = &day),
        pay_url = pay_url(settings, pay_token),
        unpaid = td_string!(locale, mail.declined_unpaid),
        portal = td_string!(locale, mail.subscription),
    );
    let subject = td_string!(
        locale,
        mail.declined_subject,
        number = number,
        total = total,
        plan = plan
    );
    buyer.mail(subject, body)
}

/// The offer to renew a subscription whose series the gateway has charged in full: the
/// first payment of the next series, on its checkout (`pay_token`) until `by`.
pub struct RenewalOffer<'a> {
    pub merchant: &'a str,
    pub plan: &'a str,
    pub terms: &'a Terms,
    pub pay_token: &'a str,
    pub by: OffsetDateTime,
    pub portal_url: &'a str,
}

pub fn renewal_offer(
    settings: &Settings,
    buyer: Buyer<'_>,
    offer: &RenewalOffer<'_>,
) -> OutgoingMail {
    let locale = buyer.locale;
    let RenewalOffer {
        merchant,
        plan,
        terms,
        pay_token,
        portal_url,
        ..
    } = *offer;
    let amount = buyer.money(terms.amount);
    let schedule = format!("{amount} {}", terms.every(locale));
    let (n, day) = (terms.installments, format::date(locale, offer.by));
    let text = td_string!(
        locale,
        mail.renewal_text,
        plan = plan,
        merchant = merchant,
        terms = &schedule,
        n = n
    );
    let body = format!(
        "{text}\n\n{pay}: {pay_url}\n\n{nothing}\n\n{portal}: {portal_url}\n",
        pay = td_string!(locale, mail.renewal_pay, amount = &amount, day = &day),
        pay_url = pay_url(settings, pay_token),
        nothing = td_string!(locale, mail.renewal_nothing),
        portal = td_string!(locale, mail.see_payments),
    );
    buyer.mail(
        td_string!(
            locale,
            mail.renewal_subject,
            plan = plan,
            merchant = merchant
        ),
        body,
    )
}

/// The link to the buyer's subscriptions with `merchant`, which they asked for.
pub fn portal_link(buyer: Buyer<'_>, merchant: &str, url: &str) -> OutgoingMail {
    let locale = buyer.locale;
    let count = u32::try_from(LINK_DAYS).unwrap_or(30);
    let body = format!(
        "{asked}\n\n{see}: {url}\n\n{days} {ignore}\n",
        asked = td_string!(locale, mail.portal_asked, merchant = merchant),
        see = td_string!(locale, mail.portal_see),
        days = td_string!(locale, mail.link_days, count = count),
        ignore = td_string!(locale, mail.portal_ignore),
    );
    buyer.mail(
        td_string!(locale, mail.portal_subject, merchant = merchant),
        body,
    )
}

/// The card as the gateway described it, or the word for a card.
fn card(receipt: &Receipt, locale: Locale) -> String {
    receipt
        .described_card()
        .unwrap_or_else(|| td_string!(locale, receipt.card).to_owned())
}

/// The checkout a mail asks the buyer to pay on.
fn pay_url(settings: &Settings, token: &str) -> String {
    format!("{}/pay/{token}", settings.public_origin())
}

fn receipt_url(settings: &Settings, receipt: &Receipt) -> String {
    format!(
        "{}/pay/receipt/{}",
        settings.public_origin(),
        receipt.order_id
    )
}

#[cfg(test)]
mod tests;
