//! The one place a payment's state changes.
//!
//! [`apply`] locks the payment by its gateway order id, decides with [`next`] whether the
//! change is possible, and writes the new state, the timeline row and the audit row in the
//! caller's transaction. Repeating a change is harmless: a return and a callback for the
//! same order, in any order and any number of times, leave one result. A change the state
//! cannot take (a decline after a confirmed payment) changes nothing and is recorded.
//! A confirmed capture always ends somewhere: as the checkout's one paid payment, or as a
//! `duplicate` whose return is queued in the same transaction ([`super::captures`]).
//! The books follow every change in the same transaction too ([`crate::ledger::sales`]).

use domain::{MerchantId, PaymentId, PaymentStatus, TimelineNote, TimelineSource};
use sqlx::PgConnection;
use uuid::Uuid;

use super::captures::{self, Captured, Ending};
use super::{Mode, PaymentError, receipts, reconciliation};
use crate::Platform;
use crate::audit::{self, Actor, Event, Outcome, RequestFacts};
use crate::ledger;

/// The audit trail's event type of a change from `source`.
pub(crate) fn event_type(source: TimelineSource) -> &'static str {
    match source {
        TimelineSource::Buyer => "payment.send",
        TimelineSource::Return => "payment.return",
        TimelineSource::Callback => "payment.callback",
        TimelineSource::StatusQuery => "payment.status_query",
        TimelineSource::Expiry => "payment.expire",
        TimelineSource::Refund => "payment.refund",
        TimelineSource::Reconciliation => "payment.reconcile",
        TimelineSource::Staff => "payment.accept_gateway_state",
    }
}

/// What the gateway said about the card and the authorisation. Never a card number: the
/// masked PAN is checked again by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardFacts {
    pub masked_pan: Option<String>,
    pub card_brand: Option<String>,
    pub auth_code: Option<String>,
    pub host_ref_num: Option<String>,
    pub trans_id: Option<String>,
    pub proc_return_code: Option<String>,
    /// The 3-D Secure result, kept as chargeback evidence: `mdStatus` (one digit), the ECI
    /// (two digits) and whether the fraud liability shifted to the issuer. Never the CAVV
    /// or the XID.
    pub md_status: Option<String>,
    pub eci: Option<String>,
    pub liability_shifted: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The signed form was handed to the buyer's browser.
    Send,
    /// Approved by the gateway and confirmed by an order-status query.
    Paid(CardFacts),
    /// Refused by the issuer or by 3-D Secure; `reason` is a plain-language phrase.
    Declined {
        reason: &'static str,
        card: CardFacts,
    },
    /// The gateway reported an error.
    Failed {
        reason: &'static str,
        card: CardFacts,
    },
    /// The checkout expired before this attempt was sent.
    Expire,
    /// Reconciliation found no record of a sent attempt at the gateway long after its
    /// checkout expired: the buyer never paid.
    Abandon,
    /// The gateway made a refund of `amount_minor`; `whole` when nothing is left to refund.
    Refund { amount_minor: i64, whole: bool },
    /// Staff accepted the gateway's account of the payment: this state, this much refunded.
    Accept {
        status: PaymentStatus,
        refunded_minor: i64,
    },
    /// A message that changes nothing but belongs on the timeline, such as an approval
    /// still waiting for its confirming status query.
    Note(TimelineNote),
}

/// What [`apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Changed {
        from: PaymentStatus,
        to: PaymentStatus,
    },
    /// Already in that state (a repeated return or callback) or a note.
    Unchanged(PaymentStatus),
    /// The state cannot take this change; nothing changed, and it is on the record.
    Refused(PaymentStatus),
}

/// A change the payment's state cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Impossible;

/// The decision alone: the state `change` leads to from `current`, `Ok(None)` when it
/// leaves the state as it is, `Err(Impossible)` when it cannot happen.
pub fn next(current: PaymentStatus, change: &Change) -> Result<Option<PaymentStatus>, Impossible> {
    use PaymentStatus::*;
    let to = match change {
        Change::Note(_) => return Ok(None),
        // Each refund is applied once (its own row guards that), so a second partial
        // refund is a change even though the state stays partially refunded.
        // A duplicate stays one when its money goes back; its refunded amount tells how much.
        Change::Refund { whole, .. } => {
            return match current {
                Paid | PartiallyRefunded => {
                    Ok(Some(if *whole { Refunded } else { PartiallyRefunded }))
                }
                Duplicate => Ok(Some(Duplicate)),
                _ => Err(Impossible),
            };
        }
        // Staff may set any state the gateway reported; the refunded amount may change alone.
        Change::Accept { status, .. } => return Ok(Some(*status)),
        Change::Send => Pending,
        Change::Paid(_) => Paid,
        Change::Declined { .. } => Declined,
        Change::Failed { .. } => Failed,
        Change::Expire | Change::Abandon => Expired,
    };
    if current == to || (to == Paid && current.is_captured()) {
        return Ok(None);
    }
    let possible = match (current, to) {
        (Created, Pending | Paid | Declined | Failed | Expired) => true,
        (Pending, Paid | Declined | Failed) => true,
        (Pending | Failed, Expired) => matches!(change, Change::Abandon),
        // An error answer is not final: a status query may find the order paid or declined.
        (Failed, Paid | Declined) => true,
        // The gateway let the buyer retry the same order, or a charge landed after the
        // attempt was closed: the money was taken, so [`apply`] must account for it.
        (Declined | Expired, Paid) => true,
        _ => false,
    };
    if possible {
        Ok(Some(to))
    } else {
        Err(Impossible)
    }
}

/// A new attempt, in state `created`.
pub struct NewAttempt<'a> {
    pub merchant_id: MerchantId,
    pub mode: Mode,
    pub session_id: Uuid,
    pub order_id: &'a str,
    pub gateway_client_id: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    /// `None` for an installment whose buyer's address was erased.
    pub buyer_email: Option<&'a str>,
    /// The language the buyer's mails are written in.
    pub buyer_locale: i18n::Locale,
}

/// Records a new attempt with its first timeline row and audit row.
pub async fn create(
    conn: &mut PgConnection,
    new: &NewAttempt<'_>,
    actor: Actor,
    facts: &RequestFacts,
) -> Result<Uuid, PaymentError> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO payments (id, merchant_id, mode, session_id, order_id, gateway_client_id, amount_minor, currency,
                               buyer_email, buyer_locale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(new.merchant_id)
    .bind(new.mode)
    .bind(new.session_id)
    .bind(new.order_id)
    .bind(new.gateway_client_id)
    .bind(new.amount_minor)
    .bind(new.currency)
    .bind(new.buyer_email)
    .bind(new.buyer_locale)
    .execute(&mut *conn)
    .await?;
    crate::metrics::payment_state(new.mode, "created");
    timeline(
        conn,
        id,
        TimelineSource::Buyer,
        None,
        Some(PaymentStatus::Created),
        None,
    )
    .await?;
    let event = Event::new("payment.create", actor, Outcome::Success)
        .merchant(new.merchant_id)
        .target("payment", new.order_id)
        .detail(serde_json::json!({
            "mode": new.mode.as_str(), "amount_minor": new.amount_minor, "currency": new.currency,
        }));
    audit::record(conn, &event, facts).await?;
    Ok(id)
}

async fn timeline(
    conn: &mut PgConnection,
    payment_id: Uuid,
    source: TimelineSource,
    from: Option<PaymentStatus>,
    to: Option<PaymentStatus>,
    note: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO payment_events (payment_id, source, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5)")
        .bind(payment_id)
        .bind(source.as_str())
        .bind(from)
        .bind(to)
        .bind(note)
        .execute(conn)
        .await?;
    Ok(())
}

/// A timeline row that changes nothing, such as a refund being requested.
pub(crate) async fn note(
    conn: &mut PgConnection,
    payment_id: PaymentId,
    source: TimelineSource,
    current: PaymentStatus,
    note: TimelineNote,
) -> Result<(), sqlx::Error> {
    timeline(
        conn,
        payment_id.as_uuid(),
        source,
        Some(current),
        None,
        Some(note.as_str()),
    )
    .await
}

/// Keeps a masked PAN only in the shape the schema allows (six, stars, four), so a
/// gateway that sent anything else stores nothing rather than failing the payment.
fn masked(pan: Option<&str>) -> Option<String> {
    let pan: String = pan?.chars().filter(|c| *c != ' ' && *c != '-').collect();
    let digits_before = pan.chars().take_while(char::is_ascii_digit).count();
    let digits_after = pan.chars().rev().take_while(char::is_ascii_digit).count();
    if digits_before + digits_after >= pan.len() {
        return None;
    }
    let stars = &pan[digits_before..pan.len() - digits_after];
    let ok = digits_before <= 6
        && digits_after <= 4
        && !stars.is_empty()
        && stars.chars().all(|c| matches!(c, '*' | 'X' | 'x'));
    ok.then_some(pan)
}

/// Schedules the reconciliation worker's next look at the payment: a sent attempt, an
/// error answer and every movement of money are checked against the gateway once the
/// configured delay has passed; a decline or an abandoned attempt a day later (the gateway
/// may yet have taken the money); an attempt never sent needs no check, and a state staff
/// accepted from the gateway already matches it.
async fn schedule_check(
    conn: &mut PgConnection,
    platform: &Platform,
    payment_id: Uuid,
    change: &Change,
    to: PaymentStatus,
) -> Result<(), sqlx::Error> {
    let accepted = matches!(change, Change::Accept { .. });
    sqlx::query(
        "UPDATE payments SET recon_attempts = 0, recon_due_at = NULL,
             recon_state = CASE WHEN $2 THEN 'matched'::reconciliation_state END
         WHERE id = $1",
    )
    .bind(payment_id)
    .bind(accepted)
    .execute(&mut *conn)
    .await?;
    match to {
        _ if accepted => {}
        PaymentStatus::Created => {}
        PaymentStatus::Expired if matches!(change, Change::Expire) => {}
        PaymentStatus::Declined | PaymentStatus::Expired => {
            sqlx::query("UPDATE payments SET recon_due_at = now() + make_interval(days => $2) WHERE id = $1")
                .bind(payment_id)
                .bind(reconciliation::RECHECK_REFUSED_AFTER_DAYS)
                .execute(&mut *conn)
                .await?;
        }
        _ => check_soon(conn, platform, PaymentId::from_uuid(payment_id)).await?,
    }
    Ok(())
}

/// Has the reconciliation worker look at the payment once the first-check delay has passed
/// (and start its backoff afresh).
pub(crate) async fn check_soon(
    conn: &mut PgConnection,
    platform: &Platform,
    payment_id: PaymentId,
) -> Result<(), sqlx::Error> {
    let first_check = i32::try_from(platform.config.settings.reconciliation.first_check_minutes)
        .unwrap_or(i32::MAX);
    sqlx::query("UPDATE payments SET recon_attempts = 0, recon_due_at = now() + make_interval(mins => $2) WHERE id = $1")
        .bind(payment_id)
        .bind(first_check)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies `change` to the payment with gateway order id `order_id`, in `conn`'s
/// transaction (the caller commits). See the module documentation. Its span carries the
/// order id, so a change made by any caller (a capture, a chargeback) joins the payment's
/// story in the logs.
#[tracing::instrument(name = "payment_transition", skip_all, fields(order_id = order_id))]
pub async fn apply(
    conn: &mut PgConnection,
    platform: &Platform,
    order_id: &str,
    change: Change,
    source: TimelineSource,
    actor: Actor,
    facts: &RequestFacts,
) -> Result<Applied, PaymentError> {
    let row: Option<(Uuid, Uuid, Uuid, Mode, PaymentStatus, i64, domain::Currency)> = sqlx::query_as(
        "SELECT id, merchant_id, session_id, mode, status, amount_minor, currency::text FROM payments
         WHERE order_id = $1 FOR UPDATE",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (payment_id, merchant_id, session_id, mode, current, amount_minor, currency) =
        row.ok_or(PaymentError::NotFound)?;
    let event = |outcome| {
        Event::new(event_type(source), actor, outcome)
            .merchant(merchant_id)
            .target("payment", order_id)
    };

    let mut decision = next(current, &change);
    // A confirmed capture pays its checkout once; any other is a duplicate to return.
    let mut ending = None;
    if let (Ok(Some(PaymentStatus::Paid)), Change::Paid(_)) = (decision, &change) {
        let end = captures::decide(conn, payment_id, session_id, current).await?;
        if let Ending::Duplicate(_) = end {
            decision = Ok(Some(PaymentStatus::Duplicate));
        }
        ending = Some(end);
    }

    let to = match decision {
        Err(Impossible) => {
            let note = TimelineNote::ImpossibleTransition.as_str();
            timeline(conn, payment_id, source, Some(current), None, Some(note)).await?;
            let wanted = match &change {
                Change::Paid(_) => "paid",
                Change::Declined { .. } => "declined",
                Change::Failed { .. } => "failed",
                Change::Send => "pending",
                Change::Expire | Change::Abandon => "expired",
                Change::Refund { .. } => "refunded",
                Change::Accept { status, .. } => status.as_str(),
                Change::Note(_) => "none",
            };
            let event = event(Outcome::Failure)
                .reason(note)
                .detail(serde_json::json!({ "from": current.as_str(), "wanted": wanted }));
            audit::record(conn, &event, facts).await?;
            return Ok(Applied::Refused(current));
        }
        Ok(None) => {
            let note = match &change {
                Change::Note(note) => note.as_str(),
                _ => TimelineNote::Duplicate.as_str(),
            };
            timeline(conn, payment_id, source, Some(current), None, Some(note)).await?;
            // A repeated buyer action or expiry sweep is not worth an audit row; every
            // gateway message is.
            if matches!(
                source,
                TimelineSource::Return | TimelineSource::Callback | TimelineSource::StatusQuery
            ) {
                let event = event(Outcome::Success)
                    .reason(note)
                    .detail(serde_json::json!({ "status": current.as_str() }));
                audit::record(conn, &event, facts).await?;
            }
            return Ok(Applied::Unchanged(current));
        }
        Ok(Some(to)) => to,
    };

    let (card, reason) = match &change {
        Change::Paid(card) => (Some(card), None),
        Change::Declined { reason, card } | Change::Failed { reason, card } => {
            (Some(card), Some(*reason))
        }
        Change::Accept {
            status: PaymentStatus::Declined | PaymentStatus::Failed,
            ..
        } => (None, Some(super::reasons::NO_MONEY_TAKEN)),
        _ => (None, None),
    };
    let reason = match ending {
        Some(Ending::Duplicate(surplus)) => Some(surplus.phrase()),
        _ => reason,
    };
    let empty = CardFacts::default();
    let card = card.unwrap_or(&empty);
    sqlx::query(
        "UPDATE payments SET status = $2, updated_at = now(),
             paid_at = CASE WHEN $2 IN ('paid', 'refunded', 'partially_refunded', 'duplicate') THEN coalesce(paid_at, now()) END,
             masked_pan = coalesce($3, masked_pan), card_brand = coalesce($4, card_brand),
             auth_code = coalesce($5, auth_code), host_ref_num = coalesce($6, host_ref_num),
             trans_id = coalesce($7, trans_id), proc_return_code = coalesce($8, proc_return_code),
             md_status = coalesce($9, md_status),
             -- A duplicate keeps the phrase saying why it was not kept while its money goes back.
             decline_reason = CASE WHEN $2 = 'duplicate' THEN coalesce($10, decline_reason) ELSE $10 END,
             eci = coalesce($11, eci), liability_shifted = coalesce($12, liability_shifted)
         WHERE id = $1",
    )
    .bind(payment_id)
    .bind(to)
    .bind(masked(card.masked_pan.as_deref()))
    .bind(&card.card_brand)
    .bind(&card.auth_code)
    .bind(&card.host_ref_num)
    .bind(&card.trans_id)
    .bind(&card.proc_return_code)
    .bind(&card.md_status)
    .bind(reason)
    .bind(&card.eci)
    .bind(card.liability_shifted)
    .execute(&mut *conn)
    .await?;
    crate::metrics::payment_state(mode, to.as_str());
    let mut detail = serde_json::json!({
        "from": current.as_str(), "to": to.as_str(), "mode": mode.as_str(), "amount_minor": amount_minor,
    });
    match &change {
        Change::Refund {
            amount_minor: refund,
            ..
        } => {
            sqlx::query(
                "UPDATE payments SET refunded_minor = refunded_minor + $2, refund_pending_minor = refund_pending_minor - $2
                 WHERE id = $1",
            )
            .bind(payment_id)
            .bind(refund)
            .execute(&mut *conn)
            .await?;
            detail["refund_minor"] = (*refund).into();
        }
        Change::Accept { refunded_minor, .. } => {
            sqlx::query(
                "UPDATE payments SET refunded_minor = $2, refund_pending_minor = 0 WHERE id = $1",
            )
            .bind(payment_id)
            .bind(refunded_minor)
            .execute(&mut *conn)
            .await?;
            detail["refunded_minor"] = (*refunded_minor).into();
        }
        _ => {}
    }
    // The books follow the payment in the same transaction: a capture, a refund or staff
    // accepting the gateway's account posts its entry, or nothing when already posted.
    ledger::sales::follow(conn, platform, payment_id).await?;
    schedule_check(conn, platform, payment_id, &change, to).await?;
    let surplus = match ending {
        Some(Ending::Duplicate(surplus)) => Some(surplus.note().as_str()),
        _ => None,
    };
    let note = match (&change, source) {
        _ if surplus.is_some() => surplus,
        (Change::Paid(_), _) if current == PaymentStatus::Declined => {
            Some(TimelineNote::CapturedAfterDecline.as_str())
        }
        (Change::Paid(_), _) if current == PaymentStatus::Expired => {
            Some(TimelineNote::CapturedAfterExpiry.as_str())
        }
        (Change::Paid(_), TimelineSource::Reconciliation) => {
            Some(TimelineNote::ConfirmedByOrderHistory.as_str())
        }
        (Change::Paid(_), _) => Some(TimelineNote::ConfirmedByStatusQuery.as_str()),
        (Change::Abandon, _) => Some(TimelineNote::NoRecordAtGateway.as_str()),
        (Change::Refund { .. }, _) => Some(TimelineNote::RefundSucceeded.as_str()),
        (Change::Accept { .. }, _) => Some(TimelineNote::GatewayStateAccepted.as_str()),
        _ => reason,
    };
    timeline(conn, payment_id, source, Some(current), Some(to), note).await?;
    let mut event = event(Outcome::Success).detail(detail);
    if let Some(surplus) = surplus {
        event = event.reason(surplus);
    } else if let Some(code) = &card.proc_return_code {
        event = event.reason(format!("proc_return_code_{code}"));
    }
    audit::record(conn, &event, facts).await?;
    if let Some(ending) = ending {
        let captured = Captured {
            payment_id,
            merchant_id,
            mode,
            order_id,
            amount: domain::Money::new(amount_minor, currency),
            from: current,
        };
        captures::follow_up(conn, platform, &captured, ending, facts).await?;
    }

    if to == PaymentStatus::Paid {
        sqlx::query("UPDATE checkout_sessions SET status = 'paid', paid_at = now() WHERE id = $1")
            .bind(session_id)
            .execute(&mut *conn)
            .await?;
        // A plan's checkout paid starts its subscription (before the receipt, which links
        // the buyer's subscriptions).
        crate::subscriptions::signup::on_paid(conn, payment_id, session_id, facts).await?;
        // A declined installment paid by the buyer may bring its subscription back.
        crate::subscriptions::dunning::on_paid(conn, platform, session_id, facts).await?;
        receipts::enqueue(conn, platform, order_id).await?;
    }
    // The merchant's webhooks hear of it with the change (after the checkout is paid, so
    // its `checkout.session.completed` names the payment).
    crate::api::notify::payment_changed(conn, platform, payment_id, to).await?;
    // The payment's story in the logs, one line a change (the caller's commit makes it so).
    tracing::info!(
        from = current.as_str(),
        to = to.as_str(),
        merchant_id = %merchant_id,
        mode = mode.as_str(),
        "payment status changes"
    );
    Ok(Applied::Changed { from: current, to })
}

#[cfg(test)]
mod tests;
