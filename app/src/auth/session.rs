//! The signed-in user of the current request, from its server-side session. Used by server
//! functions (through [`require_declared`]) and by the server's guards (through [`resolve`]
//! and [`proves`]), so all apply the same rules: absolute lifetime, a short window for the
//! second factor, account still active, idle time refreshed at most once a minute.

use leptos::prelude::expect_context;
use leptos::server_fn::ServerFn;
use platform::Platform;
use platform::audit::{self, Actor, ActorKind, Event, Outcome};
use platform::identity::roles::{AdminScope, MerchantScope, StaffScope};
use platform::identity::sessions::{AUTH_KEY, SessionAuth};
use platform::identity::users::{self, User, UserKind};
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::{AppError, internal};
use crate::policy::{Policy, Proof};

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
                MerchantScope::of(user).is_some_and(|scope| scope.has_role(roles))
            }
            Policy::AnyStaff => user.kind() != UserKind::Merchant,
            Policy::Staff(module, level) => user.permissions().allows(module, level),
            Policy::PlatformAdmin => user.kind() == UserKind::PlatformAdmin,
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
        return Ok(SessionState::AwaitingSecondFactor(user.id()));
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

/// The declared row of the server function `F`: its policy and second-factor rule. A
/// function missing from the table is refused (and logged): it was added without review.
fn declared<F: ServerFn>() -> Result<(Policy, Proof), AppError> {
    crate::policy::declared(F::PATH).ok_or_else(|| {
        tracing::error!(
            path = F::PATH,
            "a server function without a declared policy was called"
        );
        AppError::NotFound
    })
}

/// Who is calling, once the declared policy and second-factor rule admitted them: the
/// capability a server function acts with. Only [`require_declared`] makes one.
pub struct Caller {
    user: User,
    session: Session,
    policy: Policy,
    // Taken before the first await: a page's resources run these functions during
    // server rendering, where the context is gone after an await.
    platform: Platform,
}

impl Caller {
    /// The caller.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The caller and their session.
    pub fn parts(self) -> (User, Session) {
        (self.user, self.session)
    }

    /// The caller as a merchant member, with the scope their queries take.
    pub fn merchant(self) -> Result<(User, MerchantScope, Session), AppError> {
        let scope = MerchantScope::of(&self.user).ok_or(AppError::Forbidden)?;
        Ok((self.user, scope, self.session))
    }

    /// The caller as staff, with the scope of the module and level the function's row
    /// declares: what the platform's staff-only functions take.
    pub fn staff(self) -> Result<(User, StaffScope, Session), AppError> {
        let Policy::Staff(module, level) = self.policy else {
            return Err(AppError::Forbidden);
        };
        let scope = StaffScope::of(&self.user, module, level).ok_or(AppError::Forbidden)?;
        Ok((self.user, scope, self.session))
    }

    /// The caller as a platform administrator, for a function whose row says
    /// [`Policy::PlatformAdmin`]: what the administrator-only platform functions take.
    pub fn admin(self) -> Result<(AdminScope, Session), AppError> {
        if self.policy != Policy::PlatformAdmin {
            return Err(AppError::Forbidden);
        }
        let scope = AdminScope::of(&self.user).ok_or(AppError::Forbidden)?;
        Ok((scope, self.session))
    }

    /// The second-factor check of a function whose row says [`Proof::Conditional`]: a
    /// fresh step-up when its arguments call for one (an owner's invitation, a large
    /// refund), else two-factor turned on. The same check and audit as a declared row.
    pub async fn conditional<F: ServerFn>(&self, step_up: bool) -> Result<(), AppError> {
        let proof = if step_up {
            Proof::StepUp
        } else {
            Proof::Enrolled
        };
        self.check::<F>(proof).await
    }

    async fn check<F: ServerFn>(&self, proof: Proof) -> Result<(), AppError> {
        let Err(refused) = proves(&self.platform, &self.session, &self.user, proof).await else {
            return Ok(());
        };
        let path = serde_json::json!({ "path": F::PATH });
        audit(denial(&self.user, &refused, path)).await?;
        Err(refused)
    }
}

/// The first line of every server function that acts for someone: the session's user if
/// the row of `F` in [`crate::policy::SERVER_FUNCTIONS`] admits them and its second-factor
/// rule holds, else the error that says what is missing (a second-factor refusal audited as
/// the route guard audits it). The route guard applies the same row first; this check holds
/// on its own when the guard is missing.
pub async fn require_declared<F: ServerFn>() -> Result<Caller, AppError> {
    let (policy, proof) = declared::<F>()?;
    let platform = expect_context::<Platform>();
    let session = session().await?;
    let state = resolve(&platform, &session).await?;
    if let Err(refused) = state.admits(policy, &platform) {
        if let (AppError::Forbidden, SessionState::SignedIn(user)) = (&refused, &state) {
            let path = serde_json::json!({ "path": F::PATH });
            audit(denial(user, &refused, path)).await?;
        }
        return Err(refused);
    }
    let SessionState::SignedIn(user) = state else {
        return Err(AppError::Unauthenticated);
    };
    let caller = Caller {
        user,
        session,
        policy,
        platform,
    };
    caller.check::<F>(proof).await?;
    Ok(caller)
}

/// The user whose password was accepted and whose second factor is due, for the one
/// function whose row says [`Policy::SecondFactor`].
pub async fn require_declared_pending<F: ServerFn>() -> Result<(Uuid, Session), AppError> {
    let (policy, _) = declared::<F>()?;
    let platform = expect_context::<Platform>();
    let session = session().await?;
    let state = resolve(&platform, &session).await?;
    state.admits(policy, &platform)?;
    match state {
        SessionState::AwaitingSecondFactor(user_id) => Ok((user_id, session)),
        _ => Err(AppError::Unauthenticated),
    }
}

/// Whether this session meets the second-factor rule `proof` for `user`: two-factor turned
/// on ([`Proof::Enrolled`]), or also a check within the step-up window ([`Proof::StepUp`]).
/// The one place the rule is decided, for the route guard and the functions alike.
pub async fn proves(
    platform: &Platform,
    session: &Session,
    user: &User,
    proof: Proof,
) -> Result<(), AppError> {
    if matches!(proof, Proof::None | Proof::Conditional) {
        return Ok(());
    }
    if !user.mfa_enabled() {
        return Err(AppError::EnrolmentRequired);
    }
    if proof == Proof::Enrolled {
        return Ok(());
    }
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

/// The audit event of a refused signed-in user: `access.denied` with the reason, in their
/// merchant's scope when they are a member. The route guard and the functions record the
/// same event, so a refusal reads alike whichever layer made it.
pub fn denial(user: &User, refused: &AppError, detail: serde_json::Value) -> Event {
    let kind = if user.kind() == UserKind::Merchant {
        ActorKind::User
    } else {
        ActorKind::Staff
    };
    let reason = match refused {
        AppError::StepUpRequired => "step-up required",
        AppError::EnrolmentRequired => "two-factor required",
        _ => "role or permission missing",
    };
    let event = Event::new(
        "access.denied",
        Actor {
            kind,
            id: Some(user.id()),
        },
        Outcome::Denied,
    )
    .reason(reason)
    .detail(detail);
    match MerchantScope::of(user) {
        Some(scope) => event.merchant(scope.merchant_id()),
        None => event,
    }
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
    if user.kind() == UserKind::Merchant {
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
