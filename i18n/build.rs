//! Generates the `i18n` module from `locales/*.json` (leptos_i18n): every key the code
//! names must exist, checked when the code compiles. leptos_i18n only warns when a key of
//! the default locale is missing from another (it would show Albanian there), so this
//! script also fails the build on any key one locale file has and another lacks.

use std::collections::BTreeSet;
use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

/// The locales, the default first. Their files are `locales/<name>.json`. Serbian is
/// written in Latin script but named `sr` here, not `sr-Latn`: CLDR makes `sr-Latn`'s
/// parent the root locale, so ICU would give it the root's plural rules (`other` only)
/// instead of Serbian's three forms. Outside this crate it is `sr-Latn`
/// ([`crate::choice::tag`]).
const LOCALES: [&str; 3] = ["sq", "sr", "en"];

/// CLDR plural categories: `key_one`, `key_few`... are forms of `key`, and each language
/// has its own set (Serbian has `few`, Albanian and English do not).
const PLURAL_SUFFIXES: [&str; 6] = ["_zero", "_one", "_two", "_few", "_many", "_other"];

fn keys(prefix: &str, value: &serde_json::Value, out: &mut BTreeSet<String>) {
    if let serde_json::Value::Object(map) = value {
        for (key, value) in map {
            let key = PLURAL_SUFFIXES
                .iter()
                .find_map(|suffix| key.strip_suffix(suffix))
                .unwrap_or(key);
            keys(&format!("{prefix}{key}."), value, out);
        }
    } else {
        out.insert(prefix.trim_end_matches('.').to_owned());
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let mut sets = Vec::new();
    for locale in LOCALES {
        let path = format!("locales/{locale}.json");
        let text = std::fs::read_to_string(&path)?;
        let mut set = BTreeSet::new();
        keys("", &serde_json::from_str(&text)?, &mut set);
        sets.push((locale, set));
    }
    let all: BTreeSet<&String> = sets.iter().flat_map(|(_, set)| set).collect();
    let mut missing = false;
    for (locale, set) in &sets {
        for key in all.iter().filter(|key| !set.contains(**key)) {
            println!("cargo::error=locales/{locale}.json lacks the key `{key}`");
            missing = true;
        }
    }
    if missing {
        return Ok(());
    }

    let options = ParseOptions::default().interpolate_display(true);
    let mut cfg = Config::new(LOCALES[0])?.parse_options(options);
    for locale in &LOCALES[1..] {
        cfg = cfg.add_locale(locale)?;
    }
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    infos.generate_i18n_module(out.join("i18n"))?;
    Ok(())
}
