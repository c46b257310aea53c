//! Personal data: what the platform holds and how long it keeps it.

pub mod retention;
