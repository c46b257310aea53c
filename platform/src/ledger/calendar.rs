//! Kosovo's business days: not a Saturday, a Sunday or a public holiday (the
//! `public_holidays` table, which operators extend each year when the Government sets the
//! moving feasts).

use std::collections::BTreeSet;

use sqlx::PgConnection;
use time::{Date, Duration, Weekday};

pub fn is_business_day(day: Date, holidays: &BTreeSet<Date>) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !holidays.contains(&day)
}

/// The business day `days` business days after `from` (`from` itself when `days` is 0 and
/// it is a business day, else the next one).
pub fn add_business_days(from: Date, days: u32, holidays: &BTreeSet<Date>) -> Date {
    let mut day = from;
    let mut left = days;
    while !is_business_day(day, holidays) {
        day += Duration::days(1);
    }
    while left > 0 {
        day += Duration::days(1);
        if is_business_day(day, holidays) {
            left -= 1;
        }
    }
    day
}

/// The public holidays from `from` on (a year's worth is enough for any delay).
pub async fn holidays_from(
    conn: &mut PgConnection,
    from: Date,
) -> Result<BTreeSet<Date>, sqlx::Error> {
    let days: Vec<Date> =
        sqlx::query_scalar("SELECT day FROM public_holidays WHERE day >= $1 AND day < $1 + 400")
            .bind(from)
            .fetch_all(conn)
            .await?;
    Ok(days.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn kosovo_2026() -> BTreeSet<Date> {
        [
            date!(2026 - 02 - 17),
            date!(2026 - 04 - 06),
            date!(2026 - 04 - 09),
            date!(2026 - 04 - 13),
            date!(2026 - 12 - 25),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn seven_business_days_skip_weekends_and_holidays() {
        let none = BTreeSet::new();
        // Monday 2026-11-30 + 7 business days: Wednesday 2026-12-09.
        assert_eq!(
            add_business_days(date!(2026 - 11 - 30), 7, &none),
            date!(2026 - 12 - 09)
        );
        // A sale on Saturday counts from Monday.
        assert_eq!(
            add_business_days(date!(2026 - 11 - 28), 1, &none),
            date!(2026 - 12 - 01)
        );
        // Friday 2026-12-18 + 7: the 25th is Christmas, so Wednesday the 30th.
        assert_eq!(
            add_business_days(date!(2026 - 12 - 18), 7, &kosovo_2026()),
            date!(2026 - 12 - 30)
        );
        // Easter week: Mon 6th and Thu 9th and Mon 13th are holidays.
        assert_eq!(
            add_business_days(date!(2026 - 04 - 03), 3, &kosovo_2026()),
            date!(2026 - 04 - 10)
        );
        assert_eq!(
            add_business_days(date!(2026 - 02 - 17), 0, &kosovo_2026()),
            date!(2026 - 02 - 18)
        );
    }

    proptest! {
        #[test]
        fn the_release_day_is_a_business_day_and_exactly_that_many_lie_between(
            offset in 0i64..700, days in 0u32..30,
        ) {
            let holidays = kosovo_2026();
            let from = date!(2026 - 01 - 01) + Duration::days(offset);
            let release = add_business_days(from, days, &holidays);
            prop_assert!(is_business_day(release, &holidays));
            prop_assert!(release >= from);
            let mut between = 0;
            let mut day = from + Duration::days(1);
            while day <= release {
                between += u32::from(is_business_day(day, &holidays));
                day += Duration::days(1);
            }
            // The first business day on or after `from` is day zero.
            let first_is_from = is_business_day(from, &holidays);
            prop_assert_eq!(between, if first_is_from { days } else { days + 1 });
        }
    }
}
