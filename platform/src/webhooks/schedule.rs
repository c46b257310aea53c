//! When a failed delivery is tried again: exponential backoff from
//! `first_retry_secs`, doubling to at most `longest_retry_secs`, plus up to a fifth more
//! at random, so endpoints that failed together (one outage) are not all retried in the
//! same second when they come back.

use std::time::Duration;

use rand::Rng as _;

use crate::config::WebhookSettings;

/// The wait after failed attempt `attempt` (1 for the first), before jitter.
pub fn base_delay(settings: &WebhookSettings, attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(30);
    let secs = settings
        .first_retry_secs
        .saturating_mul(1u64 << doublings)
        .min(settings.longest_retry_secs);
    Duration::from_secs(secs)
}

/// The wait after failed attempt `attempt`, with jitter: never shorter than the base, so
/// the schedule's span is at least [`span`].
pub fn delay(settings: &WebhookSettings, attempt: u32) -> Duration {
    let base = base_delay(settings, attempt);
    base.mul_f64(1.0 + rand::thread_rng().gen_range(0.0..0.2))
}

/// The shortest time from the first attempt to the last.
pub fn span(settings: &WebhookSettings) -> Duration {
    (1..settings.max_attempts)
        .map(|attempt| base_delay(settings, attempt))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_backs_off_and_spans_at_least_three_days() {
        let settings = WebhookSettings::default();
        assert_eq!(base_delay(&settings, 1), Duration::from_secs(30));
        assert_eq!(base_delay(&settings, 2), Duration::from_secs(60));
        assert_eq!(base_delay(&settings, 40), Duration::from_secs(12 * 3600));
        let span = span(&settings);
        assert!(span >= Duration::from_secs(3 * 24 * 3600), "{span:?}");
        // And does not run on far past the five days after which an endpoint is disabled.
        assert!(span < Duration::from_secs(5 * 24 * 3600), "{span:?}");
        for attempt in 1..settings.max_attempts {
            let jittered = delay(&settings, attempt);
            let base = base_delay(&settings, attempt);
            assert!(jittered >= base && jittered <= base.mul_f64(1.2));
        }
    }
}
