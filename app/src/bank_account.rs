//! The merchant's bank account for payouts: shown masked, set and changed with step-up.
