//! Comparing one order: what the gateway's history says, what we hold, and the verdict.

use super::*;

/// What the gateway's order history says about one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayView {
    /// No record of the order: the buyer never submitted the card page.
    Absent,
    Declined,
    /// Charged `captured_minor`, of which `refunded_minor` was credited back, in `currency`
    /// when the history names it.
    Charged {
        captured_minor: i64,
        refunded_minor: i64,
        currency: Option<Currency>,
        card: CardFacts,
    },
    /// Charged in another currency than the payment's: whatever the amounts, it is not this
    /// payment's charge, so staff must look ([`GatewayView::in_currency`]).
    OtherCurrency(Currency),
    /// The sale was voided: nothing stayed charged.
    Voided,
    /// Nothing definite: the order is pending, errored, or could not be read.
    Undecided(String),
}

impl GatewayView {
    pub fn from_history(history: &OrderHistory) -> GatewayView {
        let Some(sale) = history
            .transactions
            .iter()
            .find(|t| t.charge_type == ChargeType::Sale)
        else {
            return GatewayView::Undecided("no sale on the order".into());
        };
        match &sale.status {
            TransStat::Declined => GatewayView::Declined,
            TransStat::Voided => GatewayView::Voided,
            status if status.is_charged() => GatewayView::Charged {
                // Past an i64 an amount cannot equal ours, so it is read as a mismatch.
                captured_minor: i64::try_from(sale.captured_amount_minor).unwrap_or(i64::MAX),
                refunded_minor: i64::try_from(history.refunded_minor()).unwrap_or(i64::MAX),
                currency: history.currency,
                card: CardFacts {
                    auth_code: sale.auth_code.clone(),
                    host_ref_num: sale.host_ref_num.clone(),
                    trans_id: sale.trans_id.clone(),
                    proc_return_code: sale
                        .proc_return_code
                        .as_ref()
                        .map(|c| c.as_str().to_owned()),
                    ..CardFacts::default()
                },
            },
            other => GatewayView::Undecided(format!("order status {}", other.as_str())),
        }
    }

    /// The view of a payment in `currency` (its alphabetic code): a charge the history puts
    /// in another currency becomes [`GatewayView::OtherCurrency`], which never matches.
    pub fn in_currency(self, currency: &str) -> GatewayView {
        match self {
            GatewayView::Charged {
                currency: Some(theirs),
                ..
            } if theirs.alpha() != currency => GatewayView::OtherCurrency(theirs),
            view => view,
        }
    }

    pub(super) fn from_answer(answer: Result<OrderHistory, ApiError>) -> GatewayView {
        match answer {
            Ok(history) => GatewayView::from_history(&history),
            Err(ApiError::NotFound(_)) => GatewayView::Absent,
            Err(error) => GatewayView::Undecided(error.to_string()),
        }
    }

    /// A plain description for the exception queue.
    pub(super) fn describe(&self, currency: &str) -> String {
        let amount = |minor| receipts::format_amount(minor, currency);
        match self {
            GatewayView::Absent => "no record of the order".into(),
            GatewayView::Declined => "declined".into(),
            GatewayView::Charged {
                captured_minor,
                refunded_minor,
                ..
            } => {
                format!(
                    "charged {}, refunded {}",
                    amount(*captured_minor),
                    amount(*refunded_minor)
                )
            }
            GatewayView::Voided => "voided".into(),
            GatewayView::OtherCurrency(theirs) => format!("charged in {theirs}, not in {currency}"),
            GatewayView::Undecided(why) => format!("no definite answer ({why})"),
        }
    }

    /// The state accepting the gateway's account would give a payment of `amount_minor`,
    /// when the account is definite and about the same amount.
    pub(super) fn accepted_state(&self, amount_minor: i64) -> Option<(PaymentStatus, i64)> {
        match self {
            GatewayView::Absent => Some((PaymentStatus::Expired, 0)),
            GatewayView::Declined => Some((PaymentStatus::Declined, 0)),
            GatewayView::Voided => Some((PaymentStatus::Refunded, amount_minor)),
            GatewayView::Charged {
                captured_minor,
                refunded_minor,
                ..
            } if *captured_minor == amount_minor => {
                let status = match *refunded_minor {
                    0 => PaymentStatus::Paid,
                    r if r >= amount_minor => PaymentStatus::Refunded,
                    _ => PaymentStatus::PartiallyRefunded,
                };
                Some((status, (*refunded_minor).min(amount_minor)))
            }
            _ => None,
        }
    }
}

/// The payment as the platform has it, read under its row lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ours {
    pub status: PaymentStatus,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    /// A refund sent with no answer: its id and amount.
    pub unknown_refund: Option<(RefundId, i64)>,
    /// A sent attempt may be abandoned if the gateway has no record of it.
    pub may_abandon: bool,
}

/// What to do with one payment, given the gateway's account. One lives for the length of
/// one payment's check, so the size of its largest variant costs nothing worth boxing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Verdict {
    Matches,
    /// Apply this change through the transition function.
    Settle(Change),
    /// The unknown refund happened (`true`) or did not (`false`).
    SettleRefund {
        refund_id: RefundId,
        happened: bool,
    },
    Mismatch,
    /// Ask again later.
    Wait,
}

/// The decision alone; see the module documentation.
pub fn judge(ours: &Ours, gateway: &GatewayView) -> Verdict {
    use GatewayView as G;
    if matches!(gateway, G::Undecided(_)) {
        return Verdict::Wait;
    }
    let full = |captured: &i64| *captured == ours.amount_minor;
    if let Some((refund_id, refund)) = ours.unknown_refund {
        return match gateway {
            G::Charged {
                captured_minor,
                refunded_minor,
                ..
            } if full(captured_minor) => {
                if *refunded_minor == ours.refunded_minor + refund {
                    Verdict::SettleRefund {
                        refund_id,
                        happened: true,
                    }
                } else if *refunded_minor == ours.refunded_minor {
                    Verdict::SettleRefund {
                        refund_id,
                        happened: false,
                    }
                } else {
                    Verdict::Mismatch
                }
            }
            G::Voided if ours.refunded_minor + refund == ours.amount_minor => {
                Verdict::SettleRefund {
                    refund_id,
                    happened: true,
                }
            }
            _ => Verdict::Mismatch,
        };
    }
    match (ours.status, gateway) {
        (
            PaymentStatus::Pending | PaymentStatus::Failed,
            G::Charged {
                captured_minor,
                refunded_minor: 0,
                card,
                ..
            },
        ) if full(captured_minor) => Verdict::Settle(Change::Paid(card.clone())),
        (PaymentStatus::Pending | PaymentStatus::Failed, G::Declined) => {
            Verdict::Settle(Change::Declined {
                reason: crate::payments::reasons::DECLINED,
                card: CardFacts::default(),
            })
        }
        (PaymentStatus::Pending | PaymentStatus::Failed, G::Absent) if ours.may_abandon => {
            Verdict::Settle(Change::Abandon)
        }
        (PaymentStatus::Pending | PaymentStatus::Failed, G::Absent) => Verdict::Wait,
        // Money taken after the platform closed the attempt: the transition function pays
        // the checkout with it or returns it, and opens an exception either way.
        (
            PaymentStatus::Declined | PaymentStatus::Expired,
            G::Charged {
                captured_minor,
                refunded_minor: 0,
                card,
                ..
            },
        ) if full(captured_minor) => Verdict::Settle(Change::Paid(card.clone())),
        (
            PaymentStatus::Paid
            | PaymentStatus::PartiallyRefunded
            | PaymentStatus::Refunded
            | PaymentStatus::Duplicate,
            G::Charged {
                captured_minor,
                refunded_minor,
                ..
            },
        ) if full(captured_minor) && *refunded_minor == ours.refunded_minor => Verdict::Matches,
        (PaymentStatus::Refunded | PaymentStatus::Duplicate, G::Voided)
            if ours.refunded_minor == ours.amount_minor =>
        {
            Verdict::Matches
        }
        (
            PaymentStatus::Declined | PaymentStatus::Expired | PaymentStatus::Created,
            G::Absent | G::Declined | G::Voided,
        ) => Verdict::Matches,
        _ => Verdict::Mismatch,
    }
}
