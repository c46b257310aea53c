//! Unit tests of the one-time codes, against the RFC's vectors.

use super::*;

/// RFC 6238, appendix B, SHA-1 rows. The RFC prints 8 digits; a 6-digit code is the
/// same truncated value modulo 10^6, so it is the last six of each.
#[test]
fn rfc_6238_test_vectors() {
    // Base32 of the RFC's ASCII secret "12345678901234567890".
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    for (time, eight) in [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        assert_eq!(
            code_at(secret, time).as_deref(),
            Some(&eight[2..]),
            "at {time}"
        );
    }
}

#[test]
fn a_code_matches_one_step_either_side_and_no_further() {
    let secret = [7u8; SECRET_BYTES];
    let code_at = |at| totp(secret.to_vec(), "").generate(at);
    let now = 1_800_000_015;
    let step = now / STEP_SECS;
    for offset in [-1i64, 0, 1] {
        let at = (step as i64 + offset) as u64 * STEP_SECS;
        assert_eq!(
            matching_step(&secret, &code_at(at), now),
            Some(at / STEP_SECS),
            "offset {offset}"
        );
    }
    for offset in [-2i64, 2] {
        let at = (step as i64 + offset) as u64 * STEP_SECS;
        assert_eq!(
            matching_step(&secret, &code_at(at), now),
            None,
            "offset {offset}"
        );
    }
}

#[test]
fn recovery_codes_are_read_forgivingly_and_never_look_like_totp_codes() {
    assert_eq!(normalise_recovery(" ABcd-efgh-2345 "), "abcdefgh2345");
    assert!(is_totp_shaped("123456"));
    assert!(!is_totp_shaped("abcd-efgh-2345"));
    assert!(!is_totp_shaped("12345"));
}
