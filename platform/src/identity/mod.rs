//! Who is who: merchant accounts and their flows, single-use email tokens, server-side
//! sessions, and the account emails.

pub mod accounts;
pub mod emails;
pub mod sessions;
pub mod tokens;
pub mod users;
