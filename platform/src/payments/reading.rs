//! The dashboard's reading of payments: the filtered list, one payment with its timeline,
//! refunds and risk note, and daily volume. Every query is scoped to the signed-in member's
//! merchant and mode, except the staff lookups named for staff.

use domain::{CheckoutId, Currency, MerchantId, Money, NoteView, PaymentId, TimelineSource};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder, Row as _};
use time::{Date, OffsetDateTime};

use super::refunds::Refund;
use super::risk::Action;
use super::sessions::Item;
use domain::PaymentStatus;

use super::Mode;
use super::PaymentError;
use crate::identity::roles::{Level, MerchantScope, Module, ScopeRefused, StaffScope};

/// Filters of the payments list; every field is optional.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<PaymentStatus>,
    pub from: Option<Date>,
    /// Inclusive: the whole day.
    pub to: Option<Date>,
    /// Euro amounts, inclusive.
    pub min_amount: Option<Money>,
    pub max_amount: Option<Money>,
    pub buyer_email: Option<String>,
    /// Matches the order id, the buyer's email or the checkout's reference.
    pub search: Option<String>,
    /// Keyset paging: payments created before this one.
    pub before: Option<(OffsetDateTime, PaymentId)>,
}

pub const PAGE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: PaymentId,
    pub order_id: String,
    pub status: PaymentStatus,
    pub amount: Money,
    pub buyer_email: Option<String>,
    pub reference: Option<String>,
    pub masked_pan: Option<String>,
    pub card_brand: Option<String>,
    pub decline_reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub paid_at: Option<OffsetDateTime>,
    /// In the payment's currency.
    pub refunded: Money,
    /// The fraud checks' action when they flagged or blocked it; `None` when they allowed it.
    pub risk_action: Option<Action>,
}

/// By hand rather than derived: the amounts are two columns each with the one currency.
impl<'r> FromRow<'r, PgRow> for PaymentRow {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let currency: Currency = row.try_get("currency")?;
        Ok(PaymentRow {
            id: row.try_get("id")?,
            order_id: row.try_get("order_id")?,
            status: row.try_get("status")?,
            amount: Money::new(row.try_get("amount_minor")?, currency),
            buyer_email: row.try_get("buyer_email")?,
            reference: row.try_get("reference")?,
            masked_pan: row.try_get("masked_pan")?,
            card_brand: row.try_get("card_brand")?,
            decline_reason: row.try_get("decline_reason")?,
            created_at: row.try_get("created_at")?,
            paid_at: row.try_get("paid_at")?,
            refunded: Money::new(row.try_get("refunded_minor")?, currency),
            risk_action: row.try_get("risk_action")?,
        })
    }
}

/// The row's columns and tables, shared by the lists and the detail so they read alike.
const COLUMNS: &str = "p.id, p.order_id, p.status, p.amount_minor, p.currency::text AS currency, p.buyer_email,
        s.reference, p.masked_pan, p.card_brand, p.decline_reason, p.created_at, p.paid_at, p.refunded_minor,
        CASE WHEN d.action <> 'allow' THEN d.action END AS risk_action";
const FROM: &str = "FROM payments p JOIN checkout_sessions s ON s.id = p.session_id LEFT JOIN risk_decisions d ON d.payment_id = p.id";

fn like(text: &str) -> String {
    let escaped = text
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Text typed into a filter, when there is any.
fn typed(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| !t.trim().is_empty())
}

/// Finishes `q` (a `SELECT … WHERE` already narrowed by its caller) with `filter`'s
/// conditions and its keyset page, newest first, and runs it: the merchant's list and the
/// staff list differ only in what they select and whom they narrow to.
async fn page<R>(
    pool: &PgPool,
    mut q: QueryBuilder<'_, Postgres>,
    filter: &Filter,
) -> Result<Vec<R>, sqlx::Error>
where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    if let Some(status) = filter.status {
        q.push(" AND p.status = ").push_bind(status);
    }
    if let Some(from) = filter.from {
        q.push(" AND p.created_at >= ")
            .push_bind(from.midnight().assume_utc());
    }
    if let Some(to) = filter.to.and_then(|d| d.next_day()) {
        q.push(" AND p.created_at < ")
            .push_bind(to.midnight().assume_utc());
    }
    if let Some(min) = filter.min_amount {
        q.push(" AND p.amount_minor >= ").push_bind(min.minor());
    }
    if let Some(max) = filter.max_amount {
        q.push(" AND p.amount_minor <= ").push_bind(max.minor());
    }
    if let Some(email) = typed(&filter.buyer_email) {
        q.push(" AND p.buyer_email ILIKE ").push_bind(like(email));
    }
    if let Some(search) = typed(&filter.search) {
        let pattern = like(search);
        q.push(" AND (p.order_id ILIKE ").push_bind(pattern.clone());
        q.push(" OR p.buyer_email ILIKE ")
            .push_bind(pattern.clone());
        q.push(" OR s.reference ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some((at, id)) = filter.before {
        q.push(" AND (p.created_at, p.id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    q.push(" ORDER BY p.created_at DESC, p.id DESC LIMIT ")
        .push_bind(PAGE);
    q.build_query_as().fetch_all(pool).await
}

/// One page of the merchant's payments in `mode`, newest first.
pub async fn list(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    filter: &Filter,
) -> Result<Vec<PaymentRow>, sqlx::Error> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} {FROM} WHERE p.merchant_id = "));
    q.push_bind(scope.merchant_id());
    q.push(" AND p.mode = ").push_bind(mode);
    page(pool, q, filter).await
}

/// The staff list's filters: every merchant's payments, in either mode unless one is chosen.
#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    /// Part of the merchant's business name.
    pub merchant_name: Option<String>,
    pub mode: Option<Mode>,
    pub payments: Filter,
}

/// A payment in the staff list: the row with whose it is and in which mode.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffPaymentRow {
    #[sqlx(flatten)]
    pub payment: PaymentRow,
    pub merchant_name: String,
    pub mode: Mode,
}

/// Staff read payments in the Payments module; the Refunds module looks one up to refund it.
fn may_read(scope: &StaffScope) -> Result<(), ScopeRefused> {
    scope
        .holds(Module::Payments, Level::View)
        .or_else(|_| scope.holds(Module::Refunds, Level::View))
}

/// One page of every merchant's payments, newest first, for staff holding payments.
pub async fn list_for_staff(
    pool: &PgPool,
    scope: &StaffScope,
    filter: &StaffFilter,
) -> Result<Vec<StaffPaymentRow>, PaymentError> {
    may_read(scope)?;
    let mut q = QueryBuilder::new(format!(
        "SELECT {COLUMNS}, m.business_name AS merchant_name, p.mode {FROM} JOIN merchants m ON m.id = p.merchant_id WHERE TRUE"
    ));
    if let Some(mode) = filter.mode {
        q.push(" AND p.mode = ").push_bind(mode);
    }
    if let Some(name) = typed(&filter.merchant_name) {
        q.push(" AND m.business_name ILIKE ").push_bind(like(name));
    }
    Ok(page(pool, q, &filter.payments).await?)
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: OffsetDateTime,
    /// `None` for a source this build does not know (a row written by a newer one).
    pub source: Option<TimelineSource>,
    pub from_status: Option<PaymentStatus>,
    pub to_status: Option<PaymentStatus>,
    pub note: Option<NoteView>,
}

/// By hand: the source and the note are stored as text and read back as their codes.
impl<'r> FromRow<'r, PgRow> for TimelineEntry {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let source: String = row.try_get("source")?;
        let note: Option<String> = row.try_get("note")?;
        Ok(TimelineEntry {
            at: row.try_get("at")?,
            source: TimelineSource::parse(&source),
            from_status: row.try_get("from_status")?,
            to_status: row.try_get("to_status")?,
            note: note.as_deref().map(NoteView::parse),
        })
    }
}

/// The payment's 3-D Secure result, the evidence for a chargeback; all `None` when the
/// gateway reported none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreeDSecure {
    pub md_status: Option<String>,
    pub eci: Option<String>,
    pub liability_shifted: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentDetail {
    pub payment: PaymentRow,
    pub mode: Mode,
    pub session_token: String,
    pub auth_code: Option<String>,
    pub proc_return_code: Option<String>,
    pub three_d_secure: ThreeDSecure,
    pub items: Vec<Item>,
    pub timeline: Vec<TimelineEntry>,
    pub merchant_name: String,
    pub refunds: Vec<Refund>,
    /// What a new refund may still take: paid, minus refunded, minus a refund in flight.
    pub refundable: Money,
    /// The fraud checks' reasons when they flagged it.
    pub risk_reasons: Vec<String>,
    /// Gross, Saleonix's fee, VAT on the fee and net, once it was paid.
    pub fees: Option<crate::ledger::fees::Split>,
}

/// One of the merchant's payments, in any mode; another merchant's id is not found.
pub async fn detail(
    pool: &PgPool,
    scope: &MerchantScope,
    id: PaymentId,
) -> Result<Option<PaymentDetail>, sqlx::Error> {
    detail_where(pool, id, Some(scope.merchant_id())).await
}

/// Any merchant's payment, for staff holding payments or refunds.
pub async fn detail_for_staff(
    pool: &PgPool,
    scope: &StaffScope,
    id: PaymentId,
) -> Result<Option<PaymentDetail>, PaymentError> {
    may_read(scope)?;
    Ok(detail_where(pool, id, None).await?)
}

/// The payment with gateway order id `order_id`, for staff looking one up.
pub async fn find_by_order(
    pool: &PgPool,
    order_id: &str,
) -> Result<Option<PaymentId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM payments WHERE order_id = $1")
        .bind(order_id.trim())
        .fetch_optional(pool)
        .await
}

async fn detail_where(
    pool: &PgPool,
    id: PaymentId,
    merchant_id: Option<MerchantId>,
) -> Result<Option<PaymentDetail>, sqlx::Error> {
    let payment: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} {FROM} WHERE p.id = $1 AND ($2::uuid IS NULL OR p.merchant_id = $2)"
    ))
    .bind(id)
    .bind(merchant_id)
    .fetch_optional(pool)
    .await?;
    let Some(payment) = payment else {
        return Ok(None);
    };
    type Extra = (
        Mode,
        String,
        CheckoutId,
        Option<String>,
        Option<String>,
        String,
        i64,
        Option<String>,
        Option<String>,
        Option<bool>,
    );
    let (mode, session_token, session_id, auth_code, proc_return_code, merchant_name, pending_minor, md_status, eci, liability_shifted): Extra =
        sqlx::query_as(
            "SELECT p.mode, s.token, s.id, p.auth_code, p.proc_return_code, m.business_name, p.refund_pending_minor,
                    p.md_status, p.eci, p.liability_shifted
             FROM payments p JOIN checkout_sessions s ON s.id = p.session_id JOIN merchants m ON m.id = p.merchant_id
             WHERE p.id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await?;
    let mut conn = pool.acquire().await?;
    let items = super::sessions::items(&mut *conn, session_id).await?;
    let timeline = sqlx::query_as(
        "SELECT at, source, from_status, to_status, note FROM payment_events WHERE payment_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let refunds = super::refunds::of_payment(&mut conn, id).await?;
    let risk_reasons = super::risk::note_of(&mut conn, id)
        .await?
        .map(|(_, reasons)| reasons)
        .unwrap_or_default();
    let fees = crate::ledger::fees::of_payment(&mut conn, id).await?;
    let refundable = super::refunds::refundable(
        payment.status,
        payment.amount,
        payment.refunded,
        Money::new(pending_minor, payment.amount.currency()),
    );
    Ok(Some(PaymentDetail {
        payment,
        mode,
        session_token,
        auth_code,
        proc_return_code,
        three_d_secure: ThreeDSecure {
            md_status,
            eci,
            liability_shifted,
        },
        items,
        timeline,
        merchant_name,
        refunds,
        refundable,
        risk_reasons,
        fees,
    }))
}

/// One day of the overview chart: paid payments and their sum (in euro, which every
/// payment is in today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub day: Date,
    pub payments: i64,
    pub volume: Money,
}

/// The last `days` days (today included, UTC), each present even when empty.
pub async fn daily_volume(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    days: i32,
) -> Result<Vec<Day>, sqlx::Error> {
    let rows: Vec<(Date, i64, i64)> = sqlx::query_as(
        "SELECT d::date AS day, count(p.id) AS payments, coalesce(sum(p.amount_minor), 0)::bigint AS volume_minor
         FROM generate_series((now() AT TIME ZONE 'UTC')::date - ($3 - 1), (now() AT TIME ZONE 'UTC')::date, interval '1 day') d
         LEFT JOIN payments p ON p.merchant_id = $1 AND p.mode = $2 AND p.paid_at IS NOT NULL AND p.status <> 'duplicate'
              AND (p.paid_at AT TIME ZONE 'UTC')::date = d::date
         GROUP BY d ORDER BY d",
    )
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(days)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(day, payments, volume_minor)| Day {
            day,
            payments,
            volume: Money::eur(volume_minor),
        })
        .collect())
}

/// Counts by status for the overview, over the same days.
pub async fn status_counts(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    days: i32,
) -> Result<Vec<(PaymentStatus, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT status, count(*) FROM payments
         WHERE merchant_id = $1 AND mode = $2 AND created_at >= now() - make_interval(days => $3)
         GROUP BY status ORDER BY status",
    )
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(days)
    .fetch_all(pool)
    .await
}

/// Whether Live Mode is open to the merchant and, if not, why: the dashboard's switch
/// explains itself. Open exactly when [`super::live_allowed`] says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveAccess {
    Open,
    AwaitingVerification,
    /// Re-verification was overdue: Live Mode closed until staff approve the update.
    Restricted,
    /// A suspension outranks verification.
    Suspended,
}

pub async fn live_access(pool: &PgPool, scope: &MerchantScope) -> Result<LiveAccess, sqlx::Error> {
    let (verified, suspended, restricted): (bool, bool, bool) = sqlx::query_as(
        "SELECT m.verified_at IS NOT NULL, m.suspended_at IS NOT NULL,
                coalesce(a.restricted_at IS NOT NULL AND a.status <> 'rejected', false)
         FROM merchants m LEFT JOIN kyc_applications a ON a.merchant_id = m.id
         WHERE m.id = $1",
    )
    .bind(scope.merchant_id())
    .fetch_one(pool)
    .await?;
    Ok(match (verified, suspended, restricted) {
        (_, true, _) => LiveAccess::Suspended,
        (true, false, _) => LiveAccess::Open,
        (false, false, true) => LiveAccess::Restricted,
        (false, false, false) => LiveAccess::AwaitingVerification,
    })
}
