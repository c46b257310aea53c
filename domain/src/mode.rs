//! Test Mode and Live Mode.

use serde::{Deserialize, Serialize};

/// Test and Live money never mix: every merchant object and gateway account has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "payment_mode", rename_all = "lowercase")
)]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "test" => Some(Mode::Test),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::Test => "Test",
            Mode::Live => "Live",
        }
    }
}
