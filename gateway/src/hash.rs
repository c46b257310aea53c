//! The NestPay `ver3` hash: natural, case-insensitive field order, escaped values,
//! SHA-512, standard Base64 (protocol note, section 2).

use std::cmp::Ordering;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

/// Field names (compared case-insensitively) that never take part in the hash:
/// the hash itself, the encoding marker, and a field some banks add on their own.
const EXCLUDED: [&str; 3] = ["hash", "encoding", "nationalidno"];

/// Whether a field with this name takes part in the ver3 hash.
pub fn is_hashed_field(name: &str) -> bool {
    !EXCLUDED.iter().any(|e| e.eq_ignore_ascii_case(name))
}

/// Escapes one value: `\` becomes `\\`, then `|` becomes `\|`.
///
/// Together with the `|` separator this makes the joined text injective: a `|`
/// inside a value can never be read as a separator.
pub fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('|', "\\|")
}

/// Natural, case-insensitive order of field names: text compared after folding
/// to upper case (so `_` sorts after letters, as in Payten's reference sample),
/// runs of ASCII digits compared as numbers (`X2` before `X10`).
///
/// Names that compare equal this way (`a01` and `a1`, or `Oid` and `oid`) fall
/// back to a byte comparison, so the order is total and does not depend on the
/// order fields arrived in.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_fold_cmp(a, b).then_with(|| a.cmp(b))
}

fn natural_fold_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(ca), Some(cb)) if ca.is_ascii_digit() && cb.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let ord = cmp_numeric(da, db);
                if ord != Ordering::Equal {
                    return ord;
                }
                a = ra;
                b = rb;
            }
            (Some(ca), Some(cb)) => {
                let ord = ca.to_uppercase().cmp(cb.to_uppercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[ca.len_utf8()..];
                b = &b[cb.len_utf8()..];
            }
        }
    }
}

fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Compares two runs of ASCII digits by value, whatever their length.
fn cmp_numeric(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The text that is hashed: the escaped values of all hashed fields in natural
/// order, joined with `|`, then `|` and the escaped store key.
pub fn plain_text<N: AsRef<str>, V: AsRef<str>>(fields: &[(N, V)], store_key: &str) -> String {
    let mut hashed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_ref(), v.as_ref()))
        .filter(|(n, _)| is_hashed_field(n))
        .collect();
    hashed.sort_by(|(a, _), (b, _)| natural_cmp(a, b));
    let mut text = String::new();
    for (_, value) in hashed {
        text.push_str(&escape(value));
        text.push('|');
    }
    text.push_str(&escape(store_key));
    text
}

/// The ver3 hash (standard Base64 of SHA-512 over the UTF-8 plain text).
pub fn ver3_hash<N: AsRef<str>, V: AsRef<str>>(fields: &[(N, V)], store_key: &str) -> String {
    let digest = Sha512::digest(plain_text(fields, store_key).as_bytes());
    STANDARD.encode(digest)
}

/// Recomputes the ver3 hash over `fields` and compares it with `received` in
/// constant time. Comparing the Base64 text is equivalent to comparing digests
/// because the encoding is canonical; the comparison does not stop at the first
/// differing byte.
pub fn verify_ver3<N: AsRef<str>, V: AsRef<str>>(
    fields: &[(N, V)],
    store_key: &str,
    received: &str,
) -> bool {
    let expected = ver3_hash(fields, store_key);
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn known_answer_payten_sample() {
        let f = fields(&[
            ("amount", "100.25"),
            ("clientid", "190100000"),
            ("currency", "949"),
            ("Email", "test@test.com"),
            ("failUrl", "https://domain.com/fail_url"),
            ("firmaadi", "siparis veren"),
            ("hashAlgorithm", "ver3"),
            ("islemtipi", "Auth"),
            ("lang", "tr"),
            ("oid", "order222"),
            ("okUrl", "https://domain.com/success"),
            ("rnd", "rand"),
            ("storetype", "3d_pay"),
            ("taksit", ""),
        ]);
        assert_eq!(
            plain_text(&f, "123456"),
            "100.25|190100000|949|test@test.com|https://domain.com/fail_url|siparis veren|ver3|Auth|tr|order222|https://domain.com/success|rand|3d_pay||123456"
        );
        assert_eq!(
            ver3_hash(&f, "123456"),
            "/uPxhEKWCEGi3NsDOOQ4u8Hu5g71v5GWspOid70WehTWEz97PqxG3IN1Jv5jsbOXOw3Z3Rr/0UtywzEgbqFfdA=="
        );
    }

    #[test]
    fn known_answer_escaping_and_non_ascii() {
        // Deliberately not in sorted order, and with `encoding` which must be skipped.
        let f = fields(&[
            ("TranType", "Auth"),
            ("encoding", "UTF-8"),
            ("amount", "12.50"),
            ("BillToName", "Arbër Çela|x\\y"),
            ("callbackUrl", "https://merchant.example/pay/cb"),
            ("clientid", "520000000"),
            ("currency", "978"),
            ("failUrl", "https://merchant.example/pay/fail"),
            ("hashAlgorithm", "ver3"),
            ("Instalment", ""),
            ("lang", "en"),
            ("oid", "INV-2026-0001-1"),
            ("okUrl", "https://merchant.example/pay/ok"),
            ("rnd", "a1b2c3d4e5f6"),
            ("storetype", "3d_pay_hosting"),
        ]);
        let hash = ver3_hash(&f, "SKEY|1\\2");
        assert_eq!(
            hash,
            "w04IY6ok0oihXb6MsOXG4XL0dDJJV/JHLfH3jxtWEAXtYVgytC2zStoYGxPpPI+uibr2iqnG6jbIS6Clactgwg=="
        );
        assert!(verify_ver3(&f, "SKEY|1\\2", &hash));
        assert!(!verify_ver3(&f, "SKEY|1\\3", &hash));
    }

    #[test]
    fn natural_order() {
        assert_eq!(natural_cmp("X2", "X10"), Ordering::Less);
        assert_eq!(natural_cmp("ORD_ID_10", "ORD_ID_9"), Ordering::Greater);
        assert_eq!(natural_cmp("Email", "failUrl"), Ordering::Less);
        // Upper-case folding puts `_` after letters.
        assert_eq!(natural_cmp("EXTRA_X", "EXTRAS"), Ordering::Greater);
        assert_ne!(natural_cmp("a007", "a7"), Ordering::Equal);
    }

    #[test]
    fn excluded_fields_case_insensitive() {
        let base = fields(&[("oid", "1"), ("amount", "1.00")]);
        let mut with = base.clone();
        with.push(("HASH".into(), "x".into()));
        with.push(("Encoding".into(), "UTF-8".into()));
        with.push(("NationalIdNo".into(), "123".into()));
        assert_eq!(ver3_hash(&base, "k"), ver3_hash(&with, "k"));
    }

    fn joined(values: &[String]) -> String {
        let f: Vec<(String, String)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("f{i}"), v.clone()))
            .collect();
        plain_text(&f, "")
    }

    fn ascii_fields() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::btree_map("[a-zA-Z]{1,6}[0-9]{0,3}", "[ -~]{0,12}", 1..10)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        /// Values made of `|`, `\` and one letter collide easily if escaping is wrong.
        #[test]
        fn escaping_is_injective(
            a in proptest::collection::vec("[a|\\\\]{0,4}", 1..5),
            b in proptest::collection::vec("[a|\\\\]{0,4}", 1..5),
        ) {
            prop_assume!(a.len() == b.len());
            prop_assert_eq!(joined(&a) == joined(&b), a == b);
        }

        #[test]
        fn escape_round_trips(v in "[a|\\\\ ]{0,16}") {
            let e = escape(&v);
            let mut out = String::new();
            let mut chars = e.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    out.extend(chars.next());
                } else {
                    prop_assert_ne!(c, '|');
                    out.push(c);
                }
            }
            prop_assert_eq!(out, v);
        }

        #[test]
        fn hash_ignores_field_order(
            (f, shuffled) in ascii_fields().prop_flat_map(|f| {
                let s = Just(f.clone()).prop_shuffle();
                (Just(f), s)
            }),
            key in "[ -~]{1,20}",
        ) {
            prop_assert_eq!(ver3_hash(&f, &key), ver3_hash(&shuffled, &key));
        }

        #[test]
        fn any_changed_byte_breaks_verification(
            f in ascii_fields(),
            key in "[ -~]{1,20}",
            pick in any::<proptest::sample::Index>(),
            pos in any::<proptest::sample::Index>(),
            replacement in 0x20u8..0x7f,
        ) {
            let hash = ver3_hash(&f, &key);
            prop_assert!(verify_ver3(&f, &key, &hash));

            // Change one byte of one value (appending if the value is empty).
            let mut changed = f.clone();
            let i = pick.index(changed.len());
            let mut bytes = changed[i].1.clone().into_bytes();
            if bytes.is_empty() {
                bytes.push(replacement);
            } else {
                let p = pos.index(bytes.len());
                prop_assume!(bytes[p] != replacement);
                bytes[p] = replacement;
            }
            changed[i].1 = String::from_utf8(bytes).expect("ASCII stays UTF-8");
            prop_assert!(!verify_ver3(&changed, &key, &hash));

            // Change one byte of the key.
            let mut kb = key.clone().into_bytes();
            let p = pos.index(kb.len());
            prop_assume!(kb[p] != replacement);
            kb[p] = replacement;
            let other_key = String::from_utf8(kb).expect("ASCII stays UTF-8");
            prop_assert!(!verify_ver3(&f, &other_key, &hash));
        }
    }
}
