//! The gateway's answers: the buyer's browser return (`okUrl`/`failUrl`, POST or GET) and
//! the server-to-server callback. Each is verified with the ver3 hash of the account of
//! the payment's own mode; an approval is confirmed with an order-status query before the
//! payment counts as paid. Whatever arrives, in any order and any number of times, ends
//! in [`transition::apply`], which keeps one result. Amount and currency must both be the
//! payment's, on the answer and on the status query. A refused answer is counted against
//! its client address rather than audited one by one (see [`refusals`]).

use std::time::Duration;

use domain::{PaymentStatus, TimelineNote};
use payten::api::OrderStatus;
use payten::{
    GatewayReturn, MdStatus, PaymentGateway as _, ProcReturnCode, ReceivedFields, ResponseStatus,
    ReturnError,
};
use uuid::Uuid;

use super::refusals::{self, Counted};
use super::transition::{self, CardFacts, Change};
use super::{Mode, PaymentError, gateways, reasons};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::gateway_accounts::GatewayAccount;
use domain::TimelineSource;

/// How the answer arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Return,
    Callback,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Return => "return",
            Channel::Callback => "callback",
        }
    }

    fn source(self) -> TimelineSource {
        match self {
            Channel::Return => TimelineSource::Return,
            Channel::Callback => TimelineSource::Callback,
        }
    }
}

/// Why an answer was refused. It changed nothing and is on the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Malformed,
    /// No account of either mode has the claimed client id.
    UnknownClient,
    /// The hash does not verify with the store key of the claimed account.
    BadHash,
    UnknownOrder,
    /// Signed by the other mode's account than the payment's own.
    WrongAccount,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::Malformed => "malformed",
            Rejection::UnknownClient => "unknown_client",
            Rejection::BadHash => "bad_hash",
            Rejection::UnknownOrder => "unknown_order",
            Rejection::WrongAccount => "wrong_account",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Verified and applied (or recorded as a repeat) to the payment with this order id.
    Applied {
        order_id: String,
    },
    Rejected(Rejection),
    /// Refused, and the client address is past its limit of refused answers: answer 429.
    Throttled {
        retry_after: Duration,
    },
}

/// Plain-language words for a buyer and a merchant, chosen from the gateway's codes.
pub fn decline_reason(ret: &GatewayReturn) -> &'static str {
    if ret.response == ResponseStatus::Error {
        return reasons::SERVICE_PROBLEM;
    }
    match (&ret.proc_return_code, &ret.md_status) {
        (None, _) | (_, Some(MdStatus::Failed)) => reasons::THREE_D_SECURE,
        (Some(ProcReturnCode::InsufficientFunds), _) => reasons::INSUFFICIENT_FUNDS,
        (Some(ProcReturnCode::ExpiredCard), _) => reasons::EXPIRED_CARD,
        (Some(ProcReturnCode::NotPermitted), _) => reasons::NOT_PERMITTED,
        (Some(ProcReturnCode::RestrictedCard), _) => reasons::RESTRICTED,
        (Some(ProcReturnCode::InvalidTransaction), _) => reasons::INVALID_TRANSACTION,
        (Some(ProcReturnCode::GatewayError), _) => reasons::SERVICE_PROBLEM,
        _ => reasons::DECLINED,
    }
}

fn card_facts(ret: &GatewayReturn) -> CardFacts {
    // The 3-D Secure result is kept only in the shapes the schema allows (one digit, two
    // digits); anything else is dropped rather than failing the payment.
    let digits =
        |value: &str, n: usize| value.len() == n && value.bytes().all(|b| b.is_ascii_digit());
    let md_status = ret
        .md_status
        .as_ref()
        .map(MdStatus::code)
        .filter(|code| digits(code, 1));
    CardFacts {
        masked_pan: ret.masked_pan.as_ref().map(|p| p.as_str().to_owned()),
        card_brand: ret.card_brand.clone(),
        auth_code: ret.auth_code.clone(),
        host_ref_num: ret.host_ref_num.clone(),
        trans_id: ret.trans_id.clone(),
        proc_return_code: ret.proc_return_code.as_ref().map(|c| c.as_str().to_owned()),
        liability_shifted: md_status.as_ref().and(ret.liability_shifted()),
        md_status,
        eci: ret.eci.clone().filter(|eci| digits(eci, 2)),
    }
}

/// Refuses an answer: it changes nothing. The first refusal of its client address in the
/// window is audited; later ones are only counted, and past the limit answered 429.
async fn reject(
    platform: &Platform,
    channel: Channel,
    rejection: Rejection,
    order_id: Option<&str>,
    merchant_id: Option<Uuid>,
    facts: &RequestFacts,
) -> Result<Handled, PaymentError> {
    crate::metrics::answer_refused(channel.as_str(), rejection.as_str());
    match refusals::count(platform, facts).await? {
        // Logged once per client network and window, like the audit row: a flood must not
        // cost a log line per request either (the window's count is audited when it closes).
        Counted::First => {
            tracing::warn!(channel = ?channel, rejection = rejection.as_str(), "refused a gateway answer")
        }
        Counted::Again => return Ok(Handled::Rejected(rejection)),
        Counted::Limited(retry_after) => return Ok(Handled::Throttled { retry_after }),
    }
    let mut event = Event::new(
        transition::event_type(channel.source()),
        Actor {
            kind: ActorKind::Anonymous,
            id: None,
        },
        Outcome::Denied,
    )
    .reason(rejection.as_str());
    if let Some(order_id) = order_id {
        event = event.target("payment", order_id);
    }
    if let Some(merchant_id) = merchant_id {
        event = event.merchant(merchant_id);
    }
    audit::record_alone(&platform.pool, &event, facts).await?;
    Ok(Handled::Rejected(rejection))
}

/// Verifies `fields` against the account (of either mode) that has the claimed client id.
async fn verify(
    platform: &Platform,
    fields: Vec<(String, String)>,
) -> Result<Result<(GatewayAccount, GatewayReturn), Rejection>, PaymentError> {
    let Ok(received) = ReceivedFields::new(fields) else {
        return Ok(Err(Rejection::Malformed));
    };
    let Some(claimed) = received.client_id().map(str::to_owned) else {
        return Ok(Err(Rejection::Malformed));
    };
    let mut rejection = Rejection::UnknownClient;
    for mode in [Mode::Test, Mode::Live] {
        let account = match gateways::for_mode(platform, mode).await {
            Ok(account) => account,
            Err(PaymentError::NoGatewayAccount(_)) => continue,
            Err(error) => return Err(error),
        };
        if account.credentials.client_id != claimed {
            continue;
        }
        match received.verify(&account.credentials) {
            Ok(ret) => return Ok(Ok((account, ret))),
            Err(ReturnError::BadHash) => rejection = Rejection::BadHash,
            Err(ReturnError::UnknownClient { .. }) => {}
            Err(_) => rejection = Rejection::Malformed,
        }
    }
    Ok(Err(rejection))
}

/// Handles one browser return or callback. See the module documentation. Its span gets
/// the order, merchant and mode once the answer's hash is verified (the posted fields, with
/// the masked card and the hash, are not recorded).
#[tracing::instrument(
    name = "gateway_answer",
    skip_all,
    fields(?channel, order_id = tracing::field::Empty, merchant_id = tracing::field::Empty, mode = tracing::field::Empty)
)]
pub async fn handle(
    platform: &Platform,
    fields: Vec<(String, String)>,
    channel: Channel,
    facts: &RequestFacts,
) -> Result<Handled, PaymentError> {
    let (account, ret) = match verify(platform, fields).await? {
        Ok(verified) => verified,
        Err(rejection) => return reject(platform, channel, rejection, None, None, facts).await,
    };
    let span = tracing::Span::current();
    span.record("order_id", ret.oid.as_str());
    let payment: Option<(Uuid, Mode, String, i64, String, PaymentStatus)> = sqlx::query_as(
        "SELECT merchant_id, mode, gateway_client_id, amount_minor, currency::text, status FROM payments WHERE order_id = $1",
    )
    .bind(&ret.oid)
    .fetch_optional(&platform.pool)
    .await?;
    let Some((merchant_id, payment_mode, client_id, amount_minor, currency, status)) = payment
    else {
        return reject(
            platform,
            channel,
            Rejection::UnknownOrder,
            None,
            None,
            facts,
        )
        .await;
    };
    span.record("merchant_id", tracing::field::display(merchant_id));
    span.record("mode", payment_mode.as_str());
    if payment_mode != account.mode || client_id != ret.client_id {
        return reject(
            platform,
            channel,
            Rejection::WrongAccount,
            Some(&ret.oid),
            Some(merchant_id),
            facts,
        )
        .await;
    }

    let change = if amount_minor != ret.amount.minor() {
        Change::Note(TimelineNote::AmountDiffersFromOrder)
    } else if ret.amount.currency().alpha() != currency {
        Change::Note(TimelineNote::CurrencyDiffersFromOrder)
    } else if ret.is_paid() && status.is_captured() {
        // A replayed approval of a payment already paid (or refunded since) has nothing
        // left to confirm: no query goes to the gateway, and the timeline records a repeat.
        Change::Note(TimelineNote::Duplicate)
    } else if ret.is_paid() {
        confirm(platform, &account, &ret, amount_minor, &currency).await?
    } else if ret.response == ResponseStatus::Error {
        Change::Failed {
            reason: decline_reason(&ret),
            card: card_facts(&ret),
        }
    } else {
        Change::Declined {
            reason: decline_reason(&ret),
            card: card_facts(&ret),
        }
    };
    let gateway = Actor {
        kind: ActorKind::Gateway,
        id: None,
    };
    let mut tx = platform.pool.begin().await?;
    let applied = transition::apply(
        &mut tx,
        platform,
        &ret.oid,
        change,
        channel.source(),
        gateway,
        facts,
    )
    .await?;
    // The first payment of a series names it; its subscription keeps the id to poll with.
    if let Some(recurring_id) = &ret.recurring_id {
        crate::subscriptions::signup::series_started(&mut tx, &ret.oid, recurring_id).await?;
    }
    tx.commit().await?;
    if let Some(recurring_id) = &ret.recurring_id {
        crate::subscriptions::signup::cancel_orphan_series(platform, &ret.oid, recurring_id, facts)
            .await?;
    }
    if let transition::Applied::Changed {
        to: PaymentStatus::Duplicate,
        ..
    } = applied
    {
        // The duplicate's return was queued with it; send it now (the worker would, later).
        super::returns::send_queued_of(platform, &ret.oid).await?;
    }
    Ok(Handled::Applied { order_id: ret.oid })
}

/// Whether an order-status answer confirms a sale of `amount_minor` in `currency`. An
/// answer that names another currency confirms nothing, whatever its number says.
fn confirms(status: &OrderStatus, amount_minor: i64, currency: &str) -> bool {
    status.status.is_charged()
        && status
            .captured_amount_minor
            .or(status.original_amount_minor)
            == u64::try_from(amount_minor).ok()
        && status
            .currency
            .is_none_or(|theirs| theirs.alpha() == currency)
}

/// An approval counts once the gateway's own order status says the sale went through for
/// the whole amount in the payment's currency. Without that answer the payment stays
/// pending for reconciliation.
async fn confirm(
    platform: &Platform,
    account: &GatewayAccount,
    ret: &GatewayReturn,
    amount_minor: i64,
    currency: &str,
) -> Result<Change, PaymentError> {
    let status = match gateways::status_client(platform, account) {
        Ok(client) => client.order_status(&ret.oid).await,
        Err(error) => Err(error),
    };
    Ok(match status {
        Ok(status) if confirms(&status, amount_minor, currency) => {
            let mut card = card_facts(ret);
            if card.masked_pan.is_none() {
                card.masked_pan = status.masked_pan.map(|p| p.as_str().to_owned());
            }
            Change::Paid(card)
        }
        Ok(status)
            if status
                .currency
                .is_some_and(|theirs| theirs.alpha() != currency) =>
        {
            Change::Note(TimelineNote::CurrencyDiffersInStatusQuery)
        }
        Ok(_) => Change::Note(TimelineNote::ApprovalNotConfirmedByStatusQuery),
        Err(error) => {
            tracing::warn!(%error, order_id = %ret.oid, "order-status query failed; the payment stays pending");
            Change::Note(TimelineNote::AwaitingConfirmation)
        }
    })
}

#[cfg(test)]
mod tests {
    use payten::api::ChargeType;
    use payten::{Currency, TransStat};

    use super::*;

    fn sale(captured: u64, currency: Option<Currency>) -> OrderStatus {
        OrderStatus {
            order_id: "SX1".into(),
            currency,
            charge_type: Some(ChargeType::Sale),
            original_amount_minor: Some(captured),
            captured_amount_minor: Some(captured),
            status: TransStat::Sale,
            auth_code: None,
            host_ref_num: None,
            masked_pan: None,
            proc_return_code: None,
            auth_time: None,
            capture_time: None,
            void_time: None,
        }
    }

    #[test]
    fn a_status_confirms_only_the_same_amount_in_the_same_currency() {
        assert!(confirms(&sale(4500, Some(Currency::Eur)), 4500, "EUR"));
        assert!(
            confirms(&sale(4500, None), 4500, "EUR"),
            "an answer naming no currency is judged by the amount"
        );
        assert!(
            !confirms(&sale(4500, Some(Currency::Usd)), 4500, "EUR"),
            "4500 US cents are not 45.00 EUR"
        );
        assert!(!confirms(&sale(4400, Some(Currency::Eur)), 4500, "EUR"));
        let voided = OrderStatus {
            status: TransStat::Voided,
            ..sale(4500, Some(Currency::Eur))
        };
        assert!(!confirms(&voided, 4500, "EUR"));
    }
}
