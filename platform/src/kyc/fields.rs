//! The application's field rules, as pure functions: each takes what the merchant typed
//! and answers the value to store or a [`KycError::Invalid`] naming the field with a
//! sentence the form shows beside it. The database CHECKs hold the same rules.

use time::{Date, Month};

use super::KycError;

/// Trimmed text of `min..=max` characters, without control characters (which a form
/// never sends and which would break the console's display).
pub fn text(field: &'static str, value: &str, max: usize, what: &str) -> Result<String, KycError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(KycError::invalid(field, format!("Enter {what}.")));
    }
    if value.chars().count() > max {
        return Err(KycError::invalid(
            field,
            format!("Use at most {max} characters."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(KycError::invalid(
            field,
            "Use letters, digits and punctuation only.",
        ));
    }
    Ok(value.to_owned())
}

/// Optional text: blank is none.
pub fn optional_text(
    field: &'static str,
    value: &str,
    max: usize,
    what: &str,
) -> Result<Option<String>, KycError> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        text(field, value, max, what).map(Some)
    }
}

/// Exactly `len` digits; spaces people type between groups are ignored.
pub fn digits(
    field: &'static str,
    value: &str,
    len: usize,
    what: &str,
) -> Result<String, KycError> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() == len && compact.bytes().all(|b| b.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err(KycError::invalid(
            field,
            format!("{what} has exactly {len} digits."),
        ))
    }
}

/// The largest monthly volume the form takes: 100,000,000.00 euro.
pub const MAX_VOLUME_MINOR: i64 = 10_000_000_000;

/// An amount in euro as typed (`12000`, `12 000.50`, `12000,50`) in integer cents,
/// without floating point.
pub fn euro_cents(field: &'static str, value: &str) -> Result<i64, KycError> {
    let invalid = || KycError::invalid(field, "Enter an amount in euro, such as 12000 or 45.50.");
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '€')
        .collect();
    let compact = compact.replace(',', ".");
    let (whole, fraction) = compact.split_once('.').unwrap_or((&compact, ""));
    if whole.is_empty() || whole.len() > 12 || fraction.len() > 2 {
        return Err(invalid());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let whole: i64 = whole.parse().map_err(|_| invalid())?;
    let cents: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<2}").parse().map_err(|_| invalid())?
    };
    let total = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(invalid)?;
    if total == 0 {
        return Err(KycError::invalid(
            field,
            "The amount must be more than zero.",
        ));
    }
    if total > MAX_VOLUME_MINOR {
        return Err(KycError::invalid(
            field,
            "The amount may be at most 100,000,000 euro.",
        ));
    }
    Ok(total)
}

/// A date of birth typed as `YYYY-MM-DD` (a date input's value): a real date, of an
/// adult (18 or more on `today`), after 1900.
pub fn date_of_birth(field: &'static str, value: &str, today: Date) -> Result<Date, KycError> {
    let invalid = || {
        KycError::invalid(
            field,
            "Enter the date of birth as year-month-day, such as 1985-04-23.",
        )
    };
    let mut parts = value.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let year: i32 = y.parse().map_err(|_| invalid())?;
    let month: u8 = m.parse().map_err(|_| invalid())?;
    let day: u8 = d.parse().map_err(|_| invalid())?;
    let month = Month::try_from(month).map_err(|_| invalid())?;
    let date = Date::from_calendar_date(year, month, day).map_err(|_| {
        KycError::invalid(field, "This date does not exist; check the day and month.")
    })?;
    if year < 1900 || date > today {
        return Err(KycError::invalid(
            field,
            "Enter a date of birth between 1900 and today.",
        ));
    }
    let adult_from = today.replace_year(today.year() - 18).unwrap_or_else(|_| {
        // 29 February: eighteen years on, the birthday is 1 March.
        Date::from_calendar_date(today.year() - 18, Month::March, 1).unwrap_or(today)
    });
    if date > adult_from {
        return Err(KycError::invalid(
            field,
            "The person must be at least 18 years old.",
        ));
    }
    Ok(date)
}

/// ISO 3166-1 alpha-2 codes, with XK (Kosovo, user-assigned and used by Kosovo's own
/// documents), two letters each.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM \
FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV \
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD \
SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC \
VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// A nationality as an ISO alpha-2 code, upper case; XK is Kosovo.
pub fn nationality(field: &'static str, value: &str) -> Result<String, KycError> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code) {
        Ok(code)
    } else {
        Err(KycError::invalid(
            field,
            "Choose a nationality (a two-letter country code, XK for Kosovo).",
        ))
    }
}

/// The personal number for a nationality: a Kosovo personal number is exactly 10 digits;
/// for other nationalities the passport number, 6 to 9 letters or digits. Spaces and
/// dashes people type are dropped; letters are upper-cased.
/// A personal or passport number as stored: without spaces or dashes, in upper case.
pub(crate) fn compact_number(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase()
}

pub fn personal_number(
    field: &'static str,
    value: &str,
    nationality: &str,
) -> Result<String, KycError> {
    let compact = compact_number(value);
    if nationality == "XK" {
        if compact.len() == 10 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(compact);
        }
        return Err(KycError::invalid(
            field,
            "A Kosovo personal number has exactly 10 digits.",
        ));
    }
    if (6..=9).contains(&compact.len()) && compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(compact);
    }
    Err(KycError::invalid(
        field,
        "Enter the passport number: 6 to 9 letters or digits.",
    ))
}

/// What every screen shows of a personal number: its last three characters.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(3)..].iter().collect();
    format!("•••••••{tail}")
}

/// An ownership share in whole percent: 25 to 100 (the law names owners from 25 %).
pub fn ownership(field: &'static str, value: &str) -> Result<i16, KycError> {
    let invalid = || KycError::invalid(field, "Enter the share as a whole percent from 25 to 100.");
    let value = value.trim().trim_end_matches('%').trim();
    let percent: i16 = value.parse().map_err(|_| invalid())?;
    if (25..=100).contains(&percent) {
        Ok(percent)
    } else {
        Err(invalid())
    }
}

/// A yes/no answer from a select or checkbox: `yes`, `true`, `on` are yes; blank and
/// `no`/`false` are no.
pub fn yes(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "yes" | "true" | "on" | "1"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn field_of(result: Result<impl std::fmt::Debug, KycError>) -> &'static str {
        match result {
            Err(KycError::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn numbers_have_their_exact_digits() {
        assert_eq!(
            digits("nui", " 810 123 456 ", 9, "The NUI").unwrap(),
            "810123456"
        );
        for bad in [
            "81012345",
            "8101234567",
            "81012345a",
            "",
            "８１０１２３４５６",
        ] {
            assert_eq!(field_of(digits("nui", bad, 9, "The NUI")), "nui", "{bad}");
        }
    }

    #[test]
    fn amounts_become_cents_without_floats() {
        assert_eq!(euro_cents("v", "12000").unwrap(), 1_200_000);
        assert_eq!(euro_cents("v", "12 000,5").unwrap(), 1_200_050);
        assert_eq!(euro_cents("v", "€45.50").unwrap(), 4550);
        for bad in [
            "",
            "0",
            "0.00",
            "-5",
            "1.234",
            "abc",
            "1e5",
            "100000001",
            "99999999999999",
        ] {
            assert_eq!(field_of(euro_cents("v", bad)), "v", "{bad}");
        }
    }

    #[test]
    fn dates_of_birth_are_real_and_of_adults() {
        let today = date!(2026 - 11 - 29);
        assert_eq!(
            date_of_birth("d", "1985-04-23", today).unwrap(),
            date!(1985 - 04 - 23)
        );
        assert_eq!(
            date_of_birth("d", "2008-11-29", today).unwrap(),
            date!(2008 - 11 - 29),
            "18 today"
        );
        for bad in [
            "2008-11-30",
            "1985-02-30",
            "1985-13-01",
            "23.04.1985",
            "",
            "1899-12-31",
            "2030-01-01",
        ] {
            assert_eq!(field_of(date_of_birth("d", bad, today)), "d", "{bad}");
        }
    }

    #[test]
    fn kosovo_numbers_have_ten_digits_and_passports_six_to_nine_characters() {
        assert_eq!(
            personal_number("n", "1234 567 890", "XK").unwrap(),
            "1234567890"
        );
        assert_eq!(field_of(personal_number("n", "123456789", "XK")), "n");
        assert_eq!(field_of(personal_number("n", "AB1234567", "XK")), "n");
        assert_eq!(personal_number("n", "ab-123456", "AL").unwrap(), "AB123456");
        assert_eq!(field_of(personal_number("n", "AB12", "DE")), "n");
        assert_eq!(field_of(personal_number("n", "AB12345678", "DE")), "n");
        assert_eq!(field_of(personal_number("n", "AB12<3456", "DE")), "n");
    }

    #[test]
    fn nationalities_are_iso_codes_with_kosovo() {
        assert_eq!(nationality("c", "xk").unwrap(), "XK");
        assert_eq!(nationality("c", "AL").unwrap(), "AL");
        for bad in ["", "X", "ZZ", "KOS", "1A"] {
            assert_eq!(field_of(nationality("c", bad)), "c", "{bad}");
        }
    }

    #[test]
    fn masks_show_only_the_last_three() {
        assert_eq!(mask("1234567890"), "•••••••890");
        assert_eq!(mask("AB1234"), "•••••••234");
        assert!(!mask("1234567890").contains("1234567"));
    }

    #[test]
    fn texts_are_trimmed_bounded_and_printable() {
        assert_eq!(text("t", "  Dardania  ", 10, "a name").unwrap(), "Dardania");
        assert_eq!(field_of(text("t", "   ", 10, "a name")), "t");
        assert_eq!(field_of(text("t", "12345678901", 10, "a name")), "t");
        assert_eq!(field_of(text("t", "a\u{0}b", 10, "a name")), "t");
        assert_eq!(optional_text("t", " ", 10, "x").unwrap(), None);
    }

    #[test]
    fn ownership_is_a_whole_percent_from_25() {
        assert_eq!(ownership("o", "25").unwrap(), 25);
        assert_eq!(ownership("o", "100 %").unwrap(), 100);
        for bad in ["24", "101", "33.3", "", "x"] {
            assert_eq!(field_of(ownership("o", bad)), "o", "{bad}");
        }
    }
}
