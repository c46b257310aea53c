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
    pub const ALL: [CheckoutStatus; 3] = [
        CheckoutStatus::Open,
        CheckoutStatus::Paid,
        CheckoutStatus::Expired,
    ];

    pub fn parse(text: &str) -> Option<CheckoutStatus> {
        CheckoutStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

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
    pub const ALL: [RefundStatus; 4] = [
        RefundStatus::Pending,
        RefundStatus::Succeeded,
        RefundStatus::Failed,
        RefundStatus::Unknown,
    ];

    pub fn parse(text: &str) -> Option<RefundStatus> {
        RefundStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

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

/// The fixed codes a payment's timeline notes what happened with; the merchant reads
/// [`TimelineNote::label`]. A decline reason is stored as the gateway's own phrase instead
/// (see [`NoteView`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineNote {
    Duplicate,
    ImpossibleTransition,
    ApprovedButSessionAlreadyPaid,
    ConfirmedByStatusQuery,
    AwaitingConfirmation,
    ApprovalNotConfirmedByStatusQuery,
    AmountDiffersFromOrder,
    CurrencyDiffersFromOrder,
    CurrencyDiffersInStatusQuery,
    RefundRequested,
    RefundSucceeded,
    RefundFailed,
    RefundOutcomeUnknown,
    ConfirmedByOrderHistory,
    NoRecordAtGateway,
    GatewayStateAccepted,
    SecondChargeForPaidCheckout,
    ChargeAfterCheckoutClosed,
    ChargePastLinkLimit,
    CapturedAfterDecline,
    CapturedAfterExpiry,
}

impl TimelineNote {
    pub const ALL: [TimelineNote; 21] = [
        TimelineNote::Duplicate,
        TimelineNote::ImpossibleTransition,
        TimelineNote::ApprovedButSessionAlreadyPaid,
        TimelineNote::ConfirmedByStatusQuery,
        TimelineNote::AwaitingConfirmation,
        TimelineNote::ApprovalNotConfirmedByStatusQuery,
        TimelineNote::AmountDiffersFromOrder,
        TimelineNote::CurrencyDiffersFromOrder,
        TimelineNote::CurrencyDiffersInStatusQuery,
        TimelineNote::RefundRequested,
        TimelineNote::RefundSucceeded,
        TimelineNote::RefundFailed,
        TimelineNote::RefundOutcomeUnknown,
        TimelineNote::ConfirmedByOrderHistory,
        TimelineNote::NoRecordAtGateway,
        TimelineNote::GatewayStateAccepted,
        TimelineNote::SecondChargeForPaidCheckout,
        TimelineNote::ChargeAfterCheckoutClosed,
        TimelineNote::ChargePastLinkLimit,
        TimelineNote::CapturedAfterDecline,
        TimelineNote::CapturedAfterExpiry,
    ];

    /// How the timeline table stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineNote::Duplicate => "duplicate",
            TimelineNote::ImpossibleTransition => "impossible_transition",
            TimelineNote::ApprovedButSessionAlreadyPaid => "approved_but_session_already_paid",
            TimelineNote::ConfirmedByStatusQuery => "confirmed_by_status_query",
            TimelineNote::AwaitingConfirmation => "awaiting_confirmation",
            TimelineNote::ApprovalNotConfirmedByStatusQuery => {
                "approval_not_confirmed_by_status_query"
            }
            TimelineNote::AmountDiffersFromOrder => "amount_differs_from_order",
            TimelineNote::CurrencyDiffersFromOrder => "currency_differs_from_order",
            TimelineNote::CurrencyDiffersInStatusQuery => "currency_differs_in_status_query",
            TimelineNote::RefundRequested => "refund_requested",
            TimelineNote::RefundSucceeded => "refund_succeeded",
            TimelineNote::RefundFailed => "refund_failed",
            TimelineNote::RefundOutcomeUnknown => "refund_outcome_unknown",
            TimelineNote::ConfirmedByOrderHistory => "confirmed_by_order_history",
            TimelineNote::NoRecordAtGateway => "no_record_at_gateway",
            TimelineNote::GatewayStateAccepted => "gateway_state_accepted",
            TimelineNote::SecondChargeForPaidCheckout => "second_charge_for_paid_checkout",
            TimelineNote::ChargeAfterCheckoutClosed => "charge_after_checkout_closed",
            TimelineNote::ChargePastLinkLimit => "charge_past_link_limit",
            TimelineNote::CapturedAfterDecline => "captured_after_decline",
            TimelineNote::CapturedAfterExpiry => "captured_after_expiry",
        }
    }

    pub fn parse(text: &str) -> Option<TimelineNote> {
        TimelineNote::ALL.into_iter().find(|n| n.as_str() == text)
    }

    /// What the merchant reads.
    pub fn label(self) -> &'static str {
        match self {
            TimelineNote::Duplicate => "a repeat of a message already applied",
            TimelineNote::ImpossibleTransition => {
                "refused: the payment cannot move there from its state"
            }
            TimelineNote::ApprovedButSessionAlreadyPaid => {
                "approved, but another attempt had already paid the checkout"
            }
            TimelineNote::ConfirmedByStatusQuery => "confirmed by the gateway's order status",
            TimelineNote::AwaitingConfirmation => {
                "approved; waiting for the gateway to confirm the order"
            }
            TimelineNote::ApprovalNotConfirmedByStatusQuery => {
                "approved on return, but the gateway's order status did not confirm it"
            }
            TimelineNote::AmountDiffersFromOrder => {
                "the gateway reported an amount other than the order's"
            }
            // Worded as the codes read before they had labels, which the pages showed.
            TimelineNote::RefundRequested => "refund requested",
            TimelineNote::RefundSucceeded => "refund succeeded",
            TimelineNote::RefundFailed => "refund failed",
            TimelineNote::CurrencyDiffersFromOrder => "currency differs from order",
            TimelineNote::CurrencyDiffersInStatusQuery => "currency differs in status query",
            TimelineNote::RefundOutcomeUnknown => {
                "the refund was sent and no answer came back; we are confirming it with the gateway"
            }
            TimelineNote::ConfirmedByOrderHistory => "confirmed by the gateway's order history",
            TimelineNote::NoRecordAtGateway => "the gateway has no record of the order",
            TimelineNote::GatewayStateAccepted => "the gateway's state was accepted",
            TimelineNote::SecondChargeForPaidCheckout => {
                "a second charge for a checkout already paid: returned to the buyer automatically"
            }
            TimelineNote::ChargeAfterCheckoutClosed => {
                "charged after the checkout had closed: returned to the buyer automatically"
            }
            TimelineNote::ChargePastLinkLimit => {
                "charged past the payment link's limit: returned to the buyer automatically"
            }
            TimelineNote::CapturedAfterDecline => {
                "the gateway took the money after a decline; kept as the checkout's payment"
            }
            TimelineNote::CapturedAfterExpiry => {
                "the gateway took the money after the attempt expired; kept as the checkout's payment"
            }
        }
    }
}

/// A timeline entry's note as stored: one of the fixed codes, or a phrase (the gateway's
/// decline reason) shown as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteView {
    Known(TimelineNote),
    Phrase(String),
}

impl NoteView {
    pub fn parse(stored: &str) -> NoteView {
        TimelineNote::parse(stored)
            .map_or_else(|| NoteView::Phrase(stored.to_owned()), NoteView::Known)
    }

    /// What the merchant reads; a phrase stored with underscores reads with spaces.
    pub fn words(&self) -> String {
        match self {
            NoteView::Known(note) => note.label().to_owned(),
            NoteView::Phrase(phrase) => phrase.replace('_', " "),
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
        for note in TimelineNote::ALL {
            assert_eq!(NoteView::parse(note.as_str()), NoteView::Known(note));
        }
        assert_eq!(
            NoteView::parse("insufficient_funds").words(),
            "insufficient funds"
        );
        assert_eq!(PaymentStatus::parse("Paid"), None);
    }
}
