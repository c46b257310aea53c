//! The states of payments, checkouts and refunds, and where a payment's timeline entries
//! came from. The server moves them; the dashboard shows them with these labels.

use serde::{Deserialize, Serialize};

/// A payment's state; only the platform's `transition` changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "payment_status", rename_all = "snake_case")
)]
pub enum PaymentStatus {
    Created,
    Pending,
    Paid,
    Declined,
    Failed,
    Expired,
    Refunded,
    PartiallyRefunded,
    /// Money taken that the order does not keep (a second charge for a paid checkout, a
    /// charge past its link's limit or after the checkout closed): the platform returns it.
    /// It stays `duplicate` once returned; the refunded amount tells how much went back.
    Duplicate,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 9] = [
        PaymentStatus::Created,
        PaymentStatus::Pending,
        PaymentStatus::Paid,
        PaymentStatus::Declined,
        PaymentStatus::Failed,
        PaymentStatus::Expired,
        PaymentStatus::Refunded,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::Pending => "pending",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Declined => "declined",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Expired => "expired",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Duplicate => "duplicate",
        }
    }

    pub fn parse(text: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentStatus::Created => "Created",
            PaymentStatus::Pending => "Pending",
            PaymentStatus::Paid => "Paid",
            PaymentStatus::Declined => "Declined",
            PaymentStatus::Failed => "Failed",
            PaymentStatus::Expired => "Expired",
            PaymentStatus::Refunded => "Refunded",
            PaymentStatus::PartiallyRefunded => "Partially refunded",
            PaymentStatus::Duplicate => "Duplicate charge",
        }
    }

    /// The money was taken for the order (and may since have been refunded).
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            PaymentStatus::Paid | PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded
        )
    }

    /// The gateway took the money: for the order, or as a duplicate being returned.
    pub fn is_captured(self) -> bool {
        self.is_paid() || self == PaymentStatus::Duplicate
    }
}

/// The state of a checkout session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "checkout_status", rename_all = "snake_case")
)]
pub enum CheckoutStatus {
    Open,
    Paid,
    Expired,
}

impl CheckoutStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckoutStatus::Open => "open",
            CheckoutStatus::Paid => "paid",
            CheckoutStatus::Expired => "expired",
        }
    }
}

/// A refund's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "refund_status", rename_all = "snake_case")
)]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Failed,
    /// Sent, and no answer came back: reconciliation will read the order history.
    Unknown,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
            RefundStatus::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RefundStatus::Pending => "Waiting for the bank",
            RefundStatus::Succeeded => "Succeeded",
            RefundStatus::Failed => "Failed",
            RefundStatus::Unknown => "Outcome unknown",
        }
    }
}

/// Where a change to a payment came from; its timeline shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineSource {
    /// The buyer pressed Pay.
    Buyer,
    /// The buyer's browser came back from the gateway.
    Return,
    /// The gateway's server-to-server callback.
    Callback,
    /// Our order-status query to the gateway.
    StatusQuery,
    /// The checkout expired before the attempt was sent.
    Expiry,
    /// A refund's answer from the gateway.
    Refund,
    /// The reconciliation worker's order-history query.
    Reconciliation,
    /// A staff member settling a reconciliation exception.
    Staff,
}

impl TimelineSource {
    pub const ALL: [TimelineSource; 8] = [
        TimelineSource::Buyer,
        TimelineSource::Return,
        TimelineSource::Callback,
        TimelineSource::StatusQuery,
        TimelineSource::Expiry,
        TimelineSource::Refund,
        TimelineSource::Reconciliation,
        TimelineSource::Staff,
    ];

    /// How the timeline table stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineSource::Buyer => "buyer",
            TimelineSource::Return => "return",
            TimelineSource::Callback => "callback",
            TimelineSource::StatusQuery => "status_query",
            TimelineSource::Expiry => "expiry",
            TimelineSource::Refund => "refund",
            TimelineSource::Reconciliation => "reconciliation",
            TimelineSource::Staff => "staff",
        }
    }

    pub fn parse(text: &str) -> Option<TimelineSource> {
        TimelineSource::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What the merchant reads.
    pub fn label(self) -> &'static str {
        match self {
            TimelineSource::Buyer => "The buyer pressed Pay",
            TimelineSource::Return => "The buyer's browser came back from the gateway",
            TimelineSource::Callback => "The gateway's server notified us",
            TimelineSource::StatusQuery => "We asked the gateway for the order's status",
            TimelineSource::Expiry => "The checkout expired",
            TimelineSource::Refund => "A refund was asked for or answered",
            TimelineSource::Reconciliation => "We compared the order with the gateway's records",
            TimelineSource::Staff => "Saleonix staff settled a disagreement with the gateway",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_back() {
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        for source in TimelineSource::ALL {
            assert_eq!(TimelineSource::parse(source.as_str()), Some(source));
        }
        assert_eq!(PaymentStatus::parse("Paid"), None);
    }
}
