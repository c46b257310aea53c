//! The sandbox's test cards: the one table that decides outcomes by card number.

use payten::MaskedPan;

/// What paying with a card leads to, before 3-D Secure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOutcome {
    Approve,
    /// Declined by the issuer with this ISO 8583 code.
    Decline(&'static str),
    /// 3-D Secure fails (`mdStatus=0`) whatever the password.
    Fail3ds,
    /// Gateway error `99`.
    GatewayError,
}

/// A documented test card. Every number is Luhn-valid.
#[derive(Debug, Clone, Copy)]
pub struct TestCard {
    pub number: &'static str,
    pub outcome: CardOutcome,
    pub note: &'static str,
}

/// All test cards (also documented in `sandbox/README.md`). Any other
/// Luhn-valid number is declined with `05`.
pub const TEST_CARDS: &[TestCard] = &[
    TestCard {
        number: "5571135571135575",
        outcome: CardOutcome::Approve,
        note: "Payten generic test card (Mastercard)",
    },
    TestCard {
        number: "4355084355084358",
        outcome: CardOutcome::Approve,
        note: "Payten generic test card (Visa)",
    },
    TestCard {
        number: "4000000000000051",
        outcome: CardOutcome::Decline("05"),
        note: "not approved",
    },
    TestCard {
        number: "4000000000000127",
        outcome: CardOutcome::Decline("12"),
        note: "invalid transaction",
    },
    TestCard {
        number: "4000000000000515",
        outcome: CardOutcome::Decline("51"),
        note: "insufficient funds",
    },
    TestCard {
        number: "4000000000000549",
        outcome: CardOutcome::Decline("54"),
        note: "expired card",
    },
    TestCard {
        number: "4000000000000572",
        outcome: CardOutcome::Decline("57"),
        note: "not permitted to cardholder",
    },
    TestCard {
        number: "4000000000000622",
        outcome: CardOutcome::Decline("62"),
        note: "restricted card",
    },
    TestCard {
        number: "4000000000000309",
        outcome: CardOutcome::Fail3ds,
        note: "3-D Secure fails (mdStatus 0)",
    },
    TestCard {
        number: "4000000000000994",
        outcome: CardOutcome::GatewayError,
        note: "gateway error 99",
    },
];

/// The 3-D Secure password that authenticates (any other fails with mdStatus 0).
pub const THREE_DS_PASSWORD: &str = "a";

/// What the card step keeps: no card number, no CVV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFacts {
    pub masked_pan: MaskedPan,
    pub brand: &'static str,
    pub outcome: CardOutcome,
}

/// Luhn check over a string of ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 12 || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// `EXTRA_CARDBRAND` by the first digit.
pub fn brand(digits: &str) -> &'static str {
    match digits.as_bytes().first() {
        Some(b'4') => "VISA",
        Some(b'5' | b'2') => "MASTERCARD",
        Some(b'3') => "AMEX",
        _ => "OTHER",
    }
}

/// Decides everything the sandbox will ever know about a card, from its number.
pub fn facts(digits: &str) -> CardFacts {
    let outcome = TEST_CARDS
        .iter()
        .find(|c| c.number == digits)
        .map_or(CardOutcome::Decline("05"), |c| c.outcome);
    CardFacts {
        masked_pan: MaskedPan::mask(digits),
        brand: brand(digits),
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_card_is_luhn_valid_and_unique() {
        for (i, c) in TEST_CARDS.iter().enumerate() {
            assert!(luhn_valid(c.number), "{}", c.note);
            assert!(TEST_CARDS[..i].iter().all(|o| o.number != c.number));
        }
        assert!(!luhn_valid("5571135571135576"));
        assert_eq!(
            facts("5571135571135575").masked_pan.as_str(),
            "557113***5575"
        );
        assert_eq!(
            facts("4111111111111111").outcome,
            CardOutcome::Decline("05")
        );
    }
}
