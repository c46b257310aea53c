//! The bank statement's CSV (`date,amount,end_to_end_id`, a header line optional, the date
//! `YYYY-MM-DD`, the amount in euro like `12.34`): each line whose end-to-end id is a sent
//! payout of the same amount marks it paid. Every line is kept with what it did, so staff
//! see the ones that matched nothing. Importing a statement again (or one that overlaps)
//! pays nothing twice: a paid payout's line is `already_paid`.

use domain::{Currency, Money, PayoutStatus};
use time::Date;
use uuid::Uuid;

use super::PayoutError;
use super::transition::{self, Applied, Move};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, Module, StaffScope};

/// A statement is small; a bigger file is a wrong file.
pub const MAX_BYTES: usize = 1024 * 1024;
pub const MAX_LINES: usize = 10_000;

/// A line as read: each part `None` when it did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub line_no: i32,
    pub booked_on: Option<Date>,
    /// In euro, as statements are.
    pub amount: Option<Money>,
    pub end_to_end_id: String,
}

/// The cells of one CSV line (RFC 4180 quotes; no line breaks inside cells).
fn cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(cell) = cells.last_mut() {
                    cell.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => {
                if let Some(cell) = cells.last_mut() {
                    cell.push(c);
                }
            }
        }
    }
    cells.into_iter().map(|c| c.trim().to_owned()).collect()
}

/// `12.34`, `12.3`, `12` in euro; `None` for anything else (a sign, a comma, a third
/// digit after the point that is not zero).
pub fn parse_amount(text: &str) -> Option<Money> {
    Money::parse_decimal(text, Currency::Eur).ok()
}

/// Reads the statement's lines, skipping blank lines and a header.
pub fn parse(csv: &str) -> Result<Vec<StatementLine>, PayoutError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut lines = Vec::new();
    for (index, raw) in csv.lines().enumerate() {
        let cells = cells(raw);
        if cells.iter().all(String::is_empty)
            || (index == 0
                && cells
                    .first()
                    .is_some_and(|c| c.eq_ignore_ascii_case("date")))
        {
            continue;
        }
        if lines.len() == MAX_LINES {
            return Err(PayoutError::invalid(
                "file",
                format!("A statement has at most {MAX_LINES} lines."),
            ));
        }
        let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
        lines.push(StatementLine {
            line_no: i32::try_from(index + 1).unwrap_or(i32::MAX),
            booked_on: Date::parse(cell(0), format).ok(),
            amount: parse_amount(cell(1)),
            end_to_end_id: cell(2).chars().take(200).collect(),
        });
    }
    if lines.is_empty() {
        return Err(PayoutError::invalid(
            "file",
            "The file has no statement lines (date, amount, end-to-end id).",
        ));
    }
    Ok(lines)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub import_id: Uuid,
    pub paid: usize,
    pub already_paid: usize,
    pub unmatched: usize,
}

/// What one line matches: the payout to mark paid, one paid before, or why nothing.
enum Match {
    Pay(Uuid),
    AlreadyPaid(Uuid),
    Unmatched(String),
}

async fn match_line(
    conn: &mut sqlx::PgConnection,
    line: &StatementLine,
) -> Result<Match, PayoutError> {
    let (Some(_), Some(amount)) = (line.booked_on, line.amount) else {
        return Ok(Match::Unmatched(
            "The date or the amount could not be read.".into(),
        ));
    };
    let payout: Option<(Uuid, i64, Currency, PayoutStatus)> = sqlx::query_as(
        "SELECT id, amount_minor, currency::text, status FROM payouts WHERE end_to_end_id = $1 FOR UPDATE",
    )
    .bind(&line.end_to_end_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, expected, currency, status)) = payout else {
        return Ok(Match::Unmatched("No payout has this end-to-end id.".into()));
    };
    // The line's digits in the payout's currency: a statement names none.
    let (expected, amount) = (
        Money::new(expected, currency),
        Money::new(amount.minor(), currency),
    );
    if amount != expected {
        return Ok(Match::Unmatched(format!(
            "The payout is {expected}, the line {amount}."
        )));
    }
    Ok(match status {
        PayoutStatus::Sent => Match::Pay(id),
        PayoutStatus::Paid => Match::AlreadyPaid(id),
        PayoutStatus::Returned => Match::Unmatched("The payout was marked returned.".into()),
        PayoutStatus::Created | PayoutStatus::Approved => {
            Match::Unmatched("The payout's batch was not marked sent.".into())
        }
    })
}

/// Imports a statement in one transaction (a staff scope holding payouts `act`), audited
/// as `payout_statement.import`.
#[tracing::instrument(skip(platform, staff, csv, facts))]
pub async fn import(
    platform: &Platform,
    staff: &StaffScope,
    file_name: &str,
    csv: &[u8],
    facts: &RequestFacts,
) -> Result<ImportReport, PayoutError> {
    staff.holds(Module::Payouts, Level::Act)?;
    let staff_id = staff.user_id();
    if csv.len() > MAX_BYTES {
        return Err(PayoutError::invalid(
            "file",
            "A statement file is at most 1 MB.",
        ));
    }
    let text = std::str::from_utf8(csv)
        .map_err(|_| PayoutError::invalid("file", "Upload the statement as a UTF-8 CSV file."))?;
    let lines = parse(text)?;
    let name: String = file_name.trim().chars().take(200).collect();
    let name = if name.is_empty() {
        "statement.csv".to_owned()
    } else {
        name
    };
    let mut tx = platform.pool.begin().await?;
    let mut report = ImportReport {
        import_id: Uuid::new_v4(),
        ..ImportReport::default()
    };
    sqlx::query(
        "INSERT INTO payout_statement_imports (id, file_name, imported_by) VALUES ($1, $2, $3)",
    )
    .bind(report.import_id)
    .bind(&name)
    .bind(staff_id)
    .execute(&mut *tx)
    .await?;
    for line in &lines {
        let (outcome, payout_id, note) = match match_line(&mut tx, line).await? {
            Match::Pay(id) => match transition::apply_in(
                &mut tx,
                platform,
                Move::Paid {
                    payout_id: id,
                    staff,
                },
                facts,
            )
            .await?
            {
                Applied::Moved => {
                    report.paid += 1;
                    ("paid", Some(id), None)
                }
                Applied::AlreadyDone => {
                    report.already_paid += 1;
                    ("already_paid", Some(id), None)
                }
            },
            Match::AlreadyPaid(id) => {
                report.already_paid += 1;
                ("already_paid", Some(id), None)
            }
            Match::Unmatched(note) => {
                report.unmatched += 1;
                ("unmatched", None, Some(note))
            }
        };
        sqlx::query(
            "INSERT INTO payout_statement_lines (import_id, line_no, booked_on, amount_minor, end_to_end_id, payout_id, outcome, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(report.import_id)
        .bind(line.line_no)
        .bind(line.booked_on)
        .bind(line.amount.map(Money::minor))
        .bind(&line.end_to_end_id)
        .bind(payout_id)
        .bind(outcome)
        .bind(note)
        .execute(&mut *tx)
        .await?;
    }
    let event = Event::new("payout_statement.import", Actor { kind: ActorKind::Staff, id: Some(staff_id) }, Outcome::Success)
        .target("payout_statement_import", report.import_id.to_string())
        .detail(serde_json::json!({ "paid": report.paid, "already_paid": report.already_paid, "unmatched": report.unmatched }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_or_not_at_all() {
        assert_eq!(parse_amount("12.34"), Some(Money::eur(1234)));
        assert_eq!(parse_amount("12.3"), Some(Money::eur(1230)));
        assert_eq!(parse_amount("12"), Some(Money::eur(1200)));
        assert_eq!(parse_amount("12.345"), None);
        assert_eq!(parse_amount("-1.00"), None);
        assert_eq!(parse_amount("1,00"), None);
        assert_eq!(parse_amount(""), None);
    }

    #[test]
    fn lines_are_read_with_quotes_and_a_header() {
        let lines = parse(
            "date,amount,end_to_end_id\r\n2026-11-30,\"1,5\",X\n\n2026-11-30,10.00,\"SXP1\"\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount, None);
        assert_eq!(
            lines[1],
            StatementLine {
                line_no: 4,
                booked_on: Some(time::macros::date!(2026 - 11 - 30)),
                amount: Some(Money::eur(1000)),
                end_to_end_id: "SXP1".into()
            }
        );
    }
}
