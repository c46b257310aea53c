//! What staff change in the books' terms (fee schedules, settlement terms, adjustments):
//! the refusal they get, and the decimals they type.

use super::LedgerError;

/// Why a change was refused. `Invalid` names the form field; the rest are states or faults.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A state that does not allow it (an adjustment already decided, one's own request).
    #[error("{0}")]
    NotAllowed(&'static str),
    /// No such merchant or adjustment.
    #[error("not found")]
    NotFound,
    /// The staff scope does not hold the module at the level the change needs.
    #[error(transparent)]
    Forbidden(#[from] crate::identity::roles::ScopeRefused),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
}

impl ChangeError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ChangeError::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// A decimal typed with at most two decimals (`2.9`, `2.90`, `0.25`, `7`) in hundredths:
/// a percentage in basis points, or euro in cents. No floats: the digits are counted.
pub fn hundredths(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 9
        || fraction.len() > 2
        || !digits(whole)
        || !digits(fraction)
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<2}").parse().ok()?
    };
    Some(whole * 100 + fraction)
}

/// Basis points as a percentage: `290` reads `2.90 %`.
pub fn percent(bp: i64) -> String {
    format!("{}.{:02} %", bp / 100, bp % 100)
}

/// Whether `error` is a CHECK constraint's refusal.
pub(crate) fn is_check_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("23514"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_hundredths_without_floats() {
        assert_eq!(hundredths("2.9"), Some(290));
        assert_eq!(hundredths(" 2.90 "), Some(290));
        assert_eq!(hundredths("0.25"), Some(25));
        assert_eq!(hundredths("7"), Some(700));
        assert_eq!(hundredths("0.05"), Some(5));
        for bad in ["", ".5", "2.905", "-1", "1e3", "2,9", "abc", "1.2.3", "+1"] {
            assert_eq!(hundredths(bad), None, "{bad}");
        }
        assert_eq!(percent(290), "2.90 %");
        assert_eq!(percent(5), "0.05 %");
    }
}
