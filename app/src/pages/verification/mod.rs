//! The dashboard's Verification page: the checklist and the guided application.

pub mod bank_account;
