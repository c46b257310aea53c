//! The subscriptions of a merchant's mode as the dashboard lists them.

use domain::Currency;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Interval, Status, Terms};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;

/// One subscription: its plan's name, the buyer, the terms agreed to and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub id: Uuid,
    pub plan_name: String,
    pub buyer_email: Option<String>,
    pub terms: Terms,
    pub status: Status,
    pub paid_installments: i16,
    /// A cancel whose answer was lost, still being settled.
    pub cancel_pending: bool,
    pub next_charge_at: Option<OffsetDateTime>,
    /// Ending with its period: when the worker cancels the series.
    pub cancel_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

type Row = (
    Uuid,
    String,
    Option<String>,
    i64,
    Currency,
    Interval,
    i16,
    i16,
    Status,
    i16,
    bool,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
    OffsetDateTime,
);

/// The scope's latest `limit` subscriptions in `mode`, newest first.
pub async fn recent(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    limit: i64,
) -> Result<Vec<Summary>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id, p.name, f.buyer_email, s.amount_minor, s.currency::text, s.interval, s.interval_count,
                s.installments, s.status, s.paid_installments,
                s.status IN ('active', 'past_due') AND s.cancel_requested_at IS NOT NULL, s.next_charge_at,
                CASE WHEN s.status IN ('active', 'past_due') THEN s.cancel_at END, s.created_at
         FROM subscriptions s JOIN subscription_plans p ON p.id = s.plan_id
              JOIN payments f ON f.id = s.first_payment_id
         WHERE s.merchant_id = $1 AND s.mode = $2
         ORDER BY s.created_at DESC LIMIT $3",
    )
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                plan_name,
                buyer_email,
                minor,
                currency,
                interval,
                count,
                installments,
                status,
                paid,
                pending,
                next,
                cancel_at,
                created,
            )| {
                Summary {
                    id,
                    plan_name,
                    buyer_email,
                    terms: Terms::stored(minor, currency, interval, count, installments),
                    status,
                    paid_installments: paid,
                    cancel_pending: pending,
                    next_charge_at: next,
                    cancel_at,
                    created_at: created,
                }
            },
        )
        .collect())
}
