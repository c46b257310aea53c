//! Unit tests of comparing our payments with the gateway's records.

use super::*;

fn ours(status: PaymentStatus, refunded_minor: i64) -> Ours {
    Ours {
        status,
        amount_minor: 1000,
        refunded_minor,
        unknown_refund: None,
        may_abandon: false,
    }
}

fn charged(captured_minor: i64, refunded_minor: i64) -> GatewayView {
    GatewayView::Charged {
        captured_minor,
        refunded_minor,
        currency: Some(Currency::Eur),
        card: CardFacts::default(),
    }
}

#[test]
fn a_sent_attempt_takes_the_gateways_answer() {
    assert!(matches!(
        judge(&ours(PaymentStatus::Pending, 0), &charged(1000, 0)),
        Verdict::Settle(Change::Paid(_))
    ));
    assert!(matches!(
        judge(&ours(PaymentStatus::Pending, 0), &GatewayView::Declined),
        Verdict::Settle(Change::Declined { .. })
    ));
    assert_eq!(
        judge(&ours(PaymentStatus::Pending, 0), &GatewayView::Absent),
        Verdict::Wait,
        "the buyer may still be paying"
    );
    let late = Ours {
        may_abandon: true,
        ..ours(PaymentStatus::Pending, 0)
    };
    assert_eq!(
        judge(&late, &GatewayView::Absent),
        Verdict::Settle(Change::Abandon)
    );
    assert_eq!(
        judge(&ours(PaymentStatus::Pending, 0), &charged(900, 0)),
        Verdict::Mismatch,
        "another amount is for staff"
    );
    assert_eq!(
        judge(
            &ours(PaymentStatus::Pending, 0),
            &GatewayView::Undecided("PN".into())
        ),
        Verdict::Wait
    );
}

#[test]
fn taken_money_must_agree_to_the_minor_unit() {
    assert_eq!(
        judge(&ours(PaymentStatus::Paid, 0), &charged(1000, 0)),
        Verdict::Matches
    );
    assert_eq!(
        judge(
            &ours(PaymentStatus::PartiallyRefunded, 300),
            &charged(1000, 300)
        ),
        Verdict::Matches
    );
    assert_eq!(
        judge(&ours(PaymentStatus::Refunded, 1000), &GatewayView::Voided),
        Verdict::Matches
    );
    assert_eq!(
        judge(&ours(PaymentStatus::Paid, 0), &GatewayView::Voided),
        Verdict::Mismatch
    );
    assert_eq!(
        judge(&ours(PaymentStatus::Paid, 0), &charged(1000, 200)),
        Verdict::Mismatch
    );
}

#[test]
fn money_taken_after_a_decline_or_expiry_is_settled_not_ignored() {
    assert!(matches!(
        judge(&ours(PaymentStatus::Declined, 0), &charged(1000, 0)),
        Verdict::Settle(Change::Paid(_))
    ));
    assert!(matches!(
        judge(&ours(PaymentStatus::Expired, 0), &charged(1000, 0)),
        Verdict::Settle(Change::Paid(_))
    ));
    assert_eq!(
        judge(&ours(PaymentStatus::Declined, 0), &charged(1000, 300)),
        Verdict::Mismatch,
        "a partly refunded charge is for staff"
    );
    assert_eq!(
        judge(&ours(PaymentStatus::Declined, 0), &GatewayView::Declined),
        Verdict::Matches
    );
}

#[test]
fn a_duplicate_matches_the_gateway_only_as_returned_as_we_say() {
    assert_eq!(
        judge(&ours(PaymentStatus::Duplicate, 1000), &GatewayView::Voided),
        Verdict::Matches
    );
    assert_eq!(
        judge(&ours(PaymentStatus::Duplicate, 1000), &charged(1000, 1000)),
        Verdict::Matches
    );
    assert_eq!(
        judge(&ours(PaymentStatus::Duplicate, 1000), &charged(1000, 0)),
        Verdict::Mismatch
    );
}

#[test]
fn taken_money_is_swept_on_days_1_7_and_30_after_its_last_change() {
    let changed = OffsetDateTime::UNIX_EPOCH;
    let day = |d| changed + Duration::days(d);
    assert_eq!(
        next_sweep(
            PaymentStatus::Paid,
            changed,
            changed + Duration::minutes(15)
        ),
        Some(day(1))
    );
    assert_eq!(
        next_sweep(PaymentStatus::Paid, changed, day(1)),
        Some(day(7))
    );
    assert_eq!(
        next_sweep(PaymentStatus::Refunded, changed, day(7)),
        Some(day(30))
    );
    assert_eq!(
        next_sweep(PaymentStatus::Duplicate, changed, day(30)),
        None,
        "then it rests"
    );
    assert_eq!(
        next_sweep(PaymentStatus::Declined, changed, changed),
        Some(day(1)),
        "a decline is read again once"
    );
    assert_eq!(next_sweep(PaymentStatus::Declined, changed, day(1)), None);
    assert_eq!(next_sweep(PaymentStatus::Pending, changed, changed), None);
}

#[test]
fn an_unknown_refund_is_decided_by_the_refunded_total() {
    let waiting = Ours {
        unknown_refund: Some((RefundId::from_uuid(Uuid::nil()), 400)),
        ..ours(PaymentStatus::PartiallyRefunded, 100)
    };
    assert_eq!(
        judge(&waiting, &charged(1000, 500)),
        Verdict::SettleRefund {
            refund_id: RefundId::from_uuid(Uuid::nil()),
            happened: true
        }
    );
    assert_eq!(
        judge(&waiting, &charged(1000, 100)),
        Verdict::SettleRefund {
            refund_id: RefundId::from_uuid(Uuid::nil()),
            happened: false
        }
    );
    assert_eq!(judge(&waiting, &charged(1000, 800)), Verdict::Mismatch);
    let whole = Ours {
        unknown_refund: Some((RefundId::from_uuid(Uuid::nil()), 1000)),
        ..ours(PaymentStatus::Paid, 0)
    };
    assert_eq!(
        judge(&whole, &GatewayView::Voided),
        Verdict::SettleRefund {
            refund_id: RefundId::from_uuid(Uuid::nil()),
            happened: true
        }
    );
}

#[test]
fn accepting_the_gateway_sets_its_figures() {
    assert_eq!(
        charged(1000, 0).accepted_state(1000),
        Some((PaymentStatus::Paid, 0))
    );
    assert_eq!(
        charged(1000, 250).accepted_state(1000),
        Some((PaymentStatus::PartiallyRefunded, 250))
    );
    assert_eq!(
        GatewayView::Voided.accepted_state(1000),
        Some((PaymentStatus::Refunded, 1000))
    );
    assert_eq!(
        charged(900, 0).accepted_state(1000),
        None,
        "another amount cannot be accepted"
    );
}

#[test]
fn a_charge_in_another_currency_is_an_exception_never_a_match() {
    let in_currency = |currency| GatewayView::Charged {
        captured_minor: 1000,
        refunded_minor: 0,
        currency,
        card: CardFacts::default(),
    };
    let in_usd = in_currency(Some(Currency::Usd)).in_currency("EUR");
    assert_eq!(in_usd, GatewayView::OtherCurrency(Currency::Usd));
    assert_eq!(
        judge(&ours(PaymentStatus::Pending, 0), &in_usd),
        Verdict::Mismatch,
        "never paid on the same number of cents"
    );
    assert_eq!(
        judge(&ours(PaymentStatus::Paid, 0), &in_usd),
        Verdict::Mismatch
    );
    let refund = Ours {
        unknown_refund: Some((RefundId::from_uuid(Uuid::nil()), 1000)),
        ..ours(PaymentStatus::Paid, 0)
    };
    assert_eq!(judge(&refund, &in_usd), Verdict::Mismatch);
    assert_eq!(
        in_usd.accepted_state(1000),
        None,
        "staff cannot accept it as this payment's state"
    );
    assert_eq!(in_usd.describe("EUR"), "charged in USD, not in EUR");
    assert_eq!(
        charged(1000, 0).in_currency("EUR"),
        charged(1000, 0),
        "the same currency changes nothing"
    );
    let unnamed = in_currency(None);
    assert_eq!(
        unnamed.clone().in_currency("EUR"),
        unnamed,
        "a history naming none is judged by amounts"
    );
}
