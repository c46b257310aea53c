//! The people behind the business: exactly one legal representative, and every
//! beneficial owner holding 25 % or more (their shares at most 100 % together).
//!
//! The personal number (a Kosovo personal number, or another nationality's passport
//! number) is stored encrypted (field_crypto, slot `kyc_people.personal_number_enc.<id>`)
//! and shown only masked. A person taken off the application keeps their row and
//! documents (`removed_at`): they are AML evidence.

use domain::MerchantId;
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::application::{begin, refresh};
use super::fields::{self, text};
use super::{Checklist, Item, KycError};
use crate::Platform;
use crate::audit::{self, Actor, Event, Outcome, RequestFacts};
use crate::field_crypto::FieldSlot;

/// The person form as the merchant typed it. `personal_number` may be left blank when
/// changing a person: the stored one is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonForm {
    /// `representative` or `owner`.
    pub role: String,
    pub ownership_percent: String,
    pub full_name: String,
    pub date_of_birth: String,
    pub nationality: String,
    pub personal_number: String,
    pub address: String,
    /// `id_card` or `passport`.
    pub identity_document: String,
    pub is_pep: bool,
    /// What makes them politically exposed; the application keeps one text for everyone.
    pub pep_details: String,
}

/// One person as the application shows them: the personal number masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub is_representative: bool,
    pub ownership_percent: Option<i16>,
    pub full_name: String,
    pub date_of_birth: Date,
    pub nationality: String,
    pub personal_number_masked: String,
    pub address: String,
    pub is_pep: bool,
    pub identity_document: IdentityDocument,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityDocument {
    /// Two sides to upload.
    IdCard,
    /// One page.
    Passport,
}

impl IdentityDocument {
    pub fn slug(self) -> &'static str {
        match self {
            IdentityDocument::IdCard => "id_card",
            IdentityDocument::Passport => "passport",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        match slug {
            "id_card" => Some(IdentityDocument::IdCard),
            "passport" => Some(IdentityDocument::Passport),
            _ => None,
        }
    }
}

pub(crate) fn slot(person_id: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "kyc_people",
        column: "personal_number_enc",
        row: person_id,
    }
}

struct Valid {
    is_representative: bool,
    ownership_percent: Option<i16>,
    full_name: String,
    date_of_birth: Date,
    nationality: String,
    personal_number: Option<String>,
    address: String,
    identity_document: IdentityDocument,
    pep_details: Option<String>,
}

impl PersonForm {
    fn validate(&self, today: Date) -> Result<Valid, KycError> {
        let is_representative = match self.role.trim() {
            "representative" => true,
            "owner" => false,
            _ => {
                return Err(KycError::invalid(
                    "role",
                    "Choose the legal representative or a beneficial owner.",
                ));
            }
        };
        let ownership_percent = match (is_representative, self.ownership_percent.trim().is_empty())
        {
            (true, true) => None,
            _ => Some(fields::ownership(
                "ownership_percent",
                &self.ownership_percent,
            )?),
        };
        let full_name = text("full_name", &self.full_name, 200, "the full name")?;
        let date_of_birth = fields::date_of_birth("date_of_birth", &self.date_of_birth, today)?;
        let nationality = fields::nationality("nationality", &self.nationality)?;
        let personal_number = if self.personal_number.trim().is_empty() {
            None
        } else {
            Some(fields::personal_number(
                "personal_number",
                &self.personal_number,
                &nationality,
            )?)
        };
        let address = text("address", &self.address, 300, "the home address")?;
        let identity_document =
            IdentityDocument::parse(self.identity_document.trim()).ok_or_else(|| {
                KycError::invalid("identity_document", "Choose an ID card or a passport.")
            })?;
        let pep_details = if self.is_pep {
            Some(text(
                "pep_details",
                &self.pep_details,
                1000,
                "the public function the person holds or held",
            )?)
        } else {
            None
        };
        Ok(Valid {
            is_representative,
            ownership_percent,
            full_name,
            date_of_birth,
            nationality,
            personal_number,
            address,
            identity_document,
            pep_details,
        })
    }
}

/// Adds a person (`person_id` none) or changes one of the merchant's current people.
/// Answers the person's id. Another merchant's person, or a removed one, is not found.
#[tracing::instrument(skip(platform, form, facts), fields(%merchant_id))]
pub async fn save_person(
    platform: &Platform,
    user_id: Uuid,
    merchant_id: MerchantId,
    person_id: Option<Uuid>,
    form: &PersonForm,
    facts: &RequestFacts,
) -> Result<Uuid, KycError> {
    let valid = form.validate(OffsetDateTime::now_utc().date())?;
    let (mut tx, checklist) = begin(platform, merchant_id, Item::People).await?;
    let existing: Option<(String,)> = match person_id {
        Some(id) => Some(
            sqlx::query_as(
                "SELECT nationality FROM kyc_people WHERE id = $1 AND merchant_id = $2 AND removed_at IS NULL FOR UPDATE",
            )
            .bind(id)
            .bind(merchant_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(KycError::NotFound)?,
        ),
        None => None,
    };
    let number = match (&valid.personal_number, &existing) {
        (Some(number), _) => number.clone(),
        (None, Some((nationality,))) if *nationality == valid.nationality => String::new(),
        (None, Some(_)) => {
            return Err(KycError::invalid(
                "personal_number",
                "Enter the number again for the new nationality.",
            ));
        }
        (None, None) => {
            return Err(KycError::invalid(
                "personal_number",
                "Enter the personal or passport number.",
            ));
        }
    };
    check_rules(&mut tx, merchant_id, person_id, &valid).await?;
    let id = person_id.unwrap_or_else(Uuid::new_v4);
    // A blank number keeps the stored one (checked above: same nationality, existing person).
    let sealed = (!number.is_empty())
        .then(|| {
            platform
                .config
                .secrets
                .field_keys
                .encrypt(slot(&id.to_string()), number.as_bytes())
        })
        .transpose()
        .map_err(sqlx::Error::from)?;
    let statement = if person_id.is_some() {
        "UPDATE kyc_people SET is_representative = $3, ownership_percent = $4, full_name = $5, date_of_birth = $6,
                nationality = $7, personal_number_enc = coalesce($8, personal_number_enc), address = $9,
                is_pep = $10, identity_document = $11
         WHERE id = $1 AND merchant_id = $2"
    } else {
        "INSERT INTO kyc_people (id, merchant_id, is_representative, ownership_percent, full_name, date_of_birth,
                                 nationality, personal_number_enc, address, is_pep, identity_document)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    };
    sqlx::query(statement)
        .bind(id)
        .bind(merchant_id)
        .bind(valid.is_representative)
        .bind(valid.ownership_percent)
        .bind(&valid.full_name)
        .bind(valid.date_of_birth)
        .bind(&valid.nationality)
        .bind(sealed)
        .bind(&valid.address)
        .bind(valid.pep_details.is_some())
        .bind(valid.identity_document.slug())
        .execute(&mut *tx)
        .await?;
    if let Some(details) = &valid.pep_details {
        sqlx::query("UPDATE kyc_applications SET pep_details = $2 WHERE merchant_id = $1")
            .bind(merchant_id)
            .bind(details)
            .execute(&mut *tx)
            .await?;
    }
    after_change(&mut tx, &checklist).await?;
    let event = Event::new("kyc.person.save", Actor::user(user_id), Outcome::Success)
        .merchant(merchant_id)
        .target("kyc_person", id.to_string())
        .detail(serde_json::json!({
            "role": if valid.is_representative { "representative" } else { "owner" },
            "added": person_id.is_none(),
            "identity_document": valid.identity_document.slug(),
        }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

/// One representative, and owners' shares at most 100 % together, counting the
/// application's other current people.
async fn check_rules(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    person_id: Option<Uuid>,
    valid: &Valid,
) -> Result<(), KycError> {
    let (representatives, others_percent): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE is_representative), coalesce(sum(ownership_percent), 0)::bigint
         FROM kyc_people WHERE merchant_id = $1 AND removed_at IS NULL AND id IS DISTINCT FROM $2",
    )
    .bind(merchant_id)
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    if valid.is_representative && representatives > 0 {
        return Err(KycError::invalid(
            "role",
            "The application already has a legal representative. Change that person, or remove them first.",
        ));
    }
    let total = others_percent + i64::from(valid.ownership_percent.unwrap_or(0));
    if total > 100 {
        return Err(KycError::invalid(
            "ownership_percent",
            format!(
                "The owners' shares would add up to {total} %; together they can be at most 100 %."
            ),
        ));
    }
    Ok(())
}

/// Takes a person off the application; their row and documents are kept as evidence.
#[tracing::instrument(skip(platform, facts), fields(%merchant_id, %person_id))]
pub async fn remove_person(
    platform: &Platform,
    user_id: Uuid,
    merchant_id: MerchantId,
    person_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    let (mut tx, checklist) = begin(platform, merchant_id, Item::People).await?;
    let removed = sqlx::query(
        "UPDATE kyc_people SET removed_at = now() WHERE id = $1 AND merchant_id = $2 AND removed_at IS NULL",
    )
    .bind(person_id)
    .bind(merchant_id)
    .execute(&mut *tx)
    .await?;
    if removed.rows_affected() == 0 {
        return Err(KycError::NotFound);
    }
    after_change(&mut tx, &checklist).await?;
    let event = Event::new("kyc.person.remove", Actor::user(user_id), Outcome::Success)
        .merchant(merchant_id)
        .target("kyc_person", person_id.to_string());
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// After any change to the people: the PEP declaration follows them, the People item is
/// complete with a representative, and the identity documents item follows the people.
async fn after_change(conn: &mut PgConnection, checklist: &Checklist) -> Result<(), KycError> {
    let merchant_id = checklist.merchant_id;
    let (representative, any_pep): (bool, bool) = sqlx::query_as(
        "SELECT coalesce(bool_or(is_representative), false), coalesce(bool_or(is_pep), false)
         FROM kyc_people WHERE merchant_id = $1 AND removed_at IS NULL",
    )
    .bind(merchant_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE kyc_applications SET pep_declared = $2, pep_details = CASE WHEN $2 THEN pep_details END
         WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .bind(any_pep)
    .execute(&mut *conn)
    .await?;
    refresh(conn, checklist, Item::People, representative, true).await?;
    if checklist.editable(Item::IdentityDocuments) {
        let complete = super::documents::identity_complete(conn, merchant_id).await?;
        refresh(conn, checklist, Item::IdentityDocuments, complete, false).await?;
    }
    Ok(())
}

type PersonRow = (
    Uuid,
    bool,
    Option<i16>,
    String,
    Date,
    String,
    Vec<u8>,
    String,
    bool,
    String,
);

/// The application's current people, the representative first, numbers masked.
pub async fn people(platform: &Platform, merchant_id: MerchantId) -> Result<Vec<Person>, KycError> {
    let rows: Vec<PersonRow> = sqlx::query_as(
        "SELECT id, is_representative, ownership_percent, full_name, date_of_birth, nationality,
                personal_number_enc, address, is_pep, identity_document
         FROM kyc_people WHERE merchant_id = $1 AND removed_at IS NULL
         ORDER BY is_representative DESC, created_at",
    )
    .bind(merchant_id)
    .fetch_all(&platform.pool)
    .await?;
    let keys = &platform.config.secrets.field_keys;
    rows.into_iter()
        .map(|(id, is_representative, ownership_percent, full_name, date_of_birth, nationality, sealed, address, is_pep, document)| {
            let personal_number_masked = match keys.decrypt(slot(&id.to_string()), &sealed) {
                Ok(number) => {
                    use secrecy::ExposeSecret;
                    fields::mask(&String::from_utf8_lossy(number.expose_secret()))
                }
                Err(error) => {
                    // The person id and the reason only: never the stored bytes.
                    tracing::error!(%error, person_id = %id, "a stored personal number does not decrypt");
                    "(cannot be read)".to_owned()
                }
            };
            Ok(Person {
                id,
                is_representative,
                ownership_percent,
                full_name,
                date_of_birth,
                nationality,
                personal_number_masked,
                address,
                is_pep,
                identity_document: IdentityDocument::parse(&document).unwrap_or(IdentityDocument::IdCard),
            })
        })
        .collect()
}
