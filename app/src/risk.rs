//! The console's Risk module: the fraud checks' five rules, the blocklist of buyer emails,
//! IP addresses and networks, a merchant's own maximum amount per payment, and the recent
//! decisions. Reading needs risk `view`, every change risk `act`; the platform audits each
//! change with what it was before.

use domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::payments::Mode;

/// One rule's settings. `limit_value` is a count of attempts, a percentage of declines or
/// an amount in cents, as the rule says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    pub rule: String,
    pub limit_value: i64,
    pub window_minutes: i32,
    pub min_attempts: i32,
    /// `review` or `block`.
    pub action: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockView {
    pub id: String,
    /// `email`, `ip` or `network`.
    pub kind: String,
    pub value: String,
    pub note: Option<String>,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantChoice {
    pub id: String,
    pub name: String,
}

/// A merchant's own maximum per payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantLimitView {
    pub merchant_name: String,
    pub max: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskView {
    pub rules: Vec<RuleView>,
    pub blocklist: Vec<BlockView>,
    /// For the merchant limit's picker.
    pub merchants: Vec<MerchantChoice>,
    /// The merchants with their own maximum, by name; the others use the rule's limit.
    pub limits: Vec<MerchantLimitView>,
    /// The viewer may change rules, the blocklist and limits (risk `act`).
    pub can_act: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub at: String,
    pub merchant_name: String,
    pub mode: Mode,
    /// The payment it let through, if any.
    pub order_id: Option<String>,
    pub ip: Option<String>,
    pub buyer_email: String,
    pub amount: Money,
    /// `allow`, `review` or `block`.
    pub action: String,
    pub reasons: Vec<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::payments::risk::Action;

    use crate::error::AppError;

    pub fn whole<T: std::str::FromStr>(field: &'static str, text: &str) -> Result<T, AppError> {
        text.trim()
            .parse()
            .map_err(|_| AppError::validation(field, "Enter a whole number."))
    }

    pub fn action(text: &str) -> Result<Action, AppError> {
        match text.trim() {
            "review" => Ok(Action::Review),
            "block" => Ok(Action::Block),
            _ => Err(AppError::validation("action", "Choose review or block.")),
        }
    }
}

/// The rules, the blocklist, the merchants (for the limit's picker) and the limits set.
#[server(endpoint = "admin/risk/settings")]
pub async fn risk_settings() -> Result<RiskView, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::when;
    use platform::identity::roles::{Level, Module};
    use platform::payments::risk;
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, _) = crate::auth::session::require_declared::<RiskSettings>()
            .await?
            .parts();
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let rules = risk::rules(&mut conn).await.map_err(internal)?;
        let blocklist = risk::blocklist(&platform.pool).await.map_err(internal)?;
        let merchants = platform::merchants::list(&platform.pool)
            .await
            .map_err(internal)?;
        let limits = risk::merchant_limits(&platform.pool)
            .await
            .map_err(internal)?;
        Ok(RiskView {
            rules: rules
                .into_iter()
                .map(|r| RuleView {
                    rule: r.rule,
                    limit_value: r.limit_value,
                    window_minutes: r.window_minutes,
                    min_attempts: r.min_attempts,
                    action: r.action.as_str().to_owned(),
                    enabled: r.enabled,
                })
                .collect(),
            blocklist: blocklist
                .into_iter()
                .map(|b| BlockView {
                    id: b.id.to_string(),
                    kind: b.kind,
                    value: b.value,
                    note: b.note,
                    created: when(b.created_at),
                })
                .collect(),
            merchants: merchants
                .into_iter()
                .map(|m| MerchantChoice {
                    id: m.id.to_string(),
                    name: m.business_name,
                })
                .collect(),
            limits: limits
                .into_iter()
                .map(|l| MerchantLimitView {
                    merchant_name: l.business_name,
                    max: l.max_payment,
                })
                .collect(),
            can_act: user.permissions().allows(Module::Risk, Level::Act),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// The latest decisions, newest first: only those that flagged or blocked, unless `all`.
#[server(endpoint = "admin/risk/decisions")]
pub async fn risk_decisions(#[server(default)] all: bool) -> Result<Vec<DecisionView>, AppError> {
    use crate::error::internal;
    use crate::payments::ssr::{mode_view, when};
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<RiskDecisions>().await?;
        let decisions = platform::payments::risk::recent(&platform.pool, !all)
            .await
            .map_err(internal)?;
        Ok(decisions
            .into_iter()
            .map(|d| DecisionView {
                at: when(d.created_at),
                merchant_name: d.merchant_name,
                mode: mode_view(d.mode),
                order_id: d.order_id,
                ip: d.ip,
                buyer_email: d.buyer_email,
                amount: d.amount,
                action: d.action.as_str().to_owned(),
                reasons: d.reasons,
            })
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

/// New settings for one rule. The maximum amount's limit is typed in euro, the others as
/// whole numbers; `enabled` is a checkbox (absent when off).
#[server(endpoint = "admin/risk/set-rule")]
pub async fn set_risk_rule(
    rule: String,
    limit_value: String,
    window_minutes: String,
    min_attempts: String,
    action: String,
    #[server(default)] enabled: String,
) -> Result<(), AppError> {
    use platform::payments::risk::{self, RuleChange};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<SetRiskRule>()
            .await?
            .staff()?;
        let limit_value = match rule.as_str() {
            "max_amount" => crate::payments::ssr::euro_minor("limit_value", &limit_value)?,
            _ => ssr::whole("limit_value", &limit_value)?,
        };
        let change = RuleChange {
            rule,
            limit_value,
            window_minutes: ssr::whole("window_minutes", &window_minutes)?,
            min_attempts: ssr::whole("min_attempts", &min_attempts)?,
            action: ssr::action(&action)?,
            enabled: !enabled.is_empty(),
        };
        risk::set_rule(&platform, &scope, &change, &crate::request::facts().await).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Blocks a buyer email, an IP address or a network (`kind`: `email`, `ip`, `network`).
#[server(endpoint = "admin/risk/add-block")]
pub async fn add_block(
    kind: String,
    value: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<AddBlock>()
            .await?
            .staff()?;
        let facts = crate::request::facts().await;
        platform::payments::risk::add_block(&platform, &scope, kind.trim(), &value, &note, &facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "admin/risk/remove-block")]
pub async fn remove_block(id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<RemoveBlock>()
            .await?
            .staff()?;
        let id = crate::payments::ssr::id(&id)?;
        platform::payments::risk::remove_block(
            &platform,
            &scope,
            id,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Sets a merchant's own maximum amount per payment (euro), or clears it when empty so the
/// `max_amount` rule's limit applies again.
#[server(endpoint = "admin/risk/merchant-limit")]
pub async fn set_merchant_limit(
    merchant_id: String,
    #[server(default)] max_amount: String,
) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<SetMerchantLimit>()
            .await?
            .staff()?;
        let merchant_id = crate::payments::ssr::id(&merchant_id)?;
        let max = match max_amount.trim() {
            "" => None,
            text => Some(crate::payments::ssr::euro("max_amount", text)?),
        };
        let facts = crate::request::facts().await;
        platform::payments::risk::set_merchant_limit(&platform, &scope, merchant_id, max, &facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
