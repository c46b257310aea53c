//! Rate limits for server functions: `platform::rate_limit::enforce` with the current
//! request's facts, answered as the app's error.

use platform::Platform;
use platform::config::LimitRule;

use crate::error::AppError;

pub async fn enforce(
    platform: &Platform,
    checks: &[(&'static str, LimitRule, &str)],
) -> Result<(), AppError> {
    let facts = crate::request::facts().await;
    platform::rate_limit::enforce(&platform.pool, checks, &facts)
        .await
        .map_err(|refusal| match refusal {
            Some(wait) => AppError::RateLimited {
                retry_after_secs: wait.as_secs(),
            },
            None => AppError::Internal,
        })
}
