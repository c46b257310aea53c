//! The merchant API's side of the platform (issue 21): its secret [`keys`], and its objects
//! as the API and the webhooks show them ([`checkout_sessions`], [`payments`], [`refunds`],
//! [`products`], [`payment_links`], [`balance`], [`payouts`], [`plans`], [`subscriptions`],
//! and the [`accounts`] that account events carry).
//!
//! Each object is rendered by one function, used by the API's answers and by the events
//! recorded with the change they report, so the two never disagree. Reads take a
//! [`MerchantScope`] and a mode and filter by both: another merchant's id, or the other
//! mode's, is not found. The HTTP side (authentication, errors, idempotency, rate limits)
//! is `server::api`; acting goes through the same functions as the dashboard.

pub mod accounts;
pub mod balance;
pub mod checkout_sessions;
pub mod idempotency;
pub mod keys;
pub(crate) mod notify;
pub mod payment_links;
pub mod payments;
pub mod payouts;
pub mod plans;
pub mod products;
pub mod refunds;
pub mod subscriptions;

use domain::public_id::{self, Kind};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Postgres, QueryBuilder};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::identity::roles::MerchantScope;
use crate::payments::Mode;

/// The most objects one page holds.
pub const MAX_LIMIT: i64 = 100;
const DEFAULT_LIMIT: i64 = 10;

/// A page of a list, newest first: `{"object": "list", "data": [...], "has_more": ...}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct List<T> {
    /// Always `list`.
    pub object: &'static str,
    pub data: Vec<T>,
    /// Whether more objects lie beyond this page in the direction it was read.
    pub has_more: bool,
    /// The path of this list.
    pub url: String,
}

/// How a list is paged and narrowed, as the query string gives it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1 to 100, default 10.
    pub limit: Option<i64>,
    /// An object id: the page after it (older objects).
    pub starting_after: Option<String>,
    /// An object id: the page before it (newer objects).
    pub ending_before: Option<String>,
    /// Only objects created at or after this time (RFC 3339).
    #[serde(
        default,
        rename = "created[gte]",
        with = "time::serde::rfc3339::option"
    )]
    #[param(rename = "created[gte]", value_type = Option<String>, format = DateTime)]
    pub created_gte: Option<OffsetDateTime>,
    /// Only objects created at or before this time (RFC 3339).
    #[serde(
        default,
        rename = "created[lte]",
        with = "time::serde::rfc3339::option"
    )]
    #[param(rename = "created[lte]", value_type = Option<String>, format = DateTime)]
    pub created_lte: Option<OffsetDateTime>,
    /// Only objects in this status.
    pub status: Option<String>,
    /// Payments only: those of this checkout session (`cs_…`).
    pub checkout_session: Option<String>,
    /// Refunds only: those of this payment (`pay_…`).
    pub payment: Option<String>,
}

/// Why a list or an object could not be read as asked.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{param}: {message}")]
    Invalid {
        param: &'static str,
        message: &'static str,
    },
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub(crate) fn invalid(param: &'static str, message: &'static str) -> ReadError {
    ReadError::Invalid { param, message }
}

/// Where a kind of object lives and how its rows are read.
pub(crate) struct Table {
    /// The objects' table, aliased `t` in `select`.
    pub name: &'static str,
    pub kind: Kind,
    /// `SELECT <columns> FROM <name> t <joins>`, without a `WHERE`.
    pub select: &'static str,
    /// The list's path, as each page names it.
    pub url: &'static str,
}

/// Where the pager starts and how far it reads.
struct Paging {
    limit: i64,
    /// The cursor's object and whether the page is after it (older) or before it (newer).
    cursor: Option<(Uuid, bool)>,
}

impl ListParams {
    /// The page asked for: a limit in range, at most one cursor, of the list's own kind,
    /// and no filter of another list.
    fn paging(&self, kind: Kind) -> Result<Paging, ReadError> {
        if self.checkout_session.is_some() && kind != Kind::Payment {
            return Err(invalid(
                "checkout_session",
                "only the payments list takes this filter",
            ));
        }
        if self.payment.is_some() && kind != Kind::Refund {
            return Err(invalid(
                "payment",
                "only the refunds list takes this filter",
            ));
        }
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(invalid("limit", "limit must be between 1 and 100"));
        }
        let cursor = match (&self.starting_after, &self.ending_before) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "ending_before",
                    "give starting_after or ending_before, not both",
                ));
            }
            (Some(id), None) => Some((
                public_id::decode(kind, id)
                    .ok_or(invalid("starting_after", "no such object in this list"))?,
                true,
            )),
            (None, Some(id)) => Some((
                public_id::decode(kind, id)
                    .ok_or(invalid("ending_before", "no such object in this list"))?,
                false,
            )),
            (None, None) => None,
        };
        Ok(Paging { limit, cursor })
    }
}

/// One of the scope's objects of `table` in `mode`, by its public id; another merchant's,
/// the other mode's, another kind's or a malformed id is not found.
pub(crate) async fn one<R>(
    conn: &mut PgConnection,
    table: &Table,
    scope: &MerchantScope,
    mode: Mode,
    id: &str,
) -> Result<R, ReadError>
where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let id = public_id::decode(table.kind, id).ok_or(ReadError::NotFound)?;
    let row: Option<R> = sqlx::query_as(&format!(
        "{} WHERE t.id = $1 AND t.merchant_id = $2 AND t.mode = $3",
        table.select
    ))
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_optional(conn)
    .await?;
    row.ok_or(ReadError::NotFound)
}

/// An object of `table` by its row id, whoever's it is: what an event recorded with a
/// change, or the API's answer to what it just made, carries.
pub(crate) async fn by_id<R>(
    conn: &mut PgConnection,
    table: &Table,
    id: Uuid,
) -> Result<R, sqlx::Error>
where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    sqlx::query_as(&format!("{} WHERE t.id = $1", table.select))
        .bind(id)
        .fetch_one(conn)
        .await
}

/// A page of the scope's objects of `table` in `mode`, newest first whichever way it was
/// read: the created-time filters and the cursor here, the list's own filters by `narrow`.
/// A cursor that names no object of this list is refused rather than read as an empty page.
pub(crate) async fn list<R, T>(
    conn: &mut PgConnection,
    table: &Table,
    scope: &MerchantScope,
    mode: Mode,
    params: &ListParams,
    narrow: impl FnOnce(&mut QueryBuilder<'_, Postgres>),
    render: impl FnMut(R) -> T,
) -> Result<List<T>, ReadError>
where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let paging = params.paging(table.kind)?;
    let mut q = QueryBuilder::new(table.select);
    q.push(" WHERE t.merchant_id = ")
        .push_bind(scope.merchant_id())
        .push(" AND t.mode = ")
        .push_bind(mode);
    if let Some(at) = params.created_gte {
        q.push(" AND t.created_at >= ").push_bind(at);
    }
    if let Some(at) = params.created_lte {
        q.push(" AND t.created_at <= ").push_bind(at);
    }
    if let Some((id, after)) = paging.cursor {
        let found: Option<i32> = sqlx::query_scalar(&format!(
            "SELECT 1 FROM {} WHERE id = $1 AND merchant_id = $2 AND mode = $3",
            table.name
        ))
        .bind(id)
        .bind(scope.merchant_id())
        .bind(mode)
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_none() {
            let param = if after {
                "starting_after"
            } else {
                "ending_before"
            };
            return Err(invalid(param, "no such object in this list"));
        }
        q.push(if after {
            " AND (t.created_at, t.id) < "
        } else {
            " AND (t.created_at, t.id) > "
        });
        q.push(format!(
            "(SELECT c.created_at, c.id FROM {} c WHERE c.id = ",
            table.name
        ))
        .push_bind(id)
        .push(")");
    }
    narrow(&mut q);
    // One row past the page tells whether there is more.
    let backwards = matches!(paging.cursor, Some((_, false)));
    q.push(if backwards {
        " ORDER BY t.created_at, t.id LIMIT "
    } else {
        " ORDER BY t.created_at DESC, t.id DESC LIMIT "
    })
    .push_bind(paging.limit + 1);
    let mut rows: Vec<R> = q.build_query_as().fetch_all(conn).await?;
    let has_more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > paging.limit;
    rows.truncate(usize::try_from(paging.limit).unwrap_or(0));
    if backwards {
        rows.reverse();
    }
    Ok(List {
        object: "list",
        data: rows.into_iter().map(render).collect(),
        has_more,
        url: table.url.to_owned(),
    })
}

/// The `status` filter of lists whose objects are `active` or `archived`.
pub(crate) fn archived_filter(
    params: &ListParams,
    message: &'static str,
) -> Result<impl FnOnce(&mut QueryBuilder<'_, Postgres>), ReadError> {
    let archived = match params.status.as_deref() {
        None => None,
        Some("active") => Some(false),
        Some("archived") => Some(true),
        Some(_) => return Err(invalid("status", message)),
    };
    Ok(move |q: &mut QueryBuilder<'_, Postgres>| {
        q.push(match archived {
            Some(true) => " AND t.archived_at IS NOT NULL",
            Some(false) => " AND t.archived_at IS NULL",
            None => "",
        });
    })
}

/// Whether an object is Live: `livemode` in every object.
pub(crate) fn livemode(mode: Mode) -> bool {
    mode == Mode::Live
}

/// Whether `id` names one of the scope's own objects in the mode other than `mode`: a key
/// reaching across modes, which the API answers as not found and the audit trail records.
pub async fn in_other_mode(
    pool: &sqlx::PgPool,
    scope: &MerchantScope,
    mode: Mode,
    kind: Kind,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let table = match kind {
        Kind::CheckoutSession => "checkout_sessions",
        Kind::Payment => "payments",
        Kind::Refund => "refunds",
        Kind::Product => "products",
        Kind::PaymentLink => "payment_links",
        Kind::Event => "events",
        Kind::WebhookEndpoint => "webhook_endpoints",
        Kind::Payout => "payouts",
        Kind::Plan => "subscription_plans",
        Kind::Subscription => "subscriptions",
        Kind::ApiKey | Kind::Account => return Ok(false),
    };
    let Some(id) = public_id::decode(kind, id) else {
        return Ok(false);
    };
    let found: Option<i32> = sqlx::query_scalar(&format!(
        "SELECT 1 FROM {table} WHERE id = $1 AND merchant_id = $2 AND mode <> $3"
    ))
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}
