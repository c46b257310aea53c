//! IBAN validation (ISO 13616: country format and length, mod-97) and masking.
//!
//! An [`Iban`] is only made by [`Iban::parse`], so holding one means the number passed every
//! check. It never prints itself: `Display` and `Debug` show the mask
//! (`XK05 **** **** **** 1234`), so an IBAN cannot reach a log line or an error by accident;
//! [`Iban::electronic`] is the one way to the full number (to encrypt it).

use std::fmt;

/// One country's IBAN: its total length and the BBAN's structure as in the SWIFT IBAN
/// registry, segments of `<count><class>` with `n` digits, `a` upper-case letters and `c`
/// either.
struct Format {
    country: &'static str,
    length: usize,
    bban: &'static str,
}

const fn f(country: &'static str, length: usize, bban: &'static str) -> Format {
    Format {
        country,
        length,
        bban,
    }
}

/// Every SEPA country, the Western Balkans (Kosovo first: most of our merchants bank there)
/// and a few neighbours whose accounts merchants hold.
const FORMATS: &[Format] = &[
    f("XK", 20, "4n10n2n"),
    f("AL", 28, "8n16c"),
    f("BA", 20, "3n3n8n2n"),
    f("ME", 22, "3n13n2n"),
    f("MK", 19, "3n10c2n"),
    f("RS", 22, "3n13n2n"),
    f("AD", 24, "4n4n12c"),
    f("AT", 20, "5n11n"),
    f("BE", 16, "3n7n2n"),
    f("BG", 22, "4a4n2n8c"),
    f("CH", 21, "5n12c"),
    f("CY", 28, "3n5n16c"),
    f("CZ", 24, "4n6n10n"),
    f("DE", 22, "8n10n"),
    f("DK", 18, "4n9n1n"),
    f("EE", 20, "2n2n11n1n"),
    f("ES", 24, "4n4n1n1n10n"),
    f("FI", 18, "3n11n"),
    f("FO", 18, "4n9n1n"),
    f("FR", 27, "5n5n11c2n"),
    f("GB", 22, "4a6n8n"),
    f("GE", 22, "2a16n"),
    f("GI", 23, "4a15c"),
    f("GL", 18, "4n9n1n"),
    f("GR", 27, "3n4n16c"),
    f("HR", 21, "7n10n"),
    f("HU", 28, "3n4n1n15n1n"),
    f("IE", 22, "4a6n8n"),
    f("IS", 26, "4n2n6n10n"),
    f("IT", 27, "1a5n5n12c"),
    f("LI", 21, "5n12c"),
    f("LT", 20, "5n11n"),
    f("LU", 20, "3n13c"),
    f("LV", 21, "4a13c"),
    f("MC", 27, "5n5n11c2n"),
    f("MD", 24, "2c18c"),
    f("MT", 31, "4a5n18c"),
    f("NL", 18, "4a10n"),
    f("NO", 15, "4n6n1n"),
    f("PL", 28, "8n16n"),
    f("PT", 25, "4n4n11n2n"),
    f("RO", 24, "4a16c"),
    f("SE", 24, "3n16n1n"),
    f("SI", 19, "5n8n2n"),
    f("SK", 24, "4n6n10n"),
    f("SM", 27, "1a5n5n12c"),
    f("TR", 26, "5n1n16c"),
    f("UA", 29, "6n19c"),
    f("VA", 22, "3n15n"),
];

/// Why a typed IBAN was refused. The messages name the country and lengths, never the
/// number typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error("Enter the IBAN.")]
    Empty,
    #[error("An IBAN has only letters and digits (spaces are fine).")]
    BadCharacters,
    #[error("An IBAN starts with a country code and two check digits, such as XK05.")]
    BadStart,
    #[error("We do not know IBANs of the country {0}. Check the first two letters.")]
    UnknownCountry(String),
    #[error("An IBAN of {country} has {expected} characters; this one has {found}.")]
    WrongLength {
        country: &'static str,
        expected: usize,
        found: usize,
    },
    #[error(
        "This is not how an IBAN of {0} is written: check the letters and digits after the first four."
    )]
    WrongFormat(&'static str),
    #[error("The check digits do not match: a character is probably mistyped or two are swapped.")]
    CheckDigits,
}

/// A valid IBAN in its electronic form: upper case, no spaces.
#[derive(Clone, PartialEq, Eq)]
pub struct Iban(String);

impl Iban {
    /// Checks a typed IBAN: spaces dropped, letters upper-cased, then the country's length
    /// and format and the ISO 7064 mod-97 check.
    pub fn parse(typed: &str) -> Result<Self, IbanError> {
        let iban: String = typed
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if iban.is_empty() {
            return Err(IbanError::Empty);
        }
        if !iban.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IbanError::BadCharacters);
        }
        let bytes = iban.as_bytes();
        if bytes.len() < 4
            || !bytes[..2].iter().all(u8::is_ascii_uppercase)
            || !bytes[2..4].iter().all(u8::is_ascii_digit)
        {
            return Err(IbanError::BadStart);
        }
        let country = &iban[..2];
        let format = FORMATS
            .iter()
            .find(|f| f.country == country)
            .ok_or_else(|| IbanError::UnknownCountry(country.to_owned()))?;
        if iban.len() != format.length {
            return Err(IbanError::WrongLength {
                country: format.country,
                expected: format.length,
                found: iban.len(),
            });
        }
        if !fits(format.bban, &bytes[4..]) {
            return Err(IbanError::WrongFormat(format.country));
        }
        if mod97(&iban) != 1 {
            return Err(IbanError::CheckDigits);
        }
        Ok(Iban(iban))
    }

    /// The full number, for encryption only: never log or show it.
    pub fn electronic(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// What every screen shows: country and check digits, a group of stars per four hidden
    /// characters (at least one), and the last four, as `bank_accounts.iban_masked` requires.
    pub fn masked(&self) -> String {
        let hidden = self.0.len().saturating_sub(8);
        let groups = hidden.div_ceil(4).max(1);
        format!(
            "{}{} {}",
            &self.0[..4],
            " ****".repeat(groups),
            &self.0[self.0.len() - 4..]
        )
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({})", self.masked())
    }
}

/// Whether `bban` has the structure `spec` describes (see [`Format`]).
fn fits(spec: &str, bban: &[u8]) -> bool {
    let mut at = 0;
    let mut count = 0usize;
    for c in spec.bytes() {
        if c.is_ascii_digit() {
            count = count * 10 + usize::from(c - b'0');
            continue;
        }
        let Some(segment) = bban.get(at..at + count) else {
            return false;
        };
        let ok = match c {
            b'n' => segment.iter().all(u8::is_ascii_digit),
            b'a' => segment.iter().all(u8::is_ascii_uppercase),
            _ => segment.iter().all(u8::is_ascii_alphanumeric),
        };
        if !ok {
            return false;
        }
        at += count;
        count = 0;
    }
    at == bban.len()
}

/// ISO 7064 MOD 97-10 of the IBAN with its first four characters moved to the end and
/// letters read as 10..35; a valid IBAN gives 1.
fn mod97(iban: &str) -> u32 {
    let rearranged = iban[4..].bytes().chain(iban[..4].bytes());
    rearranged.fold(0u32, |rest, b| {
        if b.is_ascii_digit() {
            (rest * 10 + u32::from(b - b'0')) % 97
        } else {
            (rest * 100 + u32::from(b - b'A') + 10) % 97
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &[&str] = &[
        "XK051212012345678906",
        "DE89370400440532013000",
        "GB82WEST12345698765432",
        "FR1420041010050500013M02606",
        "AL47212110090000000235698741",
        "BE68539007547034",
        "NL91ABNA0417164300",
        "CH9300762011623852957",
        "RS35260005601001611379",
        "ME25505000012345678951",
        "BA391290079401028494",
        "MK07250120000058984",
        "AT611904300234573201",
        "IT60X0542811101000000123456",
        "ES9121000418450200051332",
        "NO9386011117947",
        "MT84MALT011000012345MTLCAST001S",
    ];

    #[test]
    fn valid_ibans_of_many_countries_pass_however_they_are_typed() {
        for iban in VALID {
            assert_eq!(
                Iban::parse(iban).map(|i| i.electronic().to_owned()),
                Ok((*iban).to_owned()),
                "{iban}"
            );
        }
        let typed = Iban::parse(" xk05 1212 0123 4567 8906 ").unwrap();
        assert_eq!(typed.electronic(), "XK051212012345678906");
        assert_eq!(typed.country(), "XK");
    }

    #[test]
    fn every_format_adds_up_to_its_length() {
        for format in FORMATS {
            let digits: String = format
                .bban
                .chars()
                .map(|c| if c.is_ascii_digit() { c } else { ' ' })
                .collect();
            let total: usize = digits
                .split_whitespace()
                .map(|n| n.parse::<usize>().unwrap())
                .sum();
            assert_eq!(total + 4, format.length, "{}", format.country);
        }
        for sepa in [
            "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR",
            "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL",
            "PT", "RO", "SE", "SI", "SK", "SM", "VA", "AD", "AL", "MD", "ME", "MK", "RS",
        ] {
            assert!(FORMATS.iter().any(|f| f.country == sepa), "{sepa}");
        }
    }

    #[test]
    fn a_single_mistyped_digit_or_two_swapped_digits_are_caught() {
        let good = "XK051212012345678906";
        for at in 4..good.len() {
            let mut typo = good.as_bytes().to_vec();
            typo[at] = if typo[at] == b'9' { b'0' } else { typo[at] + 1 };
            let typo = String::from_utf8(typo).unwrap();
            assert_eq!(Iban::parse(&typo), Err(IbanError::CheckDigits), "{typo}");
        }
        for at in 4..good.len() - 1 {
            let mut swapped = good.as_bytes().to_vec();
            if swapped[at] == swapped[at + 1] {
                continue;
            }
            swapped.swap(at, at + 1);
            let swapped = String::from_utf8(swapped).unwrap();
            assert_eq!(
                Iban::parse(&swapped),
                Err(IbanError::CheckDigits),
                "{swapped}"
            );
        }
        assert_eq!(
            Iban::parse("DE89370400440532013001"),
            Err(IbanError::CheckDigits)
        );
        assert_eq!(
            Iban::parse("GB82WEST12345698765423"),
            Err(IbanError::CheckDigits)
        );
    }

    #[test]
    fn each_kind_of_mistake_has_its_own_message() {
        assert_eq!(Iban::parse("   "), Err(IbanError::Empty));
        assert_eq!(
            Iban::parse("XK05-1212-0123-4567-8906"),
            Err(IbanError::BadCharacters)
        );
        assert_eq!(
            Iban::parse("XK0512120123456789ё6"),
            Err(IbanError::BadCharacters)
        );
        assert_eq!(Iban::parse("1205121201234567"), Err(IbanError::BadStart));
        assert_eq!(
            Iban::parse("QQ051212012345678906"),
            Err(IbanError::UnknownCountry("QQ".into()))
        );
        assert_eq!(
            Iban::parse("XK05121201234567890"),
            Err(IbanError::WrongLength {
                country: "XK",
                expected: 20,
                found: 19
            })
        );
        assert_eq!(
            Iban::parse("XK0512120123456789AB"),
            Err(IbanError::WrongFormat("XK"))
        );
        assert_eq!(
            Iban::parse("GB8212345612345698765432"),
            Err(IbanError::WrongLength {
                country: "GB",
                expected: 22,
                found: 24
            })
        );
        assert_eq!(
            Iban::parse("GB82123412345698765432"),
            Err(IbanError::WrongFormat("GB"))
        );
        let message = IbanError::WrongLength {
            country: "XK",
            expected: 20,
            found: 19,
        }
        .to_string();
        assert_eq!(message, "An IBAN of XK has 20 characters; this one has 19.");
    }

    #[test]
    fn only_the_mask_is_ever_printed() {
        let iban = Iban::parse("XK051212012345678906").unwrap();
        assert_eq!(iban.masked(), "XK05 **** **** **** 8906");
        assert_eq!(iban.to_string(), "XK05 **** **** **** 8906");
        assert_eq!(format!("{iban:?}"), "Iban(XK05 **** **** **** 8906)");
        assert_eq!(
            Iban::parse("NO9386011117947").unwrap().masked(),
            "NO93 **** **** 7947"
        );
        assert_eq!(
            Iban::parse("MT84MALT011000012345MTLCAST001S")
                .unwrap()
                .masked(),
            "MT84 **** **** **** **** **** **** 001S"
        );
        // The database's CHECK on bank_accounts.iban_masked, as a pattern.
        for iban in VALID {
            let masked = Iban::parse(iban).unwrap().masked();
            let parts: Vec<&str> = masked.split(' ').collect();
            assert!(parts.len() >= 3, "{masked}");
            assert!(
                parts[0].len() == 4
                    && parts[0][..2].bytes().all(|b| b.is_ascii_uppercase())
                    && parts[0][2..].bytes().all(|b| b.is_ascii_digit())
            );
            assert!(
                parts[1..parts.len() - 1].iter().all(|p| *p == "****"),
                "{masked}"
            );
            let last = parts[parts.len() - 1];
            assert!(
                last.len() == 4
                    && last
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
                "{masked}"
            );
            assert!(!masked.contains(&iban[4..iban.len() - 4]), "{masked}");
        }
    }
}
