//! The password typed again before a change of two-factor itself (turning it on or off):
//! a session alone must not be enough to change who can sign in.

use secrecy::SecretString;
use uuid::Uuid;

use super::{MfaError, actor};
use crate::Platform;
use crate::audit::{self, Event, Outcome, RequestFacts};

/// Checks the user's own password before `event_type`; a wrong one is audited as that
/// event's failure and refused.
pub(super) async fn password_confirmed(
    platform: &Platform,
    user_id: Uuid,
    password: SecretString,
    event_type: &'static str,
    facts: &RequestFacts,
) -> Result<(), MfaError> {
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&platform.pool)
        .await?;
    if platform.passwords.verify(password, Some(hash)).await? {
        return Ok(());
    }
    let event = Event::new(event_type, actor(user_id), Outcome::Failure).reason("wrong password");
    audit::record_alone(&platform.pool, &event, facts).await?;
    Err(MfaError::WrongPassword)
}
