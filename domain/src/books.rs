//! The states of payouts, their batches and chargebacks. The server moves them; the
//! dashboard and the console show them with these labels.

use serde::{Deserialize, Serialize};

/// Where one payout to a merchant's bank account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "payout_status", rename_all = "snake_case")
)]
pub enum PayoutStatus {
    Created,
    Approved,
    Sent,
    Paid,
    Returned,
}

impl PayoutStatus {
    pub const ALL: [PayoutStatus; 5] = [
        PayoutStatus::Created,
        PayoutStatus::Approved,
        PayoutStatus::Sent,
        PayoutStatus::Paid,
        PayoutStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PayoutStatus::Created => "created",
            PayoutStatus::Approved => "approved",
            PayoutStatus::Sent => "sent",
            PayoutStatus::Paid => "paid",
            PayoutStatus::Returned => "returned",
        }
    }

    pub fn parse(text: &str) -> Option<PayoutStatus> {
        PayoutStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What the merchant and staff read.
    pub fn label(self) -> &'static str {
        match self {
            PayoutStatus::Created => "Waiting for approval",
            PayoutStatus::Approved => "Approved",
            PayoutStatus::Sent => "Sent to the bank",
            PayoutStatus::Paid => "Paid",
            PayoutStatus::Returned => "Returned by the bank",
        }
    }
}

/// Where a batch of payouts (one bank file) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "payout_batch_status", rename_all = "snake_case")
)]
pub enum BatchStatus {
    Created,
    Approved,
    Sent,
}

impl BatchStatus {
    pub const ALL: [BatchStatus; 3] = [
        BatchStatus::Created,
        BatchStatus::Approved,
        BatchStatus::Sent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Created => "created",
            BatchStatus::Approved => "approved",
            BatchStatus::Sent => "sent",
        }
    }

    /// What staff read: the stored word, as the console has always shown it.
    pub fn label(self) -> &'static str {
        self.as_str()
    }
}

/// Where a chargeback stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "chargeback_status", rename_all = "snake_case")
)]
pub enum ChargebackStatus {
    Open,
    EvidenceSubmitted,
    Won,
    Lost,
}

impl ChargebackStatus {
    pub const ALL: [ChargebackStatus; 4] = [
        ChargebackStatus::Open,
        ChargebackStatus::EvidenceSubmitted,
        ChargebackStatus::Won,
        ChargebackStatus::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChargebackStatus::Open => "open",
            ChargebackStatus::EvidenceSubmitted => "evidence_submitted",
            ChargebackStatus::Won => "won",
            ChargebackStatus::Lost => "lost",
        }
    }

    /// What the merchant and staff read.
    pub fn label(self) -> &'static str {
        match self {
            ChargebackStatus::Open => "Open: evidence due",
            ChargebackStatus::EvidenceSubmitted => "Evidence submitted",
            ChargebackStatus::Won => "Won",
            ChargebackStatus::Lost => "Lost",
        }
    }

    /// Won or lost: nothing more happens to it.
    pub fn is_decided(self) -> bool {
        matches!(self, ChargebackStatus::Won | ChargebackStatus::Lost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: impl Serialize) -> String {
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn the_wire_carries_the_stored_names() {
        for status in PayoutStatus::ALL {
            assert_eq!(json(status), format!("\"{}\"", status.as_str()));
        }
        for status in BatchStatus::ALL {
            assert_eq!(json(status), format!("\"{}\"", status.as_str()));
        }
        for status in ChargebackStatus::ALL {
            assert_eq!(json(status), format!("\"{}\"", status.as_str()));
        }
        assert!(ChargebackStatus::Lost.is_decided());
        assert!(!ChargebackStatus::EvidenceSubmitted.is_decided());
    }
}
