//! Unit tests of the sandbox gateway's ledger.

use super::*;
use time::macros::datetime;

fn payment(oid: &str, tran_type: TranType) -> NewPayment {
    NewPayment {
        client_id: "C".into(),
        oid: oid.into(),
        tran_type,
        amount_minor: 1000,
        currency: Currency::Eur,
        masked_pan: MaskedPan::mask("5571135571135575"),
        brand: "MASTERCARD",
        approved: true,
        proc_return_code: "00".into(),
        auth_code: "1".into(),
        host_ref_num: "2".into(),
        trans_id: "3".into(),
    }
}

#[test]
fn refunds_voids_and_settlement() {
    let now = datetime!(2026-11-24 10:00 UTC);
    let mut l = Ledger::default();
    l.record_payment(payment("O1", TranType::Auth), None, now);
    assert_eq!(
        l.credit("C", "O1", 400, Currency::Eur, true, now),
        Err(LedgerError::RefundBeforeSettlement)
    );
    let tomorrow = now + Duration::days(1);
    assert!(
        l.credit("C", "O1", 400, Currency::Eur, true, tomorrow)
            .is_ok()
    );
    assert_eq!(
        l.credit("C", "O1", 601, Currency::Eur, false, tomorrow),
        Err(LedgerError::RefundExceedsRemaining)
    );
    // The same-day credit is voidable, the settled sale is not.
    let later = tomorrow + Duration::hours(1);
    assert!(
        l.credit("C", "O1", 600, Currency::Eur, false, later)
            .is_ok()
    );
    assert!(l.void("C", "O1", later).is_ok());
    assert!(l.void("C", "O1", later).is_ok());
    assert_eq!(l.void("C", "O1", later), Err(LedgerError::NothingVoidable));
}

#[test]
fn preauth_capture() {
    let now = datetime!(2026-11-24 10:00 UTC);
    let mut l = Ledger::default();
    l.record_payment(payment("P1", TranType::PreAuth), None, now);
    assert_eq!(l.order("C", "P1").map(Order::stat), Some("A"));
    assert!(l.post_auth("C", "P1", 1001, now).is_err());
    assert!(l.post_auth("C", "P1", 900, now).is_ok());
    assert_eq!(l.order("C", "P1").map(Order::stat), Some("C"));
    assert_eq!(l.order("C", "P1").map(Order::captured_minor), Some(900));
}

#[test]
fn series_runs_until_cancelled() {
    let now = datetime!(2026-11-24 10:00 UTC);
    let mut l = Ledger::default();
    let schedule = Schedule {
        payments: 5,
        unit: FrequencyUnit::Month,
        frequency: 1,
    };
    let id = l
        .record_payment(payment("R1", TranType::Auth), Some(schedule), now)
        .expect("series");
    l.run_due(now + Duration::days(62));
    assert!(l.contains("C", "R1-2") && l.contains("C", "R1-3") && !l.contains("C", "R1-4"));
    assert!(l.cancel_series("C", &id).is_ok());
    l.run_due(now + Duration::days(400));
    assert!(!l.contains("C", "R1-4"));
}
