//! The buyer's receipt email, queued in the same transaction that marks a payment paid,
//! so a paid payment always has its receipt on the way and a rolled-back one never does.

use domain::Money;
use sqlx::PgConnection;

use super::sessions::Item;
use super::{Mode, PaymentError, sessions};
use crate::Platform;
use crate::config::Settings;
use crate::mail::{self, OutgoingMail};

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
}

impl Receipt {
    /// The card as the gateway described it: brand and masked number, as far as known.
    pub fn card(&self) -> String {
        self.described_card().unwrap_or_else(|| "Card".into())
    }

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
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT p.session_id, p.order_id, m.business_name, p.buyer_email, p.amount_minor, p.currency::text,
                p.masked_pan, p.card_brand, p.auth_code, p.paid_at, p.mode
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

pub fn mail_for(settings: &Settings, receipt: &Receipt, to: &str) -> OutgoingMail {
    let mor = &settings.merchant_of_record;
    let lines: String = receipt
        .items
        .iter()
        .map(|i| {
            // A checkout's lines were held to its limits when it was made, so a line's
            // amount always fits; one that did not would print its unit price.
            let total = i.amount().unwrap_or(i.unit_amount);
            format!("  {} x {}  {total}\n", i.quantity, i.name)
        })
        .collect();
    let card = receipt.card();
    let test = if receipt.mode == Mode::Test {
        "TEST MODE: no money was moved.\n\n"
    } else {
        ""
    };
    let paid_at = receipt
        .paid_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("Your receipt from {} via Saleonix", receipt.merchant_name),
        body: format!(
            "{test}Thank you for your payment to {merchant}.\n\n{lines}\n  Total paid: {total}\n\n\
             Paid with: {card}\nOrder: {order}\nAuthorisation: {auth}\nDate: {paid_at}\n\n\
             Saleonix is the merchant of record for this purchase:\n{name}, {address}, {number}.\n\
             Questions about this payment: {support}\n\nView this receipt: {origin}/pay/receipt/{order}\n",
            merchant = receipt.merchant_name,
            total = receipt.amount,
            order = receipt.order_id,
            auth = receipt.auth_code.as_deref().unwrap_or("-"),
            name = mor.name,
            address = mor.address,
            number = mor.business_number,
            support = mor.support_email,
            origin = settings.public_origin(),
        )
        .into(),
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
    if let Some(to) = receipt.buyer_email.clone() {
        let mut mail = mail_for(&platform.config.settings, &receipt, &to);
        // An installment's receipt opens the buyer's subscriptions with the merchant.
        if let Some(url) =
            crate::subscriptions::portal::for_receipt(conn, platform, order_id).await?
        {
            use secrecy::ExposeSecret as _;
            mail.body = format!(
                "{}\nYour subscription: see its payments and receipts, or cancel it: {url}\n(The link works for {} days; a fresh one can be asked for on its page.)\n",
                mail.body.expose_secret(),
                crate::subscriptions::portal::LINK_DAYS,
            )
            .into();
        }
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
    let settings = &platform.config.settings;
    let test = if receipt.mode == Mode::Test {
        "TEST MODE: no money was moved.\n\n"
    } else {
        ""
    };
    let mail = OutgoingMail {
        to,
        subject: format!("Your refund from {} via Saleonix", receipt.merchant_name),
        body: format!(
            "{test}{merchant} has refunded {refund} of your payment of {total} (order {order}) to {card}.\n\n\
             Banks usually show a refund within 5 to 10 business days.\n\n\
             Questions about this refund: {support}\n\nView the receipt: {origin}/pay/receipt/{order}\n",
            merchant = receipt.merchant_name,
            total = receipt.amount,
            order = receipt.order_id,
            card = receipt.card(),
            support = settings.merchant_of_record.support_email,
            origin = settings.public_origin(),
        )
        .into(),
    };
    mail::enqueue(conn, &platform.config.secrets.field_keys, &mail).await?;
    Ok(())
}
