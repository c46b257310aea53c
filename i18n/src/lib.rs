//! Saleonix in three languages: Albanian (`sq`, the default), Serbian in Latin script
//! (`sr-Latn`) and English (`en`).
//!
//! - The translations are `locales/<locale>.json`, compiled into [`Locale`] by
//!   leptos_i18n (`build.rs`): a key the code names that no file has fails the build, and
//!   so does a key one file has and another lacks. Code reads them with leptos_i18n's
//!   macros, for example `td_string!(locale, checkout.total)`. The words are kept
//!   consistent by `GLOSSARY.md`.
//! - [`choice`]: which language a request gets: a choice the person made, else their
//!   browser's `Accept-Language`, else Albanian.
//! - [`format`]: amounts and dates as each language writes them, in Kosovo's time zone.
//! - With the `sqlx` feature, a [`Locale`] is a Postgres `text` column; with `testing`,
//!   `untranslated` finds English left in another language's render.

pub mod choice;
pub mod format;
#[cfg(feature = "sqlx")]
mod stored;
#[cfg(feature = "testing")]
pub mod untranslated;

/// What leptos_i18n generates from `locales/` (see `build.rs`): the [`Locale`] enum and
/// its keys. Its tables parse their own fixed locale names with `expect`.
#[allow(clippy::expect_used)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}

pub use generated::i18n::Locale;
