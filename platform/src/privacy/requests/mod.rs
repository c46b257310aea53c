//! Data-subject requests: anyone may ask, by email address, for access to their data, its
//! correction, erasure or restriction. Asking reveals nothing: every address gets the same
//! answer and a mailed link, and nothing is looked up until staff work on a confirmed
//! request. The link proves control of the address; the statutory month (GDPR Art. 12(3))
//! runs from its use. Staff in the console's Support module handle confirmed requests
//! (`staff`), and link the people of a merchant's verification, who have no address on
//! file, to the access or erasure requests that concern them (`kyc_people`).

mod archive;
mod emails;
pub mod erasure;
pub mod export;
pub mod kyc_people;
pub mod own_account;
pub mod staff;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::contact::is_plausible_email;
use crate::mail;

/// How long the confirmation link works.
pub const LINK_HOURS: i32 = 24;
/// The longest description of what to correct or restrict.
pub const DETAILS_MAX: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "privacy_request_kind", rename_all = "snake_case")]
pub enum Kind {
    Access,
    Correction,
    Erasure,
    Restriction,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Access,
        Kind::Correction,
        Kind::Erasure,
        Kind::Restriction,
    ];

    pub fn parse(slug: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.slug() == slug)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Kind::Access => "access",
            Kind::Correction => "correction",
            Kind::Erasure => "erasure",
            Kind::Restriction => "restriction",
        }
    }

    /// What the requester asked for, as the mails and the console say it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Access => "a copy of your personal data",
            Kind::Correction => "the correction of your personal data",
            Kind::Erasure => "the erasure of your personal data",
            Kind::Restriction => "the restriction of the use of your personal data",
        }
    }

    /// Corrections and restrictions say what they are about.
    fn needs_details(self) -> bool {
        matches!(self, Kind::Correction | Kind::Restriction)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "privacy_request_status", rename_all = "snake_case")]
pub enum Status {
    Unverified,
    Open,
    Fulfilled,
    Rejected,
}

impl Status {
    pub fn slug(self) -> &'static str {
        match self {
            Status::Unverified => "unverified",
            Status::Open => "open",
            Status::Fulfilled => "fulfilled",
            Status::Rejected => "rejected",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// A field typed wrong: `(field, message)`, shown beside it.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The request is not in a state that allows this step.
    #[error("{0}")]
    NotAllowed(&'static str),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Forbidden(#[from] crate::identity::roles::ScopeRefused),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Archive(#[from] zip::result::ZipError),
    #[error(transparent)]
    Crypto(#[from] crate::field_crypto::FieldCryptoError),
    #[error(transparent)]
    Password(#[from] crate::password::HashError),
}

impl RequestError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        RequestError::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// Why a confirmation link was not accepted; each gets its own message, since the link's
/// holder already controls the address and learns nothing new.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("This link is not valid.")]
    Unknown,
    #[error("This request is already confirmed.")]
    Used,
    #[error("This link has expired. Please send your request again.")]
    Expired,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
}

const ANONYMOUS: Actor = Actor {
    kind: ActorKind::Anonymous,
    id: None,
};

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A mailed link's secret (256 random bits) and the digest stored in its place.
fn link_secret() -> (SecretString, Vec<u8>) {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = URL_SAFE_NO_PAD.encode(secret);
    let digest = digest(&token);
    (SecretString::from(token), digest)
}

fn checked_details(kind: Kind, details: &str) -> Result<Option<String>, RequestError> {
    let details = details.trim();
    match (details.chars().count(), kind.needs_details()) {
        (0, true) => Err(RequestError::invalid(
            "details",
            "Say which data and what should change.",
        )),
        (0, false) => Ok(None),
        (n, _) if n > DETAILS_MAX => Err(RequestError::invalid(
            "details",
            format!("Keep it to {DETAILS_MAX} characters."),
        )),
        _ => Ok(Some(details.to_owned())),
    }
}

/// Records a request from `email` and mails it the confirmation link. The answer is the
/// same for every address: nothing here looks at whether Saleonix knows it. Audited as
/// `data_subject.request`.
pub async fn submit(
    platform: &Platform,
    email: &str,
    kind: &str,
    details: &str,
    facts: &RequestFacts,
) -> Result<(), RequestError> {
    let email = email.trim().to_lowercase();
    if !is_plausible_email(&email) {
        return Err(RequestError::invalid(
            "email",
            "Please give a valid email address.",
        ));
    }
    let kind = Kind::parse(kind.trim())
        .ok_or_else(|| RequestError::invalid("kind", "Choose what you are asking for."))?;
    let details = checked_details(kind, details)?;
    let (token, token_hash) = link_secret();
    let id = Uuid::new_v4();
    let mut tx = platform.pool.begin().await?;
    sqlx::query(
        "INSERT INTO privacy_requests (id, email, kind, details, token_hash, token_expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6))",
    )
    .bind(id)
    .bind(&email)
    .bind(kind)
    .bind(&details)
    .bind(token_hash)
    .bind(LINK_HOURS)
    .execute(&mut *tx)
    .await?;
    let settings = &platform.config.settings;
    let mail = emails::confirm(settings, &email, kind, &token);
    mail::enqueue(&mut tx, &platform.config.secrets.field_keys, &mail).await?;
    let event = Event::new("data_subject.request", ANONYMOUS, Outcome::Success)
        .target("privacy_request", id.to_string())
        .subject_email(&email)
        .detail(serde_json::json!({ "kind": kind.slug() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// A request its sender has just confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub kind: Kind,
    pub due_on: Date,
}

/// Uses a confirmation link: the request opens, due one month from today (Kosovo's
/// calendar). Works once; audited as `data_subject.verify`.
pub async fn confirm(
    platform: &Platform,
    token: &SecretString,
    facts: &RequestFacts,
) -> Result<Confirmed, LinkError> {
    let mut tx = platform.pool.begin().await?;
    let row: Option<(Uuid, String, Kind, Status, OffsetDateTime)> = sqlx::query_as(
        "SELECT id, email, kind, status, token_expires_at FROM privacy_requests
         WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(digest(token.expose_secret()))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, email, kind, status, expires_at)) = row else {
        return Err(LinkError::Unknown);
    };
    if status != Status::Unverified {
        return Err(LinkError::Used);
    }
    if expires_at <= OffsetDateTime::now_utc() {
        return Err(LinkError::Expired);
    }
    let due_on: Date = sqlx::query_scalar(
        "UPDATE privacy_requests SET status = 'open', verified_at = now(),
             due_on = ((now() AT TIME ZONE 'Europe/Belgrade')::date + interval '1 month')::date
         WHERE id = $1 RETURNING due_on",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let event = Event::new("data_subject.verify", ANONYMOUS, Outcome::Success)
        .target("privacy_request", id.to_string())
        .subject_email(&email)
        .detail(serde_json::json!({ "kind": kind.slug(), "due_on": due_on.to_string() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(Confirmed { kind, due_on })
}
