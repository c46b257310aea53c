//! The `payment` object: one attempt to pay a checkout session (one gateway order).

use domain::public_id::{self, Kind};
use domain::{Currency, PaymentStatus};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{List, ListParams, ReadError, Table, invalid, livemode};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Payment)]
pub struct PaymentObject {
    /// `pay_…`
    pub id: String,
    /// Always `payment`.
    pub object: &'static str,
    pub livemode: bool,
    /// `created`, `pending`, `paid`, `declined`, `failed`, `expired`, `refunded`,
    /// `partially_refunded` or `duplicate` (money the order does not keep, which Saleonix returns).
    pub status: &'static str,
    /// In minor units (cents).
    pub amount: i64,
    /// ISO 4217, `EUR`.
    #[schema(value_type = String)]
    pub currency: Currency,
    /// In minor units.
    pub amount_refunded: i64,
    /// The checkout session it pays: `cs_…`
    pub checkout_session: String,
    /// The order id the gateway knows it by.
    pub order_id: String,
    pub buyer_email: Option<String>,
    /// What the gateway reported about the card: never more than a masked number.
    pub card: Option<Card>,
    /// Why it was declined or failed, in plain words.
    pub failure_reason: Option<String>,
    /// The subscription (`sub_…`) whose installment this is: 1 for the sign-up payment,
    /// then 2, 3, … as the gateway charges them.
    pub subscription: Option<String>,
    pub installment: Option<i16>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub paid_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Card {
    pub brand: Option<String>,
    /// First six and last four digits at most, as the gateway masks it.
    pub masked_number: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    status: PaymentStatus,
    amount_minor: i64,
    currency: Currency,
    refunded_minor: i64,
    session_id: Uuid,
    order_id: String,
    buyer_email: Option<String>,
    masked_pan: Option<String>,
    card_brand: Option<String>,
    decline_reason: Option<String>,
    created_at: OffsetDateTime,
    paid_at: Option<OffsetDateTime>,
    subscription_id: Option<Uuid>,
    installment: Option<i16>,
}

const TABLE: Table = Table {
    name: "payments",
    kind: Kind::Payment,
    select: "SELECT t.id, t.mode, t.status, t.amount_minor, t.currency::text AS currency, t.refunded_minor,
        t.session_id, t.order_id, t.buyer_email, t.masked_pan, t.card_brand, t.decline_reason, t.created_at, t.paid_at,
        t.subscription_id, t.installment
    FROM payments t",
    url: "/v1/payments",
};

fn render(row: Row) -> PaymentObject {
    let has_card = row.card_brand.is_some() || row.masked_pan.is_some();
    let card = has_card.then_some(Card {
        brand: row.card_brand,
        masked_number: row.masked_pan,
    });
    PaymentObject {
        id: public_id::encode(Kind::Payment, row.id),
        object: "payment",
        livemode: livemode(row.mode),
        status: row.status.as_str(),
        amount: row.amount_minor,
        currency: row.currency,
        amount_refunded: row.refunded_minor,
        checkout_session: public_id::encode(Kind::CheckoutSession, row.session_id),
        order_id: row.order_id,
        buyer_email: row.buyer_email,
        card,
        failure_reason: row.decline_reason,
        subscription: row
            .subscription_id
            .map(|id| public_id::encode(Kind::Subscription, id)),
        installment: row.installment,
        created: row.created_at,
        paid_at: row.paid_at,
    }
}

/// The payment as it stands, whoever's it is: for the event recorded with its change.
pub(crate) async fn load(
    conn: &mut PgConnection,
    id: domain::PaymentId,
) -> Result<PaymentObject, sqlx::Error> {
    let row: Row = super::by_id(conn, &TABLE, id.as_uuid()).await?;
    Ok(render(row))
}

/// One of the scope's payments in `mode`, by its `pay_…` id.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<PaymentObject, ReadError> {
    super::one(conn, &TABLE, scope, mode, id).await.map(render)
}

/// The scope's payments in `mode`, newest first; `status` and `checkout_session` narrow it.
pub async fn list(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
) -> Result<List<PaymentObject>, ReadError> {
    let status = params
        .status
        .as_deref()
        .map(|s| PaymentStatus::parse(s).ok_or(invalid("status", "no such payment status")))
        .transpose()?;
    let session = params
        .checkout_session
        .as_deref()
        .map(|s| {
            public_id::decode(Kind::CheckoutSession, s)
                .ok_or(invalid("checkout_session", "no such checkout session"))
        })
        .transpose()?;
    let narrow = move |q: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>| {
        if let Some(status) = status {
            q.push(" AND t.status = ").push_bind(status);
        }
        if let Some(session) = session {
            q.push(" AND t.session_id = ").push_bind(session);
        }
    };
    super::list(conn, &TABLE, scope, mode, params, narrow, render).await
}
