//! Reading the trail: the admin console's filtered, paginated search and its CSV export,
//! and a merchant's view of its own account's security events.

use domain::MerchantId;
use sqlx::{PgPool, Postgres, QueryBuilder};
use time::OffsetDateTime;
use uuid::Uuid;

/// What staff filter by; every field is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub actor_id: Option<Uuid>,
    pub merchant_id: Option<MerchantId>,
    /// An exact type (`auth.sign_in`) or a family ending in a dot (`auth.`).
    pub event_type: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

/// One row as staff read it (the hashes stay in the database).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub occurred_at: OffsetDateTime,
    pub event_type: String,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub merchant_id: Option<MerchantId>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    pub detail: serde_json::Value,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub subject_email: Option<String>,
}

const COLUMNS: &str = "SELECT id, occurred_at, event_type, actor_kind::text AS actor_kind, actor_id, merchant_id,
                              target_type, target_id, outcome::text AS outcome, reason, detail, request_id,
                              ip, user_agent, subject_email
                       FROM audit.events WHERE true";

fn push_filter(query: &mut QueryBuilder<'_, Postgres>, filter: &Filter) {
    if let Some(actor) = filter.actor_id {
        query.push(" AND actor_id = ").push_bind(actor);
    }
    if let Some(merchant) = filter.merchant_id {
        query.push(" AND merchant_id = ").push_bind(merchant);
    }
    match filter.event_type.as_deref() {
        Some(family) if family.ends_with('.') => {
            // The type's own characters are a-z, 0-9, _ and dots; `_` must not act as a wildcard.
            query
                .push(" AND starts_with(event_type, ")
                .push_bind(family.to_owned())
                .push(")");
        }
        Some(exact) => {
            query.push(" AND event_type = ").push_bind(exact.to_owned());
        }
        None => {}
    }
    if let Some(outcome) = &filter.outcome {
        query
            .push(" AND outcome::text = ")
            .push_bind(outcome.clone());
    }
    if let Some(from) = filter.from {
        query.push(" AND occurred_at >= ").push_bind(from);
    }
    if let Some(until) = filter.until {
        query.push(" AND occurred_at < ").push_bind(until);
    }
}

/// Up to `limit` rows matching `filter`, newest first, older than row `before` when given
/// (keyset pagination: stable while new rows arrive).
pub async fn search(
    pool: &PgPool,
    filter: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    let mut query = QueryBuilder::new(COLUMNS);
    push_filter(&mut query, filter);
    if let Some(before) = before {
        query.push(" AND id < ").push_bind(before);
    }
    query.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
    query.build_query_as().fetch_all(pool).await
}

pub async fn event(pool: &PgPool, id: i64) -> Result<Option<Row>, sqlx::Error> {
    let mut query = QueryBuilder::new(COLUMNS);
    query.push(" AND id = ").push_bind(id);
    query.build_query_as().fetch_optional(pool).await
}

/// The security events of one merchant account: everything recorded in its scope, and the
/// sign-in and two-factor events of its members. Newest first, at most `limit`. Its own
/// members' rows come whole; a row someone else wrote (Saleonix staff, the system, the
/// gateway, a visitor) says only who and what ([`as_merchant_sees`]).
pub async fn merchant_security_events(
    pool: &PgPool,
    merchant_id: MerchantId,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    let mut query = QueryBuilder::new(COLUMNS);
    query
        .push(" AND (merchant_id = ")
        .push_bind(merchant_id)
        .push(
            " OR ((starts_with(event_type, 'auth.') OR starts_with(event_type, 'mfa.'))
                  AND actor_id IN (SELECT user_id FROM merchant_members WHERE merchant_id = ",
        )
        .push_bind(merchant_id)
        .push(")))")
        .push(" ORDER BY id DESC LIMIT ")
        .push_bind(limit);
    let rows: Vec<Row> = query.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(as_merchant_sees).collect())
}

/// A row as a merchant may read it. Rows of its own users (and their API keys) are whole;
/// any other actor's row keeps its time, event, outcome and target, and loses the actor's
/// id, address, browser, request id, reason, detail and subject: a staff member's
/// address and browser, or the fraud rules that fired, are Saleonix's to keep.
fn as_merchant_sees(row: Row) -> Row {
    if matches!(row.actor_kind.as_str(), "user" | "api_key") {
        return row;
    }
    Row {
        actor_id: None,
        reason: None,
        detail: serde_json::Value::Object(serde_json::Map::new()),
        request_id: None,
        ip: None,
        user_agent: None,
        subject_email: None,
        ..row
    }
}

/// The rows as CSV (RFC 4180), with a header line. Cells that a spreadsheet would run as a
/// formula are prefixed with `'`, so an exported trail cannot carry an injected formula.
pub fn to_csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "id,occurred_at,event_type,actor_kind,actor_id,merchant_id,target_type,target_id,outcome,reason,detail,request_id,ip,user_agent,subject_email\r\n",
    );
    for row in rows {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let id = |v: &Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
        let cells = [
            row.id.to_string(),
            row.occurred_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            row.event_type.clone(),
            row.actor_kind.clone(),
            id(&row.actor_id),
            id(&row.merchant_id.map(Uuid::from)),
            text(&row.target_type),
            text(&row.target_id),
            row.outcome.clone(),
            text(&row.reason),
            row.detail.to_string(),
            text(&row.request_id),
            text(&row.ip),
            text(&row.user_agent),
            text(&row.subject_email),
        ];
        out.push_str(&crate::csv::line(&cells));
    }
    out
}
