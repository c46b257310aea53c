//! The check the tests run on every page and email rendered in Albanian or Serbian: no
//! word of the English translations may be left in it, beyond a reviewed list of brand
//! and technical words.

use std::collections::BTreeSet;
use std::sync::LazyLock;

/// English words that may stay in an Albanian or Serbian text: brands, technical names
/// (3-D Secure, WCAG) and the loanwords the glossary (`GLOSSARY.md`) keeps.
pub const ALLOWED: [&str; 6] = ["saleonix", "payten", "secure", "email", "link", "wcag"];

/// Every word of the English translations, placeholders left out. (`build.rs` has parsed
/// the file already, so it parses here; the tests' controls would see an empty set.)
static ENGLISH: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    let en: serde_json::Value =
        serde_json::from_str(include_str!("../locales/en.json")).unwrap_or(serde_json::Value::Null);
    let mut out = BTreeSet::new();
    collect(&en, &mut out);
    out
});

fn collect(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => map.values().for_each(|v| collect(v, out)),
        serde_json::Value::String(text) => {
            let mut rest = text.as_str();
            let mut plain = String::new();
            while let Some((before, after)) = rest.split_once("{{") {
                plain.push_str(before);
                plain.push(' ');
                rest = after.split_once("}}").map_or("", |(_, after)| after);
            }
            plain.push_str(rest);
            out.extend(words(&plain));
        }
        _ => {}
    }
}

/// Words of four letters or more, lower-cased: short words are too often shared by the
/// languages (`me`, `to`, `do`) to tell anything. Addresses (`https://…`, `a@b`) are not
/// read: their words are paths and names, not text.
fn words(text: &str) -> BTreeSet<String> {
    text.split_whitespace()
        .filter(|token| !token.contains("://") && !token.contains('@'))
        .flat_map(|token| token.split(|c: char| !c.is_alphabetic()))
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}

/// The words of the English translations in `text`, beyond the allowed ones: empty for a
/// text fully translated.
pub fn english_in(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| ENGLISH.contains(w) && !ALLOWED.contains(&w.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_english_words_and_lets_the_allowed_ones_and_addresses_be() {
        assert_eq!(
            english_in("Paguaj me Saleonix: your receipt"),
            ["receipt", "your"]
        );
        assert!(english_in("https://saleonix.test/pay/receipt/ord_1 support@x.test").is_empty());
        assert!(english_in("Shihni dëftesën; lidhja (link) vlen 30 ditë").is_empty());
    }
}
