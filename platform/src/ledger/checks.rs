//! The nightly check of the books: every account's kept balance against the sum of its
//! lines. The line trigger keeps them equal, so a difference means someone wrote around
//! it (a superuser, a restored backup gone wrong): each one opens a reconciliation
//! exception on the account for staff, once, however many nights it stays.

use domain::Money;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, Row};
use uuid::Uuid;

use super::{AccountKind, LedgerError};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::gateway_accounts::Mode;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckReport {
    pub accounts: i64,
    /// Accounts whose kept balance differs from their lines, newly reported tonight.
    pub opened: u32,
    /// Accounts that differ, reported before and still open.
    pub still_open: u32,
}

struct Drift {
    id: i64,
    kind: AccountKind,
    merchant_id: Option<Uuid>,
    mode: Mode,
    /// The balance the trigger kept, and the sum of the account's lines (debits minus
    /// credits).
    kept: Money,
    summed: Money,
}

impl FromRow<'_, PgRow> for Drift {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Drift {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            merchant_id: row.try_get("merchant_id")?,
            mode: row.try_get("mode")?,
            kept: super::money_at(row, "kept", "currency")?,
            summed: super::money_at(row, "summed", "currency")?,
        })
    }
}

pub async fn verify_balances(platform: &Platform) -> Result<CheckReport, LedgerError> {
    let mut tx = platform.pool.begin().await?;
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_accounts")
        .fetch_one(&mut *tx)
        .await?;
    let drifts: Vec<Drift> = sqlx::query_as(
        "SELECT a.id, a.kind, a.merchant_id, a.mode, a.currency::text AS currency, a.balance_minor AS kept,
                coalesce(s.summed, 0)::bigint AS summed
         FROM ledger_accounts a
         LEFT JOIN (SELECT account_id, sum(amount_minor) AS summed FROM ledger_lines GROUP BY account_id) s
                ON s.account_id = a.id
         WHERE a.balance_minor <> coalesce(s.summed, 0)
         ORDER BY a.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut report = CheckReport {
        accounts,
        ..CheckReport::default()
    };
    for drift in drifts {
        let opened = sqlx::query(
            "INSERT INTO reconciliation_exceptions (id, payment_id, merchant_id, mode, kind, platform_state, gateway_state,
                                                    ledger_account_id)
             VALUES ($1, NULL, $2, $3, 'ledger_balance', $4, $5, $6)
             ON CONFLICT (ledger_account_id) WHERE resolved_at IS NULL AND ledger_account_id IS NOT NULL DO NOTHING",
        )
        .bind(Uuid::new_v4())
        .bind(drift.merchant_id)
        .bind(drift.mode)
        // Minor units with the currency, as staff have always read these states.
        .bind(format!("{} kept balance {} {}", drift.kind.as_str(), drift.kept.minor(), drift.kept.currency()))
        .bind(format!("sum of its lines {} {}", drift.summed.minor(), drift.summed.currency()))
        .bind(drift.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if opened == 0 {
            report.still_open += 1;
            continue;
        }
        report.opened += 1;
        tracing::error!(
            account = drift.id,
            kind = drift.kind.as_str(),
            "ledger balance differs from its lines"
        );
        let mut event = Event::new("ledger.balance_mismatch", Actor { kind: ActorKind::System, id: None }, Outcome::Failure)
            .target("ledger_account", drift.id.to_string())
            .detail(serde_json::json!({ "kept_minor": drift.kept.minor(), "summed_minor": drift.summed.minor(), "currency": drift.kept.currency().alpha() }));
        if let Some(merchant_id) = drift.merchant_id {
            event = event.merchant(merchant_id);
        }
        audit::record(&mut tx, &event, &RequestFacts::default()).await?;
    }
    tx.commit().await?;
    Ok(report)
}
