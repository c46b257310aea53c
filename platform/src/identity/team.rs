//! A merchant's team, managed by its owner and admins. Every query takes the caller's
//! [`MerchantScope`], so a member of another merchant is simply not found.

use domain::MerchantId;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::accounts::{AccountError, invalid};
use super::emails;
use super::invitation_limits;
use super::invitations::{self, Created, Invitation, Invitee};
use super::roles::MerchantScope;
use super::users::{self, MerchantRole, User, UserKind};
use crate::Platform;
use crate::audit::{self, Event, Outcome, RequestFacts};
use crate::mail;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub full_name: String,
    pub role: MerchantRole,
    /// Invited, and the invitation not accepted yet (or an invitation to an address that
    /// already has an account, which is never accepted: `invitations_to_accounts`).
    pub invited: bool,
    /// Two-factor authentication is on.
    pub mfa_enabled: bool,
}

pub async fn members(pool: &PgPool, merchant_id: MerchantId) -> Result<Vec<Member>, sqlx::Error> {
    let rows: Vec<(Uuid, String, String, MerchantRole, bool, bool)> = sqlx::query_as(
        "SELECT u.id, u.email, u.full_name, mm.role, u.email_verified_at IS NULL,
                EXISTS (SELECT 1 FROM user_mfa m WHERE m.user_id = u.id AND m.enabled_at IS NOT NULL)
         FROM merchant_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.merchant_id = $1 AND u.disabled_at IS NULL
         UNION ALL
         SELECT id, email, full_name, role, true, false FROM invitations_to_accounts WHERE merchant_id = $1
         ORDER BY 4, 3",
    )
    .bind(merchant_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, email, full_name, role, invited, mfa_enabled)| Member {
                user_id,
                email,
                full_name,
                role,
                invited,
                mfa_enabled,
            },
        )
        .collect())
}

/// The team of the caller's own merchant.
pub async fn team(pool: &PgPool, scope: &MerchantScope) -> Result<Vec<Member>, sqlx::Error> {
    members(pool, scope.merchant_id()).await
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

/// Invites a member with `role` (anything but owner) into the caller's merchant. The answer
/// and the team list are the same whether or not the address already has an account; one
/// that has gets a notice instead (`invite_account`). Within the invitation limits only.
pub async fn invite(
    platform: &Platform,
    scope: &MerchantScope,
    inviter: &User,
    invitee: Invitee<'_>,
    role: MerchantRole,
    facts: &RequestFacts,
) -> Result<Uuid, AccountError> {
    assignable(role)?;
    invitation_limits::enforce(platform, scope.merchant_id(), invitee.email, facts).await?;
    let mut tx = platform.pool.begin().await?;
    let place = place(&mut tx, scope).await?;
    let invitation = Invitation {
        kind: UserKind::Merchant,
        inviter_name: inviter.full_name(),
        place: &place,
    };
    let (id, email) = match invitations::create(&mut tx, platform, invitee, &invitation).await? {
        Created::New { id, email } => {
            sqlx::query(
                "INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, $3)",
            )
            .bind(scope.merchant_id())
            .bind(id)
            .bind(role)
            .execute(&mut *tx)
            .await?;
            (id, email)
        }
        Created::Existing { email, full_name } => {
            let id = invite_account(
                &mut tx,
                platform,
                scope,
                (&email, &full_name),
                role,
                &invitation,
            )
            .await?;
            (id, email)
        }
    };
    let event = Event::new("team.invited", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", id.to_string())
        .subject_email(&email)
        .detail(serde_json::json!({ "role": role }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

/// An invitation to an address that already has an account: refused if the address is on
/// the caller's own team already (they can see that), otherwise recorded so the team list
/// shows it as invited, and the address is told it cannot join. Returns the row's id.
async fn invite_account(
    conn: &mut PgConnection,
    platform: &Platform,
    scope: &MerchantScope,
    (email, full_name): (&str, &str),
    role: MerchantRole,
    invitation: &Invitation<'_>,
) -> Result<Uuid, AccountError> {
    let on_team: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM merchant_members mm JOIN users u ON u.id = mm.user_id
                        WHERE mm.merchant_id = $1 AND u.email = $2 AND u.disabled_at IS NULL)
             OR EXISTS (SELECT 1 FROM invitations_to_accounts WHERE merchant_id = $1 AND email = $2)",
    )
    .bind(scope.merchant_id())
    .bind(email)
    .fetch_one(&mut *conn)
    .await?;
    if on_team {
        return Err(invalid("email", "That address is already on your team."));
    }
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO invitations_to_accounts (id, merchant_id, email, full_name, role) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(scope.merchant_id())
    .bind(email)
    .bind(full_name)
    .bind(role)
    .execute(&mut *conn)
    .await?;
    invitations::notify_account(conn, platform, email, invitation).await?;
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
    let locked = locked_member(&mut tx, scope, user_id).await?;
    // Refused before it counts against the limits when there is nothing to re-send.
    let pending = if locked.to_account {
        None
    } else {
        Some(invitations::pending(&mut tx, user_id).await?)
    };
    invitation_limits::enforce(platform, scope.merchant_id(), &locked.email, facts).await?;
    let place = place(&mut tx, scope).await?;
    let invitation = Invitation {
        kind: UserKind::Merchant,
        inviter_name: inviter.full_name(),
        place: &place,
    };
    match pending {
        None => invitations::notify_account(&mut tx, platform, &locked.email, &invitation).await?,
        Some((email, name)) => {
            invitations::send(&mut tx, platform, user_id, &email, &name, &invitation).await?
        }
    }
    let event = Event::new("team.invitation_resent", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", user_id.to_string());
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// A row of the team list, locked for a change.
struct Locked {
    role: MerchantRole,
    email: String,
    /// An invitation to an address that has an account (`invitations_to_accounts`), not a
    /// member: there is no account of this team to change, only the invitation.
    to_account: bool,
}

/// Locks a member (or invitation) of the caller's merchant other than the owner and the
/// caller; anyone else is `NotFound`.
async fn locked_member(
    conn: &mut PgConnection,
    scope: &MerchantScope,
    user_id: Uuid,
) -> Result<Locked, AccountError> {
    let member: Option<(MerchantRole, String)> = sqlx::query_as(
        "SELECT mm.role, u.email FROM merchant_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.merchant_id = $1 AND mm.user_id = $2 FOR UPDATE OF mm",
    )
    .bind(scope.merchant_id())
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let row = match member {
        Some((role, email)) => Some((role, email, false)),
        None => sqlx::query_as::<_, (MerchantRole, String)>(
            "SELECT role, email FROM invitations_to_accounts WHERE merchant_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind(scope.merchant_id())
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|(role, email)| (role, email, true)),
    };
    let Some((role, email, to_account)) = row else {
        return Err(AccountError::NotFound);
    };
    let locked = Locked {
        role,
        email,
        to_account,
    };
    match locked.role {
        MerchantRole::Owner => Err(invalid(
            "user_id",
            "The owner's role cannot be changed here.",
        )),
        _ if Some(user_id) == scope.user_id() => {
            Err(invalid("user_id", "You cannot change your own role."))
        }
        _ => Ok(locked),
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
    let locked = locked_member(&mut tx, scope, user_id).await?;
    let before = locked.role;
    let update = if locked.to_account {
        "UPDATE invitations_to_accounts SET role = $3 WHERE merchant_id = $1 AND id = $2"
    } else {
        "UPDATE merchant_members SET role = $3 WHERE merchant_id = $1 AND user_id = $2"
    };
    sqlx::query(update)
        .bind(scope.merchant_id())
        .bind(user_id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    let event = Event::new("team.role_changed", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", user_id.to_string())
        .detail(serde_json::json!({ "before": before, "after": role }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member: their account is closed (a merchant user belongs to one merchant)
/// and their sessions end now. An invitation to an address with an account is withdrawn.
pub async fn remove(
    platform: &Platform,
    scope: &MerchantScope,
    user_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let mut tx = platform.pool.begin().await?;
    let locked = locked_member(&mut tx, scope, user_id).await?;
    let role = locked.role;
    let ended = if locked.to_account {
        sqlx::query("DELETE FROM invitations_to_accounts WHERE merchant_id = $1 AND id = $2")
            .bind(scope.merchant_id())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        0
    } else {
        sqlx::query("DELETE FROM merchant_members WHERE merchant_id = $1 AND user_id = $2")
            .bind(scope.merchant_id())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        users::close_access(&mut tx, user_id).await?
    };
    let event = Event::new("team.member_removed", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", user_id.to_string())
        .detail(serde_json::json!({ "role": role, "sessions_ended": ended }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes another member the owner, and the owner an admin: how an owner hands the business
/// over, or leaves it (closing an account needs no one else on the owner's team,
/// `privacy::requests::own_account`). Only the owner asks (with a fresh two-factor check,
/// the server function's row); the new owner must have accepted their invitation and turned
/// two-factor authentication on, since the owner's own actions need step-up checks. Both
/// are mailed; audited as `team.owner_transferred`.
pub async fn transfer_ownership(
    platform: &Platform,
    scope: &MerchantScope,
    to: Uuid,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let Some(owner) = scope.user_id() else {
        return Err(AccountError::NotFound);
    };
    if to == owner {
        return Err(invalid("user_id", "You already own this account."));
    }
    let mut tx = platform.pool.begin().await?;
    // Both rows locked, so two transfers (or a transfer and a removal) cannot cross.
    let rows: Vec<(Uuid, MerchantRole, String, String, bool, bool)> = sqlx::query_as(
        "SELECT u.id, mm.role, u.email, u.full_name,
                u.email_verified_at IS NOT NULL AND u.disabled_at IS NULL,
                EXISTS (SELECT 1 FROM user_mfa m WHERE m.user_id = u.id AND m.enabled_at IS NOT NULL)
         FROM merchant_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.merchant_id = $1 AND mm.user_id = ANY($2) FOR UPDATE OF mm",
    )
    .bind(scope.merchant_id())
    .bind(&[owner, to][..])
    .fetch_all(&mut *tx)
    .await?;
    let row = |id: Uuid| rows.iter().find(|row| row.0 == id);
    match row(owner) {
        Some((_, MerchantRole::Owner, ..)) => {}
        _ => return Err(AccountError::NotFound),
    }
    let Some((_, _, to_email, to_name, active, mfa_on)) = row(to) else {
        return Err(AccountError::NotFound);
    };
    if !active {
        return Err(invalid(
            "user_id",
            "They must accept their invitation before they can own the account.",
        ));
    }
    if !mfa_on {
        return Err(invalid(
            "user_id",
            "They must turn on two-factor authentication first: the owner's actions need it.",
        ));
    }
    for (user_id, role) in [(owner, MerchantRole::Admin), (to, MerchantRole::Owner)] {
        sqlx::query(
            "UPDATE merchant_members SET role = $3 WHERE merchant_id = $1 AND user_id = $2",
        )
        .bind(scope.merchant_id())
        .bind(user_id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    }
    let settings = &platform.config.settings;
    let keys = &platform.config.secrets.field_keys;
    if let Some((_, _, email, name, ..)) = row(owner) {
        let mail = emails::ownership_given(settings, email, name, to_name);
        mail::enqueue(&mut tx, keys, &mail).await?;
    }
    let mail = emails::ownership_received(settings, to_email, to_name);
    mail::enqueue(&mut tx, keys, &mail).await?;
    let event = Event::new("team.owner_transferred", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("user", to.to_string());
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}
