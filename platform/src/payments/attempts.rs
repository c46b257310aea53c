//! Pressing Pay: a fresh gateway order id, the attempt recorded, and the signed form that
//! sends the buyer's browser to the hosted card page of the checkout's own mode.

use domain::{CheckoutId, CheckoutStatus, Currency, MerchantId, Money, PaymentStatus};
use i18n::Locale;
use payten::{BillTo, HostedForm, Lang, OrderId, PaymentRequest, TranType};
use rand::Rng as _;
use rand::distributions::Alphanumeric;
use time::OffsetDateTime;
use uuid::Uuid;

use super::transition::{self, Change, NewAttempt};
use super::{
    Mode, PaymentError, buyer_email, ensure_mode_allowed, gateways, links, risk, sessions,
};
use crate::Platform;
use crate::audit::{Actor, ActorKind, RequestFacts};
use crate::subscriptions::{plans, signup};
use domain::TimelineSource;

/// Where the gateway sends the buyer back and where it posts its callback.
pub const RETURN_PATH: &str = "/pay/return";
pub const CALLBACK_PATH: &str = "/pay/callback";

/// An attempt on its way to the gateway.
#[derive(Debug, Clone)]
pub struct Started {
    pub order_id: String,
    /// The checkout session paid (a new one when a link was opened).
    pub session_token: String,
    pub form: HostedForm,
}

/// A gateway order id: `SX` and 18 random alphanumerics, 20 characters in all (the
/// gateway's limit), fresh for every attempt and too long to guess, since the buyer's
/// result and receipt pages are addressed by it.
fn new_order_id() -> String {
    order_id("SX", 18)
}

/// The order id of a series' first payment: `SS` and 14 random alphanumerics (about 83
/// bits), so that the `-121` the gateway appends to its last installment stays within 20.
fn new_series_order_id() -> String {
    order_id("SS", 14)
}

fn order_id(prefix: &str, random: usize) -> String {
    let body: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(random)
        .map(char::from)
        .collect();
    format!("{prefix}{body}")
}

/// The language of the gateway's hosted page for a buyer reading `locale`: NestPay has
/// Albanian (`sq`, as BKT uses it) and English, and no Serbian, so a Serbian reader gets
/// English.
fn gateway_lang(locale: Locale) -> Lang {
    match locale {
        Locale::sq => Lang::Sq,
        Locale::sr | Locale::en => Lang::En,
    }
}

/// Starts an attempt for the checkout session or payment link with public `token`. Its span
/// gets the merchant, the mode and the new order id as soon as they are known (the token
/// and the buyer's address are not recorded). A plan's checkout needs the buyer's
/// `consent` to its repeated payments; the words agreed to are kept with the attempt, in
/// `locale`, the language the buyer read them in, and the form carries the plan's
/// recurring fields. The gateway's page opens in `locale` where it has the language.
#[tracing::instrument(
    name = "pay",
    skip_all,
    fields(order_id = tracing::field::Empty, merchant_id = tracing::field::Empty, mode = tracing::field::Empty)
)]
pub async fn start(
    platform: &Platform,
    token: &str,
    email: &str,
    consent: bool,
    locale: Locale,
    facts: &RequestFacts,
) -> Result<Started, PaymentError> {
    let email = buyer_email("email", email)?;
    let buyer = Actor {
        kind: ActorKind::Anonymous,
        id: None,
    };
    let mut tx = platform.pool.begin().await?;
    let session_token = if token.starts_with("pl_") {
        let (merchant_id, link) = links::by_token(&mut tx, token)
            .await?
            .ok_or(PaymentError::NotFound)?;
        sessions::open_from_link(&mut tx, merchant_id, &link, &email, facts).await?
    } else {
        token.to_owned()
    };
    let row: Option<(
        Uuid,
        MerchantId,
        Mode,
        CheckoutStatus,
        OffsetDateTime,
        i64,
        Currency,
    )> = sqlx::query_as(
        "SELECT id, merchant_id, mode, status, expires_at, amount_minor, currency::text
         FROM checkout_sessions WHERE token = $1 FOR UPDATE",
    )
    .bind(&session_token)
    .fetch_optional(&mut *tx)
    .await?;
    let (session_id, merchant_id, mode, status, expires_at, amount_minor, currency) =
        row.ok_or(PaymentError::NotFound)?;
    let amount = Money::new(amount_minor, currency);
    match status {
        CheckoutStatus::Paid => return Err(PaymentError::SessionPaid),
        CheckoutStatus::Expired => return Err(PaymentError::SessionExpired),
        CheckoutStatus::Open if expires_at <= OffsetDateTime::now_utc() => {
            return Err(PaymentError::SessionExpired);
        }
        CheckoutStatus::Open => {}
    }
    let span = tracing::Span::current();
    span.record("merchant_id", tracing::field::display(merchant_id));
    span.record("mode", mode.as_str());
    ensure_mode_allowed(&mut tx, merchant_id, mode).await?;
    let plan = plans::terms_of_checkout(&mut tx, CheckoutId::from_uuid(session_id)).await?;
    if plan.is_some() && !consent {
        return Err(super::invalid(
            "consent",
            "tick the box to agree to the repeated payments",
        ));
    }

    let attempt = risk::Attempt {
        merchant_id,
        mode,
        session_id,
        ip: facts.ip.as_deref().and_then(|ip| ip.parse().ok()),
        email: &email,
        amount,
    };
    let assessment = risk::assess(&mut tx, &attempt).await?;
    if assessment.action == risk::Action::Block {
        // The refusal is kept (with a checkout a link opened for it): it counts towards
        // the velocity of the next attempt.
        risk::record(&mut tx, &attempt, &assessment, None, facts).await?;
        tx.commit().await?;
        return Err(PaymentError::RiskBlocked);
    }

    let account = gateways::for_mode(platform, mode).await?;
    let order_id = match plan {
        Some(_) => new_series_order_id(),
        None => new_order_id(),
    };
    span.record("order_id", order_id.as_str());
    let origin = platform.config.settings.public_origin();
    let request = PaymentRequest {
        oid: OrderId::new(order_id.clone())?,
        amount,
        tran_type: TranType::Auth,
        ok_url: format!("{origin}{RETURN_PATH}"),
        fail_url: format!("{origin}{RETURN_PATH}"),
        callback_url: format!("{origin}{CALLBACK_PATH}"),
        lang: gateway_lang(locale),
        email: Some(email.clone()),
        bill_to: BillTo::default(),
        recurring: plan.map(|terms| terms.recurring()),
    };
    let form = payten::hosted_form(&account.endpoints, &account.credentials, &request)?;
    let new_attempt = NewAttempt {
        merchant_id,
        mode,
        session_id,
        order_id: &order_id,
        gateway_client_id: &account.credentials.client_id,
        amount_minor,
        currency: currency.alpha(),
        buyer_email: Some(&email),
        buyer_locale: locale,
    };
    let payment_id = transition::create(&mut tx, &new_attempt, buyer, facts).await?;
    if let Some(terms) = plan {
        let merchant: String =
            sqlx::query_scalar("SELECT business_name FROM merchants WHERE id = $1")
                .bind(merchant_id)
                .fetch_one(&mut *tx)
                .await?;
        let consent = terms.consent_text(&merchant, locale);
        signup::record_consent(&mut tx, payment_id, &consent).await?;
    }
    risk::record(&mut tx, &attempt, &assessment, Some(payment_id), facts).await?;
    transition::apply(
        &mut tx,
        platform,
        &order_id,
        Change::Send,
        TimelineSource::Buyer,
        buyer,
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(Started {
        order_id,
        session_token,
        form,
    })
}

/// What the buyer's result page shows for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: PaymentStatus,
    pub merchant_name: String,
    pub amount: payten::Money,
    pub buyer_email: Option<String>,
    pub decline_reason: Option<String>,
    pub mode: Mode,
    pub session_token: String,
    /// The checkout can still be paid (after a decline, the buyer may try another card).
    pub session_open: bool,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    /// A duplicate charge is back with the buyer in full.
    pub returned: bool,
}

/// The attempt with gateway order id `order_id`, for its buyer.
pub async fn outcome(pool: &sqlx::PgPool, order_id: &str) -> Result<Option<Outcome>, PaymentError> {
    type Row = (
        PaymentStatus,
        String,
        i64,
        Currency,
        Option<String>,
        Option<String>,
        Mode,
        String,
        bool,
        Option<String>,
        Option<String>,
        bool,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT p.status, m.business_name, p.amount_minor, p.currency::text, p.buyer_email, p.decline_reason, p.mode,
                s.token, s.status = 'open' AND s.expires_at > now(), s.success_url, s.cancel_url,
                p.refunded_minor = p.amount_minor
         FROM payments p JOIN checkout_sessions s ON s.id = p.session_id JOIN merchants m ON m.id = p.merchant_id
         WHERE p.order_id = $1",
    )
    .bind(order_id)
    .fetch_optional(pool)
    .await?;
    let Some((
        status,
        merchant_name,
        minor,
        currency,
        buyer_email,
        decline_reason,
        mode,
        session_token,
        session_open,
        success_url,
        cancel_url,
        returned,
    )) = row
    else {
        return Ok(None);
    };
    Ok(Some(Outcome {
        status,
        merchant_name,
        amount: Money::new(minor, currency),
        buyer_email,
        decline_reason,
        mode,
        session_token,
        session_open,
        success_url,
        cancel_url,
        returned,
    }))
}
