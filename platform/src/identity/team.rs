//! A merchant's team, managed by its owner and admins. Every query takes the caller's
//! [`MerchantScope`], so a member of another merchant is simply not found.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::accounts::{AccountError, invalid};
use super::invitations::{self, Invitation, Invitee};
use super::roles::MerchantScope;
use super::users::{self, MerchantRole, User, UserKind};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub full_name: String,
    pub role: MerchantRole,
    /// Invited, and the invitation not accepted yet.
    pub invited: bool,
}

pub async fn members(pool: &PgPool, merchant_id: Uuid) -> Result<Vec<Member>, sqlx::Error> {
    let rows: Vec<(Uuid, String, String, MerchantRole, bool)> = sqlx::query_as(
        "SELECT u.id, u.email, u.full_name, mm.role, u.email_verified_at IS NULL
         FROM merchant_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.merchant_id = $1 AND u.disabled_at IS NULL
         ORDER BY mm.role, u.full_name",
    )
    .bind(merchant_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, email, full_name, role, invited)| Member {
            user_id,
            email,
            full_name,
            role,
            invited,
        })
        .collect())
}

/// The team of the caller's own merchant.
pub async fn team(pool: &PgPool, scope: &MerchantScope) -> Result<Vec<Member>, sqlx::Error> {
    members(pool, scope.merchant_id()).await
}

fn actor(scope: &MerchantScope) -> Actor {
    Actor {
        kind: ActorKind::User,
        id: Some(scope.user_id()),
    }
}

fn assignable(role: MerchantRole) -> Result<(), AccountError> {
    if role == MerchantRole::Owner {
        return Err(invalid(
            "role",
            "An account has one owner; choose another role.",
        ));
    }
    Ok(())
}

/// Invites a member with `role` (anything but owner) into the caller's merchant.
pub async fn invite(
    platform: &Platform,
    scope: &MerchantScope,
    inviter: &User,
    invitee: Invitee<'_>,
    role: MerchantRole,
    facts: &RequestFacts,
) -> Result<Uuid, AccountError> {
    assignable(role)?;
    let mut tx = platform.pool.begin().await?;
    let place = place(&mut tx, scope).await?;
    let invitation = Invitation {
        kind: UserKind::Merchant,
        inviter_name: &inviter.full_name,
        place: &place,
    };
    let (id, email) = invitations::create(&mut tx, platform, invitee, invitation).await?;
    sqlx::query("INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, $3)")
        .bind(scope.merchant_id())
        .bind(id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    let event = Event::new("team.invited", actor(scope), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", id.to_string())
        .subject_email(&email)
        .detail(serde_json::json!({ "role": role }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

/// "the Dardania Crafts team", for invitation mail.
async fn place(conn: &mut PgConnection, scope: &MerchantScope) -> Result<String, sqlx::Error> {
    let business: String = sqlx::query_scalar("SELECT business_name FROM merchants WHERE id = $1")
        .bind(scope.merchant_id())
        .fetch_one(conn)
        .await?;
    Ok(format!("the {business} team"))
}

/// Sends an invited member of the caller's merchant a new link.
pub async fn resend_invitation(
    platform: &Platform,
    scope: &MerchantScope,
    inviter: &User,
    user_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let mut tx = platform.pool.begin().await?;
    locked_member(&mut tx, scope, user_id).await?;
    let place = place(&mut tx, scope).await?;
    let invitation = Invitation {
        kind: UserKind::Merchant,
        inviter_name: &inviter.full_name,
        place: &place,
    };
    invitations::resend(&mut tx, platform, user_id, invitation).await?;
    let event = Event::new("team.invitation_resent", actor(scope), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", user_id.to_string());
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Locks a member of the caller's merchant other than the owner and the caller, and
/// returns their role; anyone else is `NotFound`.
async fn locked_member(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    user_id: Uuid,
) -> Result<MerchantRole, AccountError> {
    let role: Option<MerchantRole> = sqlx::query_scalar(
        "SELECT role FROM merchant_members WHERE merchant_id = $1 AND user_id = $2 FOR UPDATE",
    )
    .bind(scope.merchant_id())
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    match role {
        None => Err(AccountError::NotFound),
        Some(MerchantRole::Owner) => Err(invalid(
            "user_id",
            "The owner's role cannot be changed here.",
        )),
        Some(_) if user_id == scope.user_id() => {
            Err(invalid("user_id", "You cannot change your own role."))
        }
        Some(role) => Ok(role),
    }
}

pub async fn change_role(
    platform: &Platform,
    scope: &MerchantScope,
    user_id: Uuid,
    role: MerchantRole,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    assignable(role)?;
    let mut tx = platform.pool.begin().await?;
    let before = locked_member(&mut tx, scope, user_id).await?;
    sqlx::query("UPDATE merchant_members SET role = $3 WHERE merchant_id = $1 AND user_id = $2")
        .bind(scope.merchant_id())
        .bind(user_id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    let event = Event::new("team.role_changed", actor(scope), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", user_id.to_string())
        .detail(serde_json::json!({ "before": before, "after": role }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member: their account is closed (a merchant user belongs to one merchant)
/// and their sessions end now.
pub async fn remove(
    platform: &Platform,
    scope: &MerchantScope,
    user_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let mut tx = platform.pool.begin().await?;
    let role = locked_member(&mut tx, scope, user_id).await?;
    sqlx::query("DELETE FROM merchant_members WHERE merchant_id = $1 AND user_id = $2")
        .bind(scope.merchant_id())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let ended = users::close_access(&mut tx, user_id).await?;
    let event = Event::new("team.member_removed", actor(scope), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", user_id.to_string())
        .detail(serde_json::json!({ "role": role, "sessions_ended": ended }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}
