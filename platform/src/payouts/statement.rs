//! A payout's statement for the merchant: what the payout covers, read from the ledger
//! lines of the merchant's available account since its previous payout (releases of sold
//! payments with their gross, fee, VAT and net, refunds, chargebacks, adjustments, returned
//! payouts), after the opening balance; they add up to the amount paid, because the payout
//! took the whole available balance. Printable HTML and CSV, with Saleonix's
//! merchant-of-record details. Members of the merchant and staff read it (audited).

use domain::{Currency, MerchantId, Money, PayoutStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use super::PayoutError;
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::config::MerchantOfRecord;
use crate::ledger::EntryKind;

/// Who reads: a member (the query is scoped to their merchant) or staff.
#[derive(Debug, Clone, Copy)]
pub enum Reader {
    Member {
        user_id: Uuid,
        merchant_id: MerchantId,
    },
    Staff {
        user_id: Uuid,
    },
}

/// One ledger line on the available account, as the merchant reads it (positive: money in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub posted_at: OffsetDateTime,
    pub kind: EntryKind,
    /// The payment's order id, or the entry's memo.
    pub reference: Option<String>,
    /// For a released sale: what the buyer paid, Saleonix's fee and the VAT on it.
    pub gross: Option<Money>,
    pub fee: Option<Money>,
    pub vat: Option<Money>,
    pub amount: Money,
}

impl Item {
    pub fn label(&self) -> &'static str {
        match self.kind {
            EntryKind::Release => "Sale released",
            EntryKind::PaymentRefund => "Refund",
            EntryKind::PaymentReversal => "Payment reversed",
            EntryKind::DuplicateCapture | EntryKind::DuplicateReturn => "Duplicate charge",
            EntryKind::Chargeback => "Chargeback",
            EntryKind::ChargebackReversal => "Chargeback reversed",
            EntryKind::Adjustment => "Adjustment",
            EntryKind::PayoutReturned => "Payout returned by the bank",
            EntryKind::PayoutCreated | EntryKind::PayoutSent | EntryKind::PayoutPaid => "Payout",
            EntryKind::PaymentPaid => "Sale",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub payout_id: Uuid,
    pub end_to_end_id: String,
    pub merchant_name: String,
    pub holder_name: String,
    pub iban_masked: String,
    pub amount: Money,
    pub status: PayoutStatus,
    pub created_at: OffsetDateTime,
    /// The available balance before the first item (what an earlier payout left).
    pub opening: Money,
    pub items: Vec<Item>,
    pub merchant_of_record: MerchantOfRecord,
}

fn day(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    )
}

fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

impl Statement {
    /// Opening balance plus every item: equal to the payout's amount (`None` only for a
    /// sum past the range of an amount).
    pub fn total(&self) -> Option<Money> {
        self.items
            .iter()
            .try_fold(self.opening, |sum, item| sum.checked_add(item.amount))
    }

    pub fn file_stem(&self) -> String {
        format!("saleonix-payout-{}", self.end_to_end_id)
    }

    /// Date, type, reference, gross, fee, VAT, amount. The amounts are written as plain
    /// decimals (a refund's `-12.00` must stay a number, which the formula guard of
    /// `platform::csv` would quote); the text cells go through that guard.
    pub fn to_csv(&self) -> String {
        let decimal = |m: Money| m.to_decimal_string();
        let optional = |v: Option<Money>| v.map(decimal).unwrap_or_default();
        let row = |text: [String; 3], amounts: [String; 4]| {
            format!(
                "{},{}\r\n",
                crate::csv::line(&text).trim_end(),
                amounts.join(",")
            )
        };
        let mut csv = String::from("date,type,reference,gross,fee,vat,amount\r\n");
        csv.push_str(&row(
            [String::new(), "Opening balance".into(), String::new()],
            [
                String::new(),
                String::new(),
                String::new(),
                decimal(self.opening),
            ],
        ));
        for item in &self.items {
            csv.push_str(&row(
                [
                    day(item.posted_at),
                    item.label().into(),
                    item.reference.clone().unwrap_or_default(),
                ],
                [
                    optional(item.gross),
                    optional(item.fee),
                    optional(item.vat),
                    decimal(item.amount),
                ],
            ));
        }
        csv.push_str(&row(
            [
                day(self.created_at),
                "Paid out".into(),
                self.end_to_end_id.clone(),
            ],
            [
                String::new(),
                String::new(),
                String::new(),
                decimal(self.amount),
            ],
        ));
        csv
    }

    /// A page that prints as the statement (no scripts, no outside resources).
    pub fn to_html(&self) -> String {
        let m = |money: Money| html(&money.to_string());
        let optional = |v: Option<Money>| v.map(m).unwrap_or_default();
        let mor = &self.merchant_of_record;
        let mut rows = format!(
            "<tr><td></td><td>Opening balance</td><td></td><td></td><td></td><td></td><td class=\"n\">{}</td></tr>\n",
            m(self.opening)
        );
        for item in &self.items {
            rows.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                day(item.posted_at),
                item.label(),
                html(item.reference.as_deref().unwrap_or("")),
                optional(item.gross),
                optional(item.fee),
                optional(item.vat),
                m(item.amount),
            ));
        }
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Payout statement {e2e}</title>\
             <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%}}\
             td,th{{border-bottom:1px solid #ccc;padding:4px;text-align:left}}.n{{text-align:right}}</style></head><body>\n\
             <header><p><strong>{mor_name}</strong><br>{mor_address}<br>{mor_number}<br>{mor_email}</p>\
             <p>Saleonix is the merchant of record: buyers paid Saleonix, which pays the merchant what it sold, \
             less fees (with VAT on the fees) and refunds.</p></header>\n\
             <h1>Payout statement</h1>\n\
             <p>To <strong>{merchant}</strong>, account holder {holder}, {iban}<br>\
             Payout {e2e} of {date}: <strong>{amount}</strong> ({status})</p>\n\
             <table><thead><tr><th>Date</th><th>Type</th><th>Reference</th><th class=\"n\">Gross</th><th class=\"n\">Fee</th>\
             <th class=\"n\">VAT on fee</th><th class=\"n\">Amount</th></tr></thead><tbody>\n{rows}</tbody>\
             <tfoot><tr><th colspan=\"6\">Paid out</th><th class=\"n\">{amount}</th></tr></tfoot></table>\n</body></html>\n",
            e2e = html(&self.end_to_end_id),
            mor_name = html(&mor.name),
            mor_address = html(&mor.address),
            mor_number = html(&mor.business_number),
            mor_email = html(&mor.support_email),
            merchant = html(&self.merchant_name),
            holder = html(&self.holder_name),
            iban = html(&self.iban_masked),
            date = day(self.created_at),
            amount = m(self.amount),
            status = self.status.as_str(),
        )
    }
}

type Head = (
    MerchantId,
    String,
    String,
    String,
    String,
    Currency,
    i64,
    PayoutStatus,
    OffsetDateTime,
);
type ItemRow = (
    OffsetDateTime,
    EntryKind,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
);

/// The statement of `payout_id`, if `reader` may read it (another merchant's payout is
/// `NotFound`); audited as `payout.statement`.
#[tracing::instrument(skip(platform, facts))]
pub async fn read(
    platform: &Platform,
    reader: Reader,
    payout_id: Uuid,
    facts: &RequestFacts,
) -> Result<Statement, PayoutError> {
    let scope = match reader {
        Reader::Member { merchant_id, .. } => Some(merchant_id),
        Reader::Staff { .. } => None,
    };
    let mut tx = platform.pool.begin().await?;
    let head: Head = sqlx::query_as(
        "SELECT p.merchant_id, m.business_name, b.holder_name, b.iban_masked, p.end_to_end_id, p.currency::text,
                p.amount_minor, p.status, p.created_at
         FROM payouts p JOIN merchants m ON m.id = p.merchant_id JOIN bank_accounts b ON b.id = p.bank_account_id
         WHERE p.id = $1 AND ($2::uuid IS NULL OR p.merchant_id = $2)",
    )
    .bind(payout_id)
    .bind(scope)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(PayoutError::NotFound)?;
    let (
        merchant_id,
        merchant_name,
        holder_name,
        iban_masked,
        end_to_end_id,
        currency,
        amount_minor,
        status,
        created_at,
    ) = head;
    // This payout's line on the available account, and the previous payout's.
    let (account_id, line_id): (i64, i64) = sqlx::query_as(
        "SELECT l.account_id, l.id FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         JOIN ledger_accounts a ON a.id = l.account_id AND a.kind = 'merchant_available'
         WHERE e.cause = $1",
    )
    .bind(format!("payout:{payout_id}:created"))
    .fetch_one(&mut *tx)
    .await?;
    let previous: Option<(i64, i64)> = sqlx::query_as(
        "SELECT l.id, l.balance_after_minor FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         WHERE l.account_id = $1 AND l.id < $2 AND e.kind = 'payout_created' ORDER BY l.id DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(line_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (since, opening_stored) = previous.unwrap_or((0, 0));
    let rows: Vec<ItemRow> = sqlx::query_as(
        "SELECT e.posted_at, e.kind, p.order_id, e.memo, f.gross_minor, f.fee_minor, f.vat_minor, l.amount_minor
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
         LEFT JOIN payments p ON p.id = e.payment_id
         LEFT JOIN payment_fees f ON f.payment_id = e.payment_id AND e.kind = 'release'
         WHERE l.account_id = $1 AND l.id > $2 AND l.id < $3 ORDER BY l.id",
    )
    .bind(account_id)
    .bind(since)
    .bind(line_id)
    .fetch_all(&mut *tx)
    .await?;
    let items = rows
        .into_iter()
        .map(
            |(posted_at, kind, order_id, memo, gross, fee, vat, amount): ItemRow| Item {
                posted_at,
                kind,
                reference: order_id.or(memo),
                gross: gross.map(|m| Money::new(m, currency)),
                fee: fee.map(|m| Money::new(m, currency)),
                vat: vat.map(|m| Money::new(m, currency)),
                // The available account is credit-normal: a credit is money in.
                amount: Money::new(amount.saturating_neg(), currency),
            },
        )
        .collect();
    let (kind, user_id) = match reader {
        Reader::Member { user_id, .. } => (ActorKind::User, user_id),
        Reader::Staff { user_id } => (ActorKind::Staff, user_id),
    };
    let event = Event::new(
        "payout.statement",
        Actor {
            kind,
            id: Some(user_id),
        },
        Outcome::Success,
    )
    .merchant(merchant_id)
    .target("payout", payout_id.to_string());
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(Statement {
        payout_id,
        end_to_end_id,
        merchant_name,
        holder_name,
        iban_masked,
        amount: Money::new(amount_minor, currency),
        status,
        created_at,
        opening: Money::new(opening_stored.saturating_neg(), currency),
        items,
        merchant_of_record: platform.config.settings.merchant_of_record.clone(),
    })
}
