//! The subscriptions of a merchant's mode as the dashboard lists them.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Status, StoredTerms, Terms, terms_columns};
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
    /// Until cancelled, its series over: the buyer's renewal checkout is open.
    pub renewal_offered: bool,
    /// Until cancelled, its series over: the buyer renewed it (a subscription of its own).
    pub renewed: bool,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    plan_name: String,
    buyer_email: Option<String>,
    #[sqlx(flatten)]
    terms: StoredTerms,
    status: Status,
    paid_installments: i16,
    cancel_pending: bool,
    next_charge_at: Option<OffsetDateTime>,
    cancel_at: Option<OffsetDateTime>,
    renewal_offered: bool,
    renewed: bool,
    created_at: OffsetDateTime,
}

/// The scope's latest `limit` subscriptions in `mode`, newest first.
pub async fn recent(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    limit: i64,
) -> Result<Vec<Summary>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT s.id, p.name AS plan_name, f.buyer_email, {terms}, s.status, s.paid_installments,
                s.status IN ('active', 'past_due') AND s.cancel_requested_at IS NOT NULL AS cancel_pending,
                s.next_charge_at, CASE WHEN s.status IN ('active', 'past_due') THEN s.cancel_at END AS cancel_at,
                EXISTS (SELECT 1 FROM checkout_sessions r
                        WHERE r.renews_id = s.id AND r.status = 'open' AND r.expires_at > now()) AS renewal_offered,
                EXISTS (SELECT 1 FROM subscriptions n WHERE n.renews = s.id) AS renewed,
                s.created_at
         FROM subscriptions s JOIN subscription_plans p ON p.id = s.plan_id
              JOIN payments f ON f.id = s.first_payment_id
         WHERE s.merchant_id = $1 AND s.mode = $2
         ORDER BY s.created_at DESC LIMIT $3",
        terms = terms_columns("s"),
    ))
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Summary {
            id: row.id,
            plan_name: row.plan_name,
            buyer_email: row.buyer_email,
            terms: Terms::stored(&row.terms),
            status: row.status,
            paid_installments: row.paid_installments,
            cancel_pending: row.cancel_pending,
            next_charge_at: row.next_charge_at,
            cancel_at: row.cancel_at,
            renewal_offered: row.renewal_offered,
            renewed: row.renewed,
            created_at: row.created_at,
        })
        .collect())
}
