//! The sandbox clock: real time plus an offset that tests advance, so recurring
//! installments and end-of-day settlement happen on demand.

use std::sync::Mutex;
use std::time::Duration;

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Month, OffsetDateTime};

/// `EXTRA_TRXDATE` / `*_DTTM` format: `yyyyMMdd HH:mm:ss`.
const GATEWAY_TIME: &[FormatItem<'static>] =
    format_description!("[year][month][day] [hour]:[minute]:[second]");

#[derive(Debug, Default)]
pub struct SandboxClock {
    offset: Mutex<Duration>,
}

impl SandboxClock {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + *lock(&self.offset)
    }

    pub fn advance(&self, by: Duration) -> OffsetDateTime {
        let mut offset = lock(&self.offset);
        *offset = offset.saturating_add(by);
        OffsetDateTime::now_utc() + *offset
    }

    pub fn reset(&self) {
        *lock(&self.offset) = Duration::ZERO;
    }
}

/// Locks a mutex, recovering the data if another thread panicked holding it:
/// the sandbox state stays usable for the remaining tests.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub fn gateway_time(t: OffsetDateTime) -> String {
    t.format(GATEWAY_TIME).unwrap_or_default()
}

/// Adds calendar months, clamping the day (31 Jan + 1 month = 28/29 Feb).
pub fn add_months(t: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = t.year() * 12 + i32::from(u8::from(t.month())) - 1 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from((month0 + 1) as u8).unwrap_or(Month::January);
    let day = t.day().min(month.length(year));
    t.replace_day(1)
        .and_then(|t| t.replace_year(year))
        .and_then(|t| t.replace_month(month))
        .and_then(|t| t.replace_day(day))
        .unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_clamp() {
        assert_eq!(
            add_months(datetime!(2026-01-31 10:00 UTC), 1),
            datetime!(2026-02-28 10:00 UTC)
        );
        assert_eq!(
            add_months(datetime!(2026-11-24 10:00 UTC), 3),
            datetime!(2027-02-24 10:00 UTC)
        );
        assert_eq!(
            gateway_time(datetime!(2026-11-24 09:05:01 UTC)),
            "20261124 09:05:01"
        );
    }
}
