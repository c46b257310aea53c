//! Reconciliation exceptions: one per disagreement, listed for staff, who close them.

use super::*;
use crate::identity::roles::{Level, Module, StaffScope};

/// An exception to open: the payment, its kind (`mismatch`, `unresolved`, `duplicate`,
/// `late_capture`, `series_unknown`) and both sides in plain words.
pub(crate) struct NewException<'a> {
    pub payment_id: Uuid,
    pub merchant_id: Uuid,
    pub mode: Mode,
    pub order_id: &'a str,
    pub kind: &'static str,
    pub ours: &'a str,
    pub theirs: &'a str,
    /// What accepting the gateway's state would set, when its answer was definite.
    pub gateway_status: Option<PaymentStatus>,
    pub gateway_refunded: Option<i64>,
}

/// Opens an exception unless one is already open for the payment: a disagreement seen on
/// every run is still one exception (and one audit row).
pub(crate) async fn open_exception(
    conn: &mut PgConnection,
    new: &NewException<'_>,
) -> Result<(), PaymentError> {
    let NewException {
        payment_id,
        merchant_id,
        mode,
        order_id,
        kind,
        ours,
        theirs,
        gateway_status,
        gateway_refunded,
    } = *new;
    let opened = sqlx::query(
        "INSERT INTO reconciliation_exceptions
             (id, payment_id, merchant_id, mode, kind, platform_state, gateway_state, gateway_status, gateway_refunded_minor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (payment_id) WHERE resolved_at IS NULL DO NOTHING",
    )
    .bind(Uuid::new_v4())
    .bind(payment_id)
    .bind(merchant_id)
    .bind(mode)
    .bind(kind)
    .bind(ours)
    .bind(theirs)
    .bind(gateway_status)
    .bind(gateway_refunded)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if opened == 1 {
        let event = Event::new(
            "reconciliation.exception",
            Actor {
                kind: ActorKind::System,
                id: None,
            },
            Outcome::Failure,
        )
        .merchant(merchant_id)
        .target("payment", order_id)
        .reason(kind)
        .detail(serde_json::json!({ "mode": mode.as_str() }));
        audit::record(conn, &event, &RequestFacts::default()).await?;
    }
    Ok(())
}

/// One exception, for the console's queue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Exception {
    pub id: Uuid,
    /// `None` for a ledger account whose kept balance disagrees with its lines.
    pub payment_id: Option<Uuid>,
    /// The payment's order id, or the ledger account (`books: merchant_available`).
    pub order_id: String,
    /// The merchant, or `Saleonix` for a platform account.
    pub merchant_name: String,
    pub mode: Mode,
    pub kind: String,
    pub platform_state: String,
    pub gateway_state: String,
    /// Whether accepting the gateway's state is possible (its account was definite).
    pub can_accept: bool,
    pub created_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    pub resolution: Option<String>,
    pub note: Option<String>,
}

/// Open exceptions first, then the most recent resolved ones, for staff holding
/// reconciliation.
pub async fn exceptions(
    pool: &sqlx::PgPool,
    scope: &StaffScope,
    open_only: bool,
) -> Result<Vec<Exception>, PaymentError> {
    scope.holds(Module::Reconciliation, Level::View)?;
    let exceptions = sqlx::query_as(
        "SELECT e.id, e.payment_id, coalesce(p.order_id, 'books: ' || a.kind::text) AS order_id,
                coalesce(m.business_name, 'Saleonix') AS merchant_name, e.mode, e.kind, e.platform_state,
                e.gateway_state, e.gateway_status IS NOT NULL AS can_accept, e.created_at, e.resolved_at, e.resolution, e.note
         FROM reconciliation_exceptions e LEFT JOIN payments p ON p.id = e.payment_id
         LEFT JOIN merchants m ON m.id = e.merchant_id LEFT JOIN ledger_accounts a ON a.id = e.ledger_account_id
         WHERE NOT $1 OR e.resolved_at IS NULL
         ORDER BY e.resolved_at IS NOT NULL, e.created_at DESC LIMIT 200",
    )
    .bind(open_only)
    .fetch_all(pool)
    .await?;
    Ok(exceptions)
}

/// How staff close an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Set the payment to the state the gateway reported.
    AcceptGateway,
    /// Leave the payment as it is; the note says why.
    Resolve,
}

/// Closes the open exception `id` with a note, audited, in one transaction; the scope's
/// staff member must hold reconciliation at `act`.
pub async fn close(
    platform: &Platform,
    scope: &StaffScope,
    id: Uuid,
    resolution: Resolution,
    note: &str,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    scope.holds(Module::Reconciliation, Level::Act)?;
    let staff_id = scope.user_id();
    let note = crate::payments::text("note", note, 1000)?;
    let mut tx = platform.pool.begin().await?;
    let row: Option<(
        Option<Uuid>,
        Option<Uuid>,
        Option<String>,
        Option<PaymentStatus>,
        Option<i64>,
    )> = sqlx::query_as(
        "SELECT e.payment_id, e.merchant_id, p.order_id, e.gateway_status, e.gateway_refunded_minor
         FROM reconciliation_exceptions e LEFT JOIN payments p ON p.id = e.payment_id
         WHERE e.id = $1 AND e.resolved_at IS NULL FOR UPDATE OF e",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (payment_id, merchant_id, order_id, gateway_status, gateway_refunded) =
        row.ok_or(PaymentError::NotFound)?;
    let staff = Actor {
        kind: ActorKind::Staff,
        id: Some(staff_id),
    };
    let (label, event_type) = match resolution {
        Resolution::AcceptGateway => ("accepted_gateway", "reconciliation.accept"),
        Resolution::Resolve => ("resolved", "reconciliation.resolve"),
    };
    if resolution == Resolution::AcceptGateway {
        let (Some(payment_id), Some(order_id), Some(status), Some(refunded_minor)) =
            (payment_id, &order_id, gateway_status, gateway_refunded)
        else {
            return Err(crate::payments::invalid(
                "resolution",
                "the gateway gave no definite state to accept; resolve with a note",
            ));
        };
        refunds::close_open(&mut tx, payment_id).await?;
        let change = Change::Accept {
            status,
            refunded_minor,
        };
        transition::apply(
            &mut tx,
            platform,
            order_id,
            change,
            TimelineSource::Staff,
            staff,
            facts,
        )
        .await?;
    } else if let Some(payment_id) = payment_id {
        sqlx::query("UPDATE payments SET recon_due_at = NULL WHERE id = $1")
            .bind(payment_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE reconciliation_exceptions SET resolved_at = now(), resolved_by = $2, resolution = $3, note = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(staff_id)
    .bind(label)
    .bind(&note)
    .execute(&mut *tx)
    .await?;
    let mut event = Event::new(event_type, staff, Outcome::Success)
        .detail(serde_json::json!({ "exception_id": id }));
    event = match order_id {
        Some(order_id) => event.target("payment", order_id),
        None => event.target("reconciliation_exception", id.to_string()),
    };
    if let Some(merchant_id) = merchant_id {
        event = event.merchant(merchant_id);
    }
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}
