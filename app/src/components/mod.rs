pub mod copy;
pub mod download;
pub mod form;
pub mod layout;
pub mod shown_once;
pub mod step_up;
