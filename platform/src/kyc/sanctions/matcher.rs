//! Fuzzy name matching for sanctions screening. A name becomes a set of tokens
//! ([`tokens`]): folded to ASCII ([`crate::kyc::names::fold`]), transliteration pairs made
//! equal (dj/đ → d, xh/dž → dz, sh → s, zh → z, ch → c, q → c), doubled letters single,
//! legal forms and initials dropped. Two names match when every token of the shorter one
//! has its own close token in the other (Jaro-Winkler, from `strsim`), whatever the order;
//! a date of birth known on both sides that differs rules the person out.
//!
//! Screening errs towards a hit: staff clear false positives with a note, while a missed
//! true match cannot be cleared by anyone.

use time::Date;

use crate::kyc::names::fold;

/// One person or organisation of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub aliases: Vec<String>,
    pub date_of_birth: Option<Date>,
    /// The regime or list it comes from, such as `EU` or `UN`.
    pub list: String,
    /// The list's own reference for it (EU: the EU reference number).
    pub reference: String,
}

/// A list entry that one screened name matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    pub entry: &'a Entry,
    /// The entry's name or alias that matched best.
    pub matched_name: &'a str,
    /// 0 to 100: how close the tokens were (100: the same once folded).
    pub score: u8,
}

/// Two tokens closer than this (Jaro-Winkler) are the same word typed differently.
const TOKEN_SIMILARITY: f64 = 0.88;
/// A one-word name (an organisation, mostly) must be longer and closer than this to match.
const SINGLE_WORD_SIMILARITY: f64 = 0.95;
const SINGLE_WORD_MIN_LEN: usize = 5;
/// Tokens this short (al, bin, de) match only exactly.
const SHORT_TOKEN: usize = 3;

/// Words that say what kind of organisation a name is, not which one.
const LEGAL_FORMS: &[&str] = &[
    "shpk", "sha", "llc", "ltd", "limited", "doo", "ad", "gmbh", "inc", "sa", "srl", "co",
    "company", "corp", "plc", "bi", "op", "ok", "ojq", "ngo", "ag", "bv", "nv", "spa", "sro",
    "the", "and", "of",
];

/// The tokens a name is compared by. Empty for a name of legal forms and initials only.
pub fn tokens(name: &str) -> Vec<String> {
    fold(name)
        .split(' ')
        .filter(|word| word.len() > 1 && !LEGAL_FORMS.contains(word))
        .map(spelling)
        .collect()
}

/// One folded word with the transliteration pairs of the region made equal and doubled
/// letters made single (Albanian ll, rr against Serbian l, r).
fn spelling(word: &str) -> String {
    let word = word
        .replace("dj", "d")
        .replace("xh", "dz")
        .replace("sh", "s")
        .replace("zh", "z")
        .replace("ch", "c")
        .replace('q', "c");
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        1.0
    } else if a.len() <= SHORT_TOKEN || b.len() <= SHORT_TOKEN {
        0.0
    } else {
        strsim::jaro_winkler(a, b)
    }
}

/// How well two token sets match, 0.0 to 1.0, or `None` when they do not: every token of
/// the shorter set needs its own partner, at least two of them unless both are one word.
pub fn score(a: &[String], b: &[String]) -> Option<f64> {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return None;
    }
    if short.len() == 1 {
        // One word matches one word only: "Orion" is not "Orion Shipping".
        let (word, other) = (&short[0], &long[0]);
        let best = similarity(word, other);
        let close =
            long.len() == 1 && word.len() >= SINGLE_WORD_MIN_LEN && best >= SINGLE_WORD_SIMILARITY;
        return close.then_some(best);
    }
    let mut used = vec![false; long.len()];
    let mut total = 0.0;
    // Longest words first: they are the most telling and the least likely to pair by chance.
    let mut order: Vec<&String> = short.iter().collect();
    order.sort_by_key(|word| std::cmp::Reverse(word.len()));
    for word in order {
        let best = long
            .iter()
            .enumerate()
            .filter(|(at, _)| !used[*at])
            .map(|(at, other)| (at, similarity(word, other)))
            .max_by(|x, y| x.1.total_cmp(&y.1))?;
        if best.1 < TOKEN_SIMILARITY {
            return None;
        }
        used[best.0] = true;
        total += best.1;
    }
    Some(total / short.len() as f64)
}

/// A list prepared for screening: every name and alias tokenised once.
pub struct Matcher<'a> {
    entries: Vec<(&'a Entry, Vec<(&'a str, Vec<String>)>)>,
}

impl<'a> Matcher<'a> {
    pub fn new(entries: &'a [Entry]) -> Self {
        let entries = entries
            .iter()
            .map(|entry| {
                let names = std::iter::once(&entry.name)
                    .chain(&entry.aliases)
                    .map(|name| (name.as_str(), tokens(name)))
                    .collect();
                (entry, names)
            })
            .collect();
        Self { entries }
    }

    /// The entries `name` matches, best first, one match per entry. With `date_of_birth`
    /// (a person), an entry whose own date of birth is known and differs is left out.
    pub fn screen(&self, name: &str, date_of_birth: Option<Date>) -> Vec<Match<'a>> {
        let wanted = tokens(name);
        let mut found: Vec<Match<'a>> = self
            .entries
            .iter()
            .filter(|(entry, _)| !matches!((entry.date_of_birth, date_of_birth), (Some(listed), Some(born)) if listed != born))
            .filter_map(|(entry, names)| {
                let (matched_name, best) = names
                    .iter()
                    .filter_map(|(listed, listed_tokens)| score(&wanted, listed_tokens).map(|s| (*listed, s)))
                    .max_by(|x, y| x.1.total_cmp(&y.1))?;
                let score = (best * 100.0).round().clamp(0.0, 100.0) as u8;
                Some(Match { entry, matched_name, score })
            })
            .collect();
        found.sort_by_key(|found| std::cmp::Reverse(found.score));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, aliases: &[&str], born: Option<&str>) -> Entry {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Entry {
            name: name.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            date_of_birth: born.map(|d| Date::parse(d, format).unwrap()),
            list: "TEST".to_owned(),
            reference: format!("T-{name}"),
        }
    }

    fn hits(list: &[Entry], name: &str, born: Option<&str>) -> Vec<String> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let born = born.map(|d| Date::parse(d, format).unwrap());
        Matcher::new(list)
            .screen(name, born)
            .into_iter()
            .map(|m| m.entry.name.clone())
            .collect()
    }

    fn list() -> Vec<Entry> {
        vec![
            entry("THACI Hashim", &[], Some("1970-01-01")),
            entry(
                "Đorđe Petrović",
                &["Djordje Petrovic", "Ђорђе Петровић"],
                None,
            ),
            entry("Xhafer Rrahmani", &[], None),
            entry("Dragan Šešelj", &["Dragan Seselj"], Some("1971-02-03")),
            entry("Orion Shipping SH.P.K.", &["Orion Shipping Holdings"], None),
            entry("Al-Nur Trading", &[], None),
        ]
    }

    #[test]
    fn the_same_person_is_found_across_spellings_order_and_typos() {
        let list = list();
        assert_eq!(hits(&list, "Hashim Thaçi", None), ["THACI Hashim"]);
        assert_eq!(
            hits(&list, "hashim   thaci", Some("1970-01-01")),
            ["THACI Hashim"]
        );
        assert_eq!(
            hits(&list, "Hashim Thaqi", None),
            ["THACI Hashim"],
            "Albanian q for ç"
        );
        assert_eq!(
            hits(&list, "Hashim Thachi", None),
            ["THACI Hashim"],
            "English ch"
        );
        assert_eq!(hits(&list, "Djordje Petrovic", None), ["Đorđe Petrović"]);
        assert_eq!(hits(&list, "Dorde Petrovic", None), ["Đorđe Petrović"]);
        assert_eq!(hits(&list, "PETROVIĆ, Đorđe", None), ["Đorđe Petrović"]);
        assert_eq!(
            hits(&list, "Đorđe Petrovič", None),
            ["Đorđe Petrović"],
            "č for ć"
        );
        assert_eq!(
            hits(&list, "Džafer Rahmani", None),
            ["Xhafer Rrahmani"],
            "Serbian dž for Albanian xh"
        );
        assert_eq!(hits(&list, "Dzafer Rahmani", None), ["Xhafer Rrahmani"]);
        assert_eq!(hits(&list, "Dragan Sheshelj", None), ["Dragan Šešelj"]);
        assert_eq!(
            hits(&list, "Dragan Seseljj", None),
            ["Dragan Šešelj"],
            "a doubled letter"
        );
        assert_eq!(
            hits(&list, "Dragan Sešej", None),
            ["Dragan Šešelj"],
            "a letter missing"
        );
        assert_eq!(
            hits(&list, "Orion Shipping", None),
            ["Orion Shipping SH.P.K."],
            "legal form left out"
        );
        assert_eq!(
            hits(&list, "Al Nur Trading LLC", None),
            ["Al-Nur Trading"],
            "hyphen and legal form"
        );
    }

    #[test]
    fn different_people_and_same_names_born_on_other_days_are_not_hits() {
        let list = list();
        assert!(
            hits(&list, "Hashim Rexhepi", None).is_empty(),
            "one shared first name is not enough"
        );
        assert!(hits(&list, "Drita Berisha", None).is_empty());
        assert!(hits(&list, "Petar Đorđević", None).is_empty());
        assert!(
            hits(&list, "Orion", None).is_empty(),
            "one short word of a longer name"
        );
        assert!(
            hits(&list, "Hashim Thaçi", Some("1985-01-01")).is_empty(),
            "born on another day"
        );
        assert_eq!(
            hits(&list, "Đorđe Petrović", Some("1985-01-01")),
            ["Đorđe Petrović"],
            "no listed date: kept"
        );
        assert!(hits(&list, "Sh.p.k.", None).is_empty());
    }

    #[test]
    fn the_best_alias_gives_the_score() {
        let list = list();
        let found = Matcher::new(&list).screen("Djordje Petrovic", None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].score, 100);
        assert_eq!(tokens("Đorđe Petrović"), tokens("Djordje Petrovic"));
        assert_eq!(tokens("Ђорђе Петровић"), tokens("Djordje Petrovic"));
    }
}
