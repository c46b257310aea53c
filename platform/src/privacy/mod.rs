//! Personal data: what the platform holds and how long it keeps it (the inventory is
//! `domain::privacy`), and the requests of the people it is about.

pub mod requests;
