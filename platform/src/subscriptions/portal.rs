//! The buyer's portal: no account and no password. Each installment's receipt carries a
//! link (`/portal/sp_…`, 30 days) to a page listing the buyer's subscriptions with that
//! merchant, in that mode, with their payments and receipts, and cancelling. The link is a
//! random token of which only its digest is kept; it opens nothing else. An expired link
//! can send a fresh one to the address it was mailed to, and a buyer may ask for links by
//! typing their address: the answer is the same whether or not the address has any
//! subscription, and both are rate-limited.

use std::time::Duration as StdDuration;

use domain::{Money, PaymentStatus};
use i18n::Locale;
use rand::Rng as _;
use rand::distributions::Alphanumeric;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::cancel::{self, Cancelled, Canceller};
use super::{Status, StoredTerms, Terms, terms_columns};
use crate::Platform;
use crate::audit::{Actor, ActorKind, RequestFacts};
use crate::buyer_mails::{self, Buyer};
use crate::mail;
use crate::payments::{Mode, PaymentError};
use crate::rate_limit::{self, Decision, Limit};

/// How long a portal link opens the portal.
pub const LINK_DAYS: i64 = 30;
/// Expired links are kept this long for "send me a fresh link", then deleted.
const KEEP_EXPIRED_DAYS: i64 = 90;
const PREFIX: &str = "sp_";
const TOKEN_CHARS: usize = 32;

/// Links mailed per address, per client address and per subscription an hour.
const MAILS_PER_HOUR: u32 = 5;

fn limit(bucket: &'static str) -> Limit {
    Limit {
        bucket,
        max: MAILS_PER_HOUR,
        window: StdDuration::from_secs(3600),
    }
}

/// Whether `token` has a portal token's shape; anything else names nothing and costs no query.
pub fn plausible(token: &str) -> bool {
    token.len() == PREFIX.len() + TOKEN_CHARS
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric())
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A new link to the portal of subscription `id`'s buyer: its address.
pub(crate) async fn issue(
    conn: &mut PgConnection,
    platform: &Platform,
    subscription_id: Uuid,
) -> Result<String, sqlx::Error> {
    let body: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(TOKEN_CHARS)
        .map(char::from)
        .collect();
    let token = format!("{PREFIX}{body}");
    sqlx::query(
        "INSERT INTO subscription_portal_links (digest, subscription_id, expires_at)
         VALUES ($1, $2, now() + make_interval(days => $3))",
    )
    .bind(digest(&token))
    .bind(subscription_id)
    .bind(i32::try_from(LINK_DAYS).unwrap_or(30))
    .execute(conn)
    .await?;
    Ok(format!(
        "{}/portal/{token}",
        platform.config.settings.public_origin()
    ))
}

/// The link for the receipt of payment `order_id`, when it pays an installment.
pub(crate) async fn for_receipt(
    conn: &mut PgConnection,
    platform: &Platform,
    order_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    // An installment, or a declined installment's checkout paid later by the buyer.
    let subscription: Option<Uuid> = sqlx::query_scalar(
        "SELECT coalesce(p.subscription_id, c.subscription_id)
         FROM payments p JOIN checkout_sessions c ON c.id = p.session_id WHERE p.order_id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    match subscription {
        Some(id) => issue(conn, platform, id).await.map(Some),
        None => Ok(None),
    }
}

/// One payment of a subscription, as the buyer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installment {
    pub number: i16,
    pub order_id: String,
    pub status: PaymentStatus,
    pub amount: Money,
    /// A declined installment the buyer may still pay: its checkout's token (`cs_…`).
    pub pay_token: Option<String>,
    /// A declined installment the buyer paid later: that payment's order id.
    pub paid_later: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerSubscription {
    pub id: Uuid,
    pub plan_name: String,
    pub terms: Terms,
    pub status: Status,
    pub paid_installments: i16,
    pub next_charge_at: Option<OffsetDateTime>,
    pub cancel_pending: bool,
    /// Ending with its period: the day the period paid for ends.
    pub ends_at: Option<OffsetDateTime>,
    /// An "until cancelled" subscription whose series is over: its renewal checkout's
    /// token (`cs_…`) while open.
    pub renew_token: Option<String>,
    pub installments: Vec<Installment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portal {
    pub merchant_name: String,
    pub mode: Mode,
    pub subscriptions: Vec<BuyerSubscription>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Open(Portal),
    /// A real link past its time: a fresh one can be mailed.
    Expired,
    NotFound,
}

/// Whose portal a link opens: the merchant, the mode and the buyer's address.
struct Owner {
    merchant_id: Uuid,
    mode: Mode,
    merchant_name: String,
    email: String,
    subscription_id: Uuid,
}

/// The owner of `token`'s portal and whether the link is still open; `None` for a token
/// that names nothing, or whose buyer's address was erased.
async fn owner(pool: &PgPool, token: &str) -> Result<Option<(Owner, bool)>, sqlx::Error> {
    if !plausible(token) {
        return Ok(None);
    }
    let row: Option<(Uuid, Mode, String, Option<String>, Uuid, bool)> = sqlx::query_as(
        "SELECT s.merchant_id, s.mode, m.business_name, lower(f.buyer_email), s.id, l.expires_at > now()
         FROM subscription_portal_links l JOIN subscriptions s ON s.id = l.subscription_id
              JOIN payments f ON f.id = s.first_payment_id JOIN merchants m ON m.id = s.merchant_id
         WHERE l.digest = $1",
    )
    .bind(digest(token))
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(
        |(merchant_id, mode, merchant_name, email, subscription_id, open)| {
            email.map(|email| {
                let owner = Owner {
                    merchant_id,
                    mode,
                    merchant_name,
                    email,
                    subscription_id,
                };
                (owner, open)
            })
        },
    ))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    plan_name: String,
    #[sqlx(flatten)]
    terms: StoredTerms,
    status: Status,
    paid_installments: i16,
    next_charge_at: Option<OffsetDateTime>,
    cancel_pending: bool,
    ends_at: Option<OffsetDateTime>,
    renew_token: Option<String>,
}

/// The portal `token` opens. See the module documentation.
pub async fn open(pool: &PgPool, token: &str) -> Result<Opened, sqlx::Error> {
    match owner(pool, token).await? {
        None => Ok(Opened::NotFound),
        Some((_, false)) => Ok(Opened::Expired),
        Some((owner, true)) => listing(pool, &owner).await.map(Opened::Open),
    }
}

/// What the portal shows `owner`: their subscriptions with the merchant, in the mode.
async fn listing(pool: &PgPool, owner: &Owner) -> Result<Portal, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT s.id, p.name AS plan_name, {terms}, s.status, s.paid_installments, s.next_charge_at,
                s.status IN ('active', 'past_due') AND s.cancel_requested_at IS NOT NULL AS cancel_pending,
                CASE WHEN s.status IN ('active', 'past_due') AND s.cancel_at IS NOT NULL THEN s.next_charge_at END
                    AS ends_at,
                (SELECT r.token FROM checkout_sessions r
                 WHERE r.renews_id = s.id AND r.status = 'open' AND r.expires_at > now()) AS renew_token
         FROM subscriptions s JOIN subscription_plans p ON p.id = s.plan_id
              JOIN payments f ON f.id = s.first_payment_id
         WHERE s.merchant_id = $1 AND s.mode = $2 AND lower(f.buyer_email) = $3
         ORDER BY s.created_at DESC",
        terms = terms_columns("s"),
    ))
    .bind(owner.merchant_id)
    .bind(owner.mode)
    .bind(&owner.email)
    .fetch_all(pool)
    .await?;
    let mut subscriptions = Vec::with_capacity(rows.len());
    for row in rows {
        let payments: Vec<(i16, String, PaymentStatus, i64, Option<String>, Option<String>)> =
            sqlx::query_as(
                "SELECT p.installment, p.order_id, p.status, p.amount_minor,
                        CASE WHEN p.status = 'declined' AND c.status = 'open' AND c.expires_at > now()
                             THEN c.token END,
                        CASE WHEN p.status = 'declined' AND c.status = 'paid'
                             THEN (SELECT q.order_id FROM payments q
                                   WHERE q.session_id = c.id AND q.paid_at IS NOT NULL AND q.status <> 'duplicate'
                                   LIMIT 1) END
                 FROM payments p JOIN checkout_sessions c ON c.id = p.session_id
                 WHERE p.subscription_id = $1 ORDER BY p.installment",
            )
        .bind(row.id)
        .fetch_all(pool)
        .await?;
        let terms = Terms::stored(&row.terms);
        subscriptions.push(BuyerSubscription {
            id: row.id,
            plan_name: row.plan_name,
            terms,
            status: row.status,
            paid_installments: row.paid_installments,
            next_charge_at: row.next_charge_at,
            cancel_pending: row.cancel_pending,
            ends_at: row.ends_at,
            renew_token: row.renew_token,
            installments: payments
                .into_iter()
                .map(
                    |(number, order_id, status, minor, pay_token, paid_later)| Installment {
                        number,
                        order_id,
                        status,
                        amount: Money::new(minor, terms.amount.currency()),
                        pay_token,
                        paid_later,
                    },
                )
                .collect(),
        });
    }
    Ok(Portal {
        merchant_name: owner.merchant_name.clone(),
        mode: owner.mode,
        subscriptions,
    })
}

fn buyer() -> Actor {
    Actor {
        kind: ActorKind::Anonymous,
        id: None,
    }
}

/// The buyer cancels subscription `id` from the portal `token` opens; a subscription the
/// portal does not show (another buyer's, another merchant's) is not found.
pub async fn cancel(
    platform: &Platform,
    token: &str,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<Cancelled, PaymentError> {
    let Some((owner, true)) = owner(&platform.pool, token).await? else {
        return Err(PaymentError::NotFound);
    };
    let portal = listing(&platform.pool, &owner).await?;
    if !portal.subscriptions.iter().any(|s| s.id == id) {
        return Err(PaymentError::NotFound);
    }
    let by = Canceller {
        merchant_id: owner.merchant_id,
        mode: owner.mode,
        actor: buyer(),
        via: "portal",
    };
    cancel::cancel(platform, &by, id, facts).await
}

/// Mails the link in `locale`, the language of the page it was asked for on.
async fn mail_link(
    platform: &Platform,
    owner: &Owner,
    subscription_id: Uuid,
    locale: Locale,
) -> Result<(), PaymentError> {
    let mut tx = platform.pool.begin().await?;
    let url = issue(&mut tx, platform, subscription_id).await?;
    let buyer = Buyer {
        to: &owner.email,
        locale,
        mode: owner.mode,
    };
    let mail = buyer_mails::portal_link(buyer, &owner.merchant_name, &url);
    mail::enqueue(&mut tx, &platform.config.secrets.field_keys, &mail).await?;
    tx.commit().await?;
    Ok(())
}

/// Mails a fresh link to the address an expired (or still open) link `token` was mailed
/// to, in `locale`. Rate-limited per subscription; a token that names nothing does nothing.
pub async fn renew(platform: &Platform, token: &str, locale: Locale) -> Result<(), PaymentError> {
    let Some((owner, _)) = owner(&platform.pool, token).await? else {
        return Ok(());
    };
    let key = owner.subscription_id.to_string();
    if rate_limit::hit(&platform.pool, limit("portal_renew"), &key).await? != Decision::Allowed {
        return Ok(());
    }
    mail_link(platform, &owner, owner.subscription_id, locale).await
}

/// Mails a link per merchant and mode to `email` when it has subscriptions there, and does
/// nothing otherwise: the caller answers the same either way. Rate-limited per address and
/// per client. The mails are in `locale`, the language of the page that asked.
pub async fn request(
    platform: &Platform,
    email: &str,
    locale: Locale,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let email = crate::payments::buyer_email("email", email)?;
    for (bucket, key) in [
        ("portal_request_email", rate_limit::account_key(&email)),
        ("portal_request_client", rate_limit::client_key(facts)),
    ] {
        if rate_limit::hit(&platform.pool, limit(bucket), &key).await? != Decision::Allowed {
            return Ok(());
        }
    }
    let latest: Vec<(Uuid, Mode, String, Uuid)> = sqlx::query_as(
        "SELECT DISTINCT ON (s.merchant_id, s.mode) s.merchant_id, s.mode, m.business_name, s.id
         FROM subscriptions s JOIN payments f ON f.id = s.first_payment_id JOIN merchants m ON m.id = s.merchant_id
         WHERE lower(f.buyer_email) = $1
         ORDER BY s.merchant_id, s.mode, s.created_at DESC",
    )
    .bind(&email)
    .fetch_all(&platform.pool)
    .await?;
    for (merchant_id, mode, merchant_name, subscription_id) in latest {
        let owner = Owner {
            merchant_id,
            mode,
            merchant_name,
            email: email.clone(),
            subscription_id,
        };
        mail_link(platform, &owner, subscription_id, locale).await?;
    }
    Ok(())
}

/// Deletes links expired longer than [`KEEP_EXPIRED_DAYS`] ago.
pub async fn delete_stale(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query(
        "DELETE FROM subscription_portal_links WHERE expires_at < now() - make_interval(days => $1)",
    )
    .bind(i32::try_from(KEEP_EXPIRED_DAYS).unwrap_or(90))
    .execute(pool)
    .await?
    .rows_affected();
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_tokens_shape_is_looked_up() {
        assert!(plausible(&format!("sp_{}", "a".repeat(32))));
        assert!(!plausible(&format!("sp_{}", "a".repeat(31))));
        assert!(!plausible(&format!("cs_{}", "a".repeat(32))));
        assert!(!plausible(&format!("sp_{}!", "a".repeat(31))));
    }
}
