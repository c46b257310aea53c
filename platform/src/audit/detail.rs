//! Keeping secrets out of an event's detail, and client text short.

use super::*;

/// Refuses a detail that is not a small object or has a key naming a secret, and returns
/// its JSON text.
pub(super) fn checked_detail(detail: &serde_json::Value) -> Result<String, AuditError> {
    if !detail.is_object() {
        return Err(AuditError::DetailNotAnObject);
    }
    if let Some(key) = sensitive_key(detail) {
        return Err(AuditError::SensitiveDetail(key.to_owned()));
    }
    let text = detail.to_string();
    if text.len() > MAX_DETAIL_BYTES {
        return Err(AuditError::DetailTooLarge(text.len()));
    }
    Ok(text)
}

/// The first key, at any depth, that names a secret or card data. Keys are split into
/// words (`cardNumber`, `card_number`, `card-number` alike) so that short words such as
/// `pan` match whole words only, not `company`.
pub(super) fn sensitive_key(value: &serde_json::Value) -> Option<&str> {
    match value {
        serde_json::Value::Object(map) => map.iter().find_map(|(key, value)| {
            if names_a_secret(key) {
                Some(key.as_str())
            } else {
                sensitive_key(value)
            }
        }),
        serde_json::Value::Array(items) => items.iter().find_map(sensitive_key),
        _ => None,
    }
}

pub(super) fn names_a_secret(key: &str) -> bool {
    const WHOLE_WORDS: [&str; 7] = ["pan", "pin", "pwd", "cvv", "cvv2", "cvc", "cvc2"];
    const WITHIN_WORDS: [&str; 6] = [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "cardnumber",
    ];
    let words = words(key);
    words.iter().any(|word| {
        WHOLE_WORDS.contains(&word.as_str()) || WITHIN_WORDS.iter().any(|w| word.contains(w))
    }) || words
        .windows(2)
        .any(|pair| pair[0] == "card" && pair[1] == "number")
}

/// Lower-case words of an identifier, split at non-alphanumerics and lower-to-upper steps.
pub(super) fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        let boundary = !c.is_alphanumeric() || (c.is_uppercase() && previous_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

pub(super) fn truncate(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
