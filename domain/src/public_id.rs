//! The ids the merchant API and its webhooks show: a prefix naming the kind of object and
//! the row's uuid in 32 hex digits (`pay_3f2a…`), as Stripe's developers expect. One codec
//! for every kind, so an id of one kind never decodes as another (`pay_…` is not a
//! refund), and a malformed id is simply not found.

use uuid::Uuid;

/// The kinds of object the API names, each with its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    CheckoutSession,
    Payment,
    Refund,
    Product,
    PaymentLink,
    Event,
    WebhookEndpoint,
    ApiKey,
    Payout,
    Plan,
    Subscription,
    /// The merchant's own account, as its verification events name it.
    Account,
}

impl Kind {
    pub const fn prefix(self) -> &'static str {
        match self {
            Kind::CheckoutSession => "cs",
            Kind::Payment => "pay",
            Kind::Refund => "re",
            Kind::Product => "prod",
            Kind::PaymentLink => "pl",
            Kind::Event => "evt",
            Kind::WebhookEndpoint => "we",
            Kind::ApiKey => "key",
            Kind::Payout => "po",
            Kind::Plan => "plan",
            Kind::Subscription => "sub",
            Kind::Account => "acct",
        }
    }
}

/// `<prefix>_<32 hex digits>`.
pub fn encode(kind: Kind, id: Uuid) -> String {
    format!("{}_{}", kind.prefix(), id.simple())
}

/// The uuid of an id of `kind`; `None` for anything else, another kind's id included.
pub fn decode(kind: Kind, text: &str) -> Option<Uuid> {
    let hex = text.strip_prefix(kind.prefix())?.strip_prefix('_')?;
    // Exactly the encoder's form: 32 lowercase hex digits, nothing else.
    if hex.len() != 32 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    Uuid::try_parse(hex).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_kinds_and_forms() {
        let id = Uuid::from_u128(0x3f2a_0000_0000_4000_8000_0000_0000_00ff);
        let text = encode(Kind::Payment, id);
        assert_eq!(text, "pay_3f2a00000000400080000000000000ff");
        assert_eq!(decode(Kind::Payment, &text), Some(id));
        assert_eq!(decode(Kind::Refund, &text), None);
        assert_eq!(decode(Kind::Payment, &text.to_uppercase()), None);
        assert_eq!(
            decode(Kind::Payment, &format!("pay_{}", id.hyphenated())),
            None
        );
        assert_eq!(decode(Kind::Payment, "pay_"), None);
        // A checkout's buyer token (`cs_` and 22 letters) is not its API id.
        assert_eq!(
            decode(Kind::CheckoutSession, "cs_AbCdEfGhIjKlMnOpQrStUv"),
            None
        );
    }
}
