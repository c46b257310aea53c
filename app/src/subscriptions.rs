//! The subscriptions screen: the current mode's plans, a checkout that signs a buyer up
//! for one, and the subscriptions signed up, with cancelling (`platform::subscriptions`).
//! Every function works in the caller's merchant scope and the mode their session chose.

use domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A plan as the screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: String,
    pub name: String,
    pub price: Money,
    /// "every month, 12 payments".
    pub schedule: String,
    pub created: String,
}

/// A subscription as the screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub id: String,
    pub plan: String,
    pub buyer_email: Option<String>,
    pub price: Money,
    pub schedule: String,
    /// `active`, `past_due`, `cancelled`, `ended` or `unpaid`.
    pub status: String,
    /// "Active", "Past due", …
    pub status_label: String,
    /// "2 of 12".
    pub paid: String,
    pub next_charge: Option<String>,
    pub created: String,
    /// The series may still charge: cancelling is offered.
    pub running: bool,
    /// Ending with its period: the day the period paid for ends (keeping it is offered).
    pub ends: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionsView {
    pub plans: Vec<PlanView>,
    pub subscriptions: Vec<SubscriptionView>,
    /// The viewer may cancel and set the dunning schedule (who may refund: owner, admin or
    /// finance).
    pub can_cancel: bool,
    /// Unpaid declines that end a subscription.
    pub max_declines: u16,
    /// Days a buyer has to pay a declined installment.
    pub grace_days: u16,
}

/// The intervals the plan form offers: `(value, label)`.
pub const INTERVALS: &[(&str, &str)] = &[
    ("month", "Month"),
    ("year", "Year"),
    ("week", "Week"),
    ("day", "Day"),
];

/// The dashboard is in English until it is translated (issue 18).
#[cfg(feature = "ssr")]
fn schedule(terms: &platform::subscriptions::Terms) -> String {
    let english = i18n::Locale::en;
    format!("{}, {}", terms.every(english), terms.length(english))
}

/// The plans and the latest 100 subscriptions of the current mode.
#[server(endpoint = "subscriptions")]
pub async fn subscriptions() -> Result<SubscriptionsView, AppError> {
    use crate::payments::ssr;
    use platform::subscriptions::{Status, dunning, plans, reading};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<Subscriptions>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let plans = plans::list(&platform.pool, &scope, mode)
            .await
            .map_err(crate::error::internal)?;
        let list = reading::recent(&platform.pool, &scope, mode, 100)
            .await
            .map_err(crate::error::internal)?;
        let mut conn = platform
            .pool
            .acquire()
            .await
            .map_err(crate::error::internal)?;
        let dunning = dunning::schedule(&mut conn, scope.merchant_id().as_uuid(), mode)
            .await
            .map_err(crate::error::internal)?;
        Ok(SubscriptionsView {
            can_cancel: scope.has_role(crate::policy::REFUNDERS),
            max_declines: dunning.max_declines,
            grace_days: dunning.grace_days,
            plans: plans
                .into_iter()
                .filter(|p| p.active)
                .map(|p| PlanView {
                    id: p.id.to_string(),
                    name: p.name,
                    price: p.terms.amount,
                    schedule: schedule(&p.terms),
                    created: ssr::when(p.created_at),
                })
                .collect(),
            subscriptions: list
                .into_iter()
                .map(|s| SubscriptionView {
                    id: s.id.to_string(),
                    plan: s.plan_name,
                    buyer_email: s.buyer_email,
                    price: s.terms.amount,
                    schedule: schedule(&s.terms),
                    status: s.status.as_str().to_owned(),
                    status_label: match s.status {
                        _ if s.cancel_pending => "Cancelling",
                        _ if s.cancel_at.is_some() => "Ends with its period",
                        Status::Active => "Active",
                        Status::PastDue => "Past due",
                        Status::Cancelled => "Cancelled",
                        Status::Ended if s.renewed => "Renewed",
                        Status::Ended if s.renewal_offered => "Renewal offered",
                        Status::Ended => "Ended",
                        Status::Unpaid => "Ended unpaid",
                    }
                    .to_owned(),
                    paid: format!("{} of {}", s.paid_installments, s.terms.installments),
                    next_charge: s.next_charge_at.map(ssr::when),
                    created: ssr::when(s.created_at),
                    running: s.status.is_running(),
                    ends: s.cancel_at.and(s.next_charge_at).map(ssr::when),
                })
                .collect(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// A plan in the current mode: `price` in euro (`9.90`), every `interval_count`
/// `interval`s, `installments` payments in all, or until cancelled (a checkbox, absent
/// when off; the number is then left empty).
#[server(endpoint = "subscriptions/create-plan")]
pub async fn create_plan(
    name: String,
    price: String,
    interval: String,
    interval_count: String,
    #[server(default)] installments: String,
    #[server(default)] until_cancelled: String,
) -> Result<(), AppError> {
    use crate::payments::ssr;
    use platform::subscriptions::Interval;
    use platform::subscriptions::plans::{self, NewPlan};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<CreatePlan>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let number = |field: &'static str, text: &str, message: &'static str| {
            text.trim()
                .parse::<u16>()
                .map_err(|_| AppError::validation(field, message))
        };
        let new = NewPlan {
            name,
            amount: ssr::euro("price", &price)?,
            interval: Interval::parse(&interval)
                .ok_or_else(|| AppError::validation("interval", "Choose an interval."))?,
            count: number(
                "interval_count",
                &interval_count,
                "Enter a whole number from 1 to 999.",
            )?,
            installments: if until_cancelled.is_empty() {
                number(
                    "installments",
                    &installments,
                    "Enter a whole number from 2 to 121, or choose until cancelled.",
                )?
            } else {
                plans::MAX_INSTALLMENTS
            },
            until_cancelled: !until_cancelled.is_empty(),
            product_id: None,
        };
        plans::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// A checkout that signs a buyer up for the plan `plan`; its address, to share.
#[server(endpoint = "subscriptions/create-checkout")]
pub async fn create_plan_checkout(plan: String, buyer_email: String) -> Result<String, AppError> {
    use crate::payments::ssr;
    use platform::payments::sessions::{self, NewSession};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<CreatePlanCheckout>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let new = NewSession {
            plan: Some(ssr::id(&plan)?),
            buyer_email,
            ..NewSession::default()
        };
        let (_, token) = sessions::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(ssr::pay_url(&platform, &token))
    }
    .await
    .map_err(AppError::respond)
}

/// A payment link that signs each buyer who opens it up for the plan `plan`; its address.
#[server(endpoint = "subscriptions/create-link")]
pub async fn create_plan_link(plan: String) -> Result<String, AppError> {
    use crate::payments::ssr;
    use platform::payments::links::{self, Charge, NewLink};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<CreatePlanLink>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let new = NewLink {
            charge: Charge::Plan(ssr::id(&plan)?),
            max_payments: None,
            expires_at: None,
        };
        let link = links::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(ssr::pay_url(&platform, &link.token))
    }
    .await
    .map_err(AppError::respond)
}

/// A change to one subscription of the current mode: the caller's scope, the mode and the
/// subscription's id, with the request's facts for the audit row.
#[cfg(feature = "ssr")]
struct Change {
    platform: platform::Platform,
    scope: platform::identity::roles::MerchantScope,
    mode: platform::payments::Mode,
    id: uuid::Uuid,
    facts: platform::audit::RequestFacts,
}

/// The [`Change`] server function `F` makes, once its policy row admits the caller.
#[cfg(feature = "ssr")]
async fn change<F: leptos::server_fn::ServerFn>(id: &str) -> Result<Change, AppError> {
    use crate::payments::ssr;
    let platform = expect_context::<platform::Platform>();
    let (_, scope, session) = crate::auth::session::require_declared::<F>()
        .await?
        .merchant()?;
    let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
    Ok(Change {
        id: ssr::id(id)?,
        facts: crate::request::facts().await,
        platform,
        scope,
        mode,
    })
}

/// Cancels a subscription of the current mode at the gateway now: no later installment is
/// charged. Asks for a fresh second factor, as refunds do.
#[server(endpoint = "subscriptions/cancel")]
pub async fn cancel_subscription(id: String) -> Result<(), AppError> {
    async {
        let c = change::<CancelSubscription>(&id).await?;
        platform::subscriptions::cancel::cancel_now(&c.platform, &c.scope, c.mode, c.id, &c.facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Ends a subscription of the current mode with the period paid for: the series is
/// cancelled a day before the next planned charge. With a fresh second factor, as
/// cancelling now.
#[server(endpoint = "subscriptions/cancel-at-period-end")]
pub async fn cancel_at_period_end(id: String) -> Result<(), AppError> {
    async {
        let c = change::<CancelAtPeriodEnd>(&id).await?;
        platform::subscriptions::cancel::at_period_end(
            &c.platform,
            &c.scope,
            c.mode,
            c.id,
            &c.facts,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Keeps a subscription that was to end with its period: it runs on as agreed.
#[server(endpoint = "subscriptions/keep")]
pub async fn keep_subscription(id: String) -> Result<(), AppError> {
    async {
        let c = change::<KeepSubscription>(&id).await?;
        platform::subscriptions::cancel::keep(&c.platform, &c.scope, c.mode, c.id, &c.facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// The merchant's dunning schedule in the current mode: a subscription ends `unpaid` at
/// `max_declines` declined installments left unpaid, or when one stays unpaid `grace_days`
/// days.
#[server(endpoint = "subscriptions/dunning")]
pub async fn set_dunning(max_declines: String, grace_days: String) -> Result<(), AppError> {
    use crate::payments::ssr;
    use platform::subscriptions::dunning::{self, Schedule};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<SetDunning>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let number = |field: &'static str, text: &str, message: &'static str| {
            text.trim()
                .parse::<u16>()
                .map_err(|_| AppError::validation(field, message))
        };
        let schedule = Schedule {
            max_declines: number(
                "max_declines",
                &max_declines,
                "Enter a whole number from 1 to 10.",
            )?,
            grace_days: number(
                "grace_days",
                &grace_days,
                "Enter a whole number from 1 to 60.",
            )?,
        };
        dunning::set_schedule(
            &platform.pool,
            &scope,
            mode,
            schedule,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
