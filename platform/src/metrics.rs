//! What the platform reports to Prometheus: counters where something happens, and the
//! state of the work queues read from the database when the metrics are scraped.
//!
//! The counters go through the `metrics` facade, which does nothing until the server
//! installs its recorder (`server::metrics`), so library code and tests need no set-up.
//! A counter moves when its row is written, inside the caller's transaction: a rolled-back
//! transaction can leave one count too many. They are signals, not the books; the queue
//! figures below, like every amount, come from the database and are exact.

use domain::Mode;
use sqlx::PgPool;

/// Payments by the state they entered (`created`, `paid`, `declined`, `failed`,
/// `expired`, ...) and mode.
pub const PAYMENTS: &str = "saleonix_payments_total";
/// Gateway returns and callbacks refused (never applied), by channel and reason.
pub const ANSWERS_REFUSED: &str = "saleonix_gateway_answers_refused_total";
/// Audit rows written, by outcome.
pub const AUDIT_ROWS: &str = "saleonix_audit_rows_written_total";

/// Payments due for reconciliation now, by mode.
pub const RECONCILIATION_DUE: &str = "saleonix_reconciliation_due";
/// How long the oldest of them has been due, by mode (0 when none is).
pub const RECONCILIATION_OLDEST_DUE: &str = "saleonix_reconciliation_oldest_due_seconds";
/// Reconciliation exceptions staff have not resolved, by mode.
pub const OPEN_EXCEPTIONS: &str = "saleonix_reconciliation_open_exceptions";
/// Mail waiting to be sent (not sent, not given up).
pub const OUTBOX_DEPTH: &str = "saleonix_mail_outbox_depth";
/// Age of the oldest mail waiting (0 when none is).
pub const OUTBOX_OLDEST: &str = "saleonix_mail_outbox_oldest_seconds";
/// Audit rows written but not yet chained by the sealer.
pub const AUDIT_UNSEALED: &str = "saleonix_audit_unsealed_rows";
/// Time since the last `audit-verify` run (absent until one has run).
pub const CHAIN_CHECK_AGE: &str = "saleonix_audit_chain_check_age_seconds";
/// 1 when the last `audit-verify` run found the chain broken, else 0.
pub const CHAIN_CHECK_BROKEN: &str = "saleonix_audit_chain_check_broken";
/// 1 while PostgreSQL's last attempt to archive WAL (to the backup repository) failed.
pub const WAL_ARCHIVING_FAILING: &str = "saleonix_wal_archiving_failing";

/// A payment entered `state` (a `PaymentStatus` name, or `created`).
pub fn payment_state(mode: Mode, state: &'static str) {
    metrics::counter!(PAYMENTS, "mode" => mode.as_str(), "state" => state).increment(1);
}

/// A gateway answer on `channel` (`return` or `callback`) was refused for `reason`.
pub fn answer_refused(channel: &'static str, reason: &'static str) {
    metrics::counter!(ANSWERS_REFUSED, "channel" => channel, "reason" => reason).increment(1);
}

/// An audit row with `outcome` was written.
pub fn audit_row(outcome: &'static str) {
    metrics::counter!(AUDIT_ROWS, "outcome" => outcome).increment(1);
}

/// One mode's reconciliation queue.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reconciliation {
    pub due: i64,
    pub oldest_due_secs: f64,
    pub open_exceptions: i64,
}

/// The work queues as the database has them now, shared by every instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Queues {
    pub test: Reconciliation,
    pub live: Reconciliation,
    pub outbox_depth: i64,
    pub outbox_oldest_secs: f64,
    pub audit_unsealed: i64,
    /// Seconds since the last chain check and whether it found a break; `None` before the
    /// first check.
    pub chain_check: Option<(f64, bool)>,
    /// The last WAL archiving attempt failed: backups are falling behind and `pg_wal` grows.
    pub wal_archiving_failing: bool,
}

impl Queues {
    pub fn mode(&self, mode: Mode) -> &Reconciliation {
        match mode {
            Mode::Test => &self.test,
            Mode::Live => &self.live,
        }
    }
}

/// Reads the queues. Each count uses an index the workers use themselves (the due
/// reconciliations, the due mail, the unsealed audit rows, the open exceptions).
pub async fn queues(pool: &PgPool) -> Result<Queues, sqlx::Error> {
    let mut queues = Queues::default();
    let due: Vec<(Mode, i64, f64)> = sqlx::query_as(
        "SELECT mode, count(*), coalesce(extract(epoch FROM now() - min(recon_due_at)), 0)::float8
         FROM payments WHERE recon_due_at <= now() GROUP BY mode",
    )
    .fetch_all(pool)
    .await?;
    for (mode, count, oldest) in due {
        let queue = mode_mut(&mut queues, mode);
        queue.due = count;
        queue.oldest_due_secs = oldest;
    }
    let open: Vec<(Mode, i64)> = sqlx::query_as(
        "SELECT mode, count(*) FROM reconciliation_exceptions WHERE resolved_at IS NULL GROUP BY mode",
    )
    .fetch_all(pool)
    .await?;
    for (mode, count) in open {
        mode_mut(&mut queues, mode).open_exceptions = count;
    }
    (
        queues.outbox_depth,
        queues.outbox_oldest_secs,
        queues.audit_unsealed,
    ) = sqlx::query_as(
        "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8,
                (SELECT count(*) FROM audit.events WHERE seq IS NULL)
         FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(pool)
    .await?;
    queues.chain_check = sqlx::query_as(
        "SELECT extract(epoch FROM now() - checked_at)::float8, first_broken_id IS NOT NULL
         FROM audit.chain_checks ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    queues.wal_archiving_failing = sqlx::query_scalar(
        "SELECT coalesce(last_failed_time > coalesce(last_archived_time, '-infinity'), false)
         FROM pg_stat_archiver",
    )
    .fetch_one(pool)
    .await?;
    Ok(queues)
}

fn mode_mut(queues: &mut Queues, mode: Mode) -> &mut Reconciliation {
    match mode {
        Mode::Test => &mut queues.test,
        Mode::Live => &mut queues.live,
    }
}
