//! Invitations: an administrator invites staff, a merchant's owner or admin invites team
//! members. The invitee's account exists from the invitation on, unverified and without a
//! usable password, so it cannot sign in; the emailed link sets both
//! (`accounts::accept_invitation`). An address that already has an account gets a notice
//! instead (`notify_account`): an account belongs to one merchant or to the staff.

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

/// What [`create`] did with the invited address.
pub enum Created {
    /// A new account, invited: its id and normalised address.
    New { id: Uuid, email: String },
    /// The address already has an account; nothing was created or sent. The caller decides
    /// what the inviter may learn (see [`notify_account`]).
    Existing { email: String, full_name: String },
}

/// Creates the invited user in the caller's transaction and queues the invitation mail,
/// unless the address already has an account: a person has one Saleonix account, in one
/// role.
pub async fn create(
    conn: &mut PgConnection,
    platform: &Platform,
    invitee: Invitee<'_>,
    invitation: &Invitation<'_>,
) -> Result<Created, AccountError> {
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
        return Ok(Created::Existing { email, full_name });
    }
    send(conn, platform, id, &email, &full_name, invitation).await?;
    Ok(Created::New { id, email })
}

/// Tells the holder of an existing account that someone invited their address, and that an
/// account cannot join a second team. Addressed by the name the account holds, not the one
/// the inviter typed; it carries no link, so there is nothing to accept.
pub async fn notify_account(
    conn: &mut PgConnection,
    platform: &Platform,
    email: &str,
    invitation: &Invitation<'_>,
) -> Result<(), AccountError> {
    let name: Option<String> = sqlx::query_scalar("SELECT full_name FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(name) = name else {
        return Ok(());
    };
    let settings = &platform.config.settings;
    let notice = emails::invitation_to_account(
        settings,
        email,
        &name,
        invitation.inviter_name,
        invitation.place,
    );
    mail::enqueue(conn, &platform.config.secrets.field_keys, &notice).await?;
    Ok(())
}

/// Sends a new link to a user who has not accepted yet (the first may have expired or be
/// lost); older links keep working until one is used. Refused once they have accepted.
pub async fn resend(
    conn: &mut PgConnection,
    platform: &Platform,
    user_id: Uuid,
    invitation: Invitation<'_>,
) -> Result<(), AccountError> {
    let (email, full_name) = pending(conn, user_id).await?;
    send(conn, platform, user_id, &email, &full_name, &invitation).await
}

/// The address and name of an invited user who has not accepted yet; refused once they
/// have, since there is nothing to re-send.
pub async fn pending(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<(String, String), AccountError> {
    let pending: Option<(String, String)> = sqlx::query_as(
        "SELECT email, full_name FROM users WHERE id = $1 AND email_verified_at IS NULL AND disabled_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    pending.ok_or_else(|| {
        invalid(
            "user_id",
            "They have already accepted; there is nothing to re-send.",
        )
    })
}

/// Issues a new link for `user_id` and queues the invitation mail.
pub async fn send(
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
        invitation.kind,
        invitation.inviter_name,
        invitation.place,
        &token,
    );
    mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    Ok(())
}
