//! Masked card numbers. Full card numbers never enter Saleonix; if a gateway
//! ever sent one, it is masked here before it can be stored or logged.

use std::fmt;

/// A masked PAN such as `557113***5575`: at most the first six and last four
/// digits are visible.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MaskedPan(String);

/// Digits a masked PAN may show (first six plus last four).
const MAX_VISIBLE_DIGITS: usize = 10;

impl MaskedPan {
    /// Keeps an already-masked value as is; masks anything showing more than ten
    /// digits (so a full PAN becomes `first6***last4`).
    pub fn from_gateway(value: &str) -> MaskedPan {
        let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
        let printable = value.chars().all(|c| c.is_ascii_graphic() || c == ' ');
        if digits.len() <= MAX_VISIBLE_DIGITS && printable && value.len() <= 32 {
            return MaskedPan(value.to_owned());
        }
        MaskedPan::mask_digits(&digits)
    }

    /// Masks a full card number: first six, `***`, last four.
    pub fn mask(pan: &str) -> MaskedPan {
        let digits: Vec<char> = pan.chars().filter(char::is_ascii_digit).collect();
        MaskedPan::mask_digits(&digits)
    }

    fn mask_digits(digits: &[char]) -> MaskedPan {
        if digits.len() < MAX_VISIBLE_DIGITS + 2 {
            // Too short to show both ends without revealing most of it.
            let last: String = digits.iter().rev().take(2).rev().collect();
            return MaskedPan(format!("***{last}"));
        }
        let first: String = digits[..6].iter().collect();
        let last: String = digits[digits.len() - 4..].iter().collect();
        MaskedPan(format!("{first}***{last}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedPan({})", self.0)
    }
}

impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_masked_and_masks_full() {
        assert_eq!(
            MaskedPan::from_gateway("557113***5575").as_str(),
            "557113***5575"
        );
        assert_eq!(
            MaskedPan::from_gateway("5571 **** **** 5575").as_str(),
            "5571 **** **** 5575"
        );
        assert_eq!(
            MaskedPan::from_gateway("5571135571135575").as_str(),
            "557113***5575"
        );
        assert_eq!(
            MaskedPan::mask("4355 0843 5508 4358").as_str(),
            "435508***4358"
        );
        assert_eq!(MaskedPan::from_gateway("43550843550").as_str(), "***50");
    }
}
