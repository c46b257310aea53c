//! The platform's staff, managed by platform administrators: invitations, module
//! permissions and deactivation. Every change is audited with the administrator as actor.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::accounts::{AccountError, invalid};
use super::invitations::{self, Created, Invitation, Invitee};
use super::roles::{AdminScope, Level, Module, Permissions};
use super::users::{self, UserKind};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    pub kind: UserKind,
    /// Invited, and the invitation not accepted yet.
    pub invited: bool,
    pub deactivated: bool,
    pub mfa_enabled: bool,
    pub permissions: Permissions,
}

const STAFF_PLACE: &str = "the Saleonix staff";

fn staff_actor(admin: &AdminScope) -> Actor {
    Actor {
        kind: ActorKind::Staff,
        id: Some(admin.user_id()),
    }
}

type Row = (Uuid, String, String, UserKind, bool, bool, bool);

const SELECT: &str = "SELECT u.id, u.email, u.full_name, u.kind, u.email_verified_at IS NULL, u.disabled_at IS NOT NULL,
                             EXISTS (SELECT 1 FROM user_mfa m WHERE m.user_id = u.id AND m.enabled_at IS NOT NULL)
                      FROM users u WHERE u.kind IN ('staff', 'platform_admin')";

async fn permissions_of(
    conn: &mut PgConnection,
    id: Uuid,
    kind: UserKind,
) -> Result<Permissions, sqlx::Error> {
    if kind == UserKind::PlatformAdmin {
        return Ok(Permissions::everything());
    }
    let grants: Vec<(Module, Level)> =
        sqlx::query_as("SELECT module, level FROM staff_permissions WHERE user_id = $1")
            .bind(id)
            .fetch_all(conn)
            .await?;
    Ok(Permissions::new(grants))
}

async fn member(conn: &mut PgConnection, row: Row) -> Result<StaffMember, sqlx::Error> {
    let (id, email, full_name, kind, invited, deactivated, mfa_enabled) = row;
    let permissions = permissions_of(conn, id, kind).await?;
    Ok(StaffMember {
        id,
        email,
        full_name,
        kind,
        invited,
        deactivated,
        mfa_enabled,
        permissions,
    })
}

pub async fn list(pool: &PgPool) -> Result<Vec<StaffMember>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY u.kind DESC, u.full_name"))
        .fetch_all(&mut *conn)
        .await?;
    let mut staff = Vec::with_capacity(rows.len());
    for row in rows {
        staff.push(member(&mut conn, row).await?);
    }
    Ok(staff)
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<StaffMember>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND u.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(member(&mut conn, row).await?)),
        None => Ok(None),
    }
}

async fn write_permissions(
    conn: &mut PgConnection,
    admin: &AdminScope,
    user_id: Uuid,
    permissions: &Permissions,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM staff_permissions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for (module, level) in permissions.iter() {
        sqlx::query("INSERT INTO staff_permissions (user_id, module, level, granted_by) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(module)
            .bind(level)
            .bind(admin.user_id())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn described(permissions: &Permissions) -> serde_json::Value {
    serde_json::Value::Object(
        permissions
            .iter()
            .map(|(m, l)| (m.slug().to_owned(), serde_json::Value::from(l.slug())))
            .collect(),
    )
}

/// Invites a staff member with `permissions`; they choose a password from the email and
/// enrol in two-factor authentication at their first sign-in.
pub async fn invite(
    platform: &Platform,
    admin: &AdminScope,
    invitee: Invitee<'_>,
    permissions: &Permissions,
    facts: &RequestFacts,
) -> Result<Uuid, AccountError> {
    let mut tx = platform.pool.begin().await?;
    let invitation = Invitation {
        kind: UserKind::Staff,
        inviter_name: admin.full_name(),
        place: STAFF_PLACE,
    };
    // Only platform administrators invite staff (with step-up), and the audit module shows
    // them every account's address anyway: saying the address is taken reveals nothing new.
    let (id, email) = match invitations::create(&mut tx, platform, invitee, &invitation).await? {
        Created::New { id, email } => (id, email),
        Created::Existing { .. } => {
            return Err(invalid(
                "email",
                "That address already has a Saleonix account.",
            ));
        }
    };
    write_permissions(&mut tx, admin, id, permissions).await?;
    let event = Event::new("staff.invited", staff_actor(admin), Outcome::Success)
        .target("user", id.to_string())
        .subject_email(&email)
        .detail(serde_json::json!({ "permissions": described(permissions) }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

/// Locks a staff member (not an administrator) for a change, or `NotFound`.
async fn locked_staff(conn: &mut PgConnection, user_id: Uuid) -> Result<(), AccountError> {
    let found: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND kind = 'staff' FOR UPDATE")
            .bind(user_id)
            .fetch_optional(conn)
            .await?;
    found.map(drop).ok_or(AccountError::NotFound)
}

/// Replaces a staff member's permissions; they apply from the member's next request.
pub async fn set_permissions(
    platform: &Platform,
    admin: &AdminScope,
    user_id: Uuid,
    permissions: &Permissions,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let mut tx = platform.pool.begin().await?;
    locked_staff(&mut tx, user_id).await?;
    let before = permissions_of(&mut tx, user_id, UserKind::Staff).await?;
    write_permissions(&mut tx, admin, user_id, permissions).await?;
    let event = Event::new(
        "staff.permissions_changed",
        staff_actor(admin),
        Outcome::Success,
    )
    .target("user", user_id.to_string())
    .detail(serde_json::json!({ "before": described(&before), "after": described(permissions) }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends an invited staff member who has not accepted yet a new link.
pub async fn resend_invitation(
    platform: &Platform,
    admin: &AdminScope,
    user_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let mut tx = platform.pool.begin().await?;
    locked_staff(&mut tx, user_id).await?;
    let invitation = Invitation {
        kind: UserKind::Staff,
        inviter_name: admin.full_name(),
        place: STAFF_PLACE,
    };
    invitations::resend(&mut tx, platform, user_id, invitation).await?;
    let event = Event::new(
        "staff.invitation_resent",
        staff_actor(admin),
        Outcome::Success,
    )
    .target("user", user_id.to_string());
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates a staff member: they cannot sign in, and their sessions end now.
pub async fn deactivate(
    platform: &Platform,
    admin: &AdminScope,
    user_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let mut tx = platform.pool.begin().await?;
    locked_staff(&mut tx, user_id).await?;
    let ended = users::close_access(&mut tx, user_id).await?;
    let event = Event::new("staff.deactivated", staff_actor(admin), Outcome::Success)
        .target("user", user_id.to_string())
        .detail(serde_json::json!({ "sessions_ended": ended }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}
