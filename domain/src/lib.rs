//! The vocabulary the server and the browser share, so the wire carries these types and
//! not strings: money ([`Money`] in minor units with its [`Currency`]), [`Mode`], the
//! payment, checkout and refund statuses, merchant roles and typed ids. It builds for
//! WASM; the `sqlx` feature adds the database mappings the server needs.

pub mod books;
pub mod events;
pub mod ids;
pub mod mode;
pub mod money;
pub mod privacy;
pub mod public_id;
pub mod roles;
pub mod status;

pub use books::{BatchStatus, ChargebackStatus, PayoutStatus};
pub use events::EventType;
pub use ids::{CheckoutId, MerchantId, PaymentId, RefundId};
pub use mode::Mode;
pub use money::{Currency, Money, MoneyError};
pub use roles::MerchantRole;
pub use status::{
    CheckoutStatus, NoteView, PaymentStatus, RefundStatus, TimelineNote, TimelineSource,
};
