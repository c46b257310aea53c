//! Rate limits for server functions: every check counts (so a client over one limit keeps
//! counting against the others), and the answer waits for the longest window. The first
//! refusal of a window goes to the audit trail; the rest of a flood only counts.

use platform::Platform;
use platform::config::LimitRule;
use platform::audit::{self, Actor, ActorKind, Event, Outcome};
use platform::rate_limit::{self, Decision, Limit};

use crate::error::AppError;

pub async fn enforce(platform: &Platform, checks: &[(&'static str, LimitRule, &str)]) -> Result<(), AppError> {
    let mut retry_after = None;
    for (bucket, rule, key) in checks {
        match rate_limit::hit(&platform.pool, Limit::new(bucket, *rule), key).await {
            Ok(Decision::Allowed) => {}
            Ok(Decision::Limited { retry_after: wait, first }) => {
                retry_after = retry_after.max(Some(wait));
                if first {
                    let event = Event::new("rate_limit.refused", Actor { kind: ActorKind::Anonymous, id: None }, Outcome::Denied)
                        .reason(format!("over the {bucket} limit"))
                        .detail(serde_json::json!({ "bucket": bucket, "max": rule.max, "window_secs": rule.window_secs }));
                    if let Err(error) = audit::record_alone(&platform.pool, &event, &crate::request::facts().await).await {
                        tracing::error!(%error, "recording a rate-limit refusal failed");
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, "rate limit check failed");
                return Err(AppError::Internal);
            }
        }
    }
    match retry_after {
        None => Ok(()),
        Some(wait) => {
            tracing::warn!(buckets = ?checks.iter().map(|c| c.0).collect::<Vec<_>>(), "rate limited");
            Err(AppError::RateLimited { retry_after_secs: wait.as_secs() })
        }
    }
}
