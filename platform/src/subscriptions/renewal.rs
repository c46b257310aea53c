//! Renewing a plan that runs until cancelled. The gateway's series holds at most 121
//! payments and cannot be extended, and a new series needs the buyer at the hosted page
//! (the gateway keeps the card, Saleonix never does). So when a series has charged its
//! last payment, the platform opens a renewal checkout for the same plan and mails its
//! link to the buyer: the same terms, the consent box ticked again, and the first payment
//! of the next series paid there. That payment starts a new subscription naming the one it
//! renews; nothing is charged unless the buyer agrees. The checkout stays open until the
//! next payment would have fallen due, and at least [`MIN_OPEN`].
//!
//! No renewal is offered for a subscription that ended by cancelling, by dunning, or at
//! its period's end at the merchant's wish.

use domain::MerchantId;
use i18n::Locale;
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::signup::system;
use super::{StoredTerms, Terms, terms_columns};
use crate::Platform;
use crate::audit::{self, Event, Outcome, RequestFacts};
use crate::buyer_mails::{self, Buyer, RenewalOffer};
use crate::mail;
use crate::payments::sessions::{self, Renewal};
use crate::payments::{Mode, PaymentError};

/// The shortest time a buyer is given to renew.
pub const MIN_OPEN: Duration = Duration::days(7);

#[derive(sqlx::FromRow)]
struct Ended {
    merchant_id: Uuid,
    mode: Mode,
    plan_id: Uuid,
    product_id: Option<Uuid>,
    plan_name: String,
    merchant_name: String,
    buyer_email: Option<String>,
    /// The language of the series' first payment.
    buyer_locale: Locale,
    #[sqlx(flatten)]
    terms: StoredTerms,
    /// When the series started: its first payment, confirmed.
    started_at: OffsetDateTime,
}

/// Called when subscription `id` has just ended with every payment of its series paid or
/// charged: for a plan that runs until cancelled, opens the renewal checkout and mails it
/// to the buyer, audited as `subscription.renewal_offer`. Anything else, or a renewal
/// already offered, is left alone.
pub(crate) async fn offer(
    conn: &mut PgConnection,
    platform: &Platform,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<(), PaymentError> {
    let ended: Option<Ended> = sqlx::query_as(&format!(
        "SELECT s.merchant_id, s.mode, s.plan_id, p.product_id, p.name AS plan_name,
                m.business_name AS merchant_name, f.buyer_email, f.buyer_locale, {terms}, s.created_at AS started_at
         FROM subscriptions s JOIN subscription_plans p ON p.id = s.plan_id
              JOIN payments f ON f.id = s.first_payment_id JOIN merchants m ON m.id = s.merchant_id
         WHERE s.id = $1 AND s.status = 'ended' AND s.until_cancelled AND s.cancel_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM checkout_sessions r WHERE r.renews_id = s.id)",
        terms = terms_columns("s"),
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(ended) = ended else {
        return Ok(());
    };
    let terms = Terms::stored(&ended.terms);
    // The day the series' next payment would have fallen due, had it gone on.
    let due = terms.planned(ended.started_at, terms.installments.saturating_add(1));
    let expires_at = due.max(now + MIN_OPEN);
    let renewal = Renewal {
        renews: id,
        plan_id: ended.plan_id,
        product_id: ended.product_id,
        name: ended.plan_name.clone(),
        amount: terms.amount,
        buyer_email: ended.buyer_email.clone(),
        expires_at,
    };
    let merchant_id = MerchantId::from_uuid(ended.merchant_id);
    let (session_id, token) =
        sessions::open_for_renewal(conn, merchant_id, ended.mode, renewal).await?;
    let event = Event::new("subscription.renewal_offer", system(), Outcome::Success)
        .merchant(ended.merchant_id)
        .target("subscription", id.to_string())
        .detail(serde_json::json!({
            "checkout_session": session_id, "expires_at": expires_at.unix_timestamp(),
            "mailed": ended.buyer_email.is_some(),
        }));
    audit::record(conn, &event, &RequestFacts::default()).await?;
    mail_buyer(conn, platform, id, &ended, &token, expires_at).await
}

/// Mails the renewal checkout's link to the buyer, with the portal's.
async fn mail_buyer(
    conn: &mut PgConnection,
    platform: &Platform,
    id: Uuid,
    ended: &Ended,
    token: &str,
    expires_at: OffsetDateTime,
) -> Result<(), PaymentError> {
    let Some(to) = &ended.buyer_email else {
        return Ok(());
    };
    let terms = Terms::stored(&ended.terms);
    let portal = super::portal::issue(conn, platform, id).await?;
    let buyer = Buyer {
        to,
        locale: ended.buyer_locale,
        mode: ended.mode,
    };
    let mail = buyer_mails::renewal_offer(
        &platform.config.settings,
        buyer,
        &RenewalOffer {
            merchant: &ended.merchant_name,
            plan: &ended.plan_name,
            terms: &terms,
            pay_token: token,
            by: expires_at,
            portal_url: &portal,
        },
    );
    mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    Ok(())
}
