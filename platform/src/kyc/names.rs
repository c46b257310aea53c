//! Names as people write them in Kosovo and around: Albanian (ë, ç), Serbian Latin (č, ć, š,
//! ž, đ, dž) and Cyrillic, each also typed without its marks. [`fold`] reduces a name to
//! lower-case ASCII letters, digits and spaces, so that spellings that differ only in
//! marks, case or script compare equal. The bank account holder check and sanctions
//! screening build on it.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-case ASCII: marks dropped (ë → e, č → c), letters without a decomposition mapped
/// (đ → d, ł → l, ß → ss), Serbian and Russian Cyrillic transliterated, anything else that
/// is not a letter or digit turned into a space, and runs of spaces collapsed.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.nfkd().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(latin) = latin(c) {
            out.push_str(latin);
        } else if c.is_alphanumeric() {
            // A letter of a script we do not transliterate: kept, so it still compares
            // with itself.
            out.push(c);
        } else if c == '\'' || c == '’' || c == '.' {
            // O'Brien, Sh.p.k.: apostrophes and dots join, they do not split.
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether two names are the same once case, marks, spaces and punctuation are set aside:
/// how the bank account holder is compared with the business or the representative.
pub fn same_name(a: &str, b: &str) -> bool {
    let squeeze = |s: &str| fold(s).replace(' ', "");
    let (a, b) = (squeeze(a), squeeze(b));
    !a.is_empty() && a == b
}

/// Letters NFKD leaves alone, and Cyrillic (Serbian, then Russian, transliteration).
fn latin(c: char) -> Option<&'static str> {
    Some(match c {
        'đ' | 'ð' => "d",
        'ł' => "l",
        'ø' => "o",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'þ' => "th",
        'ı' => "i",
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'ђ' => "d",
        'е' | 'э' => "e",
        'ж' => "z",
        'з' => "z",
        'и' | 'й' | 'ы' => "i",
        'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'у' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "c",
        'ч' => "c",
        'џ' => "dz",
        'ш' => "s",
        'щ' => "sc",
        'ю' => "ju",
        'я' => "ja",
        'ъ' | 'ь' => "",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_case_script_and_punctuation_fold_away() {
        assert_eq!(fold("Hashim Thaçi"), "hashim thaci");
        assert_eq!(fold("  ËNDRIT   Kryeziu-Gashi "), "endrit kryeziu gashi");
        assert_eq!(fold("Đorđe Šćepanović"), "dorde scepanovic");
        assert_eq!(fold("Ђорђе Шћепановић"), "dorde scepanovic");
        assert_eq!(fold("Džemal Žužić"), "dzemal zuzic");
        assert_eq!(fold("Dardania Crafts SH.P.K."), "dardania crafts shpk");
        assert_eq!(fold("O'Brien, Seán"), "obrien sean");
        assert_eq!(fold("!!!"), "");
    }

    #[test]
    fn holder_names_compare_without_case_marks_or_spaces() {
        assert!(same_name("Drita Berisha", "DRITA  BERISHA"));
        assert!(same_name("Dardania Crafts Sh.p.k.", "dardania crafts SHPK"));
        assert!(same_name("Arbër Kelmendi", "Arber Kel mendi"));
        assert!(!same_name("Drita Berisha", "Drita Berisa"));
        assert!(!same_name("", ""));
    }
}
