//! The buyer's receipt email, queued in the same transaction that marks a payment paid,
//! so a paid payment always has its receipt on the way and a rolled-back one never does.

use domain::Money;
use i18n::Locale;
use sqlx::PgConnection;

use super::sessions::Item;
use super::{Mode, PaymentError, sessions};
use crate::mail;
use crate::{Platform, buyer_mails};

/// What a receipt shows, read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub order_id: String,
    pub merchant_name: String,
    pub buyer_email: Option<String>,
    pub items: Vec<Item>,
    pub amount: payten::Money,
    pub masked_pan: Option<String>,
    pub card_brand: Option<String>,
    pub auth_code: Option<String>,
    pub paid_at: time::OffsetDateTime,
    pub mode: Mode,
    /// The language the buyer paid in, which their mails are written in.
    pub buyer_locale: Locale,
}

impl Receipt {
    /// Brand and masked number, or the masked number alone; `None` when the gateway told
    /// neither.
    pub fn described_card(&self) -> Option<String> {
        match (&self.card_brand, &self.masked_pan) {
            (Some(brand), Some(pan)) => Some(format!("{brand} {pan}")),
            (None, Some(pan)) => Some(pan.clone()),
            _ => None,
        }
    }
}

/// The receipt of a paid payment, by order id; `None` for an order that is not paid.
pub async fn load(
    conn: &mut PgConnection,
    order_id: &str,
) -> Result<Option<Receipt>, PaymentError> {
    type Row = (
        domain::CheckoutId,
        String,
        String,
        Option<String>,
        i64,
        domain::Currency,
        Option<String>,
        Option<String>,
        Option<String>,
        time::OffsetDateTime,
        Mode,
        Locale,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT p.session_id, p.order_id, m.business_name, p.buyer_email, p.amount_minor, p.currency::text,
                p.masked_pan, p.card_brand, p.auth_code, p.paid_at, p.mode, p.buyer_locale
         FROM payments p JOIN merchants m ON m.id = p.merchant_id
         WHERE p.order_id = $1 AND p.paid_at IS NOT NULL",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((
        session_id,
        order_id,
        merchant_name,
        buyer_email,
        minor,
        currency,
        masked_pan,
        card_brand,
        auth_code,
        paid_at,
        mode,
        buyer_locale,
    )) = row
    else {
        return Ok(None);
    };
    let items = sessions::items(&mut *conn, session_id).await?;
    Ok(Some(Receipt {
        order_id,
        merchant_name,
        buyer_email,
        items,
        amount: domain::Money::new(minor, currency),
        masked_pan,
        card_brand,
        auth_code,
        paid_at,
        mode,
        buyer_locale,
    }))
}

/// Minor units of `currency` as the receipt prints them: `12.50 EUR`. Only for amounts
/// still kept as minor units beside a currency code (the chargeback mails); the payments
/// carry [`Money`], which prints itself.
pub fn format_amount(minor: i64, currency: &str) -> String {
    match payten::Currency::from_alpha(currency) {
        Some(currency) => payten::Money::new(minor, currency).to_string(),
        _ => format!("{minor} (minor units) {currency}"),
    }
}

/// Queues the receipt of a payment just marked paid, when the buyer gave an address.
pub(crate) async fn enqueue(
    conn: &mut PgConnection,
    platform: &Platform,
    order_id: &str,
) -> Result<(), PaymentError> {
    let Some(receipt) = load(conn, order_id).await? else {
        return Ok(());
    };
    if let Some(to) = &receipt.buyer_email {
        // An installment's receipt opens the buyer's subscriptions with the merchant.
        let portal = crate::subscriptions::portal::for_receipt(conn, platform, order_id).await?;
        let mail = buyer_mails::receipt(&platform.config.settings, &receipt, to, portal.as_deref());
        mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    }
    Ok(())
}

/// Queues the buyer's notice of a refund the gateway made, in the transaction that
/// records it.
pub(crate) async fn enqueue_refund(
    conn: &mut PgConnection,
    platform: &Platform,
    order_id: &str,
    refund: Money,
) -> Result<(), PaymentError> {
    let Some(receipt) = load(conn, order_id).await? else {
        return Ok(());
    };
    let Some(to) = receipt.buyer_email.clone() else {
        return Ok(());
    };
    let mail = buyer_mails::refund(&platform.config.settings, &receipt, &to, refund);
    mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    Ok(())
}
