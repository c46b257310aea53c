//! The payout run (a daily job, and a button for staff with payouts `act`): every Live
//! merchant due today by its schedule, verified and not suspended or restricted, whose
//! bank account is accepted in KYC, past its 72-hour change hold and not flagged by a
//! return, is paid its whole available balance in each currency when that is at least its
//! minimum. A negative or smaller balance pays nothing.
//!
//! The run is one transaction. An advisory lock lets one instance run at a time (another
//! finds it taken and does nothing), and the unique (merchant, currency, day) of payouts
//! backs it: a second run the same day pays no merchant twice. Each merchant's available
//! account is locked (`ledger::lock_balance`) before it is read, so a refund that posts at
//! the same moment either commits first (and the run sees the smaller balance) or waits
//! for the run to commit (and then takes from a balance that no longer holds the payout):
//! money a refund took is never paid out.

use domain::{Currency, MerchantId, Money};
use uuid::Uuid;

use super::PayoutError;
use super::transition::{self, NewPayout};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::gateway_accounts::Mode;
use crate::identity::roles::{Level, Module, StaffScope};
use crate::ledger::{self, AccountKind, settlement};

/// The advisory lock key of the run (`payouts.run` in ASCII).
const RUN_LOCK: i64 = 0x0070_6179_6f75_7473;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// The batches made, one per currency.
    pub batches: Vec<Uuid>,
    pub payouts: usize,
    /// Another instance held the run's lock: this one did nothing.
    pub skipped: bool,
}

#[derive(sqlx::FromRow)]
struct Eligible {
    merchant_id: MerchantId,
    bank_account_id: Uuid,
}

/// Runs the payouts due today. `staff` is who pressed the button, holding payouts `act`
/// (`None`: the job).
#[tracing::instrument(skip(platform, facts))]
pub async fn run(
    platform: &Platform,
    staff: Option<&StaffScope>,
    facts: &RequestFacts,
) -> Result<RunReport, PayoutError> {
    if let Some(staff) = staff {
        staff.holds(Module::Payouts, Level::Act)?;
    }
    let staff_id = staff.map(StaffScope::user_id);
    let mut tx = platform.pool.begin().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(RUN_LOCK)
        .fetch_one(&mut *tx)
        .await?;
    if !locked {
        return Ok(RunReport {
            skipped: true,
            ..RunReport::default()
        });
    }
    let today = ledger::today(&mut tx).await?;
    let eligible: Vec<Eligible> = sqlx::query_as(
        "SELECT m.id AS merchant_id, b.id AS bank_account_id
         FROM merchants m
         JOIN kyc_applications a ON a.merchant_id = m.id AND a.status = 'approved' AND a.restricted_at IS NULL
         JOIN kyc_items i ON i.merchant_id = m.id AND i.item = 'bank_account' AND i.state = 'accepted'
         JOIN bank_accounts b ON b.merchant_id = m.id AND b.retired_at IS NULL
              AND b.payout_returned_at IS NULL AND b.payouts_from <= now()
         WHERE m.verified_at IS NOT NULL AND m.suspended_at IS NULL
         ORDER BY m.id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut report = RunReport::default();
    // One batch per currency, made when its first payout is.
    let mut batches: Vec<(Currency, Uuid)> = Vec::new();
    for merchant in eligible {
        let terms = settlement::of_merchant(&mut tx, merchant.merchant_id).await?;
        if !super::schedule::is_due(&terms, today) {
            continue;
        }
        let currencies: Vec<Currency> = sqlx::query_scalar(
            "SELECT currency::text FROM ledger_accounts
             WHERE kind = 'merchant_available' AND merchant_id = $1 AND mode = 'live'
               AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p.merchant_id = $1 AND p.currency = ledger_accounts.currency
                                                         AND p.run_on = $2)
             ORDER BY currency",
        )
        .bind(merchant.merchant_id)
        .bind(today)
        .fetch_all(&mut *tx)
        .await?;
        for currency in currencies {
            let stored = ledger::lock_balance(
                &mut tx,
                AccountKind::MerchantAvailable,
                Some(merchant.merchant_id),
                Mode::Live,
                currency,
            )
            .await?;
            let available = Money::new(AccountKind::MerchantAvailable.reading(stored), currency);
            // The minimum is kept in euro; as ever, another currency's balance is held to its
            // minor units.
            if !available.is_positive() || available.minor() < terms.payout_minimum.minor() {
                continue;
            }
            let batch_id = match batches.iter().find(|(c, _)| *c == currency) {
                Some((_, id)) => *id,
                None => {
                    let id = Uuid::new_v4();
                    sqlx::query("INSERT INTO payout_batches (id, mode, currency, created_by) VALUES ($1, 'live', $2::currency_code, $3)")
                        .bind(id)
                        .bind(currency)
                        .bind(staff_id)
                        .execute(&mut *tx)
                        .await?;
                    batches.push((currency, id));
                    id
                }
            };
            let new = NewPayout {
                batch_id,
                merchant_id: merchant.merchant_id,
                bank_account_id: merchant.bank_account_id,
                amount: available,
                run_on: today,
                created_by: staff_id,
            };
            transition::create(&mut tx, &new).await?;
            report.payouts += 1;
        }
    }
    report.batches = batches.into_iter().map(|(_, id)| id).collect();
    let actor = match staff_id {
        Some(id) => Actor {
            kind: ActorKind::Staff,
            id: Some(id),
        },
        None => Actor {
            kind: ActorKind::System,
            id: None,
        },
    };
    for batch_id in &report.batches {
        let event = Event::new("payout_batch.create", actor, Outcome::Success)
            .target("payout_batch", batch_id.to_string());
        audit::record(&mut tx, &event, facts).await?;
    }
    tx.commit().await?;
    Ok(report)
}
