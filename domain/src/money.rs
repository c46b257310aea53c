//! Amounts as integer minor units plus an ISO 4217 currency: the one money type of the
//! platform, the dashboard and the gateway. No floating point anywhere: the gateway hashes
//! the exact decimal string, so formatting and parsing must be exact.

// Money code: a silent `as` cast can wrap or truncate an amount; conversions here are
// checked (`try_from`) or lossless (`from`).
#![warn(clippy::as_conversions)]

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The currencies Saleonix takes through NestPay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Currency {
    Eur,
    All,
    Usd,
    Rsd,
}

impl Currency {
    pub const ALL_CURRENCIES: [Currency; 4] =
        [Currency::Eur, Currency::All, Currency::Usd, Currency::Rsd];

    /// ISO 4217 alphabetic code, e.g. `EUR`.
    pub fn alpha(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::All => "ALL",
            Currency::Usd => "USD",
            Currency::Rsd => "RSD",
        }
    }

    /// ISO 4217 numeric code as the gateway sends it, zero-padded: `978`, `008`.
    pub fn numeric(self) -> &'static str {
        match self {
            Currency::Eur => "978",
            Currency::All => "008",
            Currency::Usd => "840",
            Currency::Rsd => "941",
        }
    }

    /// Digits after the decimal point. ISO 4217 gives all four currencies two.
    pub fn minor_digits(self) -> u32 {
        2
    }

    /// Looks a currency up by its numeric code; `8` and `008` are both ALL.
    pub fn from_numeric(code: &str) -> Option<Currency> {
        let code = code.trim();
        if code.is_empty() || code.len() > 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let padded = format!("{code:0>3}");
        Self::ALL_CURRENCIES
            .into_iter()
            .find(|c| c.numeric() == padded)
    }

    /// Looks a currency up by its alphabetic code, case-insensitively.
    pub fn from_alpha(code: &str) -> Option<Currency> {
        Self::ALL_CURRENCIES
            .into_iter()
            .find(|c| c.alpha().eq_ignore_ascii_case(code.trim()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha())
    }
}

/// Why a decimal amount string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is not a decimal number with a dot")]
    NotDecimal,
    #[error("amount has more decimals than the currency allows")]
    TooPrecise,
    #[error("amount is too large")]
    Overflow,
}

/// An amount in minor units (cents) of a currency. What is charged, refunded or paid out
/// is positive; a balance or a correction in the books may be negative. Sums are checked
/// and refuse to mix currencies ([`Money::checked_add`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money::new(0, currency)
    }

    /// Euro, the currency of every merchant balance today.
    pub fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    pub fn minor(self) -> i64 {
        self.minor
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub fn is_positive(self) -> bool {
        self.minor > 0
    }

    /// The sum, or `None` for two currencies or an overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|minor| Money::new(minor, self.currency))
    }

    /// The difference, or `None` for two currencies or an overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_sub(other.minor))
            .flatten()
            .map(|minor| Money::new(minor, self.currency))
    }

    /// The same number of minor units in the opposite direction.
    pub fn negated(self) -> Option<Money> {
        self.minor
            .checked_neg()
            .map(|minor| Money::new(minor, self.currency))
    }

    /// The decimal form the gateway hashes and people read: `1250` EUR is `12.50`, `5` is
    /// `0.05`, `-5` is `-0.05`.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        format!(
            "{sign}{}",
            format_minor(self.minor.unsigned_abs(), self.currency.minor_digits())
        )
    }

    /// Parses the gateway's decimal form (`12.50`, `12.5`, `12`) without floats; never
    /// negative. More decimals than the currency has are accepted only if they are zeros
    /// (`12.500`), since they do not change the value.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        parse_minor(text, currency.minor_digits()).map(|minor| Money { minor, currency })
    }
}

/// The one way an amount is written for people, on the server, in the browser and in
/// mail: `12.50 EUR`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

fn format_minor(minor: u64, digits: u32) -> String {
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(digits);
    format!(
        "{}.{:0width$}",
        minor / scale,
        minor % scale,
        width = usize::try_from(digits).unwrap_or(0)
    )
}

fn parse_minor(text: &str, digits: u32) -> Result<i64, MoneyError> {
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || (text.ends_with('.')) {
        return Err(MoneyError::NotDecimal);
    }
    let digits = usize::try_from(digits).map_err(|_| MoneyError::TooPrecise)?;
    let (kept, rest) = frac.split_at(frac.len().min(digits));
    if rest.bytes().any(|b| b != b'0') {
        return Err(MoneyError::TooPrecise);
    }
    let mut minor: i64 = 0;
    let padded = format!("{kept:0<digits$}");
    for b in whole.bytes().chain(padded.bytes()) {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(b - b'0')))
            .ok_or(MoneyError::Overflow)?;
    }
    Ok(minor)
}

/// On the wire a currency is its alphabetic code, `"EUR"`.
impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.alpha())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::from_alpha(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown currency {code:?}")))
    }
}

/// In the database a currency is the `currency_code` domain (`char(3)`), read and written
/// as its alphabetic code.
#[cfg(feature = "sqlx")]
mod database {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
    use sqlx::{Decode, Encode, Postgres, Type};

    use super::Currency;

    impl Type<Postgres> for Currency {
        fn type_info() -> PgTypeInfo {
            <String as Type<Postgres>>::type_info()
        }

        fn compatible(ty: &PgTypeInfo) -> bool {
            <String as Type<Postgres>>::compatible(ty)
        }
    }

    impl Encode<'_, Postgres> for Currency {
        fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
            <&str as Encode<Postgres>>::encode(self.alpha(), buf)
        }
    }

    impl<'r> Decode<'r, Postgres> for Currency {
        fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
            let code = <&str as Decode<Postgres>>::decode(value)?;
            Currency::from_alpha(code).ok_or_else(|| format!("unknown currency {code:?}").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_minor_units() {
        assert_eq!(Money::new(1250, Currency::Eur).to_decimal_string(), "12.50");
        assert_eq!(Money::new(5, Currency::Eur).to_decimal_string(), "0.05");
        assert_eq!(Money::new(0, Currency::Usd).to_decimal_string(), "0.00");
        assert_eq!(
            Money::new(100025, Currency::All).to_decimal_string(),
            "1000.25"
        );
        assert_eq!(Money::eur(-5).to_decimal_string(), "-0.05");
        assert_eq!(Money::eur(-123_456).to_string(), "-1234.56 EUR");
    }

    #[test]
    fn sums_refuse_to_mix_currencies_or_overflow() {
        assert_eq!(
            Money::eur(150).checked_add(Money::eur(-200)),
            Some(Money::eur(-50))
        );
        assert_eq!(
            Money::eur(1).checked_add(Money::new(1, Currency::Usd)),
            None
        );
        assert_eq!(Money::eur(i64::MAX).checked_add(Money::eur(1)), None);
        assert_eq!(Money::eur(i64::MIN).negated(), None);
        assert_eq!(
            Money::eur(5).checked_sub(Money::eur(7)),
            Some(Money::eur(-2))
        );
    }

    #[test]
    fn the_wire_form_names_the_currency_and_refuses_unknown_ones() {
        let json = serde_json::to_string(&Money::eur(1250)).unwrap();
        assert_eq!(json, r#"{"minor":1250,"currency":"EUR"}"#);
        assert_eq!(
            serde_json::from_str::<Money>(&json).unwrap(),
            Money::eur(1250)
        );
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"XXX"}"#).is_err());
    }

    #[test]
    fn parses_decimals() {
        let eur = |s| Money::parse_decimal(s, Currency::Eur).map(Money::minor);
        assert_eq!(eur("12.50"), Ok(1250));
        assert_eq!(eur("12.5"), Ok(1250));
        assert_eq!(eur("12"), Ok(1200));
        assert_eq!(eur("0.01"), Ok(1));
        assert_eq!(eur("12.500"), Ok(1250));
        assert_eq!(eur("12.505"), Err(MoneyError::TooPrecise));
        for bad in [
            "", ".5", "12.", "1,50", "-1.00", "+1", "1e3", " 1.00", "1.0.0",
        ] {
            assert_eq!(eur(bad), Err(MoneyError::NotDecimal), "{bad:?}");
        }
        assert_eq!(eur("99999999999999999999"), Err(MoneyError::Overflow));
    }

    #[test]
    fn currency_codes() {
        assert_eq!(Currency::from_numeric("978"), Some(Currency::Eur));
        assert_eq!(Currency::from_numeric("008"), Some(Currency::All));
        assert_eq!(Currency::from_numeric("8"), Some(Currency::All));
        assert_eq!(Currency::from_numeric("949"), None);
        assert_eq!(Currency::from_alpha("rsd"), Some(Currency::Rsd));
        assert_eq!(Currency::Usd.numeric(), "840");
    }

    proptest! {
        #[test]
        fn format_parse_round_trip(minor in 0..=i64::MAX) {
            let m = Money::new(minor, Currency::Eur);
            prop_assert_eq!(Money::parse_decimal(&m.to_decimal_string(), Currency::Eur), Ok(m));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = Money::parse_decimal(&s, Currency::Rsd);
        }
    }
}
