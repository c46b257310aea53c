//! Amounts and dates as each language writes them: the one formatting that the buyer's
//! pages, the emails and the dashboard share.
//!
//! - Amounts: `1.234,50 €` in Albanian and Serbian, `€1,234.50` in English; a currency
//!   without a common sign is written with its code (`1.234,50 ALL`, `ALL 1,234.50`). The
//!   space is a no-break space, so the sign never wraps away from its number.
//! - Dates and times: in Europe/Belgrade, the time zone Kosovo keeps, with the month's
//!   name in the language and its order: `3 dhjetor 2026`, `3. decembar 2026.`,
//!   `3 December 2026`; times on the 24-hour clock.
//!
//! Written here rather than with ICU's data (leptos_i18n's `format_*` features): three
//! languages and four currencies are a few tables, where the data would add to every
//! page's WASM.

use domain::{Currency, Money};
use time::{Date, Month, OffsetDateTime, UtcOffset};

use crate::Locale;

const NBSP: char = '\u{a0}';

/// `money` as `locale` writes it.
pub fn money(locale: Locale, money: Money) -> String {
    let minor = money.minor();
    let scale = 10_u64.pow(money.currency().minor_digits());
    let (whole, cents) = (minor.unsigned_abs() / scale, minor.unsigned_abs() % scale);
    let sign = if minor < 0 { "-" } else { "" };
    let width = usize::try_from(money.currency().minor_digits()).unwrap_or(2);
    let symbol = match money.currency() {
        Currency::Eur => Some("€"),
        Currency::Usd => Some("$"),
        Currency::All | Currency::Rsd => None,
    };
    let code = money.currency().alpha();
    match locale {
        Locale::sq | Locale::sr => {
            let number = format!("{sign}{},{cents:0width$}", grouped(whole, '.'));
            format!("{number}{NBSP}{}", symbol.unwrap_or(code))
        }
        Locale::en => {
            let number = format!("{}.{cents:0width$}", grouped(whole, ','));
            match symbol {
                Some(symbol) => format!("{sign}{symbol}{number}"),
                None => format!("{sign}{code}{NBSP}{number}"),
            }
        }
    }
}

/// `1234567` with `separator` between thousands: `1.234.567`.
fn grouped(whole: u64, separator: char) -> String {
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// The day of `at` in Kosovo: `3 dhjetor 2026`, `3. decembar 2026.`, `3 December 2026`.
pub fn date(locale: Locale, at: OffsetDateTime) -> String {
    let local = in_kosovo(at);
    day(locale, local.date())
}

/// The day and time of `at` in Kosovo: `3 dhjetor 2026, 14:05`,
/// `3. decembar 2026. u 14:05`, `3 December 2026, 14:05`.
pub fn date_time(locale: Locale, at: OffsetDateTime) -> String {
    let local = in_kosovo(at);
    let clock = format!("{:02}:{:02}", local.hour(), local.minute());
    let day = day(locale, local.date());
    match locale {
        Locale::sr => format!("{day} u {clock}"),
        Locale::sq | Locale::en => format!("{day}, {clock}"),
    }
}

fn day(locale: Locale, date: Date) -> String {
    let (d, y) = (date.day(), date.year());
    let month = month_name(locale, date.month());
    match locale {
        Locale::sr => format!("{d}. {month} {y}."),
        Locale::sq | Locale::en => format!("{d} {month} {y}"),
    }
}

fn month_name(locale: Locale, month: Month) -> &'static str {
    const SQ: [&str; 12] = [
        "janar", "shkurt", "mars", "prill", "maj", "qershor", "korrik", "gusht", "shtator",
        "tetor", "nëntor", "dhjetor",
    ];
    const SR: [&str; 12] = [
        "januar",
        "februar",
        "mart",
        "april",
        "maj",
        "jun",
        "jul",
        "avgust",
        "septembar",
        "oktobar",
        "novembar",
        "decembar",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let names = match locale {
        Locale::sq => SQ,
        Locale::sr => SR,
        Locale::en => EN,
    };
    names[usize::from(u8::from(month)) - 1]
}

/// `at` in Europe/Belgrade: UTC+1, and UTC+2 in summer time, which in the EU runs from
/// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October
/// (Directive 2000/84/EC). The rule is written out so that no time zone database has to
/// ship with the server or the WASM.
pub fn in_kosovo(at: OffsetDateTime) -> OffsetDateTime {
    let utc = at.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let switch = |month| {
        last_sunday(year, month)
            .with_hms(1, 0, 0)
            .map(|t| t.assume_utc())
    };
    let summer = match (switch(Month::March), switch(Month::October)) {
        (Ok(start), Ok(end)) => utc >= start && utc < end,
        _ => false,
    };
    let hours = if summer { 2 } else { 1 };
    UtcOffset::from_hms(hours, 0, 0).map_or(utc, |offset| utc.to_offset(offset))
}

fn last_sunday(year: i32, month: Month) -> Date {
    let last = Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MIN);
    let back = last.weekday().number_days_from_sunday();
    last - time::Duration::days(i64::from(back))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Weekday;
    use time::macros::datetime;

    #[test]
    fn amounts_as_each_language_writes_them() {
        let amount = Money::eur(123_450);
        assert_eq!(money(Locale::sq, amount), "1.234,50\u{a0}€");
        assert_eq!(money(Locale::sr, amount), "1.234,50\u{a0}€");
        assert_eq!(money(Locale::en, amount), "€1,234.50");
        assert_eq!(money(Locale::en, Money::eur(5)), "€0.05");
        assert_eq!(
            money(Locale::sq, Money::eur(99_999_999_900)),
            "999.999.999,00\u{a0}€"
        );
        assert_eq!(money(Locale::en, Money::eur(-1_000_000)), "-€10,000.00");
        assert_eq!(money(Locale::sq, Money::eur(-250)), "-2,50\u{a0}€");
        let lek = Money::new(100_000, Currency::All);
        assert_eq!(money(Locale::sq, lek), "1.000,00\u{a0}ALL");
        assert_eq!(money(Locale::en, lek), "ALL\u{a0}1,000.00");
    }

    #[test]
    fn dates_in_kosovo_with_the_language_s_month_names() {
        // 23:30 UTC on 2 December is already 3 December in Prishtina (UTC+1).
        let at = datetime!(2026-12-02 23:30 UTC);
        assert_eq!(date(Locale::sq, at), "3 dhjetor 2026");
        assert_eq!(date(Locale::sr, at), "3. decembar 2026.");
        assert_eq!(date(Locale::en, at), "3 December 2026");
        assert_eq!(date_time(Locale::sq, at), "3 dhjetor 2026, 00:30");
        assert_eq!(date_time(Locale::sr, at), "3. decembar 2026. u 00:30");
    }

    #[test]
    fn summer_time_follows_the_eu_rule() {
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        let hour = |at: OffsetDateTime| in_kosovo(at).hour();
        assert_eq!(hour(datetime!(2026-03-29 00:59 UTC)), 1);
        assert_eq!(hour(datetime!(2026-03-29 01:00 UTC)), 3);
        assert_eq!(hour(datetime!(2026-07-01 12:00 UTC)), 14);
        assert_eq!(hour(datetime!(2026-10-25 00:59 UTC)), 2);
        assert_eq!(hour(datetime!(2026-10-25 01:00 UTC)), 2);
        assert_eq!(hour(datetime!(2026-01-15 12:00 +05:00)), 8);
        assert_eq!(last_sunday(2027, Month::March).weekday(), Weekday::Sunday);
    }
}
