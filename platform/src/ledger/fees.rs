//! Saleonix's fee on a paid payment and the VAT on that fee.
//!
//! The fee is a percentage of the gross (in basis points) plus a fixed amount, rounded
//! half-even on the minor unit; the VAT is the configured rate of the fee, rounded the same
//! way; the merchant's net is what remains. A fee and its VAT never exceed the gross: on a
//! payment smaller than them, they take the whole gross between them and the net is zero.

use domain::{Currency, MerchantId, Money, PaymentId};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, Row};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::LedgerError;
use super::change::{ChangeError, hundredths, is_check_violation};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::{AdminScope, Level, Module, StaffScope};

/// How one payment's gross divides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub gross_minor: i64,
    pub fee_minor: i64,
    pub vat_minor: i64,
    pub net_minor: i64,
}

/// `numerator / denominator` rounded to the nearest integer, ties to the even one.
/// Both are non-negative and the denominator positive.
pub fn div_half_even(numerator: i128, denominator: i128) -> i128 {
    let (quotient, remainder) = (numerator / denominator, numerator % denominator);
    match (2 * remainder).cmp(&denominator) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + (quotient % 2),
    }
}

/// `amount * bp / 10 000`, half-even.
/// Rates are at most 100 % (schedules are checked), so the share fits in the amount's
/// type; a larger one would saturate rather than wrap.
pub fn share(amount_minor: i64, bp: u32) -> i64 {
    to_i64(div_half_even(
        i128::from(amount_minor) * i128::from(bp),
        10_000,
    ))
}

fn to_i64(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// Divides a positive gross into fee, VAT on the fee and net.
pub fn split(gross_minor: i64, percent_bp: u32, fixed_minor: i64, vat_rate_bp: u32) -> Split {
    let gross = gross_minor.max(0);
    let fee = share(gross, percent_bp) + fixed_minor.max(0);
    let vat = share(fee, vat_rate_bp);
    if fee + vat <= gross {
        return Split {
            gross_minor: gross,
            fee_minor: fee,
            vat_minor: vat,
            net_minor: gross - fee - vat,
        };
    }
    // The fee with its VAT would pass the gross: they take the gross, in the VAT's ratio.
    let fee = to_i64(div_half_even(
        i128::from(gross) * 10_000,
        10_000 + i128::from(vat_rate_bp),
    ));
    Split {
        gross_minor: gross,
        fee_minor: fee,
        vat_minor: gross - fee,
        net_minor: 0,
    }
}

/// A fee schedule as a payment finds it: a percentage of the gross plus `fixed`, in the
/// currency of the payments it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub id: Uuid,
    pub merchant_id: Option<MerchantId>,
    pub percent_bp: i32,
    pub fixed: Money,
    pub effective_from: OffsetDateTime,
}

impl FromRow<'_, PgRow> for Schedule {
    fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Schedule {
            id: row.try_get("id")?,
            merchant_id: row.try_get("merchant_id")?,
            percent_bp: row.try_get("percent_bp")?,
            fixed: super::money_at(row, "fixed_minor", "currency")?,
            effective_from: row.try_get("effective_from")?,
        })
    }
}

/// The schedule in effect for the merchant's payment in `currency` paid at `at`: its own
/// newest override that had started by then, else the newest default that had.
pub async fn in_effect(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    currency: Currency,
    at: OffsetDateTime,
) -> Result<Schedule, LedgerError> {
    sqlx::query_as(
        "SELECT id, merchant_id, percent_bp, fixed_minor, currency::text AS currency, effective_from
         FROM fee_schedules
         WHERE (merchant_id = $1 OR merchant_id IS NULL) AND currency = $2 AND effective_from <= $3
         ORDER BY merchant_id IS NULL, effective_from DESC LIMIT 1",
    )
    .bind(merchant_id)
    .bind(currency)
    .bind(at)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| LedgerError::NoFeeSchedule(currency.alpha().to_owned()))
}

/// What a paid payment was charged (`payment_fees`), if it was paid.
pub async fn of_payment(
    conn: &mut PgConnection,
    payment_id: PaymentId,
) -> Result<Option<Split>, sqlx::Error> {
    let row: Option<(i64, i64, i64, i64)> =
        sqlx::query_as("SELECT gross_minor, fee_minor, vat_minor, net_minor FROM payment_fees WHERE payment_id = $1")
            .bind(payment_id)
            .fetch_optional(conn)
            .await?;
    Ok(
        row.map(|(gross_minor, fee_minor, vat_minor, net_minor)| Split {
            gross_minor,
            fee_minor,
            vat_minor,
            net_minor,
        }),
    )
}

/// The default schedules (`merchant_id` `None`) or one merchant's overrides in `currency`:
/// the one in effect now, if any, then those that start later, in order.
pub async fn current_and_upcoming(
    conn: &mut PgConnection,
    merchant_id: Option<MerchantId>,
    currency: Currency,
) -> Result<Vec<Schedule>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, merchant_id, percent_bp, fixed_minor, currency::text AS currency, effective_from
         FROM fee_schedules
         WHERE merchant_id IS NOT DISTINCT FROM $1 AND currency = $2
           AND (effective_from > now()
                OR id = (SELECT id FROM fee_schedules
                         WHERE merchant_id IS NOT DISTINCT FROM $1 AND currency = $2 AND effective_from <= now()
                         ORDER BY effective_from DESC, created_at DESC LIMIT 1))
         ORDER BY effective_from",
    )
    .bind(merchant_id)
    .bind(currency)
    .fetch_all(conn)
    .await
}

/// A new schedule as staff type it: a percentage (`2.90`), a fixed amount in euro
/// (`0.25`) and the day it starts (`YYYY-MM-DD`, in Kosovo).
#[derive(Debug, Clone, Default)]
pub struct NewSchedule {
    pub percent: String,
    pub fixed_euro: String,
    pub effective_from: String,
}

/// Adds the default schedule, by a platform administrator (see [`add`]).
pub async fn add_default_schedule(
    platform: &Platform,
    admin: &AdminScope,
    new: &NewSchedule,
    facts: &RequestFacts,
) -> Result<Schedule, ChangeError> {
    add(platform, admin.user_id(), None, new, facts).await
}

/// Adds a merchant's override, by staff holding merchants at `act` (see [`add`]).
pub async fn add_merchant_schedule(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    new: &NewSchedule,
    facts: &RequestFacts,
) -> Result<Schedule, ChangeError> {
    staff.holds(Module::Merchants, Level::Act)?;
    add(platform, staff.user_id(), Some(merchant_id), new, facts).await
}

/// Adds a schedule (the default for `None`, else the merchant's override), in euro,
/// audited as `fee_schedule.create` with `staff_id` as actor. It starts on its day
/// (today: now), never before: what was charged stays charged, and the database refuses a
/// past start as well.
async fn add(
    platform: &Platform,
    staff_id: Uuid,
    merchant_id: Option<MerchantId>,
    new: &NewSchedule,
    facts: &RequestFacts,
) -> Result<Schedule, ChangeError> {
    let percent_bp = hundredths(&new.percent)
        .filter(|bp| *bp <= 10_000)
        .ok_or_else(|| {
            ChangeError::invalid(
                "percent",
                "Enter a percentage from 0 to 100 with at most two decimals, like 2.90.",
            )
        })?;
    let fixed_minor = hundredths(&new.fixed_euro)
        .filter(|minor| *minor <= 100_000)
        .ok_or_else(|| {
            ChangeError::invalid(
                "fixed",
                "Enter a fixed amount in euro from 0.00 to 1000.00, like 0.25.",
            )
        })?;
    let day = Date::parse(
        new.effective_from.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        ChangeError::invalid(
            "effective_from",
            "Enter the day it starts, like 2026-12-01.",
        )
    })?;
    let mut tx = platform.pool.begin().await?;
    if day < super::today(&mut tx).await? {
        return Err(ChangeError::invalid(
            "effective_from",
            "A fee schedule starts today or later: it never changes what was already charged.",
        ));
    }
    if let Some(merchant_id) = merchant_id {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM merchants WHERE id = $1)")
                .bind(merchant_id)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            return Err(ChangeError::NotFound);
        }
    }
    let id = Uuid::new_v4();
    let inserted = sqlx::query_as(
        "INSERT INTO fee_schedules (id, merchant_id, percent_bp, fixed_minor, currency, effective_from, created_by)
         VALUES ($1, $2, $3, $4, 'EUR',
                 CASE WHEN $5 <= (now() AT TIME ZONE 'Europe/Belgrade')::date THEN now()
                      ELSE $5::timestamp AT TIME ZONE 'Europe/Belgrade' END,
                 $6)
         RETURNING id, merchant_id, percent_bp, fixed_minor, currency::text AS currency, effective_from",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(i32::try_from(percent_bp).unwrap_or(i32::MAX))
    .bind(fixed_minor)
    .bind(day)
    .bind(staff_id)
    .fetch_one(&mut *tx)
    .await;
    let schedule: Schedule = match inserted {
        Ok(schedule) => schedule,
        // Midnight passed between the check and the insert.
        Err(error) if is_check_violation(&error) => {
            return Err(ChangeError::invalid(
                "effective_from",
                "A fee schedule starts today or later.",
            ));
        }
        Err(error) => return Err(error.into()),
    };
    let mut event = Event::new(
        "fee_schedule.create",
        Actor {
            kind: ActorKind::Staff,
            id: Some(staff_id),
        },
        Outcome::Success,
    )
    .target("fee_schedule", id.to_string())
    .detail(serde_json::json!({
        "default": merchant_id.is_none(),
        "percent_bp": percent_bp,
        "fixed_minor": fixed_minor,
        "effective_from": day.to_string(),
    }));
    if let Some(merchant_id) = merchant_id {
        event = event.merchant(merchant_id);
    }
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(schedule)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rounds_half_to_even_on_the_minor_unit() {
        assert_eq!(div_half_even(25, 10), 2, "2.5 rounds to 2");
        assert_eq!(div_half_even(35, 10), 4, "3.5 rounds to 4");
        assert_eq!(div_half_even(26, 10), 3);
        assert_eq!(div_half_even(24, 10), 2);
        assert_eq!(share(1_250, 200), 25, "2 % of 12.50 is 0.25");
        assert_eq!(share(25, 200), 0, "0.5 cent rounds to the even 0");
        assert_eq!(share(75, 200), 2, "1.5 cent rounds to the even 2");
    }

    #[test]
    fn a_ten_euro_payment_at_the_default_schedule() {
        // 2.90 % of 10.00 is 0.29, plus 0.25 is 0.54; VAT 18 % of 0.54 is 0.0972, so 0.10.
        assert_eq!(
            split(1_000, 290, 25, 1_800),
            Split {
                gross_minor: 1_000,
                fee_minor: 54,
                vat_minor: 10,
                net_minor: 936
            }
        );
    }

    #[test]
    fn a_payment_smaller_than_its_fee_leaves_a_zero_net() {
        let tiny = split(20, 290, 25, 1_800);
        assert_eq!(tiny.net_minor, 0);
        assert_eq!(tiny.fee_minor + tiny.vat_minor, 20);
        assert_eq!(
            tiny,
            Split {
                gross_minor: 20,
                fee_minor: 17,
                vat_minor: 3,
                net_minor: 0
            }
        );
    }

    proptest! {
        #[test]
        fn the_parts_add_up_to_the_gross_and_none_is_negative(
            gross in 1i64..=100_000_000_000, percent in 0u32..=10_000, fixed in 0i64..=100_000, vat in 0u32..=10_000,
        ) {
            let s = split(gross, percent, fixed, vat);
            prop_assert_eq!(s.net_minor + s.fee_minor + s.vat_minor, gross);
            prop_assert!(s.fee_minor >= 0 && s.vat_minor >= 0 && s.net_minor >= 0);
        }

        #[test]
        fn the_vat_is_the_rate_of_the_fee_whenever_the_net_is_left(
            gross in 1i64..=100_000_000_000, percent in 0u32..=2_000, fixed in 0i64..=1_000, vat in 0u32..=3_000,
        ) {
            let s = split(gross, percent, fixed, vat);
            if s.net_minor > 0 {
                prop_assert_eq!(s.vat_minor, share(s.fee_minor, vat));
                prop_assert_eq!(s.fee_minor, share(gross, percent) + fixed);
            }
        }
    }
}
