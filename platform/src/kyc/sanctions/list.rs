//! The sanctions list: read from a CSV file (`name,aliases,date_of_birth,list,reference`,
//! aliases separated by `;`, dates as `YYYY-MM-DD` or empty) and loaded into
//! `sanctions_lists` / `sanctions_entries`, replacing the previous list in one transaction,
//! so screening never sees half a list.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::matcher::Entry;
use crate::audit::{self, Actor, ActorKind, AuditError, Event, Outcome, RequestFacts};

/// The sample list shipped for development and tests: fictional people and companies.
pub const SAMPLE_CSV: &str = include_str!("../../../../data/sanctions/sample.csv");
pub const SAMPLE_SOURCE: &str = "data/sanctions/sample.csv (fictional sample)";

const HEADER: [&str; 5] = ["name", "aliases", "date_of_birth", "list", "reference"];
/// Entries inserted per statement while loading.
const BATCH: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// `line` counts from 1, the header included, as an editor shows it.
    #[error("line {line}: {message}")]
    Invalid { line: usize, message: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("audit: {0}")]
    Audit(String),
}

fn invalid(line: usize, message: impl Into<String>) -> ListError {
    ListError::Invalid {
        line,
        message: message.into(),
    }
}

/// The list in force: where it came from, when it was loaded and how many entries it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListInfo {
    pub id: Uuid,
    pub source: String,
    pub loaded_at: OffsetDateTime,
    pub entry_count: i32,
}

/// The rows of an RFC 4180 document: fields separated by commas, quoted with `"` when they
/// hold a comma, a quote (doubled) or a line break. Each row comes with its first line.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, ListError> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let (mut line, mut row_line, mut quoted, mut was_quoted) = (1usize, 1usize, false, false);
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() && !was_quoted => (quoted, was_quoted) = (true, true),
            (false, '"') => return Err(invalid(line, "a quote inside an unquoted field")),
            (false, ',') => {
                row.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                was_quoted = false;
                if row.iter().any(|f| !f.is_empty()) {
                    rows.push((row_line, std::mem::take(&mut row)));
                }
                row.clear();
                line += 1;
                row_line = line;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(invalid(row_line, "a quoted field is not closed"));
    }
    row.push(field);
    if row.iter().any(|f| !f.is_empty()) {
        rows.push((row_line, row));
    }
    Ok(rows)
}

fn text(line: usize, column: &str, value: &str, max: usize) -> Result<String, ListError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(line, format!("{column} is empty")));
    }
    if value.chars().count() > max {
        return Err(invalid(
            line,
            format!("{column} is longer than {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// The entries of a list file, or the first line that is wrong and why.
pub fn parse(csv: &str) -> Result<Vec<Entry>, ListError> {
    let mut rows = records(csv)?.into_iter();
    let (_, header) = rows.next().ok_or_else(|| invalid(1, "the file is empty"))?;
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header != HEADER {
        return Err(invalid(
            1,
            format!("the header must be {}", HEADER.join(",")),
        ));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    rows.map(|(line, fields)| {
        let [name, aliases, born, list, reference] = <[String; 5]>::try_from(fields)
            .map_err(|fields| invalid(line, format!("{} fields instead of 5", fields.len())))?;
        let aliases = aliases
            .split(';')
            .map(str::trim)
            .filter(|alias| !alias.is_empty())
            .map(|alias| text(line, "an alias", alias, 300))
            .collect::<Result<Vec<_>, _>>()?;
        let date_of_birth = match born.trim() {
            "" => None,
            born => Some(
                Date::parse(born, format)
                    .map_err(|_| invalid(line, "date_of_birth is not YYYY-MM-DD"))?,
            ),
        };
        Ok(Entry {
            name: text(line, "name", &name, 300)?,
            aliases,
            date_of_birth,
            list: text(line, "list", &list, 100)?,
            reference: text(line, "reference", &reference, 100)?,
        })
    })
    .collect()
}

/// Replaces the list in force with the one in `csv`: the file is checked whole first, then
/// the old list's entries go and the new ones come in one transaction. Hits already
/// recorded keep their copy of the entry they matched. `source` says where the list came
/// from (the file's name), for the console.
pub async fn load(pool: &PgPool, source: &str, csv: &str) -> Result<ListInfo, ListError> {
    let entries = parse(csv)?;
    let source: String = source.chars().take(300).collect();
    let count = i32::try_from(entries.len()).map_err(|_| invalid(1, "too many entries"))?;
    let mut tx = pool.begin().await?;
    // One loader at a time: a second one waits here, then replaces this list in turn.
    sqlx::query("LOCK TABLE sanctions_lists IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sanctions_entries")
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE sanctions_lists SET replaced_at = now() WHERE replaced_at IS NULL")
        .execute(&mut *tx)
        .await?;
    let id = Uuid::new_v4();
    let loaded_at: OffsetDateTime = sqlx::query_scalar(
        "INSERT INTO sanctions_lists (id, source, entry_count) VALUES ($1, $2, $3) RETURNING loaded_at",
    )
    .bind(id)
    .bind(&source)
    .bind(count)
    .fetch_one(&mut *tx)
    .await?;
    for batch in entries.chunks(BATCH) {
        insert(&mut tx, id, batch).await?;
    }
    let event = Event::new(
        "sanctions.list_load",
        Actor {
            kind: ActorKind::System,
            id: None,
        },
        Outcome::Success,
    )
    .target("sanctions_list", id.to_string())
    .detail(serde_json::json!({ "entries": count }));
    audit::record(&mut tx, &event, &RequestFacts::default())
        .await
        .map_err(|error| match error {
            AuditError::Database(error) => ListError::Database(error),
            other => ListError::Audit(other.to_string()),
        })?;
    tx.commit().await?;
    tracing::info!(%id, entries = count, source = %source, "sanctions list loaded");
    Ok(ListInfo {
        id,
        source,
        loaded_at,
        entry_count: count,
    })
}

async fn insert(
    conn: &mut PgConnection,
    list_id: Uuid,
    batch: &[Entry],
) -> Result<(), sqlx::Error> {
    let names: Vec<&str> = batch.iter().map(|e| e.name.as_str()).collect();
    // Aliases never hold `;` (it separates them in the file), so it joins them here.
    let aliases: Vec<String> = batch.iter().map(|e| e.aliases.join(";")).collect();
    let born: Vec<Option<Date>> = batch.iter().map(|e| e.date_of_birth).collect();
    let lists: Vec<&str> = batch.iter().map(|e| e.list.as_str()).collect();
    let references: Vec<&str> = batch.iter().map(|e| e.reference.as_str()).collect();
    sqlx::query(
        "INSERT INTO sanctions_entries (list_id, name, aliases, date_of_birth, source_list, reference)
         SELECT $1, n, CASE WHEN a = '' THEN '{}'::text[] ELSE string_to_array(a, ';') END, d, l, r
         FROM unnest($2::text[], $3::text[], $4::date[], $5::text[], $6::text[]) AS t (n, a, d, l, r)",
    )
    .bind(list_id)
    .bind(names)
    .bind(aliases)
    .bind(born)
    .bind(lists)
    .bind(references)
    .execute(conn)
    .await?;
    Ok(())
}

/// The list in force, if one was ever loaded.
pub async fn current(conn: &mut PgConnection) -> Result<Option<ListInfo>, sqlx::Error> {
    let row: Option<(Uuid, String, OffsetDateTime, i32)> = sqlx::query_as(
        "SELECT id, source, loaded_at, entry_count FROM sanctions_lists WHERE replaced_at IS NULL",
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, source, loaded_at, entry_count)| ListInfo {
        id,
        source,
        loaded_at,
        entry_count,
    }))
}

/// Every entry of the list in force.
pub async fn entries(conn: &mut PgConnection) -> Result<Vec<Entry>, sqlx::Error> {
    let rows: Vec<(String, Vec<String>, Option<Date>, String, String)> = sqlx::query_as(
        "SELECT e.name, e.aliases, e.date_of_birth, e.source_list, e.reference
         FROM sanctions_entries e JOIN sanctions_lists l ON l.id = e.list_id WHERE l.replaced_at IS NULL",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, aliases, date_of_birth, list, reference)| Entry {
            name,
            aliases,
            date_of_birth,
            list,
            reference,
        })
        .collect())
}

/// In development: loads the shipped sample unless a list is loaded already.
pub async fn load_sample_if_none(pool: &PgPool) -> Result<Option<ListInfo>, ListError> {
    if current(&mut *pool.acquire().await?).await?.is_some() {
        return Ok(None);
    }
    load(pool, SAMPLE_SOURCE, SAMPLE_CSV).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_sample_parses() {
        let entries = parse(SAMPLE_CSV).unwrap();
        assert!(entries.len() >= 30, "{}", entries.len());
        assert!(entries.iter().any(|e| !e.aliases.is_empty()));
        assert!(entries.iter().any(|e| e.date_of_birth.is_some()));
    }

    #[test]
    fn quoted_fields_aliases_and_dates_are_read() {
        let csv = "\u{feff}name,aliases,date_of_birth,list,reference\r\n\
                   \"KOLA, Driton\",\"Driton Kola; Dritan Kolla\",1970-01-01,EU,EU.1.2\r\n\
                   \r\n\
                   Orion Shipping,,,UN,\"UN \"\"7\"\"\"\n";
        let entries = parse(csv).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "KOLA, Driton");
        assert_eq!(entries[0].aliases, ["Driton Kola", "Dritan Kolla"]);
        assert_eq!(entries[0].date_of_birth.map(|d| d.year()), Some(1970));
        assert_eq!(entries[1].aliases, Vec::<String>::new());
        assert_eq!(entries[1].reference, "UN \"7\"");
    }

    #[test]
    fn a_wrong_line_is_named() {
        let line = |csv: &str| match parse(csv) {
            Err(ListError::Invalid { line, message }) => (line, message),
            other => panic!("{other:?}"),
        };
        assert_eq!(line("").0, 1);
        assert_eq!(line("name,aliases,list\n").0, 1);
        let header = "name,aliases,date_of_birth,list,reference\n";
        assert_eq!(
            line(&format!("{header}A B,,1968-13-01,EU,1\n")),
            (2, "date_of_birth is not YYYY-MM-DD".into())
        );
        assert_eq!(
            line(&format!("{header}A B,,,EU,1\n,,,EU,2\n")),
            (3, "name is empty".into())
        );
        assert_eq!(
            line(&format!("{header}A B,,,EU\n")),
            (2, "4 fields instead of 5".into())
        );
        assert_eq!(
            line(&format!("{header}\"A B,,,EU,1\n")).1,
            "a quoted field is not closed"
        );
    }
}
