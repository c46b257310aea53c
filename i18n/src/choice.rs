//! Which language a request is answered in: the person's explicit choice (the switcher on
//! each page, kept in a cookie), else the first language of their `Accept-Language` that
//! Saleonix speaks, else Albanian. Buyer pages follow the buyer's choice, never the
//! merchant's.

use crate::Locale;

/// The cookie that keeps a choice, named as leptos_i18n names it, so that the server's
/// pages and the hydrated client read the same one.
pub const COOKIE: &str = "i18n_pref_locale";

/// The query parameter of the switcher's links (`?lang=sr-Latn`).
pub const PARAM: &str = "lang";

/// Every locale, in the order the switcher lists them.
pub const ALL: [Locale; 3] = [Locale::sq, Locale::sr, Locale::en];

/// The BCP 47 tag of `locale`, as `<html lang>`, the cookie and the switcher name it:
/// Serbian is `sr-Latn`, the script Saleonix writes it in (the translations name it `sr`
/// for its plural rules, see `build.rs`).
pub fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::sq => "sq",
        Locale::sr => "sr-Latn",
        Locale::en => "en",
    }
}

/// The locale a tag names exactly (`sq`, `sr-Latn`, `en`), as the cookie and the switcher
/// carry it.
pub fn parse(value: &str) -> Option<Locale> {
    ALL.into_iter().find(|l| tag(*l) == value)
}

/// The language's own name, as the switcher shows it.
pub fn endonym(locale: Locale) -> &'static str {
    match locale {
        Locale::sq => "Shqip",
        Locale::sr => "Srpski",
        Locale::en => "English",
    }
}

/// The best of `Accept-Language` (`sr-RS, en;q=0.8`), by weight and then by order: a
/// language matches by its primary subtag, so any Serbian (`sr`, `sr-Cyrl`, `sr-Latn-RS`)
/// gets Serbian in Latin script, the only Serbian Saleonix writes. `None` when no
/// language listed is one Saleonix speaks.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut best: Option<(u16, Locale)> = None;
    for item in header.split(',').take(16) {
        let mut parts = item.split(';');
        let requested = parts.next().unwrap_or_default().trim();
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1000), quality);
        let Some(weight) = weight.filter(|w| *w > 0) else {
            continue;
        };
        let primary = requested.split(['-', '_']).next().unwrap_or_default();
        let locale = ALL
            .into_iter()
            .find(|l| tag(*l).split('-').next() == Some(&*primary.to_ascii_lowercase()));
        if let Some(locale) = locale
            && best.is_none_or(|(w, _)| weight > w)
        {
            best = Some((weight, locale));
        }
    }
    best.map(|(_, locale)| locale)
}

/// A `q` value as thousandths: `0.8` is 800; anything malformed is `None`.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The locale of a request: its explicit choice (from the switcher or the cookie), else
/// its `Accept-Language`, else Albanian.
pub fn resolve(chosen: Option<Locale>, accept_language: Option<&str>) -> Locale {
    chosen
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(Locale::sq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_wins_then_the_browser_then_albanian() {
        assert_eq!(resolve(Some(Locale::en), Some("sr")), Locale::en);
        assert_eq!(resolve(parse("fr"), Some("sr-RS")), Locale::sr);
        assert_eq!(resolve(None, Some("de, fr;q=0.9")), Locale::sq);
        assert_eq!(resolve(None, None), Locale::sq);
    }

    #[test]
    fn accept_language_is_read_by_weight_and_primary_subtag() {
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Some(Locale::en));
        assert_eq!(from_accept_language("sr-Cyrl-RS"), Some(Locale::sr));
        assert_eq!(
            from_accept_language("de;q=0.9, en;q=0.5, sq;q=0.7"),
            Some(Locale::sq)
        );
        assert_eq!(from_accept_language("SQ-al"), Some(Locale::sq));
        assert_eq!(from_accept_language("sq;q=0, en;q=0.1"), Some(Locale::en));
        assert_eq!(from_accept_language("en;q=2, sq;q=abc"), None);
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn only_exact_names_are_choices() {
        assert_eq!(parse("sr-Latn"), Some(Locale::sr));
        assert_eq!(parse("sr"), None);
        assert!(ALL.into_iter().all(|l| parse(tag(l)) == Some(l)));
        assert_eq!(parse("EN"), None);
    }
}
