use i18n::untranslated::english_in;
use secrecy::ExposeSecret as _;
use time::macros::datetime;

use super::*;
use crate::payments::sessions::Item;
use crate::subscriptions::Interval;

const MERCHANT: &str = "Dardania Crafts";
const PLAN: &str = "Kafe e muajit";
const ITEM: &str = "Vathë filigrani";
const TO: &str = "bleresi@example.com";
const AT: OffsetDateTime = datetime!(2026-12-03 13:05 UTC);

fn paid(locale: Locale, mode: Mode) -> Receipt {
    Receipt {
        order_id: "SX0000000001".into(),
        merchant_name: MERCHANT.into(),
        buyer_email: Some(TO.into()),
        items: vec![Item {
            name: ITEM.into(),
            unit_amount: Money::eur(61_725),
            quantity: 2,
        }],
        amount: Money::eur(123_450),
        masked_pan: Some("557113******5575".into()),
        card_brand: Some("MasterCard".into()),
        auth_code: Some("123456".into()),
        paid_at: AT,
        mode,
        buyer_locale: locale,
    }
}

fn monthly() -> Terms {
    Terms {
        amount: Money::eur(990),
        interval: Interval::Month,
        count: 1,
        installments: 12,
        until_cancelled: true,
    }
}

/// Every mail a buyer can get, in `locale`, in Test Mode, by name.
fn every_mail(locale: Locale) -> Vec<(&'static str, OutgoingMail)> {
    let settings = Settings::default();
    let buyer = Buyer {
        to: TO,
        locale,
        mode: Mode::Test,
    };
    let portal = "https://pay.saleonix.example/portal/sp_abc";
    let terms = monthly();
    vec![
        (
            "receipt",
            receipt(&settings, &paid(locale, Mode::Test), TO, None),
        ),
        (
            "installment receipt",
            receipt(&settings, &paid(locale, Mode::Test), TO, Some(portal)),
        ),
        (
            "refund",
            refund(&settings, &paid(locale, Mode::Test), TO, Money::eur(500)),
        ),
        (
            "declined installment",
            installment_declined(
                &settings,
                buyer,
                &DeclinedInstallment {
                    merchant: MERCHANT,
                    plan: PLAN,
                    number: 2,
                    installments: 12,
                    amount: Money::eur(990),
                    pay_token: "cs_abc",
                    by: AT,
                    portal_url: portal,
                },
            ),
        ),
        (
            "renewal offer",
            renewal_offer(
                &settings,
                buyer,
                &RenewalOffer {
                    merchant: MERCHANT,
                    plan: PLAN,
                    terms: &terms,
                    pay_token: "cs_abc",
                    by: AT,
                    portal_url: portal,
                },
            ),
        ),
        ("portal link", portal_link(buyer, MERCHANT, portal)),
    ]
}

/// What the reader reads of `mail`, with the test's data (names, the platform's own
/// details) taken out: data, not words.
fn words_of(mail: &OutgoingMail) -> String {
    let mor = Settings::default().merchant_of_record;
    let mut text = format!("{}\n{}", mail.subject, mail.body.expose_secret());
    for datum in [
        MERCHANT,
        PLAN,
        ITEM,
        mor.name.as_str(),
        mor.address.as_str(),
        mor.business_number.as_str(),
        "MasterCard",
    ] {
        text = text.replace(datum, " ");
    }
    text
}

#[test]
fn every_buyer_mail_is_written_wholly_in_albanian_and_in_serbian() {
    // The check can fail: the English mails are full of the words it looks for.
    for (name, mail) in every_mail(Locale::en) {
        let found = english_in(&words_of(&mail)).len();
        assert!(found > 10, "{found} English words in the English {name}");
    }
    for locale in [Locale::sq, Locale::sr] {
        for (name, mail) in every_mail(locale) {
            let text = words_of(&mail);
            let left = english_in(&text);
            assert!(
                left.is_empty(),
                "{locale:?} {name}: English left: {left:?}\n{text}"
            );
            assert_eq!(mail.to, TO);
        }
    }
}

#[test]
fn amounts_and_dates_are_written_as_the_buyer_s_language_writes_them() {
    let body = |mail: &OutgoingMail| mail.body.expose_secret().to_owned();
    let settings = Settings::default();
    let sq = body(&receipt(&settings, &paid(Locale::sq, Mode::Live), TO, None));
    assert!(
        sq.contains("1.234,50\u{a0}€") && sq.contains("2 × Vathë filigrani  1.234,50\u{a0}€"),
        "{sq}"
    );
    // 13:05 UTC is 14:05 in Kosovo in December.
    assert!(sq.contains("3 dhjetor 2026, 14:05"), "{sq}");
    let en = body(&receipt(&settings, &paid(Locale::en, Mode::Live), TO, None));
    assert!(
        en.contains("Total paid: €1,234.50") && en.contains("3 December 2026, 14:05"),
        "{en}"
    );

    let sr = every_mail(Locale::sr);
    let (_, declined) = &sr[3];
    assert_eq!(
        declined.subject,
        format!("Uplata 2 od 12 za {PLAN} je odbijena")
    );
    assert!(body(declined).contains("9,90\u{a0}€") && body(declined).contains("3. decembar 2026."));
}

#[test]
fn only_test_mode_mails_say_no_money_moves() {
    let settings = Settings::default();
    for locale in i18n::choice::ALL {
        let notice = td_string!(locale, mail.test_mode);
        let test = receipt(&settings, &paid(locale, Mode::Test), TO, None);
        assert!(test.body.expose_secret().starts_with(notice), "{locale:?}");
        let live = receipt(&settings, &paid(locale, Mode::Live), TO, None);
        assert!(!live.body.expose_secret().contains(notice), "{locale:?}");
    }
}
