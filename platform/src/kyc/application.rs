//! Business details and people of a KYC application, and submitting it to staff.
//!
//! Every change is one transaction: the application is locked ([`super::lock`]), the item
//! must be editable in the application's state ([`super::Checklist::editable`]), every
//! field is validated before anything is written (a bad value changes nothing), the
//! checklist item is marked, and the change is audited. Audit details name fields and
//! ids, never a person's name, number or address. The people live in [`super::people`].

use domain::MerchantId;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use super::fields::{digits, euro_cents, optional_text, text};
use super::{CATEGORIES, Checklist, Item, ItemState, KycError, LegalForm, Status};
use crate::Platform;
use crate::audit::{self, Actor, Event, Outcome, RequestFacts};

/// The business form as the merchant typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessForm {
    pub legal_form: String,
    pub registered_name: String,
    pub trading_name: String,
    pub registration_number: String,
    pub fiscal_number: String,
    pub vat_number: String,
    pub address_line: String,
    pub city: String,
    pub postal_code: String,
    pub website: String,
    pub category: String,
    pub monthly_volume: String,
    pub average_ticket: String,
}

/// The business details, validated: what the application stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    pub legal_form: LegalForm,
    pub registered_name: String,
    pub trading_name: String,
    pub registration_number: String,
    pub fiscal_number: String,
    pub vat_number: Option<String>,
    pub address_line: String,
    pub city: String,
    pub postal_code: String,
    pub website: String,
    pub category: String,
    pub monthly_volume_minor: i64,
    pub average_ticket_minor: i64,
}

impl BusinessForm {
    /// Every field checked, in the form's order; the first wrong one is answered.
    pub fn validate(&self) -> Result<Business, KycError> {
        let legal_form = LegalForm::parse(self.legal_form.trim())
            .ok_or_else(|| KycError::invalid("legal_form", "Choose the business's legal form."))?;
        let registered_name = text(
            "registered_name",
            &self.registered_name,
            200,
            "the registered name",
        )?;
        // A business that trades under its registered name need not type it twice.
        let trading_name =
            optional_text("trading_name", &self.trading_name, 200, "the trading name")?
                .unwrap_or_else(|| registered_name.clone());
        let registration_number = digits(
            "registration_number",
            &self.registration_number,
            9,
            "The NUI (ARBK number)",
        )?;
        let fiscal_number = digits("fiscal_number", &self.fiscal_number, 9, "The fiscal number")?;
        let vat_number = if self.vat_number.trim().is_empty() {
            None
        } else {
            Some(digits("vat_number", &self.vat_number, 9, "The VAT number")?)
        };
        let address_line = text(
            "address_line",
            &self.address_line,
            200,
            "the street and number",
        )?;
        let city = text("city", &self.city, 100, "the city")?;
        let postal_code = digits("postal_code", &self.postal_code, 5, "A Kosovo postal code")?;
        let website = text(
            "website",
            &self.website,
            300,
            "the website or where you sell",
        )?;
        let category = CATEGORIES
            .iter()
            .find(|(slug, _)| *slug == self.category.trim())
            .map(|(slug, _)| (*slug).to_owned())
            .ok_or_else(|| KycError::invalid("category", "Choose what you sell."))?;
        let monthly_volume_minor = euro_cents("monthly_volume", &self.monthly_volume)?;
        let average_ticket_minor = euro_cents("average_ticket", &self.average_ticket)?;
        if average_ticket_minor > monthly_volume_minor {
            return Err(KycError::invalid(
                "average_ticket",
                "The average payment cannot be more than the monthly volume.",
            ));
        }
        Ok(Business {
            legal_form,
            registered_name,
            trading_name,
            registration_number,
            fiscal_number,
            vat_number,
            address_line,
            city,
            postal_code,
            website,
            category,
            monthly_volume_minor,
            average_ticket_minor,
        })
    }
}

/// A change to `item` begun: the transaction with the application locked, refused unless
/// the merchant may change the item now.
pub(crate) async fn begin(
    platform: &Platform,
    merchant_id: MerchantId,
    item: Item,
) -> Result<(Transaction<'static, Postgres>, Checklist), KycError> {
    let mut tx = platform.pool.begin().await?;
    let checklist = super::lock(&mut tx, merchant_id).await?;
    if !checklist.editable(item) {
        return Err(KycError::NotAllowed(match checklist.status {
            Status::Submitted => {
                "Saleonix is reviewing your application; it cannot be changed until the review ends."
            }
            Status::Rejected => {
                "The application was rejected and can no longer be changed. Contact support."
            }
            _ => "This part of your application is accepted and cannot be changed now.",
        }));
    }
    Ok((tx, checklist))
}

/// Brings an item's state in line with what the application now holds. `touched` says
/// the merchant changed this item itself (so staff review it again); an item that only
/// follows from others moves back to missing when it no longer holds, and forward when it
/// newly does, but keeps staff's reason while it is still incomplete.
pub(crate) async fn refresh(
    conn: &mut PgConnection,
    checklist: &Checklist,
    item: Item,
    complete: bool,
    touched: bool,
) -> Result<(), sqlx::Error> {
    let state = checklist.state(item);
    let mark = match (complete, state) {
        (true, _) if touched => Some(true),
        (true, ItemState::Missing) => Some(true),
        (false, ItemState::Submitted | ItemState::Accepted) => Some(false),
        _ => None,
    };
    match mark {
        Some(complete) => super::mark_item(conn, checklist.merchant_id, item, complete).await,
        None => Ok(()),
    }
}

/// Saves the business details: all fields valid, or nothing changes.
#[tracing::instrument(skip(platform, form, facts), fields(%merchant_id))]
pub async fn save_business(
    platform: &Platform,
    user_id: Uuid,
    merchant_id: MerchantId,
    form: &BusinessForm,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    let business = form.validate()?;
    let (mut tx, checklist) = begin(platform, merchant_id, Item::Business).await?;
    sqlx::query(
        "UPDATE kyc_applications SET legal_form = $2, registered_name = $3, trading_name = $4,
                registration_number = $5, fiscal_number = $6, vat_number = $7, address_line = $8, city = $9,
                postal_code = $10, website = $11, category = $12, monthly_volume_minor = $13,
                average_ticket_minor = $14, updated_at = now()
         WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .bind(business.legal_form)
    .bind(&business.registered_name)
    .bind(&business.trading_name)
    .bind(&business.registration_number)
    .bind(&business.fiscal_number)
    .bind(&business.vat_number)
    .bind(&business.address_line)
    .bind(&business.city)
    .bind(&business.postal_code)
    .bind(&business.website)
    .bind(&business.category)
    .bind(business.monthly_volume_minor)
    .bind(business.average_ticket_minor)
    .execute(&mut *tx)
    .await?;
    refresh(&mut tx, &checklist, Item::Business, true, true).await?;
    let event = Event::new("kyc.business.save", Actor::user(user_id), Outcome::Success)
        .merchant(merchant_id)
        .target("kyc_application", merchant_id.to_string())
        .detail(serde_json::json!({ "legal_form": business.legal_form.slug(), "category": business.category }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// The saved business details, as stored (for the form to show again); `None` for a
/// field not saved yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedBusiness {
    pub legal_form: Option<LegalForm>,
    pub registered_name: Option<String>,
    pub trading_name: Option<String>,
    pub registration_number: Option<String>,
    pub fiscal_number: Option<String>,
    pub vat_number: Option<String>,
    pub address_line: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub website: Option<String>,
    pub category: Option<String>,
    pub monthly_volume_minor: Option<i64>,
    pub average_ticket_minor: Option<i64>,
    /// Whether anyone on the application is politically exposed, once people are entered.
    pub pep_declared: Option<bool>,
    pub pep_details: Option<String>,
}

/// The merchant's saved business details; empty when nothing is saved yet.
pub async fn business(
    platform: &Platform,
    merchant_id: MerchantId,
) -> Result<SavedBusiness, KycError> {
    let saved: Option<SavedBusiness> = sqlx::query_as(
        "SELECT legal_form, registered_name, trading_name, registration_number, fiscal_number, vat_number,
                address_line, city, postal_code, website, category, monthly_volume_minor, average_ticket_minor,
                pep_declared, pep_details
         FROM kyc_applications WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .fetch_optional(&platform.pool)
    .await?;
    Ok(saved.unwrap_or_default())
}

/// Sends the application to staff: only when the checklist allows it
/// ([`Checklist::can_submit`]). Screens the business and its people against the
/// sanctions list in the same transaction, and audits `kyc.submit`.
#[tracing::instrument(skip(platform, facts), fields(%merchant_id))]
pub async fn submit(
    platform: &Platform,
    user_id: Uuid,
    merchant_id: MerchantId,
    facts: &RequestFacts,
) -> Result<(), KycError> {
    let mut tx = platform.pool.begin().await?;
    let checklist = super::lock(&mut tx, merchant_id).await?;
    if !checklist.can_submit() {
        return Err(KycError::NotAllowed(match checklist.status {
            Status::Submitted => "Your application is already with Saleonix for review.",
            Status::Rejected => {
                "The application was rejected and cannot be sent again. Contact support."
            }
            Status::Approved if checklist.reverification_due_at.is_none() => {
                "Your business is already verified."
            }
            _ => "Complete every item of the checklist before sending the application.",
        }));
    }
    sqlx::query(
        "UPDATE kyc_applications SET status = 'submitted', submitted_at = now(), updated_at = now() WHERE merchant_id = $1",
    )
    .bind(merchant_id)
    .execute(&mut *tx)
    .await?;
    let hits = super::sanctions::screen_application(&mut tx, merchant_id).await?;
    let resubmission = checklist.status != Status::Draft;
    let event = Event::new("kyc.submit", Actor::user(user_id), Outcome::Success)
        .merchant(merchant_id)
        .target("kyc_application", merchant_id.to_string())
        .detail(serde_json::json!({ "resubmission": resubmission, "sanctions_hits": hits }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether staff have suspended the merchant: the Verification page then says so and
/// points to support (suspension is separate from the application's status).
pub async fn suspended(platform: &Platform, merchant_id: MerchantId) -> Result<bool, KycError> {
    let suspended: Option<bool> =
        sqlx::query_scalar("SELECT suspended_at IS NOT NULL FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_optional(&platform.pool)
            .await?;
    Ok(suspended.unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> BusinessForm {
        BusinessForm {
            legal_form: "llc".into(),
            registered_name: "Dardania Crafts SH.P.K.".into(),
            trading_name: "".into(),
            registration_number: "810123456".into(),
            fiscal_number: "600123456".into(),
            vat_number: "".into(),
            address_line: "Rr. Nëna Terezë 12".into(),
            city: "Prishtinë".into(),
            postal_code: "10000".into(),
            website: "https://dardania.example".into(),
            category: "retail_goods".into(),
            monthly_volume: "20000".into(),
            average_ticket: "35.50".into(),
        }
    }

    #[test]
    fn a_complete_form_validates_and_the_trading_name_defaults() {
        let business = form().validate().unwrap();
        assert_eq!(business.trading_name, "Dardania Crafts SH.P.K.");
        assert_eq!(business.monthly_volume_minor, 2_000_000);
        assert_eq!(business.average_ticket_minor, 3550);
        assert_eq!(business.vat_number, None);
    }

    #[test]
    fn each_wrong_field_is_named() {
        let cases: [(&str, fn(&mut BusinessForm)); 9] = [
            ("legal_form", |f| f.legal_form = "corp".into()),
            ("registered_name", |f| f.registered_name = " ".into()),
            ("registration_number", |f| {
                f.registration_number = "12345".into()
            }),
            ("fiscal_number", |f| f.fiscal_number = "abcdefghi".into()),
            ("vat_number", |f| f.vat_number = "1234567890".into()),
            ("postal_code", |f| f.postal_code = "1000".into()),
            ("category", |f| f.category = "weapons".into()),
            ("monthly_volume", |f| f.monthly_volume = "-1".into()),
            ("average_ticket", |f| f.average_ticket = "20000.01".into()),
        ];
        for (field, change) in cases {
            let mut f = form();
            change(&mut f);
            match f.validate() {
                Err(KycError::Invalid { field: named, .. }) => assert_eq!(named, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}
