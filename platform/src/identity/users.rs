//! The signed-in user as the rest of the platform sees them, read fresh on every request
//! so that a disabled account, a changed role or changed permissions take effect at once.

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use super::roles::Permissions;
use crate::config::IdentitySettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[sqlx(type_name = "user_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    Merchant,
    Staff,
    PlatformAdmin,
}

pub use domain::{MerchantId, MerchantRole};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub merchant_id: MerchantId,
    pub business_name: String,
    pub role: MerchantRole,
}

/// A user as loaded from the database for this request. Its fields are private and
/// [`load_active`] is its only constructor, so no code can make up a user (and from it a
/// [`super::roles::MerchantScope`] or [`super::roles::StaffScope`]) that the database did
/// not vouch for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    id: Uuid,
    email: String,
    full_name: String,
    kind: UserKind,
    membership: Option<Membership>,
    /// Two-factor authentication is on (enrolment confirmed).
    mfa_enabled: bool,
    /// Admin-console modules held: none for merchants, all for platform administrators.
    permissions: Permissions,
}

impl User {
    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn email(&self) -> &str {
        &self.email
    }

    pub fn full_name(&self) -> &str {
        &self.full_name
    }

    pub fn kind(&self) -> UserKind {
        self.kind
    }

    pub fn membership(&self) -> Option<&Membership> {
        self.membership.as_ref()
    }

    pub fn mfa_enabled(&self) -> bool {
        self.mfa_enabled
    }

    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    /// Staff and administrators always work with a second factor; merchants when the
    /// platform setting says so.
    pub fn must_use_mfa(&self, settings: &IdentitySettings) -> bool {
        self.kind != UserKind::Merchant || settings.mfa_required_for_merchants
    }

    /// The user must enrol before anything else is open to them.
    pub fn owes_mfa_enrolment(&self, settings: &IdentitySettings) -> bool {
        self.must_use_mfa(settings) && !self.mfa_enabled
    }
}

/// Closes the user's access in the caller's transaction: the account is disabled (it can
/// no longer sign in) and every session ends now. Returns how many sessions ended.
pub async fn close_access(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<u64, sqlx::Error> {
    sqlx::query("UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    super::sessions::revoke_all(conn, id, None).await
}

/// The user if the account may be signed in now: verified and not disabled.
pub async fn load_active(pool: &PgPool, id: Uuid) -> Result<Option<User>, sqlx::Error> {
    type Row = (
        Uuid,
        String,
        String,
        UserKind,
        Option<MerchantId>,
        Option<String>,
        Option<MerchantRole>,
        bool,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT u.id, u.email, u.full_name, u.kind, m.id, m.business_name, mm.role, mfa.enabled_at IS NOT NULL
         FROM users u
         LEFT JOIN merchant_members mm ON mm.user_id = u.id
         LEFT JOIN merchants m ON m.id = mm.merchant_id
         LEFT JOIN user_mfa mfa ON mfa.user_id = u.id
         WHERE u.id = $1 AND u.email_verified_at IS NOT NULL AND u.disabled_at IS NULL",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some((id, email, full_name, kind, merchant_id, business_name, role, mfa_enabled)) = row
    else {
        return Ok(None);
    };
    let permissions = match kind {
        UserKind::Merchant => Permissions::default(),
        UserKind::PlatformAdmin => Permissions::everything(),
        UserKind::Staff => Permissions::new(
            sqlx::query_as("SELECT module, level FROM staff_permissions WHERE user_id = $1")
                .bind(id)
                .fetch_all(pool)
                .await?,
        ),
    };
    Ok(Some(User {
        id,
        email,
        full_name,
        kind,
        membership: match (merchant_id, business_name, role) {
            (Some(merchant_id), Some(business_name), Some(role)) => Some(Membership {
                merchant_id,
                business_name,
                role,
            }),
            _ => None,
        },
        mfa_enabled,
        permissions,
    }))
}
