//! The bank account payouts go to: stored encrypted, shown masked, changed with care.
