//! Unit tests of the payment state machine.

use super::*;

#[test]
fn every_state_takes_only_its_changes() {
    use PaymentStatus::*;
    let paid = Change::Paid(CardFacts::default());
    let declined = Change::Declined {
        reason: "r",
        card: CardFacts::default(),
    };
    let failed = Change::Failed {
        reason: "r",
        card: CardFacts::default(),
    };
    assert_eq!(next(Created, &Change::Send), Ok(Some(Pending)));
    assert_eq!(next(Pending, &Change::Send), Ok(None));
    assert_eq!(next(Pending, &paid), Ok(Some(Paid)));
    assert_eq!(
        next(Paid, &paid),
        Ok(None),
        "a repeated approval is a no-op"
    );
    assert_eq!(
        next(Paid, &declined),
        Err(Impossible),
        "a decline cannot undo a confirmed payment"
    );
    assert_eq!(next(Paid, &failed), Err(Impossible));
    assert_eq!(
        next(Declined, &paid),
        Ok(Some(Paid)),
        "money taken after a decline is accounted for"
    );
    assert_eq!(
        next(Declined, &failed),
        Err(Impossible),
        "a verified decline is final"
    );
    assert_eq!(
        next(Duplicate, &paid),
        Ok(None),
        "a repeated approval of a duplicate is a no-op"
    );
    assert_eq!(next(Duplicate, &declined), Err(Impossible));
    assert_eq!(
        next(Failed, &paid),
        Ok(Some(Paid)),
        "an error answer is not final"
    );
    assert_eq!(
        next(Pending, &Change::Expire),
        Err(Impossible),
        "a sent attempt waits for the gateway"
    );
    assert_eq!(
        next(Pending, &Change::Abandon),
        Ok(Some(Expired)),
        "unless the gateway never saw it"
    );
    assert_eq!(next(Paid, &Change::Abandon), Err(Impossible));
    let part = Change::Refund {
        amount_minor: 100,
        whole: false,
    };
    let rest = Change::Refund {
        amount_minor: 100,
        whole: true,
    };
    assert_eq!(next(Paid, &part), Ok(Some(PartiallyRefunded)));
    assert_eq!(
        next(PartiallyRefunded, &part),
        Ok(Some(PartiallyRefunded)),
        "a second partial refund is a change"
    );
    assert_eq!(next(PartiallyRefunded, &rest), Ok(Some(Refunded)));
    assert_eq!(
        next(Refunded, &part),
        Err(Impossible),
        "nothing is left to refund"
    );
    assert_eq!(
        next(Duplicate, &rest),
        Ok(Some(Duplicate)),
        "a duplicate stays one when returned"
    );
    assert_eq!(
        next(Pending, &rest),
        Err(Impossible),
        "only taken money is refunded"
    );
    assert_eq!(next(Created, &Change::Expire), Ok(Some(Expired)));
    assert_eq!(next(Refunded, &paid), Ok(None));
    assert_eq!(next(Expired, &Change::Send), Err(Impossible));
    assert_eq!(
        next(Declined, &Change::Note(TimelineNote::Duplicate)),
        Ok(None)
    );
}

#[test]
fn only_masked_numbers_are_kept() {
    assert_eq!(
        masked(Some("557113***5575")).as_deref(),
        Some("557113***5575")
    );
    assert_eq!(
        masked(Some("5571 13** **** 5575")).as_deref(),
        Some("557113******5575")
    );
    assert_eq!(
        masked(Some("5571135571135575")),
        None,
        "a full number is never stored"
    );
    assert_eq!(masked(Some("")), None);
    assert_eq!(masked(None), None);
}
