//! The Support module's search for people named in a merchant's verification, who have no
//! email address on file: by full name and date of birth together, on an open access or
//! erasure request, and the link that adds a match to the request
//! (`platform::privacy::requests::kyc_people`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A person on file with the searched name and date of birth: enough to tell records apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KycMatchView {
    pub id: String,
    /// "the legal representative of Dardania Crafts".
    pub role: String,
    pub added_on: String,
    /// Taken off the application (the record is kept as AML evidence).
    pub removed_on: Option<String>,
    /// Already linked to this request.
    pub linked: bool,
}

/// A search's answer, with what was searched: linking a match posts the same two facts
/// again, and the platform checks them again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KycMatchesView {
    pub request_id: String,
    pub full_name: String,
    pub date_of_birth: String,
    pub matches: Vec<KycMatchView>,
}

/// A person linked to a request, as the request's entry lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedKycPersonView {
    pub person_id: String,
    pub full_name: String,
    pub role: String,
    pub linked_at: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use platform::privacy::requests::kyc_people::{Linked, Match, role};

    use super::{KycMatchView, LinkedKycPersonView};
    use crate::payments::ssr::when;

    pub fn match_view(found: Match) -> KycMatchView {
        KycMatchView {
            id: found.id.to_string(),
            role: role(
                &found.merchant,
                found.is_representative,
                found.ownership_percent,
            ),
            added_on: found.added_at.date().to_string(),
            removed_on: found.removed_at.map(|at| at.date().to_string()),
            linked: found.linked,
        }
    }

    pub fn linked_view(linked: &Linked) -> LinkedKycPersonView {
        LinkedKycPersonView {
            person_id: linked.person_id.to_string(),
            full_name: linked.full_name.clone(),
            role: role(
                &linked.merchant,
                linked.is_representative,
                linked.ownership_percent,
            ),
            linked_at: when(linked.linked_at),
        }
    }
}

/// The people of merchants' verifications with exactly this full name and date of birth,
/// for an open access or erasure request (support `act`). Audited as
/// `data_subject.find_kyc` with the number of matches.
#[server(endpoint = "admin/support/requests/kyc/find")]
pub async fn find_kyc_people(
    request_id: String,
    full_name: String,
    date_of_birth: String,
) -> Result<KycMatchesView, AppError> {
    use platform::privacy::requests::kyc_people;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<FindKycPeople>()
            .await?
            .staff()?;
        let id = crate::team::ssr::id(&request_id)?;
        let facts = crate::request::facts().await;
        let found =
            kyc_people::find(&platform, &scope, id, &full_name, &date_of_birth, &facts).await?;
        Ok(KycMatchesView {
            request_id: id.to_string(),
            full_name: full_name.trim().to_owned(),
            date_of_birth: date_of_birth.trim().to_owned(),
            matches: found.into_iter().map(ssr::match_view).collect(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Adds a person found by [`find_kyc_people`] to the request, if they still match the name
/// and date of birth and the personal number the requester gave is theirs (support `act`);
/// a repeat changes nothing. Audited as `data_subject.link_kyc`.
#[server(endpoint = "admin/support/requests/kyc/link")]
pub async fn link_kyc_person(
    request_id: String,
    person_id: String,
    full_name: String,
    date_of_birth: String,
    personal_number: String,
) -> Result<(), AppError> {
    use platform::privacy::requests::kyc_people;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<LinkKycPerson>()
            .await?
            .staff()?;
        let id = crate::team::ssr::id(&request_id)?;
        let person = crate::team::ssr::id(&person_id)?;
        let facts = crate::request::facts().await;
        let claim = kyc_people::Claim {
            full_name: &full_name,
            date_of_birth: &date_of_birth,
            personal_number: &personal_number,
        };
        kyc_people::link(&platform, &scope, id, person, claim, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Takes a person linked by mistake off an open request (support `act`). Audited as
/// `data_subject.unlink_kyc`.
#[server(endpoint = "admin/support/requests/kyc/unlink")]
pub async fn unlink_kyc_person(request_id: String, person_id: String) -> Result<(), AppError> {
    use platform::privacy::requests::kyc_people;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<UnlinkKycPerson>()
            .await?
            .staff()?;
        let id = crate::team::ssr::id(&request_id)?;
        let person = crate::team::ssr::id(&person_id)?;
        let facts = crate::request::facts().await;
        kyc_people::unlink(&platform, &scope, id, person, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
