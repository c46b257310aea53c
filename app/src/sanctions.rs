//! Sanctions screening in the console: the list in force (its source, load date and size),
//! the hits screening found on a merchant's application, and staff's decision on each
//! (merchants `act`, a fresh second-factor check, a note; audited).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The list in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsListView {
    pub source: String,
    pub loaded_at: String,
    pub entries: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsHitView {
    pub id: String,
    /// "Registered name", "Trading name" or "Person".
    pub subject: String,
    pub subject_name: String,
    pub entry_name: String,
    /// The entry's name or alias that matched, when it is not the entry's name.
    pub matched_alias: Option<String>,
    pub entry_date_of_birth: Option<String>,
    /// `EU · EU.1234.56`.
    pub listed_as: String,
    pub score: i16,
    pub found_at: String,
    /// `false_positive` or `true_match`; `None` while undecided.
    pub decision: Option<String>,
    pub note: Option<String>,
    /// "by <name> on <date>".
    pub decided: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionsHitsView {
    pub list: Option<SanctionsListView>,
    pub hits: Vec<SanctionsHitView>,
    /// Undecided hits and true matches: approval waits while any is open.
    pub open: i64,
    /// The viewer holds merchants `act` and may decide.
    pub can_decide: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::kyc::sanctions::{Hit, ListInfo};

    use super::{SanctionsHitView, SanctionsListView};
    use crate::payments::ssr::when;

    pub fn list(info: ListInfo) -> SanctionsListView {
        SanctionsListView {
            source: info.source,
            loaded_at: when(info.loaded_at),
            entries: info.entry_count,
        }
    }

    pub fn hit(hit: Hit) -> SanctionsHitView {
        let born = hit.entry_date_of_birth.map(|d| d.to_string());
        let decided = hit.decided_at.map(|at| {
            format!(
                "by {} on {}",
                hit.decided_by.as_deref().unwrap_or("a former staff member"),
                when(at)
            )
        });
        SanctionsHitView {
            id: hit.id.to_string(),
            subject: hit.subject.label().to_owned(),
            matched_alias: (hit.matched_name != hit.entry_name).then_some(hit.matched_name),
            subject_name: hit.subject_name,
            entry_name: hit.entry_name,
            entry_date_of_birth: born,
            listed_as: format!("{} · {}", hit.source_list, hit.reference),
            score: hit.score,
            found_at: when(hit.found_at),
            decision: hit.decision.map(|d| d.slug().to_owned()),
            note: hit.note,
            decided,
        }
    }
}

/// The list in force, or `None` before any list was loaded.
#[server(endpoint = "admin/kyc/sanctions/list")]
pub async fn sanctions_list() -> Result<Option<SanctionsListView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        crate::auth::session::require_declared::<SanctionsList>().await?;
        let mut conn = platform
            .pool
            .acquire()
            .await
            .map_err(crate::error::internal)?;
        let current = platform::kyc::sanctions::list::current(&mut conn)
            .await
            .map_err(crate::error::internal)?;
        Ok(current.map(ssr::list))
    }
    .await
    .map_err(AppError::respond)
}

/// The hits on a merchant's application, with the list in force.
#[server(endpoint = "admin/kyc/sanctions/hits")]
pub async fn sanctions_hits(merchant_id: String) -> Result<SanctionsHitsView, AppError> {
    use platform::identity::roles::{Level, Module};
    use platform::kyc::sanctions;
    let platform = expect_context::<platform::Platform>();
    async {
        let (staff, _) = crate::auth::session::require_declared::<SanctionsHits>()
            .await?
            .parts();
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let internal = crate::error::internal;
        let mut conn = platform.pool.acquire().await.map_err(internal)?;
        let list = sanctions::list::current(&mut conn)
            .await
            .map_err(internal)?;
        let hits = sanctions::hits(&mut conn, merchant)
            .await
            .map_err(internal)?;
        let open = sanctions::open_hits(&mut conn, merchant)
            .await
            .map_err(internal)?;
        Ok(SanctionsHitsView {
            list: list.map(ssr::list),
            hits: hits.into_iter().map(ssr::hit).collect(),
            open,
            can_decide: staff.permissions().allows(Module::Merchants, Level::Act),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Decides a hit (`false_positive` or `true_match`) with a note of 1 to 1000 characters:
/// merchants `act` and a fresh second-factor check (a refusal is audited).
#[server(endpoint = "admin/kyc/sanctions/decide")]
pub async fn decide_sanctions_hit(
    merchant_id: String,
    hit_id: String,
    decision: String,
    note: String,
) -> Result<(), AppError> {
    use platform::kyc::sanctions::{self, Decision};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, staff, _) = crate::auth::session::require_declared::<DecideSanctionsHit>()
            .await?
            .staff()?;
        let merchant = crate::team::ssr::id(&merchant_id)?;
        let hit = crate::team::ssr::id(&hit_id)?;
        let decision = Decision::parse(decision.trim()).ok_or_else(|| {
            AppError::validation(
                "decision",
                "Choose whether this is a false positive or a true match.",
            )
        })?;
        let facts = crate::request::facts().await;
        sanctions::decide(&platform, &staff, merchant, hit, decision, &note, &facts)
            .await
            .map_err(AppError::from)
    }
    .await
    .map_err(AppError::respond)
}
