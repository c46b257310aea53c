//! The `plan` object: a recurring price in one mode (`crate::subscriptions::plans`).

use domain::Currency;
use domain::public_id::{self, Kind};
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{List, ListParams, ReadError, Table, livemode};
use crate::identity::roles::MerchantScope;
use crate::payments::Mode;
use crate::subscriptions::StoredTerms;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Plan)]
pub struct PlanObject {
    /// `plan_…`
    pub id: String,
    /// Always `plan`.
    pub object: &'static str,
    pub livemode: bool,
    pub name: String,
    /// The product it sells (`prod_…`), if any.
    pub product: Option<String>,
    /// Each payment, in minor units.
    pub unit_amount: i64,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// `day`, `week`, `month` or `year`.
    pub interval: &'static str,
    /// Every this many intervals (1 to 999).
    pub interval_count: i16,
    /// Payments in all (2 to 121), the first at sign-up; for a plan that runs until
    /// cancelled, the payments of each series (121).
    pub installments: i16,
    /// Runs until cancelled: when a series has charged every payment, the buyer is mailed a
    /// renewal checkout, and the next series starts only once they agree and pay it.
    pub until_cancelled: bool,
    /// False once archived: no new checkout can sell it.
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    mode: Mode,
    name: String,
    product_id: Option<Uuid>,
    #[sqlx(flatten)]
    terms: StoredTerms,
    archived_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

const TABLE: Table = Table {
    name: "subscription_plans",
    kind: Kind::Plan,
    select: "SELECT t.id, t.mode, t.name, t.product_id, t.amount_minor, t.currency::text AS currency, t.interval,
        t.interval_count, t.installments, t.until_cancelled, t.archived_at, t.created_at
    FROM subscription_plans t",
    url: "/v1/plans",
};

fn render(row: Row) -> PlanObject {
    PlanObject {
        id: public_id::encode(Kind::Plan, row.id),
        object: "plan",
        livemode: livemode(row.mode),
        name: row.name,
        product: row
            .product_id
            .map(|id| public_id::encode(Kind::Product, id)),
        unit_amount: row.terms.amount_minor,
        currency: row.terms.currency,
        interval: row.terms.interval.as_str(),
        interval_count: row.terms.interval_count,
        installments: row.terms.installments,
        until_cancelled: row.terms.until_cancelled,
        active: row.archived_at.is_none(),
        created: row.created_at,
    }
}

/// One of the scope's plans in `mode`, by its `plan_…` id.
pub async fn get(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<PlanObject, ReadError> {
    super::one(conn, &TABLE, scope, mode, id).await.map(render)
}

/// The scope's plans in `mode`, newest first; `status` (`active` or `archived`) narrows it.
pub async fn list(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
) -> Result<List<PlanObject>, ReadError> {
    let archived = super::archived_filter(params, "a plan is active or archived")?;
    super::list(conn, &TABLE, scope, mode, params, archived, render).await
}
