//! The legal pages: the privacy policy and its sub-processor list, generated from the data
//! inventory (`domain::privacy`) and the settings, and the terms.

mod privacy;
mod requests;
mod sub_processors;
mod terms;

pub use privacy::PrivacyPage;
pub use requests::{ConfirmRequestPage, ExportDownloadPage, RequestConfirmedPage, RequestSentPage};
pub use sub_processors::SubProcessorsPage;
pub use terms::TermsPage;
