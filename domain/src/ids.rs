//! Typed ids for the money objects, so a refund id cannot be passed where a payment id is
//! meant, nor one merchant's id taken for an object's. Each is a UUID on the wire and in
//! the database; only the server makes new ones.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// Ids come back from forms and paths as text; anything but a UUID is refused.
        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text.trim()).map(Self)
            }
        }
    };
}

typed_id!(
    /// A merchant account.
    MerchantId
);
typed_id!(
    /// A payment: one attempt to take money for a checkout.
    PaymentId
);
typed_id!(
    /// A checkout session the buyer pays through.
    CheckoutId
);
typed_id!(
    /// A refund of part or all of a payment.
    RefundId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_what_they_wrote_and_refuse_other_text() {
        let id = PaymentId::from_uuid(Uuid::from_u128(7));
        assert_eq!(id.to_string().parse::<PaymentId>().unwrap(), id);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{id}\""));
        assert!("7".parse::<RefundId>().is_err());
        assert!("' OR 1=1 --".parse::<MerchantId>().is_err());
    }
}
