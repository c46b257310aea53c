//! The signed-in user of the current request, from its server-side session. Used by server
//! functions (through [`current_user`] and [`require_user`]) and by the server's route
//! guard (through [`resolve`]), so both apply the same rules: absolute lifetime, account
//! still active, idle time refreshed at most once a minute.

use leptos::prelude::expect_context;
use platform::Platform;
use platform::audit::{self, Actor, ActorKind, Event, Outcome};
use platform::identity::sessions::{AUTH_KEY, SessionAuth};
use platform::identity::users::{self, User};
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "session failure");
    AppError::Internal
}

/// The session's user, if it has one that may still act. An expired or orphaned session
/// is ended on the spot.
pub async fn resolve(platform: &Platform, session: &Session) -> Result<Option<User>, AppError> {
    let Some(mut auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(internal)? else {
        return Ok(None);
    };
    let absolute = i64::from(platform.config.settings.identity.session_absolute_hours) * 3600;
    let user = if now() - auth.signed_in_at > absolute {
        None
    } else {
        users::load_active(&platform.pool, auth.user_id).await.map_err(internal)?
    };
    let Some(user) = user else {
        session.flush().await.map_err(internal)?;
        return Ok(None);
    };
    // Touching the session saves it, which pushes its idle expiry forward.
    if now() - auth.last_seen_at >= 60 {
        auth.last_seen_at = now();
        session.insert(AUTH_KEY, &auth).await.map_err(internal)?;
    }
    Ok(Some(user))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(internal)
}

pub async fn current_user() -> Result<Option<User>, AppError> {
    resolve(&expect_context::<Platform>(), &session().await?).await
}

/// The signed-in user, or `Unauthenticated`: the first line of every server function
/// that acts for someone.
pub async fn require_user() -> Result<(User, Session), AppError> {
    let session = session().await?;
    match resolve(&expect_context::<Platform>(), &session).await? {
        Some(user) => Ok((user, session)),
        None => Err(AppError::Unauthenticated),
    }
}

/// Starts a signed-in session under a new id, so an id planted before sign-in (session
/// fixation) is worth nothing after it.
pub async fn begin(session: &Session, user_id: Uuid, facts: &audit::RequestFacts) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session.clear().await;
    let auth = SessionAuth {
        user_id,
        signed_in_at: now(),
        last_seen_at: now(),
        ip: facts.ip.clone().unwrap_or_default(),
        user_agent: facts.user_agent.clone().unwrap_or_default(),
    };
    session.insert(AUTH_KEY, &auth).await.map_err(internal)
}

/// Ends the session: its row is deleted and its cookie removed.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(internal)
}

/// A successful event by the signed-in user.
pub fn event(event_type: &'static str, user_id: Uuid) -> Event {
    Event::new(event_type, Actor { kind: ActorKind::User, id: Some(user_id) }, Outcome::Success)
}

/// Records `event` on its own, with this request's facts.
pub async fn audit(event: Event) -> Result<(), AppError> {
    let platform = expect_context::<Platform>();
    audit::record_alone(&platform.pool, &event, &crate::request::facts().await).await.map(drop).map_err(internal)
}
