pub mod copy;
pub mod download;
pub mod form;
pub mod layout;
pub mod step_up;
