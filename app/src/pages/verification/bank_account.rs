//! The bank account section of the Verification page.
