//! Unit tests of the list cursor and the 3-D Secure wording (amounts are formatted by
//! `domain::Money`, tested there).

use super::*;

#[cfg(feature = "ssr")]
#[test]
fn a_cursor_reads_back_as_the_row_it_was_made_from() {
    let row = platform::payments::reading::PaymentRow {
        id: domain::PaymentId::from_uuid(uuid::Uuid::new_v4()),
        order_id: "SX1".into(),
        status: domain::PaymentStatus::Paid,
        amount: domain::Money::eur(1250),
        buyer_email: None,
        reference: None,
        masked_pan: None,
        card_brand: None,
        decline_reason: None,
        created_at: time::OffsetDateTime::from_unix_timestamp_nanos(1_764_000_000_123_456_000)
            .unwrap(),
        paid_at: None,
        refunded: domain::Money::eur(0),
        risk_action: None,
    };
    assert_eq!(
        ssr::parse_cursor(&ssr::cursor(&row)),
        Some((row.created_at, row.id))
    );
    assert_eq!(ssr::parse_cursor("garbage"), None);
}

#[cfg(feature = "ssr")]
#[test]
fn the_three_d_secure_result_reads_as_evidence() {
    use platform::payments::reading::ThreeDSecure;
    let words = |md: &str, eci: Option<&str>, shifted| {
        ssr::three_d_secure_words(&ThreeDSecure {
            md_status: Some(md.into()),
            eci: eci.map(str::to_owned),
            liability_shifted: Some(shifted),
        })
    };
    assert_eq!(
        ssr::three_d_secure_words(&ThreeDSecure::default()),
        None,
        "nothing to show without a result"
    );
    assert_eq!(
        words("2", Some("06"), true).as_deref(),
        Some(
            "Authentication attempted (mdStatus 2, ECI 06); liability for fraud shifted to the card's issuer"
        )
    );
    assert_eq!(
        words("0", None, false).as_deref(),
        Some(
            "Authentication failed (mdStatus 0); no liability shift: a fraud chargeback stays with the merchant"
        )
    );
    assert!(
        words("7", None, false)
            .unwrap()
            .starts_with("Could not be verified")
    );
}
