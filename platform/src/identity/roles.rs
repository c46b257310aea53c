//! What each kind of user may do, as types: staff modules with a `view` or `act` level,
//! and the merchant scope that every query for a merchant's data takes.
//!
//! The capabilities cannot be made up: outside this crate a user comes only from
//! [`super::users::load_active`], and each scope only from its `of`. These do not compile:
//!
//! ```compile_fail,E0451
//! # use platform::identity::users::{User, UserKind};
//! # use platform::identity::roles::Permissions;
//! let forged = User { id: uuid::Uuid::nil(), email: String::new(), full_name: String::new(),
//!     kind: UserKind::PlatformAdmin, membership: None, mfa_enabled: true,
//!     permissions: Permissions::everything() };
//! ```
//!
//! ```compile_fail,E0451
//! # use platform::identity::roles::{Level, Module, StaffScope};
//! let forged = StaffScope { module: Module::Payouts, level: Level::Act, user_id: uuid::Uuid::nil() };
//! ```
//!
//! ```compile_fail,E0451
//! # use platform::identity::roles::MerchantScope;
//! let forged = MerchantScope { merchant_id: domain::MerchantId::from_uuid(uuid::Uuid::nil()),
//!     acting: todo!() };
//! ```
//!
//! ```compile_fail,E0451
//! # use platform::identity::roles::AdminScope;
//! let forged = AdminScope { user_id: uuid::Uuid::nil(), full_name: String::new() };
//! ```
//!
//! while reading one that the database vouched for does:
//!
//! ```no_run
//! # async fn f(pool: &sqlx::PgPool, id: uuid::Uuid) -> Result<(), sqlx::Error> {
//! use platform::identity::roles::{AdminScope, Level, Module, StaffScope};
//! if let Some(user) = platform::identity::users::load_active(pool, id).await? {
//!     let _staff = StaffScope::of(&user, Module::Payouts, Level::Act);
//!     let _admin = AdminScope::of(&user);
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::users::{MerchantId, MerchantRole, User, UserKind};

/// An area of the admin console; staff hold each one at a level, or not at all.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(type_name = "staff_module", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Module {
    /// KYC review and suspension.
    Merchants,
    Payments,
    Refunds,
    Reconciliation,
    /// Payout batches, bank statements, the ledger and its adjustments.
    Payouts,
    Risk,
    Audit,
    /// Data-subject requests.
    Support,
    Settings,
}

impl Module {
    pub const ALL: [Module; 9] = [
        Module::Merchants,
        Module::Payments,
        Module::Refunds,
        Module::Reconciliation,
        Module::Payouts,
        Module::Risk,
        Module::Audit,
        Module::Support,
        Module::Settings,
    ];

    /// The path segment under `/admin`.
    pub fn slug(self) -> &'static str {
        match self {
            Module::Merchants => "merchants",
            Module::Payments => "payments",
            Module::Refunds => "refunds",
            Module::Reconciliation => "reconciliation",
            Module::Payouts => "payouts",
            Module::Risk => "risk",
            Module::Audit => "audit",
            Module::Support => "support",
            Module::Settings => "settings",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.slug() == slug)
    }
}

/// `Act` includes `View`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(type_name = "permission_level", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Level {
    View,
    Act,
}

impl Level {
    /// The name staff read and the audit trail keeps (as serialised).
    pub fn slug(self) -> &'static str {
        match self {
            Level::View => "view",
            Level::Act => "act",
        }
    }
}

/// The modules a user holds. Platform administrators hold every module at `act`;
/// merchants hold none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions(BTreeMap<Module, Level>);

impl Permissions {
    pub fn new(grants: impl IntoIterator<Item = (Module, Level)>) -> Self {
        Self(grants.into_iter().collect())
    }

    pub fn everything() -> Self {
        Self::new(Module::ALL.map(|m| (m, Level::Act)))
    }

    pub fn allows(&self, module: Module, level: Level) -> bool {
        self.0.get(&module).is_some_and(|held| *held >= level)
    }

    pub fn level(&self, module: Module) -> Option<Level> {
        self.0.get(&module).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Module, Level)> + '_ {
        self.0.iter().map(|(m, l)| (*m, *l))
    }
}

/// The merchant account a request acts in: the signed-in user's own membership, or the
/// merchant of the API key that authenticated the request. Every query for a merchant's
/// objects takes one and filters by it, so an id guessed from another account finds
/// nothing. Its only constructors are [`MerchantScope::of`], which reads the membership of
/// a user loaded from the session, and [`MerchantScope::of_key`], which takes a key
/// [`crate::api::keys::authenticate`] vouched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MerchantScope {
    merchant_id: MerchantId,
    acting: Acting,
}

/// Who acts in a merchant scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Acting {
    Member { user_id: Uuid, role: MerchantRole },
    Key { key_id: Uuid },
}

impl MerchantScope {
    pub fn of(user: &User) -> Option<Self> {
        let membership = user.membership()?;
        (user.kind() == UserKind::Merchant).then_some(Self {
            merchant_id: membership.merchant_id,
            acting: Acting::Member {
                user_id: user.id(),
                role: membership.role,
            },
        })
    }

    /// The scope of an API key's request: its merchant, acting as the key.
    pub fn of_key(key: &crate::api::keys::AuthenticatedKey) -> Self {
        Self {
            merchant_id: key.merchant_id(),
            acting: Acting::Key { key_id: key.id() },
        }
    }

    pub fn merchant_id(&self) -> MerchantId {
        self.merchant_id
    }

    /// The member acting; `None` for an API key.
    pub fn user_id(&self) -> Option<Uuid> {
        match self.acting {
            Acting::Member { user_id, .. } => Some(user_id),
            Acting::Key { .. } => None,
        }
    }

    /// The member's role; `None` for an API key, whose permissions are its own.
    pub fn role(&self) -> Option<MerchantRole> {
        match self.acting {
            Acting::Member { role, .. } => Some(role),
            Acting::Key { .. } => None,
        }
    }

    /// Whether a member holding one of `roles` acts (never an API key).
    pub fn has_role(&self, roles: &[MerchantRole]) -> bool {
        self.role().is_some_and(|role| roles.contains(&role))
    }

    /// Where the request came from, as the records say it: the dashboard or the API.
    pub fn via(&self) -> &'static str {
        match self.acting {
            Acting::Member { .. } => "dashboard",
            Acting::Key { .. } => "api",
        }
    }

    /// Who the audit trail names for what this scope does.
    pub fn actor(&self) -> crate::audit::Actor {
        match self.acting {
            Acting::Member { user_id, .. } => crate::audit::Actor {
                kind: crate::audit::ActorKind::User,
                id: Some(user_id),
            },
            Acting::Key { key_id } => crate::audit::Actor {
                kind: crate::audit::ActorKind::ApiKey,
                id: Some(key_id),
            },
        }
    }
}

/// A staff member acting in one console module at a level, taken from a user loaded from
/// the session. Platform functions that only staff may call take one and check it holds
/// what they need ([`StaffScope::holds`]), so a caller cannot reach them with a bare user
/// id, nor with a scope for another module: the third layer behind the route guard and the
/// server function's own check. Its only constructor is [`StaffScope::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffScope {
    module: Module,
    level: Level,
    user_id: Uuid,
}

/// A platform function refused a staff scope that does not hold its module at its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the staff scope for {held:?} does not reach {needed:?} at {level:?}")]
pub struct ScopeRefused {
    pub held: Module,
    pub needed: Module,
    pub level: Level,
}

impl StaffScope {
    /// The scope of `user` in `module` at `level`, if they are staff (or an administrator)
    /// holding it.
    pub fn of(user: &User, module: Module, level: Level) -> Option<Self> {
        (user.kind() != UserKind::Merchant && user.permissions().allows(module, level)).then_some(
            Self {
                module,
                level,
                user_id: user.id(),
            },
        )
    }

    /// `Ok` when this scope is for `module` at `level` or above.
    pub fn holds(&self, module: Module, level: Level) -> Result<(), ScopeRefused> {
        if self.module == module && self.level >= level {
            Ok(())
        } else {
            Err(ScopeRefused {
                held: self.module,
                needed: module,
                level,
            })
        }
    }

    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    pub fn module(&self) -> Module {
        self.module
    }

    pub fn level(&self) -> Level {
        self.level
    }
}

/// A platform administrator, taken from a user loaded from the session: what the
/// administrator-only platform functions take (staff accounts and their permissions, the
/// gateway accounts, another user's two-factor reset, the default fee schedule), so none of
/// them can be reached with a bare user id. Its only constructor is [`AdminScope::of`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminScope {
    user_id: Uuid,
    full_name: String,
}

impl AdminScope {
    pub fn of(user: &User) -> Option<Self> {
        (user.kind() == UserKind::PlatformAdmin).then(|| Self {
            user_id: user.id(),
            full_name: user.full_name().to_owned(),
        })
    }

    pub fn user_id(&self) -> Uuid {
        self.user_id
    }

    /// Named in the mails the administrator's actions send (an invitation).
    pub fn full_name(&self) -> &str {
        &self.full_name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn act_includes_view_and_nothing_else_is_implied() {
        let p = Permissions::new([(Module::Payments, Level::Act), (Module::Audit, Level::View)]);
        assert!(p.allows(Module::Payments, Level::View) && p.allows(Module::Payments, Level::Act));
        assert!(p.allows(Module::Audit, Level::View) && !p.allows(Module::Audit, Level::Act));
        assert!(!p.allows(Module::Refunds, Level::View));
        assert!(
            Module::ALL
                .iter()
                .all(|m| Permissions::everything().allows(*m, Level::Act))
        );
    }

    #[test]
    fn module_slugs_round_trip() {
        for module in Module::ALL {
            assert_eq!(Module::from_slug(module.slug()), Some(module));
        }
        assert_eq!(Module::from_slug("staff"), None);
    }
}
