//! Background housekeeping every instance runs. Each pass is a single idempotent delete,
//! so instances running it at once do no harm. Every job stops when the server stops
//! (`crate::shutdown`): a pass under way is finished, no new one is started.

use std::time::Duration;

use platform::api::idempotency;
use platform::identity::{sessions, tokens};
use sqlx::PgPool;
use tokio::task::JoinHandle;

use crate::shutdown::Stop;

/// Runs `pass` now and then every `period` until `stop` is asked for. The stop is looked
/// at only between passes: a pass holds rows it has locked and half-done gateway calls,
/// and cutting it short would leave them for the next instance to untangle.
fn every<Pass, Done>(period: Duration, stop: Stop, mut pass: Pass) -> JoinHandle<()>
where
    Pass: FnMut() -> Done + Send + 'static,
    Done: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        loop {
            tokio::select! {
                biased;
                () = stop.clone().requested() => break,
                _ = ticks.tick() => pass().await,
            }
        }
    })
}

/// Every job, each told to stop by `stop`; the server waits for the handles when stopping.
pub fn spawn_all(platform: &platform::Platform, stop: &Stop) -> Vec<JoinHandle<()>> {
    let mut jobs = vec![
        spawn_cleanup(platform.pool.clone(), stop.clone()),
        spawn_checkout_expiry(platform.clone(), stop.clone()),
        spawn_reconciliation(platform.clone(), stop.clone()),
        spawn_subscription_polling(platform.clone(), stop.clone()),
        spawn_refusal_reports(platform.clone(), stop.clone()),
        spawn_audit_sealing(platform.pool.clone(), stop.clone()),
        spawn_audit_retention(platform.clone(), stop.clone()),
        spawn_privacy_retention(platform.pool.clone(), stop.clone()),
        spawn_kyc_restrictions(platform.clone(), stop.clone()),
        spawn_ledger_release(platform.clone(), stop.clone()),
        spawn_ledger_check(platform.clone(), stop.clone()),
        spawn_payout_run(platform.clone(), stop.clone()),
        spawn_webhook_retention(platform.clone(), stop.clone()),
    ];
    jobs.extend(spawn_webhook_delivery(platform, stop));
    jobs
}

const CLEANUP_EVERY: Duration = Duration::from_secs(15 * 60);

/// Deletes expired sessions, spent or stale account tokens, the merchant API's idempotent
/// answers and subscription portal links past keeping, now and then every 15 minutes.
pub fn spawn_cleanup(pool: PgPool, stop: Stop) -> JoinHandle<()> {
    every(CLEANUP_EVERY, stop, move || {
        let pool = pool.clone();
        async move {
            match (
                sessions::delete_expired(&pool).await,
                tokens::delete_stale(&pool).await,
                idempotency::delete_stale(&pool).await,
                platform::subscriptions::portal::delete_stale(&pool).await,
            ) {
                (Ok(sessions), Ok(tokens), Ok(answers), Ok(portal_links)) => {
                    tracing::debug!(sessions, tokens, answers, portal_links, "cleanup done")
                }
                (Err(error), _, _, _)
                | (_, Err(error), _, _)
                | (_, _, Err(error), _)
                | (_, _, _, Err(error)) => {
                    tracing::warn!(%error, "cleanup failed; retrying later")
                }
            }
        }
    })
}

const EXPIRY_EVERY: Duration = Duration::from_secs(60);

/// Marks checkouts past their expiry as expired, every minute. Each pass takes its rows
/// with `SKIP LOCKED`, so instances running it at once share the work.
pub fn spawn_checkout_expiry(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    every(EXPIRY_EVERY, stop, move || {
        let platform = platform.clone();
        async move {
            match platform::payments::sessions::expire_due(&platform).await {
                Ok(expired) => tracing::debug!(expired, "checkout expiry done"),
                Err(error) => tracing::warn!(%error, "checkout expiry failed; retrying later"),
            }
        }
    })
}

const REFUSAL_REPORTS_EVERY: Duration = Duration::from_secs(60);

/// Audits the count of refused gateway answers of each closed window, every minute (see
/// `platform::payments::refusals`); each window is reported once, whichever instance gets it.
pub fn spawn_refusal_reports(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    every(REFUSAL_REPORTS_EVERY, stop, move || {
        let platform = platform.clone();
        async move {
            match platform::payments::refusals::report_closed_windows(&platform).await {
                Ok(reported) => tracing::debug!(reported, "refused-answer counts audited"),
                Err(error) => {
                    tracing::warn!(%error, "auditing refused-answer counts failed; retrying later")
                }
            }
        }
    })
}

/// Reconciles payments and refunds with the gateway as they fall due (see
/// `platform::payments::reconciliation`); instances share the work through `SKIP LOCKED`.
/// Unlike the other jobs, a stop is heeded between the payments of a pass.
pub fn spawn_reconciliation(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    let period = Duration::from_secs(platform.config.settings.reconciliation.poll_interval_secs);
    every(period, stop.clone(), move || {
        let platform = platform.clone();
        let stop = stop.clone();
        async move {
            let now = time::OffsetDateTime::now_utc();
            // A pass may hold many payments: a stop ends it after the one in hand.
            let stopping = || stop.is_requested();
            match platform::payments::reconciliation::run_due_until(&platform, now, stopping).await
            {
                Ok(report) if report.checked > 0 => {
                    tracing::info!(?report, "reconciliation pass done")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "reconciliation pass failed; retrying later"),
            }
        }
    })
}

const SUBSCRIPTIONS_EVERY: Duration = Duration::from_secs(60);

/// Follows the subscriptions' recurring series at the gateway as their planned charges
/// pass (`platform::subscriptions::follow`), every minute; instances share the series
/// through `SKIP LOCKED`. Each pass also flags series whose id never arrived for staff
/// (`platform::subscriptions::series`).
pub fn spawn_subscription_polling(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    every(SUBSCRIPTIONS_EVERY, stop, move || {
        let platform = platform.clone();
        async move {
            let now = time::OffsetDateTime::now_utc();
            match platform::subscriptions::follow::poll_due(&platform, now).await {
                Ok(report) if report.polled > 0 => {
                    tracing::info!(?report, "subscription polling pass done")
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "subscription polling pass failed; retrying later")
                }
            }
            if let Err(error) = platform::subscriptions::series::flag_unknown(&platform, now).await
            {
                tracing::warn!(%error, "looking for unknown series failed; retrying later");
            }
        }
    })
}

/// How soon a committed audit row is chained. A pass with nothing to seal is one short
/// query; with several instances, one seals and the others find the lock taken.
const SEALING_EVERY: Duration = Duration::from_millis(250);

/// Chains committed audit rows ([`platform::audit::seal`]), four times a second.
pub fn spawn_audit_sealing(pool: PgPool, stop: Stop) -> JoinHandle<()> {
    every(SEALING_EVERY, stop, move || {
        let pool = pool.clone();
        async move {
            if let Err(error) = platform::audit::seal(&pool).await {
                tracing::warn!(%error, "sealing the audit chain failed; retrying shortly")
            }
        }
    })
}

const RETENTION_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Purges audit rows past the configured retention (never under five years), daily.
pub fn spawn_audit_retention(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    every(RETENTION_EVERY, stop, move || {
        let platform = platform.clone();
        async move {
            let keep_days = platform.config.settings.audit.retention_days;
            match platform::audit::purge_expired(&platform.pool, keep_days).await {
                Ok(purged) => tracing::info!(purged, keep_days, "audit retention pass done"),
                Err(error) => {
                    tracing::warn!(%error, "audit retention pass failed; retrying tomorrow")
                }
            }
        }
    })
}

const PRIVACY_RETENTION_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Applies the retention rules for personal data (`platform::privacy::retention`), daily:
/// unverified sign-ups, lapsed invitations, abandoned checkouts' buyer emails and old mail.
/// Each pass is audited as `privacy.retention` with its counts; instances share the rows
/// through `SKIP LOCKED`.
pub fn spawn_privacy_retention(pool: PgPool, stop: Stop) -> JoinHandle<()> {
    every(PRIVACY_RETENTION_EVERY, stop, move || {
        let pool = pool.clone();
        async move {
            match platform::privacy::retention::sweep(&pool).await {
                Ok(swept) => tracing::info!(?swept, "privacy retention pass done"),
                Err(error) => {
                    tracing::warn!(%error, "privacy retention pass failed; retrying tomorrow")
                }
            }
        }
    })
}

const KYC_RESTRICTIONS_EVERY: Duration = Duration::from_secs(5 * 60);

/// Closes Live Mode for merchants past a re-verification deadline, every five minutes
/// (see `platform::kyc::review::restrict_overdue`); instances share the work through
/// `SKIP LOCKED`, so each merchant is restricted, audited and told once.
pub fn spawn_kyc_restrictions(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    every(KYC_RESTRICTIONS_EVERY, stop, move || {
        let platform = platform.clone();
        async move {
            let now = time::OffsetDateTime::now_utc();
            match platform::kyc::review::restrict_overdue(&platform, now).await {
                Ok(0) => {}
                Ok(restricted) => tracing::info!(
                    restricted,
                    "overdue re-verifications restricted to Test Mode"
                ),
                Err(error) => tracing::warn!(%error, "re-verification pass failed; retrying later"),
            }
        }
    })
}

/// Releases sold money whose day has come (`platform::ledger::release`), every
/// `ledger.release_poll_secs`; instances share the holds through `SKIP LOCKED`.
pub fn spawn_ledger_release(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    let period = Duration::from_secs(platform.config.settings.ledger.release_poll_secs);
    every(period, stop, move || {
        let platform = platform.clone();
        async move {
            match platform::ledger::release::release_due(&platform).await {
                Ok(0) => {}
                Ok(released) => tracing::info!(released, "held sales released to available"),
                Err(error) => tracing::warn!(%error, "release pass failed; retrying later"),
            }
        }
    })
}

const LEDGER_CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Holds every kept balance to the sum of its lines, daily (`platform::ledger::checks`);
/// a difference opens one reconciliation exception per account, however many instances look.
pub fn spawn_ledger_check(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    every(LEDGER_CHECK_EVERY, stop, move || {
        let platform = platform.clone();
        async move {
            match platform::ledger::checks::verify_balances(&platform).await {
                Ok(report) => tracing::info!(
                    accounts = report.accounts,
                    opened = report.opened,
                    "ledger balances checked"
                ),
                Err(error) => tracing::warn!(%error, "ledger check failed; retrying tomorrow"),
            }
        }
    })
}

const PAYOUT_RUN_EVERY: Duration = Duration::from_secs(60 * 60);

/// The daily payout run (see `platform::payouts::run`), tried every hour: each merchant is
/// paid at most once a day, so later passes pay only merchants that became due since (a
/// bank-account hold that ended). Instances take turns through an advisory lock.
pub fn spawn_payout_run(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    every(PAYOUT_RUN_EVERY, stop, move || {
        let platform = platform.clone();
        async move {
            let facts = platform::audit::RequestFacts::default();
            match platform::payouts::run::run(&platform, None, &facts).await {
                Ok(report) if report.payouts > 0 => tracing::info!(?report, "payout run done"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "payout run failed; retrying in an hour"),
            }
        }
    })
}

/// The webhook delivery workers (`webhooks.concurrency` of them; see
/// `platform::webhooks::delivery`). Each pass leases its deliveries with `SKIP LOCKED`, so
/// workers and instances share the outbox; a worker whose pass found a full batch goes
/// on at once, and otherwise waits `webhooks.poll_interval_ms`. A stop lets the pass under
/// way finish: what it had leased and not recorded would wait for its lease to run out.
pub fn spawn_webhook_delivery(platform: &platform::Platform, stop: &Stop) -> Vec<JoinHandle<()>> {
    let settings = platform.config.settings.webhooks;
    let idle = Duration::from_millis(settings.poll_interval_ms);
    (0..settings.concurrency)
        .map(|_| {
            let (platform, stop) = (platform.clone(), stop.clone());
            tokio::spawn(async move {
                loop {
                    let now = time::OffsetDateTime::now_utc();
                    let more = match platform::webhooks::delivery::deliver_due(&platform, now).await
                    {
                        Ok(report) => {
                            if report.attempted > 0 {
                                tracing::debug!(?report, "webhook delivery pass done");
                            }
                            report.more_due()
                        }
                        Err(error) => {
                            tracing::warn!(%error, "webhook delivery pass failed; retrying later");
                            false
                        }
                    };
                    if stop.is_requested() {
                        break;
                    }
                    if !more {
                        tokio::select! {
                            biased;
                            () = stop.clone().requested() => break,
                            () = tokio::time::sleep(idle) => {}
                        }
                    }
                }
            })
        })
        .collect()
}

const WEBHOOK_RETENTION_EVERY: Duration = Duration::from_secs(60 * 60);

/// Deletes events and webhook attempts past their 30 days, hourly.
pub fn spawn_webhook_retention(platform: platform::Platform, stop: Stop) -> JoinHandle<()> {
    every(WEBHOOK_RETENTION_EVERY, stop, move || {
        let platform = platform.clone();
        async move {
            let now = time::OffsetDateTime::now_utc();
            match platform::webhooks::delivery::prune(&platform.pool, now).await {
                Ok((0, 0)) => {}
                Ok((events, attempts)) => {
                    tracing::info!(events, attempts, "old events and webhook attempts deleted")
                }
                Err(error) => {
                    tracing::warn!(%error, "webhook retention pass failed; retrying later")
                }
            }
        }
    })
}
