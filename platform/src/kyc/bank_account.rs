//! The bank account payouts go to: stored encrypted, shown masked, changed with care.
//!
//! The IBAN is encrypted per field (`bank_accounts.iban_enc.<account id>`), so a ciphertext
//! copied to another merchant's row does not decrypt; every screen, mail and answer shows
//! the mask. The holder must be the business (its registered or trading name) or, for an
//! individual business, its representative. A change retires the previous account, holds
//! payouts to the new one for [`CHANGE_HOLD_HOURS`], tells every owner and admin by mail
//! and is audited, all in one transaction. Staff may reveal the full IBAN to compare it
//! with the bank letter; each reveal is audited.

use domain::MerchantId;
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::iban::Iban;
use super::{Item, ItemState, KycError, LegalForm, Status, names};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::field_crypto::FieldSlot;
use crate::identity::roles::{Level, Module, StaffScope};
use crate::mail::{self, OutgoingMail};

/// Payouts to a changed account wait this long, so that an account taken over by someone
/// else cannot be emptied before the owners read the notice.
pub const CHANGE_HOLD_HOURS: i64 = 72;

pub(crate) fn slot(row: &str) -> FieldSlot<'_> {
    FieldSlot {
        table: "bank_accounts",
        column: "iban_enc",
        row,
    }
}

/// The account payouts go to, as every screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentAccount {
    pub id: Uuid,
    pub holder_name: String,
    /// `XK05 **** **** **** 1234`.
    pub iban_masked: String,
    pub since: OffsetDateTime,
    /// Payouts go to the account from then on; later than now while a change's hold runs.
    pub payouts_from: OffsetDateTime,
    /// Accounts the merchant had before this one.
    pub previous: i64,
}

impl CurrentAccount {
    pub fn on_hold(&self) -> bool {
        self.payouts_from > OffsetDateTime::now_utc()
    }
}

type AccountRow = (Uuid, String, String, OffsetDateTime, OffsetDateTime, i64);

/// The merchant's current account, if one was set.
pub async fn current(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<Option<CurrentAccount>, sqlx::Error> {
    let row: Option<AccountRow> = sqlx::query_as(
        "SELECT id, holder_name, iban_masked, created_at, payouts_from,
                (SELECT count(*) FROM bank_accounts p WHERE p.merchant_id = b.merchant_id AND p.retired_at IS NOT NULL)
         FROM bank_accounts b WHERE merchant_id = $1 AND retired_at IS NULL",
    )
    .bind(merchant_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(id, holder_name, iban_masked, since, payouts_from, previous)| CurrentAccount {
            id,
            holder_name,
            iban_masked,
            since,
            payouts_from,
            previous,
        },
    ))
}

/// Checks the holder name's form and the IBAN: the field errors a form shows, before
/// anything is read or written.
pub fn validate(holder_name: &str, iban: &str) -> Result<(String, Iban), KycError> {
    let holder = holder_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if holder.is_empty() {
        return Err(KycError::invalid(
            "holder_name",
            "Enter the account holder's name, as the bank has it.",
        ));
    }
    if holder.chars().count() > 200 {
        return Err(KycError::invalid(
            "holder_name",
            "Keep the holder's name to 200 characters.",
        ));
    }
    let iban = Iban::parse(iban).map_err(|error| KycError::invalid("iban", error.to_string()))?;
    Ok((holder, iban))
}

/// Whose name the account must be in: the business's names, or the representative's for an
/// individual business (`true`). Refuses while the business details are missing.
async fn expected_holders(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
) -> Result<(bool, Vec<String>), KycError> {
    let business: Option<(Option<LegalForm>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT legal_form, registered_name, trading_name FROM kyc_applications WHERE merchant_id = $1")
            .bind(merchant_id)
            .fetch_optional(&mut *conn)
            .await?;
    let (Some(form), Some(registered), trading) = business.unwrap_or_default() else {
        return Err(KycError::invalid(
            "holder_name",
            "Save your business details first: the account holder must match the business.",
        ));
    };
    if form != LegalForm::Individual {
        return Ok((
            false,
            [Some(registered), trading].into_iter().flatten().collect(),
        ));
    }
    let representative: Option<String> = sqlx::query_scalar(
        "SELECT full_name FROM kyc_people WHERE merchant_id = $1 AND is_representative AND removed_at IS NULL",
    )
    .bind(merchant_id)
    .fetch_optional(&mut *conn)
    .await?;
    let name = representative.ok_or_else(|| {
        KycError::invalid("holder_name", "Add the legal representative first: the account of an individual business is in their name.")
    })?;
    Ok((true, vec![name]))
}

/// The current account as a change needs it: when its payouts start and its IBAN (`None`
/// when it does not decrypt: it is only compared with the new one).
struct Previous {
    id: Uuid,
    holder_name: String,
    payouts_from: OffsetDateTime,
    iban: Option<String>,
}

async fn previous(
    conn: &mut PgConnection,
    platform: &Platform,
    merchant_id: MerchantId,
) -> Result<Option<Previous>, sqlx::Error> {
    let row: Option<(Uuid, String, Vec<u8>, OffsetDateTime)> = sqlx::query_as(
        "SELECT id, holder_name, iban_enc, payouts_from FROM bank_accounts WHERE merchant_id = $1 AND retired_at IS NULL",
    )
    .bind(merchant_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, holder_name, sealed, payouts_from)| {
        let plain = platform
            .config
            .secrets
            .field_keys
            .decrypt(slot(&id.to_string()), &sealed)
            .ok();
        let iban = plain.and_then(|plain| String::from_utf8(plain.expose_secret().clone()).ok());
        Previous {
            id,
            holder_name,
            payouts_from,
            iban,
        }
    }))
}

/// Sets the merchant's payout account (a member's action; the caller checked the role and
/// the step-up). See the module documentation for what a change does. Saving the current
/// account again changes nothing; the same IBAN with a corrected holder name keeps the
/// previous account's payout time (the money goes where it went).
#[tracing::instrument(skip_all, fields(%merchant_id, %user_id))]
pub async fn set(
    platform: &Platform,
    user_id: Uuid,
    merchant_id: MerchantId,
    holder_name: &str,
    iban: &str,
    facts: &RequestFacts,
) -> Result<CurrentAccount, KycError> {
    let (holder, iban) = validate(holder_name, iban)?;
    let mut tx = platform.pool.begin().await?;
    // The application's lock also serialises changes of the account.
    let checklist = super::lock(&mut tx, merchant_id).await?;
    if checklist.status == Status::Rejected {
        return Err(KycError::NotAllowed(
            "The application was rejected, so the bank account cannot be changed.",
        ));
    }
    let (individual, expected) = expected_holders(&mut tx, merchant_id).await?;
    if !expected.iter().any(|name| names::same_name(name, &holder)) {
        let whose = if individual {
            "the legal representative's name"
        } else {
            "the business's registered or trading name"
        };
        return Err(KycError::invalid(
            "holder_name",
            format!("The account must be in {whose}, as the application gives it."),
        ));
    }
    let previous = previous(&mut tx, platform, merchant_id).await?;
    let same_iban = previous
        .as_ref()
        .is_some_and(|p| p.iban.as_deref() == Some(iban.electronic()));
    if same_iban && previous.as_ref().is_some_and(|p| p.holder_name == holder) {
        drop(tx);
        let mut conn = platform.pool.acquire().await?;
        return current(&mut conn, merchant_id)
            .await?
            .ok_or(KycError::NotFound);
    }
    if let Some(previous) = &previous {
        sqlx::query("UPDATE bank_accounts SET retired_at = now() WHERE id = $1")
            .bind(previous.id)
            .execute(&mut *tx)
            .await?;
    }
    let id = Uuid::new_v4();
    let sealed = platform
        .config
        .secrets
        .field_keys
        .encrypt(slot(&id.to_string()), iban.electronic().as_bytes())
        .map_err(sqlx::Error::from)?;
    let payouts_from: OffsetDateTime = sqlx::query_scalar(
        "INSERT INTO bank_accounts (id, merchant_id, holder_name, iban_enc, iban_masked, created_by, payouts_from)
         VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now() + make_interval(hours => $8)))
         RETURNING payouts_from",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(&holder)
    .bind(sealed)
    .bind(iban.masked())
    .bind(user_id)
    // First account: payouts at once. Same IBAN: the previous time stands. Otherwise the hold.
    .bind(match &previous {
        None => Some(OffsetDateTime::now_utc()),
        Some(previous) if same_iban => Some(previous.payouts_from),
        Some(_) => None,
    })
    .bind(i32::try_from(CHANGE_HOLD_HOURS).unwrap_or(72))
    .fetch_one(&mut *tx)
    .await?;
    let reopened = checklist.state(Item::BankAccount) == ItemState::ChangesRequested;
    if matches!(
        checklist.status,
        Status::Draft | Status::ChangesRequested | Status::Submitted
    ) || reopened
    {
        super::mark_item(&mut tx, merchant_id, Item::BankAccount, true).await?;
    }
    if previous.is_some() {
        notify_owners(&mut tx, platform, merchant_id, &iban, payouts_from).await?;
    }
    let event = Event::new("bank_account.change", Actor { kind: ActorKind::User, id: Some(user_id) }, Outcome::Success)
        .merchant(merchant_id)
        .target("bank_account", id.to_string())
        .detail(serde_json::json!({ "first": previous.is_none(), "held": payouts_from > OffsetDateTime::now_utc() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    let mut conn = platform.pool.acquire().await?;
    current(&mut conn, merchant_id)
        .await?
        .ok_or(KycError::NotFound)
}

/// Mails every owner and admin of the merchant about the new account: its mask, when
/// payouts to it start, and what to do if the change was not theirs.
async fn notify_owners(
    conn: &mut PgConnection,
    platform: &Platform,
    merchant_id: MerchantId,
    iban: &Iban,
    payouts_from: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let people: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, u.full_name FROM merchant_members mm JOIN users u ON u.id = mm.user_id
         WHERE mm.merchant_id = $1 AND mm.role IN ('owner', 'admin') AND u.disabled_at IS NULL
           AND u.email_verified_at IS NOT NULL
         ORDER BY u.email",
    )
    .bind(merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    let settings = &platform.config.settings;
    let when = format_utc(payouts_from);
    for (email, name) in people {
        let body = format!(
            "Hello {name},\n\nThe bank account for your Saleonix payouts was just changed to {masked}.\n\n\
             To protect you, payouts to the new account start only after {CHANGE_HOLD_HOURS} hours, on {when}.\n\n\
             If you or a colleague did not make this change, sign in at {origin}/dashboard/verification, \
             change your password, and write to us right away: we stop the payouts while we check.\n\n- Saleonix\n",
            masked = iban.masked(),
            origin = settings.public_origin(),
        );
        let notice = OutgoingMail {
            to: email,
            subject: "The bank account for your payouts was changed".to_owned(),
            body: SecretString::from(body),
        };
        mail::enqueue(conn, &platform.config.secrets.field_keys, &notice).await?;
    }
    Ok(())
}

/// `2026-12-02 14:05 UTC`: how a mail tells a time.
pub fn format_utc(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_default()
}

/// The full IBAN of the merchant's current account, for staff comparing it with the bank
/// letter, for staff holding merchants at `view`. The reveal is audited
/// (`bank_account.view`) in the same transaction.
#[derive(Debug)]
pub struct Revealed {
    pub holder_name: String,
    pub iban: SecretString,
}

#[tracing::instrument(skip_all, fields(%merchant_id, staff_id = %staff.user_id()))]
pub async fn reveal(
    platform: &Platform,
    staff: &StaffScope,
    merchant_id: MerchantId,
    facts: &RequestFacts,
) -> Result<Revealed, KycError> {
    staff.holds(Module::Merchants, Level::View)?;
    let mut tx = platform.pool.begin().await?;
    let row: Option<(Uuid, String, Vec<u8>)> = sqlx::query_as(
        "SELECT id, holder_name, iban_enc FROM bank_accounts WHERE merchant_id = $1 AND retired_at IS NULL",
    )
    .bind(merchant_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, holder_name, sealed) = row.ok_or(KycError::NotFound)?;
    let plain = platform
        .config
        .secrets
        .field_keys
        .decrypt(slot(&id.to_string()), &sealed)
        .map_err(|error| {
            tracing::error!(%error, account = %id, "a stored IBAN does not decrypt");
            KycError::NotAllowed(
                "The stored IBAN cannot be read. Ask the merchant to enter it again.",
            )
        })?;
    let iban = String::from_utf8(plain.expose_secret().clone()).map_err(|_| {
        KycError::NotAllowed("The stored IBAN cannot be read. Ask the merchant to enter it again.")
    })?;
    let event = Event::new(
        "bank_account.view",
        Actor {
            kind: ActorKind::Staff,
            id: Some(staff.user_id()),
        },
        Outcome::Success,
    )
    .merchant(merchant_id)
    .target("bank_account", id.to_string());
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(Revealed {
        holder_name,
        iban: SecretString::from(iban),
    })
}
