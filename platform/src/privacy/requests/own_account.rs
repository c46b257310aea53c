//! A merchant team member's own requests, from the dashboard: a copy of their data, and
//! closing their account. The session already proved who they are (the address was
//! verified at sign-up), so neither waits for a mailed confirmation; the copy still leaves
//! only through a single-use link mailed to the account's address (`export`), so a stolen
//! session cannot carry it away, and closing needs the password (and a fresh two-factor
//! check where two-factor is on, at the server function).
//!
//! Closing is an erasure (`erasure`) the person asks for themselves, with the same
//! obligations blocking it. The owner of a merchant with others on the team must first make
//! one of them the owner (`identity::team::transfer_ownership`); an owner alone closes the
//! merchant with them: it takes no more payments in any mode, its API keys are revoked,
//! its webhooks and payment links stop, and its records are kept for the
//! anti-money-laundering period from that day.

use domain::{MerchantId, MerchantRole};
use secrecy::SecretString;
use uuid::Uuid;

use super::erasure::{self, Erased};
use super::{RequestError, emails, export, link_secret};
use crate::Platform;
use crate::audit::{self, Actor, Event, Outcome, RequestFacts};
use crate::identity::users::User;
use crate::mail;

/// Mails the member a single-use link to an archive of everything held about their
/// address, as staff would answer an access request. Recorded as an access request already
/// answered (so staff see it in the Support module's list) and audited as
/// `data_subject.export` with the number of records in each file.
pub async fn export(
    platform: &Platform,
    user: &User,
    facts: &RequestFacts,
) -> Result<(), RequestError> {
    let id = Uuid::new_v4();
    let email = user.email().to_lowercase();
    // The request never needs a confirmation link; its column holds an unused secret's digest.
    let (_, unused) = link_secret();
    let mut tx = platform.pool.begin().await?;
    sqlx::query(
        "INSERT INTO privacy_requests (id, email, kind, status, token_hash, token_expires_at, verified_at,
                                       due_on, closed_at, closed_by, outcome)
         VALUES ($1, $2, 'access', 'fulfilled', $3, now(), now(),
                 (now() AT TIME ZONE 'Europe/Belgrade')::date, now(), $4, $5)",
    )
    .bind(id)
    .bind(&email)
    .bind(unused)
    .bind(user.id())
    .bind(format!(
        "Asked for from the dashboard; sent by a single-use link, valid {} days.",
        export::LINK_DAYS
    ))
    .execute(&mut *tx)
    .await?;
    let sealed = export::seal(&mut tx, platform, id, &email, user.id()).await?;
    mail::enqueue(&mut tx, &platform.config.secrets.field_keys, &sealed.mail).await?;
    let event = Event::new(
        "data_subject.export",
        Actor::user(user.id()),
        Outcome::Success,
    )
    .target("privacy_request", id.to_string())
    .subject_email(&email)
    .detail(serde_json::json!({
        "kind": "access",
        "from": "dashboard",
        "records": sealed.records,
    }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// What closing an account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed {
    /// The member was the merchant's only one, and the merchant closed with them.
    pub merchant_closed: bool,
    pub erased: Erased,
}

/// Closes the member's account for good: their personal data is erased as an erasure
/// request's would be (kept records lose the address), they leave the team, every session
/// ends and the address gets a last mail saying what is kept. Refused, changing nothing,
/// for a wrong password, an owner with others on the team, or an open obligation.
/// Audited as `account.close` (a wrong password as its failure).
pub async fn close(
    platform: &Platform,
    user: &User,
    password: SecretString,
    facts: &RequestFacts,
) -> Result<Closed, RequestError> {
    let membership = user.membership().ok_or(RequestError::NotAllowed(
        "Only a merchant's team member closes their account here.",
    ))?;
    let merchant_id = membership.merchant_id;
    let phc: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.id())
        .fetch_one(&platform.pool)
        .await?;
    if !platform.passwords.verify(password, Some(phc)).await? {
        let event = Event::new("account.close", Actor::user(user.id()), Outcome::Failure)
            .merchant(merchant_id)
            .reason("wrong password");
        audit::record_alone(&platform.pool, &event, facts).await?;
        return Err(RequestError::invalid(
            "password",
            "That is not your password.",
        ));
    }
    let email = user.email().to_lowercase();
    let mut tx = platform.pool.begin().await?;
    // The merchant's row, locked: no invitation, role change or ownership transfer can
    // come between the team check and the closing.
    sqlx::query("SELECT 1 FROM merchants WHERE id = $1 FOR UPDATE")
        .bind(merchant_id)
        .execute(&mut *tx)
        .await?;
    let (role, others): (MerchantRole, i64) = sqlx::query_as(
        "SELECT mm.role,
                (SELECT count(*) FROM merchant_members o JOIN users u ON u.id = o.user_id
                 WHERE o.merchant_id = $1 AND o.user_id <> $2 AND u.disabled_at IS NULL)
                + (SELECT count(*) FROM invitations_to_accounts i WHERE i.merchant_id = $1)
         FROM merchant_members mm WHERE mm.merchant_id = $1 AND mm.user_id = $2",
    )
    .bind(merchant_id)
    .bind(user.id())
    .fetch_one(&mut *tx)
    .await?;
    let owner = role == MerchantRole::Owner;
    if owner && others > 0 {
        return Err(RequestError::NotAllowed(
            "You own this merchant and others are on its team: make one of them the owner on the \
             Team page (or remove them), then close your account.",
        ));
    }
    if let Some(reason) = erasure::blocker(&mut tx, &email).await? {
        return Err(RequestError::NotAllowed(reason));
    }
    if owner {
        close_merchant(&mut tx, merchant_id, user.id()).await?;
    } else {
        sqlx::query("DELETE FROM merchant_members WHERE merchant_id = $1 AND user_id = $2")
            .bind(merchant_id)
            .bind(user.id())
            .execute(&mut *tx)
            .await?;
    }
    let erased = erasure::erase_everywhere(&mut tx, &email).await?;
    let mail = emails::account_closed(&email, &erased, owner);
    mail::enqueue(&mut tx, &platform.config.secrets.field_keys, &mail).await?;
    // Recorded after the erasure, with the account's id only: the address is gone.
    let event = Event::new("account.close", Actor::user(user.id()), Outcome::Success)
        .merchant(merchant_id)
        .target("user", user.id().to_string())
        .detail(serde_json::json!({
            "merchant_closed": owner,
            "records": erased.detail(),
        }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(Closed {
        merchant_closed: owner,
        erased,
    })
}

/// The merchant stops: no payments in any mode (`payments::ensure_mode_allowed`), no API
/// key, no webhook, no payment link. Its records stay, for the law's period.
async fn close_merchant(
    conn: &mut sqlx::PgConnection,
    merchant_id: MerchantId,
    by: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE api_keys SET revoked_at = now(), revoked_by = $2
         WHERE merchant_id = $1 AND revoked_at IS NULL",
    )
    .bind(merchant_id)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    for sql in [
        "UPDATE merchants SET closed_at = now() WHERE id = $1",
        "UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'The merchant closed its account.',
                updated_at = now()
         WHERE merchant_id = $1 AND enabled",
        "UPDATE payment_links SET archived_at = now() WHERE merchant_id = $1 AND archived_at IS NULL",
    ] {
        sqlx::query(sql)
            .bind(merchant_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
