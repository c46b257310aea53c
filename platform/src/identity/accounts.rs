//! Account flows: merchant sign-up, email verification, sign-in credentials, password
//! reset and change. Each writes in one transaction, so a flow either happens whole
//! (with its email queued) or not at all.
//!
//! None of them tells a caller whether an email address has an account: sign-up, resend
//! and reset requests succeed the same way for any address, and a failed sign-in has one
//! error whatever the reason.

use secrecy::SecretString;
use sqlx::PgConnection;
use tower_sessions::session::Id;
use uuid::Uuid;

use super::emails;
use super::sessions;
use super::tokens::{self, Purpose, TokenError};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, AuditError, Event, Outcome, RequestFacts};
use crate::contact::is_plausible_email;
use crate::mail;
use crate::password;

// The password flows live apart from signing up and signing in; the re-exports keep
// `accounts::X` unchanged for callers.
mod passwords;

pub use passwords::{accept_invitation, change_password, request_reset, reset_password};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// Unknown email, wrong password, unverified or disabled account: one error for all.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("link refused: {0}")]
    Link(TokenError),
    /// No such object in the caller's scope (another merchant's member, an unknown id).
    #[error("not found")]
    NotFound,
    /// Over a rate limit (such as invitations per merchant); try again after this long.
    #[error("rate limited")]
    RateLimited { retry_after: std::time::Duration },
    #[error("database error")]
    Database,
}

impl From<sqlx::Error> for AccountError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "account query failed");
        AccountError::Database
    }
}

impl From<password::HashError> for AccountError {
    fn from(error: password::HashError) -> Self {
        tracing::error!(%error, "password hashing failed");
        AccountError::Database
    }
}

impl From<AuditError> for AccountError {
    fn from(error: AuditError) -> Self {
        tracing::error!(%error, "writing the audit row failed");
        AccountError::Database
    }
}

const ANONYMOUS: Actor = Actor {
    kind: ActorKind::Anonymous,
    id: None,
};

impl From<TokenError> for AccountError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Database => AccountError::Database,
            other => AccountError::Link(other),
        }
    }
}

pub(super) fn invalid(field: &'static str, message: impl Into<String>) -> AccountError {
    AccountError::Invalid {
        field,
        message: message.into(),
    }
}

/// The address as stored: trimmed and lower-case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(super) fn checked_email(email: &str) -> Result<String, AccountError> {
    let email = normalise_email(email);
    if is_plausible_email(&email) {
        Ok(email)
    } else {
        Err(invalid("email", "Please give a valid email address."))
    }
}

pub(super) fn checked_text(
    field: &'static str,
    value: &str,
    what: &str,
) -> Result<String, AccountError> {
    let value = value.trim();
    match value.chars().count() {
        1..=200 => Ok(value.to_owned()),
        _ => Err(invalid(
            field,
            format!("Please give {what} of 1 to 200 characters."),
        )),
    }
}

fn checked_password(
    field: &'static str,
    password: &SecretString,
    context: &[&str],
) -> Result<(), AccountError> {
    password::check_strength(password, context).map_err(|message| invalid(field, message))
}

/// What a new merchant types on the sign-up form.
pub struct SignUp {
    pub full_name: String,
    pub business_name: String,
    pub email: String,
    pub password: SecretString,
}

/// Creates the merchant, its owner (unverified) and the verification email. If the address
/// already has an account, nothing is created: its owner gets a fresh verification link if
/// still unverified, or a note that someone tried to sign up again.
pub async fn sign_up(
    platform: &Platform,
    form: SignUp,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let full_name = checked_text("full_name", &form.full_name, "your name")?;
    let business_name = checked_text("business_name", &form.business_name, "a business name")?;
    let email = checked_email(&form.email)?;
    checked_password(
        "password",
        &form.password,
        &[&email, &full_name, &business_name],
    )?;
    let hash = platform.passwords.hash(form.password).await?;

    let mut tx = platform.pool.begin().await?;
    let new_id = Uuid::new_v4();
    let created: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO users (id, email, full_name, kind, password_hash) VALUES ($1, $2, $3, 'merchant', $4)
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(new_id)
    .bind(&email)
    .bind(&full_name)
    .bind(&hash)
    .fetch_optional(&mut *tx)
    .await?;
    if created.is_some() {
        let merchant_id = Uuid::new_v4();
        sqlx::query("INSERT INTO merchants (id, business_name) VALUES ($1, $2)")
            .bind(merchant_id)
            .bind(&business_name)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, 'owner')",
        )
        .bind(merchant_id)
        .bind(new_id)
        .execute(&mut *tx)
        .await?;
        send_verification(platform, &mut tx, new_id, &email, &full_name).await?;
        let event = Event::new("auth.sign_up", ANONYMOUS, Outcome::Success)
            .merchant(merchant_id)
            .target("user", new_id.to_string())
            .subject_email(&email);
        audit::record(&mut tx, &event, facts).await?;
    } else if let Some(existing) = find(&mut tx, &email).await? {
        if existing.disabled {
            // A disabled account gets nothing: support reopens accounts, not the form.
        } else if existing.verified {
            let mail =
                emails::already_registered(&platform.config.settings, &email, &existing.full_name);
            mail::enqueue(&mut tx, &platform.config.secrets.field_keys, &mail).await?;
        } else {
            send_verification(platform, &mut tx, existing.id, &email, &existing.full_name).await?;
        }
        let event = Event::new("auth.sign_up", ANONYMOUS, Outcome::Failure)
            .target("user", existing.id.to_string())
            .reason("address already has an account")
            .subject_email(&email);
        audit::record(&mut tx, &event, facts).await?;
    }
    tx.commit().await?;
    Ok(())
}

struct Existing {
    id: Uuid,
    full_name: String,
    password_hash: String,
    verified: bool,
    disabled: bool,
    mfa_enabled: bool,
}

async fn find(conn: &mut PgConnection, email: &str) -> Result<Option<Existing>, sqlx::Error> {
    let row: Option<(Uuid, String, String, bool, bool, bool)> = sqlx::query_as(
        "SELECT u.id, u.full_name, u.password_hash, u.email_verified_at IS NOT NULL, u.disabled_at IS NOT NULL,
                mfa.enabled_at IS NOT NULL
         FROM users u LEFT JOIN user_mfa mfa ON mfa.user_id = u.id
         WHERE u.email = $1",
    )
    .bind(email)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(id, full_name, password_hash, verified, disabled, mfa_enabled)| Existing {
            id,
            full_name,
            password_hash,
            verified,
            disabled,
            mfa_enabled,
        },
    ))
}

async fn send_verification(
    platform: &Platform,
    conn: &mut PgConnection,
    user_id: Uuid,
    email: &str,
    full_name: &str,
) -> Result<(), sqlx::Error> {
    let settings = &platform.config.settings;
    let ttl = time::Duration::hours(settings.identity.verification_link_hours.into());
    let token = tokens::issue(conn, user_id, Purpose::VerifyEmail, ttl).await?;
    let mail = emails::verification(settings, email, full_name, &token);
    mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    Ok(())
}

/// Sends a new verification link if the address has an unverified, enabled account;
/// otherwise does nothing, and says so to no one.
pub async fn resend_verification(platform: &Platform, email: &str) -> Result<(), AccountError> {
    let email = checked_email(email)?;
    let mut tx = platform.pool.begin().await?;
    if let Some(existing) = find(&mut tx, &email).await?
        && !existing.verified
        && !existing.disabled
    {
        send_verification(platform, &mut tx, existing.id, &email, &existing.full_name).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records a refused link in its own transaction and returns the refusal.
async fn link_refused(
    platform: &Platform,
    event_type: &'static str,
    error: TokenError,
    facts: &RequestFacts,
) -> AccountError {
    let event = Event::new(event_type, ANONYMOUS, Outcome::Denied).reason(error.to_string());
    if let Err(error) = audit::record_alone(&platform.pool, &event, facts).await {
        return error.into();
    }
    error.into()
}

/// Marks the address verified and spends the link (and any older one).
pub async fn verify_email(
    platform: &Platform,
    token: &SecretString,
    facts: &RequestFacts,
) -> Result<(), AccountError> {
    let mut tx = platform.pool.begin().await?;
    let user_id = match tokens::claim(&mut tx, Purpose::VerifyEmail, token).await {
        Ok(user_id) => user_id,
        Err(error) => {
            return Err(link_refused(platform, "auth.email_verification", error, facts).await);
        }
    };
    sqlx::query(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1",
    )
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tokens::consume(&mut tx, user_id, Purpose::VerifyEmail).await?;
    audit::record(
        &mut tx,
        &Event::new(
            "auth.email_verification",
            Actor::user(user_id),
            Outcome::Success,
        ),
        facts,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The user id if the password is right and the account verified and enabled. Always
/// costs one password hash, whether or not the address has an account; a hash made with
/// weaker settings than today's is replaced on the way.
///
/// `account_limited`: the address's sign-in limit is spent (by someone, perhaps not its
/// owner); then only an account with two-factor authentication may go on, to its second
/// factor, so a right password alone never signs in past the limit.
pub async fn check_credentials(
    platform: &Platform,
    email: &str,
    password: SecretString,
    facts: &RequestFacts,
    account_limited: bool,
) -> Result<Uuid, AccountError> {
    let email = normalise_email(email);
    let mut conn = platform.pool.acquire().await?;
    let existing = find(&mut conn, &email).await?;
    let phc = existing.as_ref().map(|e| e.password_hash.clone());
    let rehash = phc
        .as_deref()
        .is_some_and(password::needs_rehash)
        .then(|| password.clone());
    let matches = platform.passwords.verify(password, phc).await?;
    // The caller hears one answer; the trail keeps the real reason for staff.
    let refusal = match &existing {
        None => Some("unknown address"),
        Some(_) if !matches => Some("wrong password"),
        Some(e) if e.disabled => Some("account disabled"),
        Some(e) if !e.verified => Some("email not verified"),
        Some(e) if account_limited && !e.mfa_enabled => Some("account limited, no second factor"),
        Some(_) => None,
    };
    if let Some(reason) = refusal {
        let mut event = Event::new("auth.sign_in", ANONYMOUS, Outcome::Failure)
            .reason(reason)
            .subject_email(&email);
        if let Some(existing) = &existing {
            event = event.target("user", existing.id.to_string());
        }
        audit::record_alone(&platform.pool, &event, facts).await?;
        return Err(AccountError::InvalidCredentials);
    }
    let Some(user) = existing else {
        return Err(AccountError::InvalidCredentials);
    };
    if let Some(password) = rehash {
        let hash = platform.passwords.hash(password).await?;
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user.id)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
        tracing::info!(user_id = %user.id, "password hash upgraded to the current parameters");
    }
    // With two-factor on, the session is not signed in until `auth.second_factor` succeeds.
    let mut detail = serde_json::json!({ "second_factor_due": user.mfa_enabled });
    if account_limited {
        detail["past_account_limit"] = true.into();
    }
    let event = Event::new("auth.sign_in", Actor::user(user.id), Outcome::Success).detail(detail);
    audit::record_alone(&platform.pool, &event, facts).await?;
    Ok(user.id)
}
