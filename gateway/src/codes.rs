//! Typed forms of the gateway's status codes.

use std::fmt;

/// `Response` of a return or an API answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseStatus {
    Approved,
    Declined,
    Error,
}

impl ResponseStatus {
    pub fn parse(s: &str) -> Option<ResponseStatus> {
        match s {
            "Approved" => Some(ResponseStatus::Approved),
            "Declined" => Some(ResponseStatus::Declined),
            "Error" => Some(ResponseStatus::Error),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Approved => "Approved",
            ResponseStatus::Declined => "Declined",
            ResponseStatus::Error => "Error",
        }
    }
}

/// `ProcReturnCode`: `00` approved, `99` gateway error, otherwise an ISO 8583
/// issuer code. Codes without a variant are kept as received.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProcReturnCode {
    /// `00`
    Approved,
    /// `05` do not honour / not approved
    NotApproved,
    /// `12` invalid transaction
    InvalidTransaction,
    /// `51` insufficient funds
    InsufficientFunds,
    /// `54` expired card
    ExpiredCard,
    /// `57` transaction not permitted to the cardholder
    NotPermitted,
    /// `62` restricted card
    RestrictedCard,
    /// `99` gateway error; details in `ErrMsg`
    GatewayError,
    /// Any other issuer code, as received.
    Other(String),
}

impl ProcReturnCode {
    pub fn parse(s: &str) -> ProcReturnCode {
        match s {
            "00" => ProcReturnCode::Approved,
            "05" => ProcReturnCode::NotApproved,
            "12" => ProcReturnCode::InvalidTransaction,
            "51" => ProcReturnCode::InsufficientFunds,
            "54" => ProcReturnCode::ExpiredCard,
            "57" => ProcReturnCode::NotPermitted,
            "62" => ProcReturnCode::RestrictedCard,
            "99" => ProcReturnCode::GatewayError,
            other => ProcReturnCode::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ProcReturnCode::Approved => "00",
            ProcReturnCode::NotApproved => "05",
            ProcReturnCode::InvalidTransaction => "12",
            ProcReturnCode::InsufficientFunds => "51",
            ProcReturnCode::ExpiredCard => "54",
            ProcReturnCode::NotPermitted => "57",
            ProcReturnCode::RestrictedCard => "62",
            ProcReturnCode::GatewayError => "99",
            ProcReturnCode::Other(s) => s,
        }
    }
}

impl fmt::Display for ProcReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `mdStatus`: the 3-D Secure result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MdStatus {
    /// `1`
    FullyAuthenticated,
    /// `2`, `3` or `4`: half or attempted authentication.
    Attempted(u8),
    /// `5` to `8`: could not verify, or a system error (`7` typically a wrong store key).
    NotVerified(u8),
    /// `0`
    Failed,
    /// Anything else, as received.
    Other(String),
}

impl MdStatus {
    pub fn parse(s: &str) -> MdStatus {
        match s {
            "1" => MdStatus::FullyAuthenticated,
            "0" => MdStatus::Failed,
            _ => match s.parse::<u8>() {
                Ok(n @ 2..=4) if s.len() == 1 => MdStatus::Attempted(n),
                Ok(n @ 5..=8) if s.len() == 1 => MdStatus::NotVerified(n),
                _ => MdStatus::Other(s.to_owned()),
            },
        }
    }

    /// The value as the gateway sent it.
    pub fn code(&self) -> String {
        match self {
            MdStatus::FullyAuthenticated => "1".into(),
            MdStatus::Failed => "0".into(),
            MdStatus::Attempted(n) | MdStatus::NotVerified(n) => n.to_string(),
            MdStatus::Other(s) => s.clone(),
        }
    }
}

/// Whether 3-D Secure moved the liability for a fraud chargeback from the merchant to the
/// card's issuer. The card schemes grant it for a full authentication (`mdStatus` 1) that
/// carries the authenticated ECI (`05` Visa and most schemes, `02` Mastercard), and for an
/// attempted one (`2` to `4`: the issuer or the card does not take part) that carries the
/// attempted ECI (`06`, `01`). Anything else (no ECI, a failure, "could not verify") is no
/// shift: the claim is only made where the evidence supports it.
pub fn liability_shifted(md_status: &MdStatus, eci: Option<&str>) -> bool {
    matches!(
        (md_status, eci),
        (MdStatus::FullyAuthenticated, Some("05" | "02"))
            | (MdStatus::Attempted(_), Some("06" | "01"))
    )
}

/// `TRANS_STAT` of an order in status and history answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransStat {
    /// `A` authorised (a pre-authorisation not yet captured)
    Authorised,
    /// `C` captured
    Captured,
    /// `S` sale
    Sale,
    /// `V` voided
    Voided,
    /// `D` declined
    Declined,
    /// `PN` pending (e.g. a planned recurring installment)
    Pending,
    /// `CNCL` cancelled
    Cancelled,
    /// `ERR` error
    Error,
    /// Anything else, as received.
    Other(String),
}

impl TransStat {
    pub fn parse(s: &str) -> TransStat {
        match s {
            "A" => TransStat::Authorised,
            "C" => TransStat::Captured,
            "S" => TransStat::Sale,
            "V" => TransStat::Voided,
            "D" => TransStat::Declined,
            "PN" => TransStat::Pending,
            "CNCL" => TransStat::Cancelled,
            "ERR" => TransStat::Error,
            other => TransStat::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            TransStat::Authorised => "A",
            TransStat::Captured => "C",
            TransStat::Sale => "S",
            TransStat::Voided => "V",
            TransStat::Declined => "D",
            TransStat::Pending => "PN",
            TransStat::Cancelled => "CNCL",
            TransStat::Error => "ERR",
            TransStat::Other(s) => s,
        }
    }

    /// Money has moved to the merchant (sale or captured pre-authorisation).
    pub fn is_charged(&self) -> bool {
        matches!(self, TransStat::Sale | TransStat::Captured)
    }
}

/// `Extra/ERRORCODE` of an API answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// `CORE-2008`: nothing voidable (already voided or settled).
    NothingVoidable,
    /// `215021`: the refund exceeds the remaining (net) amount.
    RefundExceedsRemaining,
    /// Anything else, as received.
    Other(String),
}

impl ErrorCode {
    pub fn parse(s: &str) -> ErrorCode {
        match s {
            "CORE-2008" => ErrorCode::NothingVoidable,
            "215021" => ErrorCode::RefundExceedsRemaining,
            other => ErrorCode::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::NothingVoidable => "CORE-2008",
            ErrorCode::RefundExceedsRemaining => "215021",
            ErrorCode::Other(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in ["00", "05", "12", "51", "54", "57", "62", "99", "91"] {
            assert_eq!(ProcReturnCode::parse(c).as_str(), c);
        }
        for s in ["A", "C", "S", "V", "D", "PN", "CNCL", "ERR", "Q"] {
            assert_eq!(TransStat::parse(s).as_str(), s);
        }
        assert_eq!(ErrorCode::parse("CORE-2008"), ErrorCode::NothingVoidable);
    }

    #[test]
    fn md_status_classes() {
        assert_eq!(MdStatus::parse("1"), MdStatus::FullyAuthenticated);
        assert_eq!(MdStatus::parse("3"), MdStatus::Attempted(3));
        assert_eq!(MdStatus::parse("7"), MdStatus::NotVerified(7));
        assert_eq!(MdStatus::parse("0"), MdStatus::Failed);
        assert_eq!(MdStatus::parse("+1"), MdStatus::Other("+1".into()));
        for s in ["0", "1", "2", "4", "5", "8", "9", "x"] {
            assert_eq!(MdStatus::parse(s).code(), s);
        }
    }

    #[test]
    fn liability_shifts_only_with_matching_evidence() {
        let full = MdStatus::FullyAuthenticated;
        assert!(liability_shifted(&full, Some("05")), "Visa, authenticated");
        assert!(
            liability_shifted(&full, Some("02")),
            "Mastercard, authenticated"
        );
        assert!(
            liability_shifted(&MdStatus::Attempted(4), Some("06")),
            "Visa, attempted"
        );
        assert!(
            liability_shifted(&MdStatus::Attempted(2), Some("01")),
            "Mastercard, attempted"
        );
        assert!(!liability_shifted(&full, None), "no ECI, no evidence");
        assert!(
            !liability_shifted(&full, Some("07")),
            "ECI 07: not authenticated"
        );
        assert!(
            !liability_shifted(&MdStatus::Attempted(3), Some("05")),
            "an attempt never claims full authentication"
        );
        assert!(!liability_shifted(&MdStatus::NotVerified(7), Some("05")));
        assert!(!liability_shifted(&MdStatus::Failed, Some("05")));
    }
}
