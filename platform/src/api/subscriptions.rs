//! The `subscription` object: one buyer's series on a plan (`crate::subscriptions`).

use domain::Currency;
use domain::public_id::{self, Kind};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{List, ListParams, ReadError, Table, invalid, livemode};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;
use crate::subscriptions::{Status, StoredTerms};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Subscription)]
pub struct SubscriptionObject {
    /// `sub_…`
    pub id: String,
    /// Always `subscription`.
    pub object: &'static str,
    pub livemode: bool,
    /// `active`, `past_due` (an installment the gateway declined is not paid yet),
    /// `cancelled`, `ended` (every installment charged) or `unpaid` (ended by dunning: a
    /// declined installment was not paid in time).
    pub status: &'static str,
    /// The plan signed up for (`plan_…`).
    pub plan: String,
    /// The terms agreed to at sign-up, in minor units.
    pub unit_amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    pub interval: &'static str,
    pub interval_count: i16,
    /// For a plan that runs until cancelled, the payments of this series (121).
    pub installments: i16,
    pub paid_installments: i16,
    /// The plan runs until cancelled: when this series has charged every payment, the
    /// buyer is mailed `renewal_checkout_session`, and paying it starts the next series as
    /// a new subscription (`renewed_by`).
    pub until_cancelled: bool,
    /// The subscription whose series this one continues (`sub_…`).
    pub renews: Option<String>,
    /// The subscription that continues this one's series (`sub_…`).
    pub renewed_by: Option<String>,
    /// The renewal checkout mailed to the buyer once this series ended (`cs_…`).
    pub renewal_checkout_session: Option<String>,
    /// A cancel was sent and the gateway's answer lost: Saleonix settles it within minutes.
    pub cancel_pending: bool,
    /// The subscription ends with the period paid for: Saleonix cancels the series at
    /// `cancel_at`, a day before the next planned charge.
    pub cancel_at_period_end: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub cancel_at: Option<OffsetDateTime>,
    /// When the gateway plans the next installment; null when none is left.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_charge_at: Option<OffsetDateTime>,
    /// The sign-up payment (`pay_…`); each installment is a payment of its own.
    pub first_payment: String,
    pub customer_email: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub cancelled_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    status: Status,
    plan_id: Uuid,
    #[sqlx(flatten)]
    terms: StoredTerms,
    paid_installments: i16,
    renews: Option<Uuid>,
    renewed_by: Option<Uuid>,
    renewal_session_id: Option<Uuid>,
    cancel_pending: bool,
    cancel_at: Option<OffsetDateTime>,
    next_charge_at: Option<OffsetDateTime>,
    first_payment_id: Uuid,
    buyer_email: Option<String>,
    created_at: OffsetDateTime,
    cancelled_at: Option<OffsetDateTime>,
    ended_at: Option<OffsetDateTime>,
}

const TABLE: Table = Table {
    name: "subscriptions",
    kind: Kind::Subscription,
    select: "SELECT t.id, t.mode, t.status, t.plan_id, t.amount_minor, t.currency::text AS currency, t.interval,
        t.interval_count, t.installments, t.paid_installments, t.until_cancelled, t.renews,
        (SELECT n.id FROM subscriptions n WHERE n.renews = t.id) AS renewed_by,
        (SELECT r.id FROM checkout_sessions r WHERE r.renews_id = t.id) AS renewal_session_id,
        t.status IN ('active', 'past_due') AND t.cancel_requested_at IS NOT NULL AS cancel_pending,
        CASE WHEN t.status IN ('active', 'past_due') THEN t.cancel_at END AS cancel_at, t.next_charge_at, t.first_payment_id,
        f.buyer_email, t.created_at, t.cancelled_at, t.ended_at
    FROM subscriptions t JOIN payments f ON f.id = t.first_payment_id",
    url: "/v1/subscriptions",
};

fn render(row: Row) -> SubscriptionObject {
    SubscriptionObject {
        id: public_id::encode(Kind::Subscription, row.id),
        object: "subscription",
        livemode: livemode(row.mode),
        status: row.status.as_str(),
        plan: public_id::encode(Kind::Plan, row.plan_id),
        unit_amount: row.terms.amount_minor,
        currency: row.terms.currency,
        interval: row.terms.interval.as_str(),
        interval_count: row.terms.interval_count,
        installments: row.terms.installments,
        paid_installments: row.paid_installments,
        until_cancelled: row.terms.until_cancelled,
        renews: row
            .renews
            .map(|id| public_id::encode(Kind::Subscription, id)),
        renewed_by: row
            .renewed_by
            .map(|id| public_id::encode(Kind::Subscription, id)),
        renewal_checkout_session: row
            .renewal_session_id
            .map(|id| public_id::encode(Kind::CheckoutSession, id)),
        cancel_pending: row.cancel_pending,
        cancel_at_period_end: row.cancel_at.is_some(),
        cancel_at: row.cancel_at,
        next_charge_at: row.next_charge_at,
        first_payment: public_id::encode(Kind::Payment, row.first_payment_id),
        customer_email: row.buyer_email,
        created: row.created_at,
        cancelled_at: row.cancelled_at,
        ended_at: row.ended_at,
    }
}

/// Subscription `id`, whoever's it is: what an event recorded with its change carries.
pub(crate) async fn load(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<SubscriptionObject, sqlx::Error> {
    let row: Row = super::by_id(conn, &TABLE, id).await?;
    Ok(render(row))
}

/// One of the scope's subscriptions in `mode`, by its `sub_…` id.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<SubscriptionObject, ReadError> {
    super::one(conn, &TABLE, scope, mode, id).await.map(render)
}

/// The scope's subscriptions in `mode`, newest first; `status` narrows it.
pub async fn list(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
) -> Result<List<SubscriptionObject>, ReadError> {
    let status = match params.status.as_deref() {
        None => None,
        Some(text) => Some(Status::parse(text).ok_or(invalid(
            "status",
            "a subscription is active, past_due, cancelled, ended or unpaid",
        ))?),
    };
    let narrow = move |q: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>| {
        if let Some(status) = status {
            q.push(" AND t.status = ").push_bind(status);
        }
    };
    super::list(conn, &TABLE, scope, mode, params, narrow, render).await
}
