//! Resetting, setting from an invitation, and changing a password.

use super::*;

/// Emails a reset link if the address has an enabled account; otherwise does nothing.
pub async fn request_reset(
    platform: &Platform,
    email: &str,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let email = checked_email(email)?;
    let settings = &platform.config.settings;
    let mut tx = platform.pool.begin().await?;
    if let Some(existing) = find(&mut tx, &email).await?
        && !existing.disabled
    {
        let ttl = time::Duration::minutes(settings.identity.reset_link_minutes.into());
        let token = tokens::issue(&mut tx, existing.id, Purpose::ResetPassword, ttl).await?;
        let mail = emails::password_reset(settings, &email, &existing.full_name, &token);
        mail::enqueue(&mut tx, &platform.config.secrets.field_keys, &mail).await?;
        let event = Event::new("auth.password_reset_requested", ANONYMOUS, Outcome::Success)
            .target("user", existing.id.to_string())
            .subject_email(&email);
        audit::record(&mut tx, &event, facts).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets the new password, spends the link and ends every session of the account. Receiving
/// the link proves the address, so an unverified account becomes verified. A password too
/// weak to accept leaves the link unspent.
pub async fn reset_password(
    platform: &Platform,
    token: &SecretString,
    new_password: SecretString,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    password_from_link(
        platform,
        Purpose::ResetPassword,
        "auth.password_reset",
        token,
        new_password,
        facts,
    )
    .await
}

/// An invited staff or team member chooses their password; the invitation link proves
/// their address. Like a reset, a password too weak to accept leaves the link unspent.
pub async fn accept_invitation(
    platform: &Platform,
    token: &SecretString,
    new_password: SecretString,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    password_from_link(
        platform,
        Purpose::AcceptInvitation,
        "auth.invitation_accepted",
        token,
        new_password,
        facts,
    )
    .await
}

pub(super) async fn password_from_link(
    platform: &Platform,
    purpose: Purpose,
    event_type: &'static str,
    token: &SecretString,
    new_password: SecretString,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let mut tx = platform.pool.begin().await?;
    let user_id = match tokens::claim(&mut tx, purpose, token).await {
        Ok(user_id) => user_id,
        Err(error) => return Err(link_refused(platform, event_type, error, facts).await),
    };
    let (email, full_name): (String, String) =
        sqlx::query_as("SELECT email, full_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
    checked_password("password", &new_password, &[&email, &full_name])?;
    let hash = platform.passwords.hash(new_password).await?;
    sqlx::query(
        "UPDATE users SET password_hash = $2, email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1",
    )
    .bind(user_id)
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    tokens::consume(&mut tx, user_id, purpose).await?;
    let account = PasswordOwner {
        user_id,
        email: &email,
        full_name: &full_name,
    };
    after_new_password(platform, &mut tx, account, None, event_type, facts).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) struct PasswordOwner<'a> {
    user_id: Uuid,
    email: &'a str,
    full_name: &'a str,
}

/// What follows every new password, in its transaction: the account's sessions end (all
/// but `keep`), the owner is told by mail, and the change is recorded as `event_type`.
pub(super) async fn after_new_password(
    platform: &Platform,
    conn: &mut PgConnection,
    owner: PasswordOwner<'_>,
    keep: Option<&Id>,
    event_type: &'static str,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let ended = sessions::revoke_all(conn, owner.user_id, keep).await?;
    let mail = emails::password_changed(&platform.config.settings, owner.email, owner.full_name);
    mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    let event = Event::new(event_type, Actor::user(owner.user_id), Outcome::Success)
        .detail(serde_json::json!({ "sessions_ended": ended }));
    audit::record(conn, &event, facts).await?;
    Ok(())
}

/// Changes a signed-in user's password after checking the current one, and ends every
/// other session of the account (`keep` is the session making the change).
pub async fn change_password(
    platform: &Platform,
    user_id: Uuid,
    current: SecretString,
    new_password: SecretString,
    keep: Option<&Id>,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let (email, full_name, phc): (String, String, String) =
        sqlx::query_as("SELECT email, full_name, password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&platform.pool)
            .await?;
    if !platform.passwords.verify(current, Some(phc)).await? {
        let event = Event::new(
            "auth.password_change",
            Actor::user(user_id),
            Outcome::Failure,
        )
        .reason("wrong current password");
        audit::record_alone(&platform.pool, &event, facts).await?;
        return Err(invalid(
            "current_password",
            "That is not your current password.",
        ));
    }
    checked_password("new_password", &new_password, &[&email, &full_name])?;
    let hash = platform.passwords.hash(new_password).await?;
    let mut tx = platform.pool.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    let account = PasswordOwner {
        user_id,
        email: &email,
        full_name: &full_name,
    };
    after_new_password(
        platform,
        &mut tx,
        account,
        keep,
        "auth.password_change",
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
