//! Sanctions screening of the business and its people against a loaded list.
//!
//! [`screen_application`] checks the registered and trading names, the representative and
//! every current owner against the list in force ([`list`]) with the fuzzy [`matcher`],
//! and records each new hit once. Staff then [`decide`] each hit (a false positive, or a
//! true match) with a note; an undecided hit or a true match blocks approval
//! ([`open_hits`]).

pub mod list;
pub mod matcher;

use domain::MerchantId;
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::KycError;
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::{Level, Module, StaffScope};
pub use list::{ListInfo, load};
use matcher::Matcher;

/// What was screened: the business's names or one of its people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "sanctions_subject", rename_all = "snake_case")]
pub enum Subject {
    RegisteredName,
    TradingName,
    Person,
}

impl Subject {
    pub fn label(self) -> &'static str {
        match self {
            Subject::RegisteredName => "Registered name",
            Subject::TradingName => "Trading name",
            Subject::Person => "Person",
        }
    }
}

/// Staff's decision on a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "sanctions_decision", rename_all = "snake_case")]
pub enum Decision {
    /// Not the listed person or organisation: the hit no longer blocks approval.
    FalsePositive,
    /// The listed one: approval stays blocked.
    TrueMatch,
}

impl Decision {
    pub fn slug(self) -> &'static str {
        match self {
            Decision::FalsePositive => "false_positive",
            Decision::TrueMatch => "true_match",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        [Decision::FalsePositive, Decision::TrueMatch]
            .into_iter()
            .find(|d| d.slug() == slug)
    }
}

/// One hit as staff review it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Hit {
    pub id: Uuid,
    pub subject: Subject,
    pub subject_name: String,
    pub entry_name: String,
    pub matched_name: String,
    pub entry_date_of_birth: Option<Date>,
    pub source_list: String,
    pub reference: String,
    pub score: i16,
    pub found_at: OffsetDateTime,
    pub decision: Option<Decision>,
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
}

struct Screened {
    subject: Subject,
    person_id: Option<Uuid>,
    name: String,
    date_of_birth: Option<Date>,
}

/// The names an application puts forward: the business's two and its current people's.
async fn subjects(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Vec<Screened>, sqlx::Error> {
    let names: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT registered_name, trading_name FROM kyc_applications WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (registered, trading) = names.unwrap_or_default();
    let mut subjects: Vec<Screened> = [
        (Subject::RegisteredName, registered),
        (Subject::TradingName, trading),
    ]
    .into_iter()
    .filter_map(|(subject, name)| {
        Some(Screened {
            subject,
            person_id: None,
            name: name?,
            date_of_birth: None,
        })
    })
    .collect();
    let people: Vec<(Uuid, String, Date)> = sqlx::query_as(
        "SELECT id, full_name, date_of_birth FROM kyc_people
         WHERE merchant_id = $1 AND removed_at IS NULL AND (is_representative OR ownership_percent >= 25)
         ORDER BY created_at, id",
    )
    .bind(merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    subjects.extend(people.into_iter().map(|(id, name, born)| Screened {
        subject: Subject::Person,
        person_id: Some(id),
        name,
        date_of_birth: Some(born),
    }));
    Ok(subjects)
}

/// Screens the application's names against the list in force and records each new hit
/// once (a hit found before keeps its decision). Runs in the caller's transaction (the
/// submission's); returns how many hits are still open. Without a loaded list nothing is
/// screened (logged as a warning) and the earlier hits still count.
#[tracing::instrument(skip(conn))]
pub async fn screen_application(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<usize, sqlx::Error> {
    let subjects = subjects(conn, merchant_id).await?;
    match list::current(conn).await? {
        None => tracing::warn!("no sanctions list is loaded: the application was not screened"),
        Some(current) => {
            let entries = list::entries(conn).await?;
            let matcher = Matcher::new(&entries);
            for subject in &subjects {
                for found in matcher.screen(&subject.name, subject.date_of_birth) {
                    record_hit(conn, merchant_id, current.id, subject, &found).await?;
                }
            }
        }
    }
    let open = open_hits(conn, merchant_id).await?;
    Ok(usize::try_from(open).unwrap_or(0))
}

async fn record_hit(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    list_id: Uuid,
    subject: &Screened,
    found: &matcher::Match<'_>,
) -> Result<(), sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO sanctions_hits (id, merchant_id, subject, person_id, subject_name, list_id, entry_name, matched_name,
                                     entry_date_of_birth, source_list, reference, score)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT DO NOTHING",
    )
    .bind(Uuid::new_v4())
    .bind(merchant_id)
    .bind(subject.subject)
    .bind(subject.person_id)
    .bind(&subject.name)
    .bind(list_id)
    .bind(&found.entry.name)
    .bind(found.matched_name)
    .bind(found.entry.date_of_birth)
    .bind(&found.entry.list)
    .bind(&found.entry.reference)
    .bind(i16::from(found.score))
    .execute(conn)
    .await?;
    if inserted.rows_affected() > 0 {
        // The list's reference only: the screened name is personal data.
        tracing::info!(%merchant_id, reference = %found.entry.reference, score = found.score, "sanctions hit recorded");
    }
    Ok(())
}

/// Hits that block approval: not decided yet, or decided as a true match.
pub async fn open_hits(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM sanctions_hits WHERE merchant_id = $1 AND (decision IS NULL OR decision = 'true_match')",
    )
    .bind(merchant_id)
    .fetch_one(conn)
    .await
}

/// Every hit on the merchant's application, undecided first, then by score.
pub async fn hits(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Vec<Hit>, sqlx::Error> {
    sqlx::query_as(
        "SELECT h.id, h.subject, h.subject_name, h.entry_name, h.matched_name, h.entry_date_of_birth, h.source_list,
                h.reference, h.score, h.found_at, h.decision, h.note, u.full_name AS decided_by, h.decided_at
         FROM sanctions_hits h LEFT JOIN users u ON u.id = h.decided_by
         WHERE h.merchant_id = $1
         ORDER BY h.decision IS NOT NULL, h.score DESC, h.found_at, h.id",
    )
    .bind(merchant_id)
    .fetch_all(conn)
    .await
}

/// The longest note kept with a decision.
pub const NOTE_MAX: usize = 1000;

/// Records staff's decision on one of the merchant's hits, with their note, audited as
/// `kyc.sanctions.decide` (the decision only: the note may speak of a person). A decision
/// can be revised; each one is audited. It takes staff's scope for merchants at `act`.
pub async fn decide(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    hit_id: Uuid,
    decision: Decision,
    note: &str,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    staff.holds(Module::Merchants, Level::Act)?;
    let note = note.trim();
    if note.is_empty() {
        return Err(KycError::invalid(
            "note",
            "Write down why: the note is kept with the decision.",
        ));
    }
    if note.chars().count() > NOTE_MAX {
        return Err(KycError::invalid(
            "note",
            format!("Keep the note to {NOTE_MAX} characters."),
        ));
    }
    let mut tx = platform.pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE sanctions_hits SET decision = $3, note = $4, decided_by = $5, decided_at = now()
         WHERE id = $1 AND merchant_id = $2",
    )
    .bind(hit_id)
    .bind(merchant_id)
    .bind(decision)
    .bind(note)
    .bind(staff.user_id())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(KycError::NotFound);
    }
    let event = Event::new(
        "kyc.sanctions.decide",
        Actor {
            kind: ActorKind::Staff,
            id: Some(staff.user_id()),
        },
        Outcome::Success,
    )
    .merchant(merchant_id)
    .target("sanctions_hit", hit_id.to_string())
    .detail(serde_json::json!({ "decision": decision.slug() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}
