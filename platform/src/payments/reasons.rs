//! Why a payment was not completed, or a charge not kept, in words a buyer and a merchant
//! understand. A payment stores its reason in English, the words the API's
//! `failure_reason` and the dashboard show; the buyer's pages show it in the buyer's
//! language ([`in_locale`]). The words are the `reason` keys of `i18n/locales`, read here
//! at compile time, so each reason is written once per language.

use i18n::Locale;
use leptos_i18n::td_string;

macro_rules! english {
    ($key:ident) => {
        Locale::en.get_keys_const().reason().$key().inner()
    };
}

pub const SERVICE_PROBLEM: &str = english!(service_problem);
pub const THREE_D_SECURE: &str = english!(three_d_secure);
pub const INSUFFICIENT_FUNDS: &str = english!(insufficient_funds);
pub const EXPIRED_CARD: &str = english!(expired_card);
pub const NOT_PERMITTED: &str = english!(not_permitted);
pub const RESTRICTED: &str = english!(restricted);
pub const INVALID_TRANSACTION: &str = english!(invalid_transaction);
pub const DECLINED: &str = english!(declined);
pub const INSTALLMENT_DECLINED: &str = english!(installment_declined);
pub const NO_MONEY_TAKEN: &str = english!(no_money_taken);
pub const ALREADY_PAID: &str = english!(already_paid);
pub const CHECKOUT_CLOSED: &str = english!(checkout_closed);
pub const SOLD_OUT: &str = english!(sold_out);

/// A stored reason in `locale`; `None` for words that are no reason of this list.
pub fn in_locale(stored: &str, locale: Locale) -> Option<&'static str> {
    let reasons = [
        (SERVICE_PROBLEM, td_string!(locale, reason.service_problem)),
        (THREE_D_SECURE, td_string!(locale, reason.three_d_secure)),
        (
            INSUFFICIENT_FUNDS,
            td_string!(locale, reason.insufficient_funds),
        ),
        (EXPIRED_CARD, td_string!(locale, reason.expired_card)),
        (NOT_PERMITTED, td_string!(locale, reason.not_permitted)),
        (RESTRICTED, td_string!(locale, reason.restricted)),
        (
            INVALID_TRANSACTION,
            td_string!(locale, reason.invalid_transaction),
        ),
        (DECLINED, td_string!(locale, reason.declined)),
        (
            INSTALLMENT_DECLINED,
            td_string!(locale, reason.installment_declined),
        ),
        (NO_MONEY_TAKEN, td_string!(locale, reason.no_money_taken)),
        (ALREADY_PAID, td_string!(locale, reason.already_paid)),
        (CHECKOUT_CLOSED, td_string!(locale, reason.checkout_closed)),
        (SOLD_OUT, td_string!(locale, reason.sold_out)),
    ];
    reasons
        .into_iter()
        .find(|(english, _)| *english == stored)
        .map(|(_, words)| words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_reason_reads_in_each_language() {
        assert_eq!(in_locale(DECLINED, Locale::en), Some(DECLINED));
        assert_eq!(
            in_locale(DECLINED, Locale::sq),
            Some("Banka e kartelës e refuzoi pagesën.")
        );
        assert_eq!(
            in_locale(INSUFFICIENT_FUNDS, Locale::sr),
            Some("Na kartici nema dovoljno sredstava.")
        );
        assert_eq!(in_locale("something else", Locale::sq), None);
    }
}
