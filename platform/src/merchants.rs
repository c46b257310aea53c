//! The admin console's view of merchant accounts: the list, one merchant with its team and
//! its KYC status, and the suspension staff set by hand (with step-up, audited). Whether a
//! merchant is verified for Live Mode is the outcome of the KYC review (`kyc::review`),
//! never a switch.

use domain::{EventType, MerchantId};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Platform;
use crate::audit::{self, Actor, ActorKind, AuditError, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, Module, ScopeRefused, StaffScope};
use crate::identity::team::{self, Member};
use crate::kyc::Status;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantSummary {
    pub id: Uuid,
    pub business_name: String,
    pub created_at: OffsetDateTime,
    pub verified: bool,
    pub suspended: bool,
    /// Its last member closed their account (`privacy::requests::own_account`).
    pub closed: bool,
    pub members: i64,
    /// The KYC application's status; `None` until the merchant starts one.
    pub kyc_status: Option<Status>,
}

const SELECT: &str = "SELECT m.id, m.business_name, m.created_at, m.verified_at IS NOT NULL, m.suspended_at IS NOT NULL,
                             m.closed_at IS NOT NULL, (SELECT count(*) FROM merchant_members mm WHERE mm.merchant_id = m.id), a.status
                      FROM merchants m LEFT JOIN kyc_applications a ON a.merchant_id = m.id";

type Row = (
    Uuid,
    String,
    OffsetDateTime,
    bool,
    bool,
    bool,
    i64,
    Option<Status>,
);

fn summary(
    (id, business_name, created_at, verified, suspended, closed, members, kyc_status): Row,
) -> MerchantSummary {
    MerchantSummary {
        id,
        business_name,
        created_at,
        verified,
        suspended,
        closed,
        members,
        kyc_status,
    }
}

/// Every merchant: applications waiting for review first, then the unverified, newest
/// first within each group.
pub async fn list(pool: &PgPool) -> Result<Vec<MerchantSummary>, sqlx::Error> {
    let order = "ORDER BY a.status IS NOT DISTINCT FROM 'submitted' DESC, m.verified_at IS NOT NULL, m.created_at DESC";
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} {order}"))
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(summary).collect())
}

pub async fn get(
    pool: &PgPool,
    id: MerchantId,
) -> Result<Option<(MerchantSummary, Vec<Member>)>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    match row {
        Some(row) => Ok(Some((summary(row), team::members(pool, id).await?))),
        None => Ok(None),
    }
}

/// How many KYC applications wait in the review queue, for the admin landing page.
pub async fn awaiting_review(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM kyc_applications WHERE status = 'submitted'")
        .fetch_one(pool)
        .await
}

/// A flag staff set on a merchant by hand. (Verification is the KYC review's outcome.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Suspended,
}

#[derive(Debug, thiserror::Error)]
pub enum MerchantError {
    #[error("no such merchant")]
    NotFound,
    /// The staff scope does not hold merchants `act`.
    #[error(transparent)]
    Forbidden(#[from] ScopeRefused),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] AuditError),
}

/// Sets or clears `flag` on the merchant, audited with the staff member as actor. A change
/// raises `account.suspended` or `account.reinstated` in the same transaction; a repeat
/// (suspending a suspended merchant) is audited but raises nothing, as nothing changed.
pub async fn set_flag(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    flag: Flag,
    on: bool,
    facts: &RequestFacts,
) -> Result<(), MerchantError> {
    staff.holds(Module::Merchants, Level::Act)?;
    let (event_type, raised) = match (flag, on) {
        (Flag::Suspended, true) => ("merchant.suspended", EventType::AccountSuspended),
        (Flag::Suspended, false) => ("merchant.reinstated", EventType::AccountReinstated),
    };
    let mut tx = platform.pool.begin().await?;
    let suspended: Option<bool> = sqlx::query_scalar(
        "SELECT suspended_at IS NOT NULL FROM merchants WHERE id = $1 FOR UPDATE",
    )
    .bind(merchant_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(suspended) = suspended else {
        return Err(MerchantError::NotFound);
    };
    if suspended != on {
        sqlx::query(
            "UPDATE merchants SET suspended_at = CASE WHEN $2 THEN now() END WHERE id = $1",
        )
        .bind(merchant_id)
        .bind(on)
        .execute(&mut *tx)
        .await?;
        crate::api::notify::account_changed(&mut tx, merchant_id, raised).await?;
    }
    let event = Event::new(
        event_type,
        Actor {
            kind: ActorKind::Staff,
            id: Some(staff.user_id()),
        },
        Outcome::Success,
    )
    .merchant(merchant_id)
    .target("merchant", merchant_id.to_string());
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}
