//! Invitations: an administrator invites staff, a merchant's owner or admin invites team
//! members. The invitee's account exists from the invitation on, unverified and without a
//! usable password, so it cannot sign in; the emailed link sets both
//! (`accounts::accept_invitation`).

use sqlx::PgConnection;
use uuid::Uuid;

use super::accounts::{AccountError, checked_email, checked_text, invalid};
use super::emails;
use super::tokens::{self, Purpose};
use super::users::UserKind;
use crate::Platform;
use crate::mail;

pub const LINK_HOURS: u32 = 72;
/// A PHC-shaped value no password verifies against (it does not parse as a hash).
const NO_PASSWORD_YET: &str = "$argon2id$invited-no-password-yet";

/// Who is invited, as the inviter typed it.
pub struct Invitee<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
}

/// Where the invitee is invited to, for the email.
pub struct Invitation<'a> {
    pub kind: UserKind,
    pub inviter_name: &'a str,
    pub place: &'a str,
}

/// Creates the invited user in the caller's transaction and queues the invitation mail;
/// returns the new user's id and normalised address. An address that already has an
/// account is refused: a person has one Saleonix account, in one role.
pub async fn create(
    conn: &mut PgConnection,
    platform: &Platform,
    invitee: Invitee<'_>,
    invitation: Invitation<'_>,
) -> Result<(Uuid, String), AccountError> {
    let email = checked_email(invitee.email)?;
    let full_name = checked_text("full_name", invitee.full_name, "a name")?;
    let id = Uuid::new_v4();
    let created = sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(id)
    .bind(&email)
    .bind(&full_name)
    .bind(invitation.kind)
    .bind(NO_PASSWORD_YET)
    .execute(&mut *conn)
    .await?;
    if created.rows_affected() == 0 {
        return Err(invalid(
            "email",
            "That address already has a Saleonix account.",
        ));
    }
    send(conn, platform, id, &email, &full_name, &invitation).await?;
    Ok((id, email))
}

/// Sends a new link to a user who has not accepted yet (the first may have expired or be
/// lost); older links keep working until one is used. Refused once they have accepted.
pub async fn resend(
    conn: &mut PgConnection,
    platform: &Platform,
    user_id: Uuid,
    invitation: Invitation<'_>,
) -> Result<(), AccountError> {
    let pending: Option<(String, String)> = sqlx::query_as(
        "SELECT email, full_name FROM users WHERE id = $1 AND email_verified_at IS NULL AND disabled_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((email, full_name)) = pending else {
        return Err(invalid(
            "user_id",
            "They have already accepted; there is nothing to re-send.",
        ));
    };
    send(conn, platform, user_id, &email, &full_name, &invitation).await
}

async fn send(
    conn: &mut PgConnection,
    platform: &Platform,
    user_id: Uuid,
    email: &str,
    full_name: &str,
    invitation: &Invitation<'_>,
) -> Result<(), AccountError> {
    let ttl = time::Duration::hours(LINK_HOURS.into());
    let token = tokens::issue(conn, user_id, Purpose::AcceptInvitation, ttl).await?;
    let settings = &platform.config.settings;
    let mail = emails::invitation(
        settings,
        email,
        full_name,
        invitation.inviter_name,
        invitation.place,
        &token,
    );
    mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    Ok(())
}
