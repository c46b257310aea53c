//! Fraud checks made when a buyer presses Pay, before anything is sent to the gateway:
//! velocity per IP address, per buyer email and per checkout; the decline ratio per IP (card
//! testing); the merchant's maximum amount; blocklists of emails, addresses and networks.
//!
//! Each decision (allow, review or block) is stored with its reasons and audited in the
//! transaction of the attempt it let through, or in its own when it blocked. The counts come
//! from the stored decisions themselves, so a blocked address that keeps trying stays
//! blocked. Thresholds and lists live in the database, edited in the console's Risk module.
//!
//! Counts are taken within the attempt's mode only: declines with the public sandbox cards
//! on a Test checkout must never block a Live payment. Within a mode, the address and email
//! rules count across merchants, because the platform is the merchant of record: a card
//! tester who spreads over many shops is still testing cards on the platform's one acquiring
//! account. A checkout's own velocity and the maximum amount are the merchant's. Addresses
//! count by network (`client_ip::network`): the address for IPv4, the /64 for IPv6.

use std::net::IpAddr;

use domain::{MerchantId, Money, PaymentId};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Mode, PaymentError, invalid, optional_text};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, Module, StaffScope};

// The lists staff keep live apart from assessing a payment; the re-exports keep
// `risk::X` unchanged for callers.
mod lists;

pub use lists::{
    BlockEntry, MerchantLimit, add_block, blocklist, merchant_limits, remove_block,
    set_merchant_limit,
};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    sqlx::Type,
    serde::Serialize,
    serde::Deserialize,
)]
#[sqlx(type_name = "risk_action", rename_all = "snake_case")]
pub enum Action {
    Allow,
    /// Let through, flagged for the merchant and staff.
    Review,
    Block,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Review => "review",
            Action::Block => "block",
        }
    }
}

/// The rules, by the name the database keeps them under.
pub const RULES: [&str; 5] = [
    "ip_velocity",
    "email_velocity",
    "session_velocity",
    "ip_decline_ratio",
    "max_amount",
];

/// One rule's settings. `limit_value` is a count of attempts, a percentage of declines or an
/// amount in minor units, as the rule says.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Rule {
    pub rule: String,
    pub limit_value: i64,
    pub window_minutes: i32,
    pub min_attempts: i32,
    pub action: Action,
    pub enabled: bool,
}

pub async fn rules(conn: &mut PgConnection) -> Result<Vec<Rule>, sqlx::Error> {
    sqlx::query_as(
        "SELECT rule, limit_value, window_minutes, min_attempts, action, enabled FROM risk_rules
         ORDER BY array_position($1::text[], rule)",
    )
    .bind(RULES)
    .fetch_all(conn)
    .await
}

/// One attempt as the checks see it.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    pub merchant_id: MerchantId,
    pub mode: Mode,
    pub session_id: Uuid,
    pub ip: Option<IpAddr>,
    pub email: &'a str,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub action: Action,
    /// One plain sentence per rule that fired.
    pub reasons: Vec<String>,
}

/// Runs every enabled rule against `attempt`; the strictest action wins.
pub async fn assess(
    conn: &mut PgConnection,
    attempt: &Attempt<'_>,
) -> Result<Assessment, sqlx::Error> {
    let mut fired: Vec<(Action, String)> = Vec::new();
    let ip = attempt.ip.map(|ip| ip.to_string());
    let listed: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, value FROM risk_blocklist
         WHERE (kind = 'email' AND value = $1) OR (kind <> 'email' AND $2::inet <<= network)",
    )
    .bind(attempt.email)
    .bind(&ip)
    .fetch_all(&mut *conn)
    .await?;
    for (kind, value) in listed {
        let what = if kind == "email" {
            "buyer email".to_owned()
        } else {
            format!("{kind} {value}")
        };
        fired.push((Action::Block, format!("blocklist: the {what} is blocked")));
    }

    let network = attempt.ip.map(crate::client_ip::network);
    let from_here = match network {
        Some(ipnet::IpNet::V6(_)) => "from this /64 network",
        _ => "from this address",
    };
    let network = network.map(|net| net.to_string());
    for rule in rules(&mut *conn).await?.into_iter().filter(|r| r.enabled) {
        let window = rule.window_minutes;
        let reason = match rule.rule.as_str() {
            name @ ("ip_velocity" | "email_velocity" | "session_velocity") => {
                let (filter, key, whose) = match name {
                    "ip_velocity" => ("ip <<= $1::cidr", network.clone(), from_here),
                    "email_velocity" => (
                        "buyer_email = $1",
                        Some(attempt.email.to_owned()),
                        "with this email",
                    ),
                    _ => (
                        "session_id = $1::uuid",
                        Some(attempt.session_id.to_string()),
                        "on this checkout",
                    ),
                };
                match key {
                    None => None,
                    Some(key) => {
                        let n = count(
                            &mut *conn,
                            attempt.mode,
                            window,
                            rule.limit_value,
                            filter,
                            key,
                        )
                        .await?;
                        (n >= rule.limit_value).then(|| {
                            format!(
                                "{} attempts {whose} within {window} minutes (limit {})",
                                n + 1,
                                rule.limit_value
                            )
                        })
                    }
                }
            }
            "ip_decline_ratio" if network.is_some() => {
                // The latest hundred attempts are enough to judge a ratio, and keep a flood cheap.
                let (tried, declined): (i64, i64) = sqlx::query_as(
                    "SELECT count(*), count(*) FILTER (WHERE declined)
                     FROM (SELECT p.status IN ('declined', 'failed') AS declined
                           FROM risk_decisions d JOIN payments p ON p.id = d.payment_id
                           WHERE d.mode = $3 AND d.ip <<= $1::cidr AND d.created_at > now() - make_interval(mins => $2)
                           ORDER BY d.created_at DESC LIMIT 100) latest",
                )
                .bind(&network)
                .bind(window)
                .bind(attempt.mode)
                .fetch_one(&mut *conn)
                .await?;
                (tried >= i64::from(rule.min_attempts) && declined * 100 >= rule.limit_value * tried).then(|| {
                    format!("{declined} of {tried} attempts {from_here} declined within {window} minutes (limit {}%)", rule.limit_value)
                })
            }
            "max_amount" => {
                let own: Option<i64> =
                    sqlx::query_scalar("SELECT max_payment_minor FROM merchants WHERE id = $1")
                        .bind(attempt.merchant_id)
                        .fetch_one(&mut *conn)
                        .await?;
                // The limit is kept in minor units of the attempt's currency (euro).
                let limit = Money::new(own.unwrap_or(rule.limit_value), attempt.amount.currency());
                (attempt.amount.minor() > limit.minor()).then(|| {
                    format!(
                        "the amount {} is above the merchant's limit of {limit}",
                        attempt.amount
                    )
                })
            }
            _ => None,
        };
        if let Some(reason) = reason {
            fired.push((rule.action, format!("{}: {reason}", rule.rule)));
        }
    }
    let action = fired
        .iter()
        .map(|(action, _)| *action)
        .max()
        .unwrap_or(Action::Allow);
    Ok(Assessment {
        action,
        reasons: fired.into_iter().map(|(_, reason)| reason).collect(),
    })
}

/// The decisions of `mode` matching `key` within the last `window` minutes, counted no
/// further than `limit`: whether the limit is reached is all a rule asks, and a flood of
/// attempts then costs no more to check than the limit's worth of rows.
async fn count(
    conn: &mut PgConnection,
    mode: Mode,
    window: i32,
    limit: i64,
    filter: &'static str,
    key: String,
) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM risk_decisions
                               WHERE mode = $4 AND {filter} AND created_at > now() - make_interval(mins => $2) LIMIT $3) hits"
    );
    sqlx::query_scalar(&sql)
        .bind(key)
        .bind(window)
        .bind(limit)
        .bind(mode)
        .fetch_one(conn)
        .await
}

/// Stores the decision for `attempt` (with the payment it let through, if any) and audits
/// it, in the caller's transaction.
pub async fn record(
    conn: &mut PgConnection,
    attempt: &Attempt<'_>,
    assessment: &Assessment,
    payment_id: Option<Uuid>,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    sqlx::query(
        "INSERT INTO risk_decisions (id, merchant_id, mode, session_id, payment_id, ip, buyer_email, amount_minor, currency,
                                     action, reasons)
         VALUES ($1, $2, $3, $4, $5, $6::inet, $7, $8, $9, $10, $11)",
    )
    .bind(Uuid::new_v4())
    .bind(attempt.merchant_id)
    .bind(attempt.mode)
    .bind(attempt.session_id)
    .bind(payment_id)
    .bind(attempt.ip.map(|ip| ip.to_string()))
    .bind(attempt.email)
    .bind(attempt.amount.minor())
    .bind(attempt.amount.currency())
    .bind(assessment.action)
    .bind(&assessment.reasons)
    .execute(&mut *conn)
    .await?;
    let outcome = if assessment.action == Action::Block {
        Outcome::Denied
    } else {
        Outcome::Success
    };
    let rules: Vec<&str> = assessment
        .reasons
        .iter()
        .filter_map(|r| r.split(':').next())
        .collect();
    let event = Event::new("risk.decision", Actor { kind: ActorKind::Anonymous, id: None }, outcome)
        .merchant(attempt.merchant_id)
        .target("checkout_session", attempt.session_id.to_string())
        .reason(assessment.action.as_str())
        .detail(serde_json::json!({ "rules": rules, "mode": attempt.mode.as_str(), "amount_minor": attempt.amount.minor() }));
    audit::record(conn, &event, facts).await?;
    Ok(())
}

/// The risk note a merchant sees on a flagged payment.
pub async fn note_of(
    conn: &mut PgConnection,
    payment_id: PaymentId,
) -> Result<Option<(Action, Vec<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT action, reasons FROM risk_decisions WHERE payment_id = $1 AND action <> 'allow'",
    )
    .bind(payment_id)
    .fetch_optional(conn)
    .await
}

/// A recent decision, for the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub created_at: OffsetDateTime,
    pub merchant_name: String,
    pub mode: Mode,
    pub order_id: Option<String>,
    pub ip: Option<String>,
    pub buyer_email: String,
    pub amount: Money,
    pub action: Action,
    pub reasons: Vec<String>,
}

/// By hand rather than derived: the amount is two columns.
impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for Decision {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row as _;
        Ok(Decision {
            created_at: row.try_get("created_at")?,
            merchant_name: row.try_get("merchant_name")?,
            mode: row.try_get("mode")?,
            order_id: row.try_get("order_id")?,
            ip: row.try_get("ip")?,
            buyer_email: row.try_get("buyer_email")?,
            amount: Money::new(row.try_get("amount_minor")?, row.try_get("currency")?),
            action: row.try_get("action")?,
            reasons: row.try_get("reasons")?,
        })
    }
}

/// The latest decisions, newest first; `flagged_only` leaves out plain allows.
pub async fn recent(pool: &PgPool, flagged_only: bool) -> Result<Vec<Decision>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.created_at, m.business_name AS merchant_name, d.mode, p.order_id, host(d.ip) AS ip, d.buyer_email,
                d.amount_minor, d.currency::text AS currency, d.action, d.reasons
         FROM risk_decisions d JOIN merchants m ON m.id = d.merchant_id LEFT JOIN payments p ON p.id = d.payment_id
         WHERE NOT $1 OR d.action <> 'allow'
         ORDER BY d.created_at DESC LIMIT 100",
    )
    .bind(flagged_only)
    .fetch_all(pool)
    .await
}

/// New settings for one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChange {
    pub rule: String,
    pub limit_value: i64,
    pub window_minutes: i32,
    pub min_attempts: i32,
    pub action: Action,
    pub enabled: bool,
}

/// The staff member changing the fraud checks, once their scope is seen to hold risk at
/// `act`: the audit trail's actor.
fn staff(scope: &StaffScope) -> Result<Actor, PaymentError> {
    scope.holds(Module::Risk, Level::Act)?;
    Ok(Actor {
        kind: ActorKind::Staff,
        id: Some(scope.user_id()),
    })
}

/// Changes a rule, audited with its old and new settings.
pub async fn set_rule(
    platform: &Platform,
    scope: &StaffScope,
    change: &RuleChange,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let actor = staff(scope)?;
    if !RULES.contains(&change.rule.as_str()) {
        return Err(PaymentError::NotFound);
    }
    if change.limit_value <= 0 {
        return Err(invalid("limit_value", "the limit must be above zero"));
    }
    if change.rule == "ip_decline_ratio" && change.limit_value > 100 {
        return Err(invalid(
            "limit_value",
            "a ratio is a percentage, at most 100",
        ));
    }
    if !(1..=10_080).contains(&change.window_minutes) {
        return Err(invalid(
            "window_minutes",
            "the window is 1 minute to 7 days",
        ));
    }
    if change.min_attempts < 1 {
        return Err(invalid("min_attempts", "at least one attempt"));
    }
    if change.action == Action::Allow {
        return Err(invalid("action", "a rule reviews or blocks"));
    }
    let mut tx = platform.pool.begin().await?;
    let before: (i64, i32, i32, Action, bool) = sqlx::query_as(
        "SELECT limit_value, window_minutes, min_attempts, action, enabled FROM risk_rules WHERE rule = $1 FOR UPDATE",
    )
    .bind(&change.rule)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE risk_rules SET limit_value = $2, window_minutes = $3, min_attempts = $4, action = $5, enabled = $6,
             updated_by = $7, updated_at = now()
         WHERE rule = $1",
    )
    .bind(&change.rule)
    .bind(change.limit_value)
    .bind(change.window_minutes)
    .bind(change.min_attempts)
    .bind(change.action)
    .bind(change.enabled)
    .bind(scope.user_id())
    .execute(&mut *tx)
    .await?;
    let event = Event::new("risk.rule_change", actor, Outcome::Success).target("risk_rule", change.rule.clone()).detail(
        serde_json::json!({
            "before": { "limit": before.0, "window_minutes": before.1, "min_attempts": before.2, "action": before.3.as_str(), "enabled": before.4 },
            "after": { "limit": change.limit_value, "window_minutes": change.window_minutes, "min_attempts": change.min_attempts,
                       "action": change.action.as_str(), "enabled": change.enabled },
        }),
    );
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests;
