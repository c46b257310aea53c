//! Re-verification: staff ask a verified merchant to update an item by a deadline, and a
//! job closes Live Mode for those still not updated past it. The application stays
//! `approved` meanwhile (Live Mode stays open until the deadline); submitting the update
//! sends it back to the queue, and approval clears the deadline and any restriction.

use domain::{EventType, MerchantId};
use time::{Date, Duration, OffsetDateTime};

use super::decisions::{lock_existing, staff_event};
use super::mails::{Notice, notify};
use super::{KycError, Status, reason};
use crate::Platform;
use crate::api::notify::account_changed;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, Module, StaffScope};
use crate::kyc::{Item, ItemState};

/// The moment a deadline given as a date passes: the end of that day, UTC.
pub fn deadline(due: Date) -> OffsetDateTime {
    due.with_time(time::macros::time!(23:59:59)).assume_utc()
}

/// Reopens an accepted item of an approved application with `reason`, to be updated by
/// the end of `due` (at least one day ahead). Audited and mailed to owners and admins.
#[tracing::instrument(skip_all, fields(%merchant_id, item = item.slug()))]
pub async fn request_reverification(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    item: Item,
    reason_text: &str,
    due: Date,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    staff.holds(Module::Merchants, Level::Act)?;
    let staff = staff.user_id();
    let reason = reason(reason_text)?;
    let today = OffsetDateTime::now_utc().date();
    if due < today + Duration::days(1) {
        return Err(KycError::invalid(
            "due",
            "Give the merchant at least until tomorrow.",
        ));
    }
    let mut tx = platform.pool.begin().await?;
    let (list, _) = lock_existing(&mut tx, merchant_id).await?;
    if list.status != Status::Approved {
        return Err(KycError::NotAllowed(
            "Re-verification is for approved applications; review this one as it stands.",
        ));
    }
    if list.state(item) != ItemState::Accepted {
        return Err(KycError::NotAllowed(
            "This item is already waiting for the merchant's update.",
        ));
    }
    sqlx::query(
        "UPDATE kyc_items SET state = 'changes_requested', reason = $3, reviewed_by = $4, reviewed_at = now(), updated_at = now()
         WHERE merchant_id = $1 AND item = $2",
    )
    .bind(merchant_id)
    .bind(item)
    .bind(&reason)
    .bind(staff)
    .execute(&mut *tx)
    .await?;
    // The latest deadline staff set applies to every item reopened.
    sqlx::query(
        "UPDATE kyc_applications SET reverification_due_at = $2, changes_requested_by = $3, updated_at = now()
         WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .bind(deadline(due))
    .bind(staff)
    .execute(&mut *tx)
    .await?;
    account_changed(
        &mut tx,
        merchant_id,
        EventType::AccountVerificationReverificationRequested,
    )
    .await?;
    let event = staff_event("kyc.reverification.request", staff, merchant_id)
        .detail(serde_json::json!({ "item": item.slug(), "due": due.to_string() }));
    audit::record(&mut tx, &event, facts).await?;
    let notice = Notice::Reverification {
        item: item.label(),
        reason: &reason,
        due,
    };
    notify(
        &mut tx,
        &platform.config.secrets.field_keys,
        &platform.config.settings,
        merchant_id,
        &notice,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Restricts every application still `approved` whose re-verification deadline passed
/// before `now`: Live Mode closes (`merchants.verified_at`), Test Mode stays, the
/// restriction is audited with the system as actor, and owners and admins are told why.
/// One transaction per merchant; rows are taken with `SKIP LOCKED`, so instances running
/// it at once share the work and never restrict twice. Returns how many were restricted.
pub async fn restrict_overdue(platform: &Platform, now: OffsetDateTime) -> Result<u64, KycError> {
    let mut restricted = 0;
    loop {
        let mut tx = platform.pool.begin().await?;
        let due: Option<(MerchantId, Option<OffsetDateTime>)> = sqlx::query_as(
            "SELECT merchant_id, reverification_due_at FROM kyc_applications
             WHERE status = 'approved' AND restricted_at IS NULL AND reverification_due_at < $1
             ORDER BY reverification_due_at
             LIMIT 1
             FOR UPDATE SKIP LOCKED",
        )
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((merchant_id, due_at)) = due else {
            break;
        };
        sqlx::query("UPDATE kyc_applications SET restricted_at = $2, updated_at = now() WHERE merchant_id = $1")
            .bind(merchant_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE merchants SET verified_at = NULL WHERE id = $1")
            .bind(merchant_id)
            .execute(&mut *tx)
            .await?;
        account_changed(&mut tx, merchant_id, EventType::AccountRestricted).await?;
        let event = Event::new(
            "kyc.restrict",
            Actor {
                kind: ActorKind::System,
                id: None,
            },
            Outcome::Success,
        )
        .merchant(merchant_id)
        .target("kyc_application", merchant_id.to_string())
        .reason("re-verification overdue");
        audit::record(&mut tx, &event, &RequestFacts::default()).await?;
        let notice = Notice::Restricted {
            due: due_at.map(OffsetDateTime::date),
        };
        notify(
            &mut tx,
            &platform.config.secrets.field_keys,
            &platform.config.settings,
            merchant_id,
            &notice,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(%merchant_id, "re-verification overdue: Live Mode closed");
        restricted += 1;
    }
    Ok(restricted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_passes_at_the_end_of_its_day() {
        let at = deadline(time::macros::date!(2026 - 12 - 01));
        assert_eq!(at.date(), time::macros::date!(2026 - 12 - 01));
        assert_eq!((at.hour(), at.minute(), at.second()), (23, 59, 59));
        assert_eq!(at.offset(), time::UtcOffset::UTC);
    }
}
