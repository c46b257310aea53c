//! The kinds of event the platform records and delivers to webhook endpoints.

use std::fmt;
use std::str::FromStr;

/// An event's type, as its `type` field and an endpoint's subscription name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    CheckoutSessionCompleted,
    CheckoutSessionExpired,
    PaymentSucceeded,
    PaymentFailed,
    RefundSucceeded,
    RefundFailed,
    PayoutCreated,
    PayoutPaid,
    /// The bank returned the payout (its status `returned`): Stripe's name for a payout
    /// that did not reach the account.
    PayoutFailed,
    AccountVerificationApproved,
    AccountVerificationRejected,
    /// Staff sent the application back with items to change.
    AccountVerificationChangesRequested,
    /// Staff asked a verified merchant to update an item by a deadline.
    AccountVerificationReverificationRequested,
    /// The re-verification deadline passed: Live Mode closed until staff approve again.
    AccountRestricted,
    AccountSuspended,
    AccountReinstated,
    /// A buyer signed up for a plan, or renewed a plan that runs until cancelled.
    SubscriptionCreated,
    /// A running subscription changed: past due, active again, a cancel pending, ending
    /// with its period or kept after all.
    SubscriptionUpdated,
    /// A subscription stopped: cancelled, ended (every payment made) or unpaid.
    SubscriptionEnded,
    /// Sent only by an endpoint's "send test event"; nobody subscribes to it.
    WebhookTest,
}

impl EventType {
    /// The types an endpoint may subscribe to (every one but the test event).
    pub const ALL: [EventType; 19] = [
        EventType::CheckoutSessionCompleted,
        EventType::CheckoutSessionExpired,
        EventType::PaymentSucceeded,
        EventType::PaymentFailed,
        EventType::RefundSucceeded,
        EventType::RefundFailed,
        EventType::PayoutCreated,
        EventType::PayoutPaid,
        EventType::PayoutFailed,
        EventType::AccountVerificationApproved,
        EventType::AccountVerificationRejected,
        EventType::AccountVerificationChangesRequested,
        EventType::AccountVerificationReverificationRequested,
        EventType::AccountRestricted,
        EventType::AccountSuspended,
        EventType::AccountReinstated,
        EventType::SubscriptionCreated,
        EventType::SubscriptionUpdated,
        EventType::SubscriptionEnded,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::CheckoutSessionCompleted => "checkout.session.completed",
            EventType::CheckoutSessionExpired => "checkout.session.expired",
            EventType::PaymentSucceeded => "payment.succeeded",
            EventType::PaymentFailed => "payment.failed",
            EventType::RefundSucceeded => "refund.succeeded",
            EventType::RefundFailed => "refund.failed",
            EventType::PayoutCreated => "payout.created",
            EventType::PayoutPaid => "payout.paid",
            EventType::PayoutFailed => "payout.failed",
            EventType::AccountVerificationApproved => "account.verification.approved",
            EventType::AccountVerificationRejected => "account.verification.rejected",
            EventType::AccountVerificationChangesRequested => {
                "account.verification.changes_requested"
            }
            EventType::AccountVerificationReverificationRequested => {
                "account.verification.reverification_requested"
            }
            EventType::AccountRestricted => "account.restricted",
            EventType::AccountSuspended => "account.suspended",
            EventType::AccountReinstated => "account.reinstated",
            EventType::SubscriptionCreated => "subscription.created",
            EventType::SubscriptionUpdated => "subscription.updated",
            EventType::SubscriptionEnded => "subscription.ended",
            EventType::WebhookTest => "webhook.test",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event type")]
pub struct UnknownEventType;

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .chain([EventType::WebhookTest])
            .find(|kind| kind.as_str() == text)
            .ok_or(UnknownEventType)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_and_the_test_event_is_not_subscribable() {
        for kind in EventType::ALL {
            assert_eq!(kind.as_str().parse(), Ok(kind));
        }
        assert_eq!("webhook.test".parse(), Ok(EventType::WebhookTest));
        assert!(!EventType::ALL.contains(&EventType::WebhookTest));
        assert_eq!(
            "payment.refunded".parse::<EventType>(),
            Err(UnknownEventType)
        );
    }
}
