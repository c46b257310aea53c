//! Where a confirmed capture ends: as the checkout's one paid payment, or as a `duplicate`
//! the platform returns on its own. Called by [`super::transition::apply`] in its
//! transaction, so the decision, the new state, the queued return and the exception are
//! one commit: a crash leaves either none of them or all.
//!
//! A capture is a duplicate when its checkout already has a paid payment (two tabs, Back
//! then Pay again, an error answer that in fact captured), when it comes after the platform
//! held the attempt declined or expired and the checkout has closed since, or when its
//! payment link has sold its last slot (the link's counter moves under its row lock, and a
//! CHECK holds it to `max_payments`).

use domain::{CheckoutStatus, PaymentId, PaymentStatus, TimelineNote};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Mode, PaymentError, reconciliation, refunds};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};

/// Why a capture cannot be the checkout's payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surplus {
    /// The checkout already has a paid payment.
    CheckoutPaid,
    /// A late capture (after a decline or an expiry) for a checkout that has closed.
    CheckoutClosed,
    /// The payment link has as many paid checkouts as its limit allows.
    LinkSoldOut,
}

impl Surplus {
    /// The timeline's and audit trail's fixed phrase.
    pub fn note(self) -> TimelineNote {
        match self {
            Surplus::CheckoutPaid => TimelineNote::SecondChargeForPaidCheckout,
            Surplus::CheckoutClosed => TimelineNote::ChargeAfterCheckoutClosed,
            Surplus::LinkSoldOut => TimelineNote::ChargePastLinkLimit,
        }
    }

    /// What the buyer and the merchant read on the payment: why the charge is not kept.
    pub fn phrase(self) -> &'static str {
        match self {
            Surplus::CheckoutPaid => super::reasons::ALREADY_PAID,
            Surplus::CheckoutClosed => super::reasons::CHECKOUT_CLOSED,
            Surplus::LinkSoldOut => super::reasons::SOLD_OUT,
        }
    }

    /// The reason on the refund that returns it.
    fn reason(self) -> &'static str {
        match self {
            Surplus::CheckoutPaid => {
                "A second charge for a checkout that was already paid: returned to the buyer automatically."
            }
            Surplus::CheckoutClosed => {
                "A charge that arrived after the checkout had closed: returned to the buyer automatically."
            }
            Surplus::LinkSoldOut => {
                "A charge past the payment link's limit of payments: returned to the buyer automatically."
            }
        }
    }
}

/// How a confirmed capture ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Paid,
    Duplicate(Surplus),
}

/// Decides, under the checkout's row lock (and the link's, when it has one), whether the
/// capture of payment `payment_id`, now in state `current`, pays its checkout.
pub(crate) async fn decide(
    conn: &mut PgConnection,
    payment_id: Uuid,
    session_id: Uuid,
    current: PaymentStatus,
) -> Result<Ending, sqlx::Error> {
    let (status, still_valid, link_id): (CheckoutStatus, bool, Option<Uuid>) = sqlx::query_as(
        "SELECT status, expires_at > now(), link_id FROM checkout_sessions WHERE id = $1 FOR UPDATE",
    )
    .bind(session_id)
    .fetch_one(&mut *conn)
    .await?;
    let other_paid: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM payments WHERE session_id = $1 AND id <> $2
                        AND status IN ('paid', 'refunded', 'partially_refunded'))",
    )
    .bind(session_id)
    .bind(payment_id)
    .fetch_one(&mut *conn)
    .await?;
    if other_paid {
        return Ok(Ending::Duplicate(Surplus::CheckoutPaid));
    }
    // An attempt sent in time may be confirmed after the checkout's expiry (the buyer was on
    // the card page); one the platform had already closed as declined or expired only pays a
    // checkout that still takes payments.
    if is_late(current) && !(status == CheckoutStatus::Open && still_valid) {
        return Ok(Ending::Duplicate(Surplus::CheckoutClosed));
    }
    if let Some(link_id) = link_id {
        let slot = sqlx::query(
            "UPDATE payment_links SET paid_count = paid_count + 1
             WHERE id = $1 AND (max_payments IS NULL OR paid_count < max_payments)",
        )
        .bind(link_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if slot == 0 {
            return Ok(Ending::Duplicate(Surplus::LinkSoldOut));
        }
    }
    Ok(Ending::Paid)
}

/// A capture for an attempt the platform had already closed as declined or expired.
pub(crate) fn is_late(current: PaymentStatus) -> bool {
    matches!(current, PaymentStatus::Declined | PaymentStatus::Expired)
}

/// The payment a capture concerns, as [`super::transition::apply`] read it.
pub(crate) struct Captured<'a> {
    pub payment_id: Uuid,
    pub merchant_id: Uuid,
    pub mode: Mode,
    pub order_id: &'a str,
    pub amount: domain::Money,
    /// The state before the capture.
    pub from: PaymentStatus,
}

/// What follows a capture's ending, in the same transaction: a duplicate's whole amount is
/// queued to go back, and a duplicate or a late capture opens an exception for staff (a
/// duplicate's closes by itself once the money is back; a late capture's waits for staff,
/// since the gateway took money the platform had told the buyer was not taken).
pub(crate) async fn follow_up(
    conn: &mut PgConnection,
    platform: &Platform,
    captured: &Captured<'_>,
    ending: Ending,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let late = is_late(captured.from);
    let amount = captured.amount;
    let ours = match (ending, late) {
        (Ending::Paid, false) => return Ok(()),
        (Ending::Paid, true) => format!(
            "{}, then charged {amount}: kept as the checkout's payment",
            captured.from.as_str()
        ),
        (Ending::Duplicate(surplus), _) => {
            refunds::queue_whole(
                conn,
                platform,
                PaymentId::from_uuid(captured.payment_id),
                surplus.reason(),
                facts,
            )
            .await?;
            match surplus {
                Surplus::CheckoutPaid => {
                    format!("a second charge of {amount} for a paid checkout: being returned")
                }
                Surplus::CheckoutClosed => {
                    format!(
                        "{}, then charged {amount} after the checkout closed: being returned",
                        captured.from.as_str()
                    )
                }
                Surplus::LinkSoldOut => {
                    format!("a charge of {amount} past the link's limit: being returned")
                }
            }
        }
    };
    let exception = reconciliation::NewException {
        payment_id: captured.payment_id,
        merchant_id: captured.merchant_id,
        mode: captured.mode,
        order_id: captured.order_id,
        kind: if late { "late_capture" } else { "duplicate" },
        ours: &ours,
        theirs: &format!("charged {amount}"),
        gateway_status: None,
        gateway_refunded: None,
    };
    reconciliation::open_exception(conn, &exception).await
}

/// Closes a duplicate's exception once all of its money is back with the buyer. A late
/// capture's stays open for staff.
pub(crate) async fn close_when_returned(
    conn: &mut PgConnection,
    payment_id: PaymentId,
) -> Result<(), PaymentError> {
    let closed: Option<(Uuid, String)> = sqlx::query_as(
        "UPDATE reconciliation_exceptions e
         SET resolved_at = now(), resolution = 'returned', note = 'Returned to the buyer in full by the platform.'
         FROM payments p
         WHERE p.id = e.payment_id AND e.payment_id = $1 AND e.resolved_at IS NULL AND e.kind = 'duplicate'
           AND p.status = 'duplicate' AND p.refunded_minor = p.amount_minor
         RETURNING e.merchant_id, p.order_id",
    )
    .bind(payment_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((merchant_id, order_id)) = closed {
        let event = Event::new(
            "reconciliation.returned",
            Actor {
                kind: ActorKind::System,
                id: None,
            },
            Outcome::Success,
        )
        .merchant(merchant_id)
        .target("payment", order_id);
        audit::record(conn, &event, &RequestFacts::default()).await?;
    }
    Ok(())
}
