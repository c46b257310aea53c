//! The production environment file's template, `deploy/saleonix.env.example`, against what
//! the configuration accepts: every setting and secret has a line and no line names one
//! that does not exist, so a new setting without a template line fails here. Each commented
//! line shows the real default (it loads to the default value), and the lines it sets load
//! as a valid production configuration.
//!
//! Lines are `NAME=value` (set) or `#NAME=value` (the default, shown); prose is `# text`.
//! Values are literal, as systemd's `EnvironmentFile=` reads them: no quotes, no backslashes.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use figment::value::Value;
use serde_json::Value as Json;

use super::*;
use crate::secrets::{FIELD_KEYS_VAR, SESSION_KEY_VAR, SMTP_URL_VAR};

const TEMPLATE: &str = include_str!("../../../deploy/saleonix.env.example");

/// Read by the server but not part of [`Settings`], with their defaults: the file
/// `Settings::load` reads first, and the log filter (`server::telemetry`).
const OTHER_VARIABLES: [(&str, &str); 2] = [
    ("SALEONIX_CONFIG", "saleonix.toml"),
    ("RUST_LOG", "info,sqlx=warn"),
];

/// Secrets have no default: production refuses to start without them.
const SECRETS: [&str; 3] = [FIELD_KEYS_VAR, SESSION_KEY_VAR, SMTP_URL_VAR];

struct Line<'a> {
    number: usize,
    name: &'a str,
    value: &'a str,
    set: bool,
}

/// What a template line may show for a variable.
enum Default {
    /// A setting's default (`None` where an optional group has none, such as TLS).
    Setting(Option<Json>),
    /// A variable read outside [`Settings`], with its default.
    Other(&'static str),
    Secret,
}

/// Every variable the server reads, with its default.
fn accepted() -> BTreeMap<String, Default> {
    let mut defaults = BTreeMap::new();
    flatten("", &to_json(&Settings::default()), &mut defaults);
    // Optional groups are absent from the defaults; their fields are settings all the same.
    let mut every = BTreeMap::new();
    let with_options = Settings {
        tls: Some(TlsConfig {
            cert_path: PathBuf::new(),
            key_path: PathBuf::new(),
            redirect_listen: None,
        }),
        ..Settings::default()
    };
    flatten("", &to_json(&with_options), &mut every);
    let mut variables: BTreeMap<String, Default> = every
        .keys()
        .map(|path| (variable(path), Default::Setting(defaults.remove(path))))
        .collect();
    for (name, default) in OTHER_VARIABLES {
        variables.insert(name.to_owned(), Default::Other(default));
    }
    for name in SECRETS {
        variables.insert(name.to_owned(), Default::Secret);
    }
    variables
}

fn to_json(settings: &Settings) -> Json {
    serde_json::to_value(settings).expect("settings serialise")
}

fn flatten(prefix: &str, value: &Json, out: &mut BTreeMap<String, Json>) {
    match value {
        Json::Object(fields) => {
            for (key, field) in fields {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, field, out);
            }
        }
        leaf => {
            out.insert(prefix.to_owned(), leaf.clone());
        }
    }
}

/// `mail.from` is `SALEONIX_MAIL__FROM`; the database URL goes by the name every Postgres
/// tool reads (`Settings::load` takes both).
fn variable(path: &str) -> String {
    if path == "database_url" {
        return "DATABASE_URL".into();
    }
    format!("SALEONIX_{}", path.replace('.', "__").to_uppercase())
}

fn path(variable: &str) -> String {
    variable
        .strip_prefix("SALEONIX_")
        .unwrap_or(variable)
        .to_lowercase()
        .replace("__", ".")
}

/// Whether one line can show this default: not an absent one, nor a list of tables (the
/// sub-processors, which belong in the TOML file).
fn fits_a_line(default: Option<&Json>) -> bool {
    match default {
        None | Some(Json::Null) => false,
        Some(Json::Array(items)) => items.iter().all(|item| !item.is_object()),
        Some(_) => true,
    }
}

/// Whether `value`, read the way `Env` reads it, leaves the settings at their defaults:
/// compared as values, so a date or a list may be written the way people write it.
fn shows_default(name: &str, value: &str) -> bool {
    let figment = Figment::from(Serialized::defaults(Settings::default())).merge((
        path(name),
        Value::from_str(value).unwrap_or_else(|never| match never {}),
    ));
    Settings::from_figment(figment).is_ok_and(|settings| settings == Settings::default())
}

fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_uppercase())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn parse(template: &str) -> (Vec<Line<'_>>, Vec<String>) {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (index, text) in template.lines().enumerate() {
        let number = index + 1;
        if text.trim().is_empty() {
            continue;
        }
        let (set, body) = match text.strip_prefix('#') {
            Some(rest) => (false, rest),
            None => (true, text),
        };
        let Some((name, value)) = body.split_once('=').filter(|(name, _)| is_name(name)) else {
            if set {
                problems.push(format!("line {number}: neither NAME=value nor a comment"));
            } else if body
                .trim_start()
                .split_once('=')
                .is_some_and(|(name, _)| is_name(name))
            {
                problems.push(format!(
                    "line {number}: a commented setting is written #NAME=value, without a space"
                ));
            }
            continue;
        };
        if value.starts_with(['"', '\'']) || value.contains('\\') || value != value.trim_end() {
            problems.push(format!(
                "line {number}: {name}'s value must be literal: no quotes, backslashes or trailing spaces"
            ));
        }
        lines.push(Line {
            number,
            name,
            value,
            set,
        });
    }
    (lines, problems)
}

/// What is wrong with `template`; empty when nothing is.
fn problems(template: &str) -> Vec<String> {
    let accepted = accepted();
    let (lines, mut problems) = parse(template);
    let mut seen = BTreeSet::new();
    for line in &lines {
        let Line {
            number,
            name,
            value,
            set,
        } = line;
        if !seen.insert(*name) {
            problems.push(format!("line {number}: {name} appears twice"));
        }
        match accepted.get(*name) {
            None => problems.push(format!(
                "line {number}: {name} is not a setting the configuration reads"
            )),
            Some(_) if *set => {}
            Some(Default::Secret) => problems.push(format!(
                "line {number}: {name} is a secret without a default and must be set"
            )),
            Some(Default::Other(default)) if value != default => problems.push(format!(
                "line {number}: #{name}={value} shows a default, but the default is {default}"
            )),
            Some(Default::Setting(default)) if !fits_a_line(default.as_ref()) => {
                if !value.is_empty() {
                    problems.push(format!(
                        "line {number}: #{name} has no default to show; leave its value empty"
                    ));
                }
            }
            Some(Default::Setting(Some(default))) if !shows_default(name, value) => {
                problems.push(format!(
                    "line {number}: #{name}={value} shows a default, but the default is {default}"
                ));
            }
            Some(_) => {}
        }
    }
    for name in accepted.keys() {
        if !seen.contains(name.as_str()) {
            problems.push(format!("{name} has no line in the template"));
        }
    }
    if let Err(problem) = load_production(&lines) {
        problems.push(problem);
    }
    problems
}

/// The set lines over the defaults, parsed as figment's `Env` parses each variable.
fn load_production(lines: &[Line<'_>]) -> Result<(), String> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    for line in lines.iter().filter(|line| line.set) {
        let other = OTHER_VARIABLES.iter().any(|(name, _)| *name == line.name);
        if other || SECRETS.contains(&line.name) {
            continue;
        }
        let value = Value::from_str(line.value).unwrap_or_else(|never| match never {});
        figment = figment.merge((path(line.name), value));
    }
    let settings = Settings::from_figment(figment)
        .map_err(|error| format!("the set lines do not load: {error}"))?;
    if settings.env != Environment::Production {
        return Err("the template must set SALEONIX_ENV=production".into());
    }
    Ok(())
}

#[test]
fn the_template_lists_every_setting_and_secret_with_true_defaults_and_loads_as_production() {
    assert_eq!(problems(TEMPLATE), Vec::<String>::new());
}

#[test]
fn a_missing_an_unknown_a_misstated_or_a_broken_line_is_reported() {
    let line = "#SALEONIX_WEBHOOKS__CONCURRENCY=4\n";
    assert!(
        TEMPLATE.contains(line),
        "the control edits a line that exists"
    );
    let cases = [
        (
            TEMPLATE.replace(line, ""),
            "SALEONIX_WEBHOOKS__CONCURRENCY has no line",
        ),
        (
            TEMPLATE.replace(line, "#SALEONIX_WEBHOOKS__CONCURENCY=4\n"),
            "CONCURENCY is not a setting",
        ),
        (
            TEMPLATE.replace(line, "#SALEONIX_WEBHOOKS__CONCURRENCY=5\n"),
            "the default is 4",
        ),
        (
            TEMPLATE.replace(
                "#SALEONIX_PRIVACY__SUB_PROCESSORS_CHANGED_ON=2026-11-30\n",
                "#SALEONIX_PRIVACY__SUB_PROCESSORS_CHANGED_ON=2026-11-29\n",
            ),
            "SUB_PROCESSORS_CHANGED_ON=2026-11-29 shows a default",
        ),
        (
            TEMPLATE.replace(line, "# SALEONIX_WEBHOOKS__CONCURRENCY=4\n"),
            "without a space",
        ),
        (
            TEMPLATE.replace(line, "SALEONIX_WEBHOOKS__CONCURRENCY=0\n"),
            "the set lines do not load",
        ),
        (
            format!("{TEMPLATE}SALEONIX_ENV=development\n"),
            "SALEONIX_ENV appears twice",
        ),
        (
            TEMPLATE.replace("SALEONIX_ENV=production\n", ""),
            "must set SALEONIX_ENV=production",
        ),
        (
            TEMPLATE.replace(
                &format!("\n{SESSION_KEY_VAR}="),
                &format!("\n#{SESSION_KEY_VAR}="),
            ),
            "must be set",
        ),
    ];
    for (template, expected) in cases {
        let found = problems(&template);
        assert!(
            found.iter().any(|problem| problem.contains(expected)),
            "expected a problem containing {expected:?}, got {found:?}"
        );
    }
}
