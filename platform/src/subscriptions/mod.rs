//! Subscriptions on the gateway's recurring series (issue 22, migration
//! `20261202002200_subscriptions.sql`). The gateway keeps the card and charges each
//! installment itself; Saleonix never holds a card number or a card token.
//!
//! - [`plans`]: a merchant's recurring prices, and a checkout that signs a buyer up for one.
//! - [`signup`]: the consent a buyer gives when pressing Pay, the recurring fields the
//!   attempt carries, and the subscription made when its first payment is confirmed.
//! - [`follow`]: the worker that polls each series after its planned charges and records
//!   each installment as a payment of its own, through the one transition function.
//! - [`cancel`]: ending a series at the gateway.
//! - [`dunning`]: a declined installment paid later by the buyer, or the subscription ended
//!   `unpaid` on the merchant's schedule.
//! - [`portal`]: the buyer's page of their subscriptions, opened by a link in each receipt.
//! - [`renewal`]: the next series of an "until cancelled" subscription, with fresh consent.
//! - [`series`]: a series whose id never arrived, flagged for staff, who attach it.
//! - [`reading`]: the dashboard's list.

// Money code: amounts are converted with checks, never a silent `as`.
#![warn(clippy::as_conversions)]

pub mod cancel;
pub mod dunning;
pub mod follow;
pub mod plans;
pub mod portal;
pub mod reading;
pub mod renewal;
pub mod series;
pub mod signup;

use domain::{Currency, Money};
use i18n::Locale;
use leptos_i18n::td_string;
use serde::Serialize;
use time::{Duration, Month, OffsetDateTime};

/// How often a plan charges: every `count` of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "plan_interval", rename_all = "snake_case")]
pub enum Interval {
    Day,
    Week,
    Month,
    Year,
}

impl Interval {
    pub const ALL: [Interval; 4] = [
        Interval::Day,
        Interval::Week,
        Interval::Month,
        Interval::Year,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }

    pub fn parse(text: &str) -> Option<Interval> {
        Interval::ALL.into_iter().find(|i| i.as_str() == text)
    }

    /// The gateway's `RecurringFrequencyUnit`.
    pub fn unit(self) -> payten::FrequencyUnit {
        match self {
            Interval::Day => payten::FrequencyUnit::Day,
            Interval::Week => payten::FrequencyUnit::Week,
            Interval::Month => payten::FrequencyUnit::Month,
            Interval::Year => payten::FrequencyUnit::Year,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "subscription_status", rename_all = "snake_case")]
pub enum Status {
    /// Installments are being charged as planned.
    Active,
    /// The gateway declined an installment.
    PastDue,
    /// Cancelled at the gateway before its last installment.
    Cancelled,
    /// Every installment was charged.
    Ended,
    /// Ended by dunning: installments the gateway declined were not paid in time, and the
    /// platform cancelled the series.
    Unpaid,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Active,
        Status::PastDue,
        Status::Cancelled,
        Status::Ended,
        Status::Unpaid,
    ];

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::PastDue => "past_due",
            Status::Cancelled => "cancelled",
            Status::Ended => "ended",
            Status::Unpaid => "unpaid",
        }
    }

    /// The series may still charge the buyer.
    pub fn is_running(self) -> bool {
        matches!(self, Status::Active | Status::PastDue)
    }
}

/// What a buyer agrees to: an amount every `count` `interval`s, `installments` times in
/// all, the first charged at sign-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub amount: Money,
    pub interval: Interval,
    pub count: u16,
    /// Payments in the gateway's series: for an "until cancelled" plan, the most it takes.
    pub installments: u16,
    /// The plan runs until cancelled: when the series has charged every payment, the buyer
    /// is asked to renew it (`renewal`).
    pub until_cancelled: bool,
}

/// Terms as plans and subscriptions store them, read with their column names
/// (`currency` as text): the count within 1 to 999, the installments within 2 to 121
/// (exactly 121 when until cancelled).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct StoredTerms {
    pub amount_minor: i64,
    pub currency: Currency,
    pub interval: Interval,
    pub interval_count: i16,
    pub installments: i16,
    pub until_cancelled: bool,
}

/// The columns of [`StoredTerms`] in table `t`.
pub(crate) fn terms_columns(t: &str) -> String {
    format!(
        "{t}.amount_minor, {t}.currency::text AS currency, {t}.interval, {t}.interval_count, \
         {t}.installments, {t}.until_cancelled"
    )
}

impl Terms {
    pub(crate) fn stored(row: &StoredTerms) -> Terms {
        Terms {
            amount: Money::new(row.amount_minor, row.currency),
            interval: row.interval,
            count: u16::try_from(row.interval_count).unwrap_or(1),
            installments: u16::try_from(row.installments).unwrap_or(2),
            until_cancelled: row.until_cancelled,
        }
    }

    /// "12 payments in all", or "until cancelled", in `locale`.
    pub fn length(&self, locale: Locale) -> String {
        if self.until_cancelled {
            td_string!(locale, plan.until_cancelled).to_owned()
        } else {
            let count = u32::from(self.installments);
            td_string!(locale, plan.payments_in_all, count = count)
        }
    }

    /// The recurring fields of the first payment's form.
    pub fn recurring(&self) -> payten::Recurring {
        payten::Recurring {
            payments: self.installments,
            unit: self.interval.unit(),
            frequency: self.count,
        }
    }

    /// "every month", "every 2 weeks", in `locale`.
    pub fn every(&self, locale: Locale) -> String {
        let count = u32::from(self.count);
        match (self.interval, count) {
            (Interval::Day, 1) => td_string!(locale, plan.every_day).to_owned(),
            (Interval::Week, 1) => td_string!(locale, plan.every_week).to_owned(),
            (Interval::Month, 1) => td_string!(locale, plan.every_month).to_owned(),
            (Interval::Year, 1) => td_string!(locale, plan.every_year).to_owned(),
            (Interval::Day, _) => td_string!(locale, plan.every_n_days, count = count),
            (Interval::Week, _) => td_string!(locale, plan.every_n_weeks, count = count),
            (Interval::Month, _) => td_string!(locale, plan.every_n_months, count = count),
            (Interval::Year, _) => td_string!(locale, plan.every_n_years, count = count),
        }
    }

    /// The plain words of the schedule in `locale`, as the buyer's page states it and the
    /// consent stores it (in the language the buyer read): amount, interval, number of
    /// payments and the first charge today.
    pub fn consent_text(&self, merchant: &str, locale: Locale) -> String {
        let renewal = if self.until_cancelled {
            let n = self.installments;
            td_string!(locale, plan.consent_renewal, n = n)
        } else {
            String::new()
        };
        let amount = i18n::format::money(locale, self.amount);
        let (every, length) = (self.every(locale), self.length(locale));
        td_string!(
            locale,
            plan.consent,
            merchant = merchant,
            amount = amount,
            every = every,
            length = length,
            renewal = renewal
        )
    }

    /// When installment `n` (1 for the first) falls due for a series started at `start`,
    /// as the gateway plans it: whole units after the start, a month's day clamped to the
    /// month's length (31 January, then 28 or 29 February).
    pub fn planned(&self, start: OffsetDateTime, n: u16) -> OffsetDateTime {
        let steps = u32::from(n.saturating_sub(1)) * u32::from(self.count);
        match self.interval {
            Interval::Day => start + Duration::days(i64::from(steps)),
            Interval::Week => start + Duration::weeks(i64::from(steps)),
            Interval::Month => add_months(start, steps),
            Interval::Year => add_months(start, steps.saturating_mul(12)),
        }
    }
}

fn add_months(t: OffsetDateTime, months: u32) -> OffsetDateTime {
    let months = i32::try_from(months).unwrap_or(i32::MAX / 2);
    let total = t.year() * 12 + i32::from(u8::from(t.month())) - 1 + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = u8::try_from(month0 + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::January);
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

    fn monthly(installments: u16) -> Terms {
        Terms {
            amount: Money::eur(990),
            interval: Interval::Month,
            count: 1,
            installments,
            until_cancelled: false,
        }
    }

    #[test]
    fn installments_fall_on_the_gateways_planned_dates() {
        let start = datetime!(2027-01-31 10:00 UTC);
        let terms = monthly(3);
        assert_eq!(terms.planned(start, 1), start);
        assert_eq!(terms.planned(start, 2), datetime!(2027-02-28 10:00 UTC));
        assert_eq!(terms.planned(start, 3), datetime!(2027-03-31 10:00 UTC));
        let fortnightly = Terms {
            interval: Interval::Week,
            count: 2,
            ..terms
        };
        assert_eq!(
            fortnightly.planned(start, 2),
            datetime!(2027-02-14 10:00 UTC)
        );
        let yearly = Terms {
            interval: Interval::Year,
            ..terms
        };
        assert_eq!(
            yearly.planned(datetime!(2028-02-29 0:00 UTC), 2),
            datetime!(2029-02-28 0:00 UTC)
        );
    }

    #[test]
    fn the_consent_states_amount_interval_count_and_the_first_charge() {
        let text = monthly(12).consent_text("Dardania Crafts", Locale::en);
        for words in [
            "Dardania Crafts",
            "€9.90",
            "every month",
            "12 payments",
            "the first today",
        ] {
            assert!(text.contains(words), "{words}: {text}");
        }
        let every = Terms {
            interval: Interval::Week,
            count: 2,
            ..monthly(3)
        };
        assert_eq!(every.every(Locale::en), "every 2 weeks");
        assert_eq!(every.every(Locale::sq), "çdo 2 javë");
        assert_eq!(every.every(Locale::sr), "na svake 2 nedelje");
        assert!(!text.contains("agree again"), "{text}");
        let albanian = monthly(12).consent_text("Dardania Crafts", Locale::sq);
        for words in [
            "9,90\u{a0}€",
            "çdo muaj",
            "12 pagesa gjithsej",
            "të parën sot",
        ] {
            assert!(albanian.contains(words), "{words}: {albanian}");
        }
    }

    #[test]
    fn an_until_cancelled_consent_says_the_next_series_needs_consent_again() {
        let terms = Terms {
            until_cancelled: true,
            ..monthly(121)
        };
        let text = terms.consent_text("Dardania Crafts", Locale::en);
        for words in [
            "every month",
            "until cancelled",
            "121 payments",
            "agree again",
        ] {
            assert!(text.contains(words), "{words}: {text}");
        }
        assert!(!text.contains("payments in all"), "{text}");
    }

    #[test]
    fn serbian_counts_payments_in_three_forms() {
        let length = |n| monthly(n).length(Locale::sr);
        assert_eq!(length(3), "ukupno 3 uplate");
        assert_eq!(length(5), "ukupno 5 uplata");
        assert_eq!(length(21), "ukupno 21 uplata");
        assert_eq!(length(22), "ukupno 22 uplate");
        assert_eq!(monthly(2).length(Locale::sq), "2 pagesa gjithsej");
    }
}
