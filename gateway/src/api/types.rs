//! Typed answers of the CC5 XML API.

use crate::codes::{ErrorCode, ProcReturnCode, ResponseStatus, TransStat};
use crate::money::Currency;
use crate::pan::MaskedPan;

/// An approved Credit, Void or PostAuth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinancialResponse {
    pub order_id: String,
    pub group_id: Option<String>,
    pub auth_code: Option<String>,
    pub host_ref_num: Option<String>,
    pub trans_id: Option<String>,
    pub settle_id: Option<String>,
    /// `Extra/TRXDATE` as sent.
    pub trx_date: Option<String>,
}

/// What the gateway said when it refused an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decline {
    pub response: Option<ResponseStatus>,
    pub proc_return_code: Option<ProcReturnCode>,
    pub err_msg: Option<String>,
    /// `Extra/ERRORCODE`, e.g. `CORE-2008` or `215021`.
    pub error_code: Option<ErrorCode>,
}

/// `CHARGE_TYPE_CD` / the type column of order history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeType {
    /// `S`
    Sale,
    /// `C`
    Credit,
    /// Anything else, as received.
    Other(String),
}

impl ChargeType {
    pub fn parse(s: &str) -> ChargeType {
        match s {
            "S" => ChargeType::Sale,
            "C" => ChargeType::Credit,
            other => ChargeType::Other(other.to_owned()),
        }
    }
}

/// Answer to an order-status query. Amounts are minor units of the order's
/// currency, which the answer names in `Extra/CURRENCY` (ISO 4217 numeric) when the
/// gateway sends it (unconfirmed for BKT Kosovo; the sandbox does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderStatus {
    pub order_id: String,
    pub currency: Option<Currency>,
    pub charge_type: Option<ChargeType>,
    pub original_amount_minor: Option<u64>,
    pub captured_amount_minor: Option<u64>,
    pub status: TransStat,
    pub auth_code: Option<String>,
    pub host_ref_num: Option<String>,
    pub masked_pan: Option<MaskedPan>,
    pub proc_return_code: Option<ProcReturnCode>,
    pub auth_time: Option<String>,
    pub capture_time: Option<String>,
    pub void_time: Option<String>,
}

/// One `TRXn` line of an order history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub charge_type: ChargeType,
    pub status: TransStat,
    pub original_amount_minor: u64,
    pub captured_amount_minor: u64,
    pub auth_time: Option<String>,
    pub capture_time: Option<String>,
    pub void_time: Option<String>,
    pub host_ref_num: Option<String>,
    pub auth_code: Option<String>,
    pub proc_return_code: Option<ProcReturnCode>,
    pub trans_id: Option<String>,
}

/// Answer to an order-history query, oldest transaction first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderHistory {
    pub order_id: String,
    /// The order's currency (`Extra/CURRENCY`), when the gateway names it.
    pub currency: Option<Currency>,
    pub transactions: Vec<HistoryEntry>,
}

impl OrderHistory {
    /// Sum of refunds that still stand (credits neither voided nor declined).
    pub fn refunded_minor(&self) -> u64 {
        self.transactions
            .iter()
            .filter(|t| {
                t.charge_type == ChargeType::Credit
                    && !matches!(t.status, TransStat::Voided | TransStat::Declined)
            })
            .map(|t| t.captured_amount_minor)
            .sum()
    }
}

/// One installment of a recurring series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installment {
    /// 1 for the first payment, then 2, 3, ...
    pub number: u32,
    /// `<oid>` for the first payment, `<oid>-N` after.
    pub order_id: String,
    pub status: TransStat,
    pub captured_amount_minor: u64,
    /// `PLANNED_START_DTTM_n` as sent.
    pub planned_start: Option<String>,
}

/// Answer to a recurring-series status query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurringStatus {
    pub recurring_id: String,
    /// `RECURRINGCOUNT`: installments in the series.
    pub count: u32,
    pub installments: Vec<Installment>,
}
