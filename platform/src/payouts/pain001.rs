//! The approved batch as an ISO 20022 `pain.001.001.03` customer credit transfer
//! initiation: the file staff upload to the platform's bank. One payment information block
//! (the debtor is Saleonix's payout account, from `settings.payouts`), one transfer per
//! payout with its end-to-end id; the group header's and the block's count and control sum
//! are computed from the same transfers, so they always match. Amounts are written from
//! minor units as decimals without floats; every text is XML-escaped and cut to the
//! schema's 140 characters. The test suite validates a file against the official XSD.

use domain::{BatchStatus, Currency, Money};
use secrecy::ExposeSecret;
use time::OffsetDateTime;
use uuid::Uuid;

use super::PayoutError;
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::config::PayoutSettings;
use crate::identity::roles::{Level, Module, StaffScope};
use crate::kyc::bank_account;

/// One credit transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub end_to_end_id: String,
    pub amount: Money,
    pub creditor_name: String,
    pub creditor_iban: String,
    /// What the merchant's bank statement shows.
    pub remittance: String,
}

#[derive(Debug, Clone)]
pub struct CreditTransfer<'a> {
    /// MsgId and PmtInfId: at most 35 characters.
    pub message_id: String,
    pub created_at: OffsetDateTime,
    pub execution_date: time::Date,
    pub debtor: &'a PayoutSettings,
    pub currency: Currency,
    pub transfers: Vec<Transfer>,
}

/// Escapes the five XML specials and drops control characters the format cannot carry,
/// after cutting to `max` characters.
fn text(value: &str, max: usize) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().filter(|c| !c.is_control()).take(max) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

impl CreditTransfer<'_> {
    pub fn count(&self) -> usize {
        self.transfers.len()
    }

    /// The sum of the transfers, or `None` when one is in another currency than the file's
    /// or the sum overflows: such a file must not be made.
    pub fn control_sum(&self) -> Option<Money> {
        self.transfers
            .iter()
            .try_fold(Money::zero(self.currency), |sum, t| {
                sum.checked_add(t.amount)
            })
    }

    /// The XML, or `None` when the transfers have no control sum ([`Self::control_sum`]).
    pub fn to_xml(&self) -> Option<String> {
        let sum = self.control_sum()?.to_decimal_string();
        let created = self.created_at.to_offset(time::UtcOffset::UTC);
        let created = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            created.year(),
            u8::from(created.month()),
            created.day(),
            created.hour(),
            created.minute(),
            created.second()
        );
        let execution = format!(
            "{:04}-{:02}-{:02}",
            self.execution_date.year(),
            u8::from(self.execution_date.month()),
            self.execution_date.day()
        );
        let count = self.count();
        let id = text(&self.message_id, 35);
        let debtor = text(&self.debtor.debtor_name, 140);
        let currency = self.currency.alpha();
        let mut xml = String::new();
        xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.push_str("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">\n<CstmrCdtTrfInitn>\n");
        xml.push_str(&format!(
            "<GrpHdr><MsgId>{id}</MsgId><CreDtTm>{created}</CreDtTm><NbOfTxs>{count}</NbOfTxs><CtrlSum>{sum}</CtrlSum>\
             <InitgPty><Nm>{debtor}</Nm></InitgPty></GrpHdr>\n"
        ));
        xml.push_str(&format!(
            "<PmtInf><PmtInfId>{id}</PmtInfId><PmtMtd>TRF</PmtMtd><BtchBookg>false</BtchBookg>\
             <NbOfTxs>{count}</NbOfTxs><CtrlSum>{sum}</CtrlSum><ReqdExctnDt>{execution}</ReqdExctnDt>\
             <Dbtr><Nm>{debtor}</Nm></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>\
             <DbtrAgt><FinInstnId><BIC>{bic}</BIC></FinInstnId></DbtrAgt>\n",
            iban = text(&self.debtor.debtor_iban, 34),
            bic = text(&self.debtor.debtor_bic, 11),
        ));
        for transfer in &self.transfers {
            xml.push_str(&format!(
                "<CdtTrfTxInf><PmtId><EndToEndId>{e2e}</EndToEndId></PmtId>\
                 <Amt><InstdAmt Ccy=\"{currency}\">{amount}</InstdAmt></Amt>\
                 <Cdtr><Nm>{name}</Nm></Cdtr><CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct>\
                 <RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></CdtTrfTxInf>\n",
                e2e = text(&transfer.end_to_end_id, 35),
                amount = transfer.amount.to_decimal_string(),
                name = text(&transfer.creditor_name, 140),
                iban = text(&transfer.creditor_iban, 34),
                remittance = text(&transfer.remittance, 140),
            ));
        }
        xml.push_str("</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n");
        Some(xml)
    }
}

/// The file of an approved (or sent) batch for staff holding payouts `act`, with its file
/// name; audited as `payout_batch.file`. A payout whose stored IBAN does not decrypt stops the file: a
/// transfer must never go to a guessed account.
#[tracing::instrument(skip(platform, staff, facts))]
pub async fn batch_file(
    platform: &Platform,
    batch_id: Uuid,
    staff: &StaffScope,
    facts: &RequestFacts,
) -> Result<(String, String), PayoutError> {
    staff.holds(Module::Payouts, Level::Act)?;
    let mut tx = platform.pool.begin().await?;
    let (status, currency, created_at): (BatchStatus, Currency, OffsetDateTime) = sqlx::query_as(
        "SELECT status, currency::text, created_at FROM payout_batches WHERE id = $1",
    )
    .bind(batch_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(PayoutError::NotFound)?;
    if status == BatchStatus::Created {
        return Err(PayoutError::NotAllowed(
            "The batch needs approval before its file can be made.",
        ));
    }
    let rows: Vec<(String, i64, Uuid, String, Vec<u8>, OffsetDateTime)> = sqlx::query_as(
        "SELECT p.end_to_end_id, p.amount_minor, b.id, b.holder_name, b.iban_enc, p.created_at
         FROM payouts p JOIN bank_accounts b ON b.id = p.bank_account_id
         WHERE p.batch_id = $1 ORDER BY p.end_to_end_id",
    )
    .bind(batch_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut transfers = Vec::with_capacity(rows.len());
    for (end_to_end_id, amount_minor, account_id, holder_name, sealed, created) in rows {
        let keys = &platform.config.secrets.field_keys;
        let plain = keys
            .decrypt(bank_account::slot(&account_id.to_string()), &sealed)
            .map_err(|error| {
                tracing::error!(%error, account = %account_id, "a stored IBAN does not decrypt");
                PayoutError::NotAllowed(
                    "A merchant's stored IBAN cannot be read; the file was not made.",
                )
            })?;
        let iban = String::from_utf8(plain.expose_secret().clone()).map_err(|_| {
            PayoutError::NotAllowed(
                "A merchant's stored IBAN cannot be read; the file was not made.",
            )
        })?;
        let date = created.date();
        let remittance = format!("Saleonix payout {end_to_end_id} of {date}");
        transfers.push(Transfer {
            end_to_end_id,
            amount: Money::new(amount_minor, currency),
            creditor_name: holder_name,
            creditor_iban: iban,
            remittance,
        });
    }
    let message_id = format!("SXB{}", batch_id.simple()).to_uppercase();
    let today = crate::ledger::today(&mut tx).await?;
    let file = CreditTransfer {
        message_id: message_id.clone(),
        created_at,
        execution_date: today,
        debtor: &platform.config.settings.payouts,
        currency,
        transfers,
    };
    let (Some(sum), Some(xml)) = (file.control_sum(), file.to_xml()) else {
        return Err(PayoutError::NotAllowed(
            "The batch's transfers do not add up to one sum; the file was not made.",
        ));
    };
    let event = Event::new(
        "payout_batch.file",
        Actor {
            kind: ActorKind::Staff,
            id: Some(staff.user_id()),
        },
        Outcome::Success,
    )
    .target("payout_batch", batch_id.to_string())
    .detail(serde_json::json!({ "transfers": file.count(), "control_sum_minor": sum.minor() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok((format!("{message_id}.xml"), xml))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_cut() {
        assert_eq!(
            text("A & B <C> \"D\" 'E'", 140),
            "A &amp; B &lt;C&gt; &quot;D&quot; &apos;E&apos;"
        );
        assert_eq!(text("abc\u{7}def", 4), "abcd");
        assert_eq!(text(&"ë".repeat(200), 140).chars().count(), 140);
    }
}
