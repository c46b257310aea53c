//! Personal data: how long the platform keeps it (`retention`; the inventory of what it
//! holds is `domain::privacy`), and the requests of the people it is about (`requests`).

pub mod requests;
pub mod retention;
