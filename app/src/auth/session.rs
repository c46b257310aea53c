//! The signed-in user of the current request, from its server-side session. Used by server
//! functions (through the `require_*` functions) and by the server's guards (through
//! [`resolve`]), so all apply the same rules: absolute lifetime, a short window for the
//! second factor, account still active, idle time refreshed at most once a minute.

use leptos::prelude::expect_context;
use platform::Platform;
use platform::audit::{self, Actor, ActorKind, Event, Outcome};
use platform::identity::roles::MerchantScope;
use platform::identity::sessions::{AUTH_KEY, SessionAuth};
use platform::identity::users::{self, MerchantRole, User, UserKind};
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::{AppError, internal};
use crate::policy::Policy;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Where a session stands.
#[derive(Debug, Clone)]
pub enum SessionState {
    Anonymous,
    /// The password was accepted; the second factor is still due.
    AwaitingSecondFactor(Uuid),
    /// Fully signed in. The user may still owe MFA enrolment (see [`User::owes_mfa_enrolment`]).
    SignedIn(User),
}

impl SessionState {
    /// What a request from this session may do under `policy`; `Ok` when allowed.
    pub fn admits(&self, policy: Policy, platform: &Platform) -> Result<(), AppError> {
        let identity = &platform.config.settings.identity;
        let user = match (policy, self) {
            (Policy::Public, _) => return Ok(()),
            (Policy::SecondFactor, SessionState::AwaitingSecondFactor(_)) => return Ok(()),
            (_, SessionState::AwaitingSecondFactor(_)) => {
                return Err(AppError::SecondFactorRequired);
            }
            (_, SessionState::Anonymous) => return Err(AppError::Unauthenticated),
            (Policy::SecondFactor, SessionState::SignedIn(_)) => return Err(AppError::Forbidden),
            (Policy::Enrolling, SessionState::SignedIn(_)) => return Ok(()),
            (_, SessionState::SignedIn(user)) if user.owes_mfa_enrolment(identity) => {
                return Err(AppError::EnrolmentRequired);
            }
            (_, SessionState::SignedIn(user)) => user,
        };
        let allowed = match policy {
            Policy::Public | Policy::SecondFactor | Policy::Enrolling | Policy::SignedIn => true,
            Policy::Merchant(roles) => {
                MerchantScope::of(user).is_some_and(|scope| roles.contains(&scope.role()))
            }
            Policy::AnyStaff => user.kind != UserKind::Merchant,
            Policy::Staff(module, level) => user.permissions.allows(module, level),
            Policy::PlatformAdmin => user.kind == UserKind::PlatformAdmin,
        };
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Where the session stands. An expired or orphaned session is ended on the spot.
pub async fn resolve(platform: &Platform, session: &Session) -> Result<SessionState, AppError> {
    let Some(mut auth) = session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .map_err(internal)?
    else {
        return Ok(SessionState::Anonymous);
    };
    let identity = &platform.config.settings.identity;
    let lifetime = if auth.awaiting_second_factor {
        i64::from(identity.second_factor_minutes) * 60
    } else {
        i64::from(identity.session_absolute_hours) * 3600
    };
    let user = if now() - auth.signed_in_at > lifetime {
        None
    } else {
        users::load_active(&platform.pool, auth.user_id)
            .await
            .map_err(internal)?
    };
    let Some(user) = user else {
        session.flush().await.map_err(internal)?;
        return Ok(SessionState::Anonymous);
    };
    if auth.awaiting_second_factor {
        return Ok(SessionState::AwaitingSecondFactor(user.id));
    }
    // Touching the session saves it, which pushes its idle expiry forward.
    if now() - auth.last_seen_at >= 60 {
        auth.last_seen_at = now();
        session.insert(AUTH_KEY, &auth).await.map_err(internal)?;
    }
    Ok(SessionState::SignedIn(user))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(internal)
}

/// The fully signed-in user, if any, even one who still owes MFA enrolment.
pub async fn current_user() -> Result<Option<User>, AppError> {
    match resolve(&expect_context::<Platform>(), &session().await?).await? {
        SessionState::SignedIn(user) => Ok(Some(user)),
        _ => Ok(None),
    }
}

/// The session's user if `policy` admits them, or the error that says what is missing:
/// the first line of every server function that acts for someone.
pub async fn require(policy: Policy) -> Result<(User, Session), AppError> {
    let platform = expect_context::<Platform>();
    let session = session().await?;
    let state = resolve(&platform, &session).await?;
    state.admits(policy, &platform)?;
    match state {
        SessionState::SignedIn(user) => Ok((user, session)),
        _ => Err(AppError::Unauthenticated),
    }
}

/// A signed-in user with every factor they owe.
pub async fn require_user() -> Result<(User, Session), AppError> {
    require(Policy::SignedIn).await
}

/// A member of a merchant with one of `roles`, with the scope their queries take.
pub async fn require_merchant(
    roles: &'static [MerchantRole],
) -> Result<(User, MerchantScope, Session), AppError> {
    let (user, session) = require(Policy::Merchant(roles)).await?;
    let scope = MerchantScope::of(&user).ok_or(AppError::Forbidden)?;
    Ok((user, scope, session))
}

/// The user whose password was accepted and whose second factor is due.
pub async fn require_awaiting_second_factor() -> Result<(Uuid, Session), AppError> {
    let platform = expect_context::<Platform>();
    let session = session().await?;
    let state = resolve(&platform, &session).await?;
    state.admits(Policy::SecondFactor, &platform)?;
    match state {
        SessionState::AwaitingSecondFactor(user_id) => Ok((user_id, session)),
        _ => Err(AppError::Unauthenticated),
    }
}

/// Refuses a sensitive action unless this session passed a second-factor check within
/// the configured minutes. A user without two-factor authentication must turn it on first.
pub async fn require_step_up(user: &User, session: &Session) -> Result<(), AppError> {
    if !user.mfa_enabled {
        return Err(AppError::EnrolmentRequired);
    }
    let platform = expect_context::<Platform>();
    let window = i64::from(platform.config.settings.identity.step_up_minutes) * 60;
    let auth = session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .map_err(internal)?;
    match auth.and_then(|auth| auth.second_factor_at) {
        Some(at) if now() - at <= window => Ok(()),
        _ => Err(AppError::StepUpRequired),
    }
}

/// [`require_step_up`], with a refusal audited as the route guard audits its own:
/// `access.denied`, reason "step-up required", in `merchant`'s scope when given, with
/// `detail` naming what was refused.
pub async fn require_step_up_audited(
    user: &User,
    session: &Session,
    merchant: Option<Uuid>,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let Err(refused) = require_step_up(user, session).await else {
        return Ok(());
    };
    let kind = if user.kind == UserKind::Merchant {
        ActorKind::User
    } else {
        ActorKind::Staff
    };
    let mut event = Event::new(
        "access.denied",
        Actor {
            kind,
            id: Some(user.id),
        },
        Outcome::Denied,
    )
    .reason("step-up required")
    .detail(detail);
    if let Some(merchant) = merchant {
        event = event.merchant(merchant);
    }
    audit(event).await?;
    Err(refused)
}

/// Starts a session for `user_id` under a new id, so an id planted before sign-in
/// (session fixation) is worth nothing after it. With `awaiting_second_factor` the
/// session can do nothing but submit a code until [`second_factor_passed`].
pub async fn begin(
    session: &Session,
    user_id: Uuid,
    awaiting_second_factor: bool,
    facts: &audit::RequestFacts,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(internal)?;
    session.clear().await;
    let auth = SessionAuth {
        user_id,
        signed_in_at: now(),
        last_seen_at: now(),
        ip: facts.ip.clone().unwrap_or_default(),
        user_agent: facts.user_agent.clone().unwrap_or_default(),
        awaiting_second_factor,
        second_factor_at: None,
    };
    session.insert(AUTH_KEY, &auth).await.map_err(internal)
}

/// Records a passed second-factor check. At sign-in the session becomes a full one under a
/// new id; later it counts as the step-up for the next few minutes.
pub async fn second_factor_passed(session: &Session) -> Result<(), AppError> {
    let mut auth = session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .map_err(internal)?
        .ok_or(AppError::Unauthenticated)?;
    if auth.awaiting_second_factor {
        session.cycle_id().await.map_err(internal)?;
        auth.awaiting_second_factor = false;
    }
    auth.second_factor_at = Some(now());
    auth.last_seen_at = now();
    session.insert(AUTH_KEY, &auth).await.map_err(internal)
}

/// Where a fully signed-in user starts: merchants on their dashboard, staff in the console.
pub fn home(user: &User) -> &'static str {
    if user.kind == UserKind::Merchant {
        "/dashboard"
    } else {
        "/admin"
    }
}

/// Ends the session: its row is deleted and its cookie removed.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(internal)
}

/// A successful event by the signed-in user.
pub fn event(event_type: &'static str, user_id: Uuid) -> Event {
    Event::new(
        event_type,
        Actor {
            kind: ActorKind::User,
            id: Some(user_id),
        },
        Outcome::Success,
    )
}

/// Records `event` on its own, with this request's facts.
pub async fn audit(event: Event) -> Result<(), AppError> {
    let platform = expect_context::<Platform>();
    audit::record_alone(&platform.pool, &event, &crate::request::facts().await)
        .await
        .map(drop)
        .map_err(internal)
}
