//! The merchant dashboard's payments: the Test/Live switch, the overview, products,
//! payment links, checkout sessions, and the payments list with each payment's timeline.
//!
//! Every function works in the caller's own merchant scope and in the mode their session
//! chose, resolved afresh on each call: Live only while the merchant is verified and not
//! suspended. Reading falls back to Test; a change asked for in a Live Mode that has since
//! closed is refused rather than made in Test behind the merchant's back.

// Money code: a silent `as` cast can wrap or truncate an amount; conversions here are
// checked (`try_from`) or lossless (`from`).
#![warn(clippy::as_conversions)]

// One file per dashboard screen; the re-exports keep `crate::payments::X` (views, server
// functions and the structs `#[server]` generates) where other modules and the policy
// table expect them.
mod checkouts;
mod detail;
mod links;
mod list;
mod mode;
mod overview;
mod products;
#[cfg(feature = "ssr")]
pub(crate) mod ssr;

pub use checkouts::*;
pub use detail::*;
pub use links::*;
pub use list::*;
pub use mode::*;
pub use overview::*;
pub use products::*;

#[cfg(test)]
mod tests;
