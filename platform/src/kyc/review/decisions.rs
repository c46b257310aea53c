//! Staff decisions on an application: accept an item, ask for changes, approve, reject.
//! Each locks the application, checks its state allows the decision, and writes the
//! change, its audit row, its mails and (but for accepting an item, which the merchant
//! learns from the outcome) its `account.verification.*` event in one transaction; a
//! refusal changes nothing.
//!
//! Staff's reasons are shown to the merchant and mailed to them, but never enter the audit
//! trail (audit reasons are fixed phrases): the audit row names the item, the checklist
//! keeps the words.

use domain::{EventType, MerchantId};
use sqlx::PgConnection;
use uuid::Uuid;

use super::mails::{Notice, notify};
use super::{Checklist, KycError, Status, reason};
use crate::Platform;
use crate::api::notify::account_changed;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, Module, StaffScope};
use crate::kyc::{Item, ItemState};

/// The application locked for a staff decision, with who last asked for changes.
/// Staff never create an application: a merchant without one is not found.
pub(super) async fn lock_existing(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<(Checklist, Option<Uuid>), KycError> {
    let row: Option<Option<Uuid>> = sqlx::query_scalar(
        "SELECT changes_requested_by FROM kyc_applications WHERE merchant_id = $1 FOR UPDATE",
    )
    .bind(merchant_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(asker) = row else {
        return Err(KycError::NotFound);
    };
    Ok((crate::kyc::lock(conn, merchant_id).await?, asker))
}

pub(super) fn staff_event(event_type: &'static str, staff: Uuid, merchant_id: MerchantId) -> Event {
    Event::new(
        event_type,
        Actor {
            kind: ActorKind::Staff,
            id: Some(staff),
        },
        Outcome::Success,
    )
    .merchant(merchant_id)
    .target("kyc_application", merchant_id.to_string())
}

/// Items are decided while the application is with staff: sent for review, or already
/// sent back with other items to change.
fn ensure_reviewing(list: &Checklist) -> Result<(), KycError> {
    match list.status {
        Status::Submitted | Status::ChangesRequested => Ok(()),
        Status::Draft => Err(KycError::NotAllowed(
            "The merchant has not sent this application for review yet.",
        )),
        Status::Approved => Err(KycError::NotAllowed(
            "This application is approved. To have an item updated, ask for re-verification.",
        )),
        Status::Rejected => Err(KycError::NotAllowed(
            "This application was rejected; nothing more can be decided on it.",
        )),
    }
}

async fn decide_item(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    item: Item,
    state: ItemState,
    reason: Option<&str>,
    staff: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE kyc_items SET state = $3, reason = $4, reviewed_by = $5, reviewed_at = now(), updated_at = now()
         WHERE merchant_id = $1 AND item = $2",
    )
    .bind(merchant_id)
    .bind(item)
    .bind(state)
    .bind(reason)
    .bind(staff)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Accepts an item the merchant sent (`submitted`).
#[tracing::instrument(skip_all, fields(%merchant_id, item = item.slug()))]
pub async fn accept_item(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    item: Item,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    staff.holds(Module::Merchants, Level::Act)?;
    let staff = staff.user_id();
    let mut tx = platform.pool.begin().await?;
    let (list, _) = lock_existing(&mut tx, merchant_id).await?;
    ensure_reviewing(&list)?;
    if list.state(item) != ItemState::Submitted {
        return Err(KycError::NotAllowed(
            "Only an item the merchant has sent and nobody has decided yet can be accepted.",
        ));
    }
    decide_item(&mut tx, merchant_id, item, ItemState::Accepted, None, staff).await?;
    sqlx::query("UPDATE kyc_applications SET updated_at = now() WHERE merchant_id = $1")
        .bind(merchant_id)
        .execute(&mut *tx)
        .await?;
    let event = staff_event("kyc.item.accept", staff, merchant_id)
        .detail(serde_json::json!({ "item": item.slug() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends an item back to the merchant with `reason` (what to change, in plain words): the
/// item and the application are `changes_requested`, and the owners and admins are mailed.
#[tracing::instrument(skip_all, fields(%merchant_id, item = item.slug()))]
pub async fn request_changes(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    item: Item,
    reason_text: &str,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    staff.holds(Module::Merchants, Level::Act)?;
    let staff = staff.user_id();
    let reason = reason(reason_text)?;
    let mut tx = platform.pool.begin().await?;
    let (list, _) = lock_existing(&mut tx, merchant_id).await?;
    ensure_reviewing(&list)?;
    if !matches!(list.state(item), ItemState::Submitted | ItemState::Accepted) {
        return Err(KycError::NotAllowed(
            "Changes are already asked for on this item, or the merchant has not sent it.",
        ));
    }
    decide_item(
        &mut tx,
        merchant_id,
        item,
        ItemState::ChangesRequested,
        Some(&reason),
        staff,
    )
    .await?;
    sqlx::query(
        "UPDATE kyc_applications SET status = 'changes_requested', changes_requested_by = $2, updated_at = now()
         WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .bind(staff)
    .execute(&mut *tx)
    .await?;
    account_changed(
        &mut tx,
        merchant_id,
        EventType::AccountVerificationChangesRequested,
    )
    .await?;
    let event = staff_event("kyc.item.request_changes", staff, merchant_id)
        .detail(serde_json::json!({ "item": item.slug() }));
    audit::record(&mut tx, &event, facts).await?;
    let settings = &platform.config.settings;
    notify(
        &mut tx,
        &platform.config.secrets.field_keys,
        settings,
        merchant_id,
        &Notice::ChangesRequested {
            item: item.label(),
            reason: &reason,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Approves the application: it must be with staff, every item accepted, no sanctions hit
/// open, and (four eyes) the approver not the person who last asked for changes, unless
/// the platform has a single reviewer. Live Mode opens (`merchants.verified_at`).
#[tracing::instrument(skip_all, fields(%merchant_id))]
pub async fn approve(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    staff.holds(Module::Merchants, Level::Act)?;
    let staff = staff.user_id();
    let mut tx = platform.pool.begin().await?;
    let (list, asker) = lock_existing(&mut tx, merchant_id).await?;
    if list.status != Status::Submitted {
        return Err(KycError::NotAllowed(
            "Only an application waiting for review can be approved.",
        ));
    }
    if list
        .items
        .iter()
        .any(|line| line.state != ItemState::Accepted)
    {
        return Err(KycError::NotAllowed(
            "Accept every checklist item before approving.",
        ));
    }
    if asker == Some(staff) && !platform.config.settings.kyc.single_reviewer {
        return Err(KycError::NotAllowed(
            "Four eyes: you asked for changes on this application, so another staff member must approve it.",
        ));
    }
    if super::super::sanctions::open_hits(&mut tx, merchant_id).await? > 0 {
        return Err(KycError::NotAllowed(
            "A sanctions hit is still open: record a decision on it before approving.",
        ));
    }
    sqlx::query(
        "UPDATE kyc_applications
         SET status = 'approved', decided_by = $2, decided_at = now(), rejection_reason = NULL,
             reverification_due_at = NULL, restricted_at = NULL, updated_at = now()
         WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .bind(staff)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE merchants SET verified_at = now() WHERE id = $1")
        .bind(merchant_id)
        .execute(&mut *tx)
        .await?;
    account_changed(&mut tx, merchant_id, EventType::AccountVerificationApproved).await?;
    audit::record(
        &mut tx,
        &staff_event("kyc.approve", staff, merchant_id),
        facts,
    )
    .await?;
    notify(
        &mut tx,
        &platform.config.secrets.field_keys,
        &platform.config.settings,
        merchant_id,
        &Notice::Approved,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Rejects the application with `reason` for the merchant: Live Mode closes.
#[tracing::instrument(skip_all, fields(%merchant_id))]
pub async fn reject(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    reason_text: &str,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    staff.holds(Module::Merchants, Level::Act)?;
    let staff = staff.user_id();
    let reason = reason(reason_text)?;
    let mut tx = platform.pool.begin().await?;
    let (list, _) = lock_existing(&mut tx, merchant_id).await?;
    if !matches!(list.status, Status::Submitted | Status::ChangesRequested) {
        return Err(KycError::NotAllowed(
            "Only an application sent for review, or sent back for changes, can be rejected.",
        ));
    }
    sqlx::query(
        "UPDATE kyc_applications
         SET status = 'rejected', decided_by = $2, decided_at = now(), rejection_reason = $3, updated_at = now()
         WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .bind(staff)
    .bind(&reason)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE merchants SET verified_at = NULL WHERE id = $1")
        .bind(merchant_id)
        .execute(&mut *tx)
        .await?;
    account_changed(&mut tx, merchant_id, EventType::AccountVerificationRejected).await?;
    audit::record(
        &mut tx,
        &staff_event("kyc.reject", staff, merchant_id),
        facts,
    )
    .await?;
    notify(
        &mut tx,
        &platform.config.secrets.field_keys,
        &platform.config.settings,
        merchant_id,
        &Notice::Rejected { reason: &reason },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
