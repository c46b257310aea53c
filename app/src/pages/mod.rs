pub mod home;
pub mod legal;
pub mod not_found;
pub mod security;
