//! Saleonix's fee on a paid payment and the VAT on that fee.
//!
//! The fee is a percentage of the gross (in basis points) plus a fixed amount, rounded
//! half-even on the minor unit; the VAT is the configured rate of the fee, rounded the same
//! way; the merchant's net is what remains. A fee and its VAT never exceed the gross: on a
//! payment smaller than them, they take the whole gross between them and the net is zero.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::LedgerError;

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
pub fn share(amount_minor: i64, bp: u32) -> i64 {
    div_half_even(i128::from(amount_minor) * i128::from(bp), 10_000) as i64
}

/// Divides a positive gross into fee, VAT on the fee and net.
pub fn split(gross_minor: i64, percent_bp: u32, fixed_minor: i64, vat_rate_bp: u32) -> Split {
    let gross = gross_minor.max(0);
    let fee = share(gross, percent_bp) + fixed_minor.max(0);
    let vat = share(fee, vat_rate_bp);
    if fee + vat <= gross {
        return Split { gross_minor: gross, fee_minor: fee, vat_minor: vat, net_minor: gross - fee - vat };
    }
    // The fee with its VAT would pass the gross: they take the gross, in the VAT's ratio.
    let fee = div_half_even(i128::from(gross) * 10_000, 10_000 + i128::from(vat_rate_bp)) as i64;
    Split { gross_minor: gross, fee_minor: fee, vat_minor: gross - fee, net_minor: 0 }
}

/// A fee schedule as a payment finds it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Schedule {
    pub id: Uuid,
    pub merchant_id: Option<Uuid>,
    pub percent_bp: i32,
    pub fixed_minor: i64,
    pub currency: String,
    pub effective_from: OffsetDateTime,
}

/// The schedule in effect for the merchant's payment in `currency` paid at `at`: its own
/// newest override that had started by then, else the newest default that had.
pub async fn in_effect(
    conn: &mut PgConnection,
    merchant_id: Uuid,
    currency: &str,
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
    .ok_or_else(|| LedgerError::NoFeeSchedule(currency.to_owned()))
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
        assert_eq!(split(1_000, 290, 25, 1_800), Split { gross_minor: 1_000, fee_minor: 54, vat_minor: 10, net_minor: 936 });
    }

    #[test]
    fn a_payment_smaller_than_its_fee_leaves_a_zero_net() {
        let tiny = split(20, 290, 25, 1_800);
        assert_eq!(tiny.net_minor, 0);
        assert_eq!(tiny.fee_minor + tiny.vat_minor, 20);
        assert_eq!(tiny, Split { gross_minor: 20, fee_minor: 17, vat_minor: 3, net_minor: 0 });
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
