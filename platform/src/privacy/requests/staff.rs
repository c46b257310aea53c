//! The console's Support module: confirmed requests with their deadline, and the steps
//! staff take on them, each audited. Reading needs support `view`; every step needs
//! support `act` (the scope is checked here too, behind the route and the server function).

use sqlx::{Postgres, Transaction};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Kind, RequestError, Status, emails};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, Module, StaffScope};
use crate::mail::{self, OutgoingMail};

/// The longest reason or outcome staff write; it is mailed to the requester.
pub const REASON_MAX: usize = 1000;
/// Closed requests the list shows after the open ones.
const RECENTLY_CLOSED: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Request {
    pub id: Uuid,
    pub email: String,
    pub kind: Kind,
    pub status: Status,
    pub details: Option<String>,
    pub requested_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
    pub due_on: Option<Date>,
    /// Days from today to `due_on`, both in Kosovo's calendar (Europe/Belgrade), where the
    /// deadline is set: counted from the UTC date, it was one day long every night between
    /// midnight in Kosovo and midnight UTC.
    pub days_left: Option<i32>,
    pub extended_reason: Option<String>,
    pub assignee: Option<String>,
    pub closed_at: Option<OffsetDateTime>,
    pub outcome: Option<String>,
}

/// Confirmed requests: open ones by deadline (the most urgent first), then the latest
/// closed. Unconfirmed ones are not requests yet and are not shown.
pub async fn list(platform: &Platform, staff: &StaffScope) -> Result<Vec<Request>, RequestError> {
    staff.holds(Module::Support, Level::View)?;
    let rows = sqlx::query_as(
        "SELECT r.id, r.email, r.kind, r.status, r.details, r.requested_at, r.verified_at, r.due_on,
                r.due_on - (now() AT TIME ZONE 'Europe/Belgrade')::date AS days_left, r.extended_reason, u.full_name AS assignee, r.closed_at, r.outcome
         FROM privacy_requests r LEFT JOIN users u ON u.id = r.assigned_to
         WHERE r.status = 'open'
            OR r.id IN (SELECT id FROM privacy_requests WHERE status IN ('fulfilled', 'rejected')
                        ORDER BY closed_at DESC LIMIT $1)
         ORDER BY r.status <> 'open', CASE WHEN r.status = 'open' THEN r.due_on END, r.closed_at DESC",
    )
    .bind(RECENTLY_CLOSED)
    .fetch_all(&platform.pool)
    .await?;
    Ok(rows)
}

fn checked_text(field: &'static str, text: &str) -> Result<String, RequestError> {
    let text = text.trim();
    match text.chars().count() {
        0 => Err(RequestError::invalid(
            field,
            "Write it down: it is mailed to the requester and kept with the request.",
        )),
        n if n > REASON_MAX => Err(RequestError::invalid(
            field,
            format!("Keep it to {REASON_MAX} characters."),
        )),
        _ => Ok(text.to_owned()),
    }
}

/// An open request, locked for the step in the caller's transaction.
pub(super) struct Locked {
    pub(super) email: String,
    pub(super) kind: Kind,
    extended: bool,
}

async fn lock_open(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<Locked, RequestError> {
    let row: Option<(String, Kind, Status, bool)> = sqlx::query_as(
        "SELECT email, kind, status, extended_reason IS NOT NULL FROM privacy_requests
         WHERE id = $1 AND status <> 'unverified' FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    match row {
        None => Err(RequestError::NotFound),
        Some((_, _, Status::Fulfilled | Status::Rejected, _)) => {
            Err(RequestError::NotAllowed("This request is already closed."))
        }
        Some((email, kind, _, extended)) => Ok(Locked {
            email,
            kind,
            extended,
        }),
    }
}

/// What every step ends with, in its transaction: the mail that tells the requester (if
/// any) and the audit row, so the change, the mail and its record commit together.
pub(super) struct Step<'a> {
    pub(super) platform: &'a Platform,
    pub(super) staff: &'a StaffScope,
    pub(super) id: Uuid,
    pub(super) facts: &'a RequestFacts,
}

impl<'a> Step<'a> {
    pub(super) fn new(
        platform: &'a Platform,
        staff: &'a StaffScope,
        id: Uuid,
        facts: &'a RequestFacts,
    ) -> Self {
        Self {
            platform,
            staff,
            id,
            facts,
        }
    }

    /// Every step's start: the scope must reach support `act`, and the request must be
    /// open; it stays locked until the step commits.
    pub(super) async fn begin(
        &self,
    ) -> Result<(Transaction<'static, Postgres>, Locked), RequestError> {
        self.staff.holds(Module::Support, Level::Act)?;
        let mut tx = self.platform.pool.begin().await?;
        let locked = lock_open(&mut tx, self.id).await?;
        Ok((tx, locked))
    }

    /// Queues `mail` and records `event_type`, with `records` (the number of records an
    /// export or erasure touched) in its detail.
    pub(super) async fn finish(
        &self,
        conn: &mut sqlx::PgConnection,
        locked: &Locked,
        event_type: &'static str,
        mail: Option<OutgoingMail>,
        records: Option<serde_json::Value>,
    ) -> Result<(), RequestError> {
        if let Some(mail) = mail {
            mail::enqueue(conn, &self.platform.config.secrets.field_keys, &mail).await?;
        }
        let mut detail = serde_json::json!({});
        if let Some(records) = records {
            detail["records"] = records;
        }
        self.audit(conn, locked, event_type, detail).await
    }

    /// Records `event_type` about the request, the request's kind added to `detail` (an
    /// object). [`Step::finish`] ends with it; a step that mails nothing and whose detail is
    /// not a count of records (linking a person: their id) calls it directly.
    pub(super) async fn audit(
        &self,
        conn: &mut sqlx::PgConnection,
        locked: &Locked,
        event_type: &'static str,
        mut detail: serde_json::Value,
    ) -> Result<(), RequestError> {
        // Not an object: `audit::record` refuses it below, rather than this panicking.
        if let Some(fields) = detail.as_object_mut() {
            fields.insert("kind".to_owned(), locked.kind.slug().into());
        }
        let actor = Actor {
            kind: ActorKind::Staff,
            id: Some(self.staff.user_id()),
        };
        let event = Event::new(event_type, actor, Outcome::Success)
            .target("privacy_request", self.id.to_string())
            .subject_email(&locked.email)
            .detail(detail);
        audit::record(conn, &event, self.facts).await?;
        Ok(())
    }
}

/// Takes the request on: the list shows who works on it. Audited as `data_subject.assign`.
pub async fn assign_to_self(
    platform: &Platform,
    staff: &StaffScope,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<(), RequestError> {
    let step = Step::new(platform, staff, id, facts);
    let (mut tx, locked) = step.begin().await?;
    sqlx::query("UPDATE privacy_requests SET assigned_to = $2 WHERE id = $1")
        .bind(id)
        .bind(staff.user_id())
        .execute(&mut *tx)
        .await?;
    step.finish(&mut tx, &locked, "data_subject.assign", None, None)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Extends the deadline by two months, once, for `reason`, which the requester is mailed
/// (GDPR Art. 12(3)). Audited as `data_subject.extend`.
pub async fn extend(
    platform: &Platform,
    staff: &StaffScope,
    id: Uuid,
    reason: &str,
    facts: &RequestFacts,
) -> Result<Date, RequestError> {
    let step = Step::new(platform, staff, id, facts);
    let (mut tx, locked) = step.begin().await?;
    let reason = checked_text("reason", reason)?;
    if locked.extended {
        return Err(RequestError::NotAllowed(
            "The deadline has already been extended once; the law allows no more.",
        ));
    }
    let due_on: Date = sqlx::query_scalar(
        "UPDATE privacy_requests SET extended_reason = $2, due_on = (due_on + interval '2 months')::date
         WHERE id = $1 RETURNING due_on",
    )
    .bind(id)
    .bind(&reason)
    .fetch_one(&mut *tx)
    .await?;
    let mail = emails::extended(&locked.email, locked.kind, due_on, &reason);
    step.finish(&mut tx, &locked, "data_subject.extend", Some(mail), None)
        .await?;
    tx.commit().await?;
    Ok(due_on)
}

/// Closes the request unfulfilled, for `reason`, which the requester is mailed with their
/// right to complain. Audited as `data_subject.reject`.
pub async fn reject(
    platform: &Platform,
    staff: &StaffScope,
    id: Uuid,
    reason: &str,
    facts: &RequestFacts,
) -> Result<(), RequestError> {
    let step = Step::new(platform, staff, id, facts);
    let (mut tx, locked) = step.begin().await?;
    let reason = checked_text("reason", reason)?;
    close(&mut tx, staff, id, Status::Rejected, &reason).await?;
    let privacy_email = &platform.config.settings.privacy.contact_email;
    let mail = emails::rejected(&locked.email, locked.kind, &reason, privacy_email);
    step.finish(&mut tx, &locked, "data_subject.reject", Some(mail), None)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a correction or restriction staff have carried out, saying what was done (mailed
/// to the requester). Access and erasure close through their export and erasure. Audited
/// as `data_subject.fulfil`.
pub async fn fulfil(
    platform: &Platform,
    staff: &StaffScope,
    id: Uuid,
    outcome: &str,
    facts: &RequestFacts,
) -> Result<(), RequestError> {
    let step = Step::new(platform, staff, id, facts);
    let (mut tx, locked) = step.begin().await?;
    let outcome = checked_text("outcome", outcome)?;
    if !matches!(locked.kind, Kind::Correction | Kind::Restriction) {
        return Err(RequestError::NotAllowed(
            "Access and erasure requests close with their export or erasure.",
        ));
    }
    close(&mut tx, staff, id, Status::Fulfilled, &outcome).await?;
    let mail = emails::fulfilled(&locked.email, locked.kind, &outcome);
    step.finish(&mut tx, &locked, "data_subject.fulfil", Some(mail), None)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn close(
    conn: &mut sqlx::PgConnection,
    staff: &StaffScope,
    id: Uuid,
    status: Status,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE privacy_requests SET status = $2, outcome = $3, closed_at = now(), closed_by = $4
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(outcome)
    .bind(staff.user_id())
    .execute(conn)
    .await?;
    Ok(())
}
