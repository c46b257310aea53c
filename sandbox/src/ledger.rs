//! The gateway's own ledger: orders, their transactions and recurring series,
//! kept in memory only (lost on restart, cleared by `/sandbox/reset`). It is
//! separate from the platform's database, as Payten's is.
//!
//! It holds masked PANs only; no card number or CVV is ever stored.

use std::collections::BTreeMap;

use payten::{Currency, FrequencyUnit, MaskedPan, TranType};
use rand::Rng as _;
use time::{Duration, OffsetDateTime};

use crate::clock::add_months;

/// Kinds of transaction on an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnKind {
    Sale,
    PreAuth,
    PostAuth,
    Credit,
}

impl TxnKind {
    /// The type column of order history.
    pub fn code(self) -> &'static str {
        match self {
            TxnKind::Sale => "S",
            TxnKind::PreAuth => "PA",
            TxnKind::PostAuth => "PS",
            TxnKind::Credit => "C",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Txn {
    pub kind: TxnKind,
    pub approved: bool,
    pub amount_minor: u64,
    pub at: OffsetDateTime,
    pub voided_at: Option<OffsetDateTime>,
    pub auth_code: String,
    pub host_ref_num: String,
    pub trans_id: String,
    pub proc_return_code: String,
}

impl Txn {
    /// `TRANS_STAT` of this transaction.
    pub fn stat(&self) -> &'static str {
        match (self.approved, self.voided_at.is_some(), self.kind) {
            (false, _, _) => "D",
            (true, true, _) => "V",
            (true, false, TxnKind::Sale) => "S",
            (true, false, TxnKind::PreAuth) => "A",
            (true, false, TxnKind::PostAuth | TxnKind::Credit) => "C",
        }
    }

    fn live(&self) -> bool {
        self.approved && self.voided_at.is_none()
    }

    /// Settled at the end of the sandbox day it happened on.
    pub fn settled(&self, now: OffsetDateTime) -> bool {
        now.date() > self.at.date()
    }
}

#[derive(Debug, Clone)]
pub struct Order {
    pub client_id: String,
    pub oid: String,
    pub currency: Currency,
    pub masked_pan: MaskedPan,
    pub brand: &'static str,
    /// The first transaction is the sale or pre-authorisation.
    pub transactions: Vec<Txn>,
}

impl Order {
    pub fn main(&self) -> &Txn {
        &self.transactions[0]
    }

    /// What was charged: the live sale, or the live capture of a pre-authorisation.
    pub fn captured_minor(&self) -> u64 {
        self.transactions
            .iter()
            .filter(|t| t.live() && matches!(t.kind, TxnKind::Sale | TxnKind::PostAuth))
            .map(|t| t.amount_minor)
            .sum()
    }

    pub fn refunded_minor(&self) -> u64 {
        self.transactions
            .iter()
            .filter(|t| t.live() && t.kind == TxnKind::Credit)
            .map(|t| t.amount_minor)
            .sum()
    }

    /// `TRANS_STAT` of the order as a whole.
    pub fn stat(&self) -> &'static str {
        let main = self.main();
        if main.kind == TxnKind::PreAuth && main.live() && self.captured_minor() > 0 {
            "C"
        } else {
            main.stat()
        }
    }
}

/// Why the ledger refused an operation; the API maps these to CC5 errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerError {
    NotFound,
    /// `CORE-2008`
    NothingVoidable,
    /// `215021`
    RefundExceedsRemaining,
    RefundBeforeSettlement,
    NotEligible(&'static str),
}

/// A recurring series the gateway runs on its own.
#[derive(Debug, Clone)]
pub struct Series {
    pub id: String,
    pub client_id: String,
    pub first_oid: String,
    pub amount_minor: u64,
    pub payments: u16,
    pub unit: FrequencyUnit,
    pub frequency: u16,
    pub start: OffsetDateTime,
    pub charged: u16,
    pub cancelled: bool,
    /// Installments the card's bank will decline when they come due (set by tests).
    pub declines: std::collections::BTreeSet<u16>,
}

impl Series {
    pub fn installment_oid(&self, n: u16) -> String {
        if n == 1 {
            self.first_oid.clone()
        } else {
            format!("{}-{n}", self.first_oid)
        }
    }

    pub fn planned(&self, n: u16) -> OffsetDateTime {
        let steps = u32::from(n.saturating_sub(1)) * u32::from(self.frequency);
        match self.unit {
            FrequencyUnit::Day => self.start + Duration::days(i64::from(steps)),
            FrequencyUnit::Week => self.start + Duration::weeks(i64::from(steps)),
            FrequencyUnit::Month => add_months(self.start, steps),
            FrequencyUnit::Year => add_months(self.start, steps * 12),
        }
    }
}

/// Facts of a finished hosted-page payment, to record.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub client_id: String,
    pub oid: String,
    pub tran_type: TranType,
    pub amount_minor: u64,
    pub currency: Currency,
    pub masked_pan: MaskedPan,
    pub brand: &'static str,
    pub approved: bool,
    pub proc_return_code: String,
    pub auth_code: String,
    pub host_ref_num: String,
    pub trans_id: String,
}

/// The recurring schedule of a new payment.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub payments: u16,
    pub unit: FrequencyUnit,
    pub frequency: u16,
}

#[derive(Debug, Default)]
pub struct Ledger {
    orders: BTreeMap<(String, String), Order>,
    series: BTreeMap<(String, String), Series>,
}

pub fn digits(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

pub fn trans_id() -> String {
    format!(
        "{}{}",
        digits(5),
        rand::thread_rng()
            .sample_iter(&rand::distributions::Alphanumeric)
            .take(9)
            .map(char::from)
            .collect::<String>()
    )
}

fn approved_txn(kind: TxnKind, amount_minor: u64, at: OffsetDateTime) -> Txn {
    Txn {
        kind,
        approved: true,
        amount_minor,
        at,
        voided_at: None,
        auth_code: digits(6),
        host_ref_num: digits(12),
        trans_id: trans_id(),
        proc_return_code: "00".into(),
    }
}

impl Ledger {
    pub fn clear(&mut self) {
        self.orders.clear();
        self.series.clear();
    }

    pub fn contains(&self, client_id: &str, oid: &str) -> bool {
        self.orders
            .contains_key(&(client_id.to_owned(), oid.to_owned()))
    }

    /// The order exists and none of its transactions was approved.
    pub fn declined_only(&self, client_id: &str, oid: &str) -> bool {
        self.order(client_id, oid)
            .is_some_and(|o| o.transactions.iter().all(|t| !t.approved))
    }

    pub fn order(&self, client_id: &str, oid: &str) -> Option<&Order> {
        self.orders.get(&(client_id.to_owned(), oid.to_owned()))
    }

    fn order_mut(&mut self, client_id: &str, oid: &str) -> Result<&mut Order, LedgerError> {
        self.orders
            .get_mut(&(client_id.to_owned(), oid.to_owned()))
            .ok_or(LedgerError::NotFound)
    }

    /// Records a hosted-page payment; returns the recurring id if it starts a series.
    pub fn record_payment(
        &mut self,
        p: NewPayment,
        schedule: Option<Schedule>,
        now: OffsetDateTime,
    ) -> Option<String> {
        let kind = match p.tran_type {
            TranType::Auth => TxnKind::Sale,
            TranType::PreAuth => TxnKind::PreAuth,
        };
        let txn = Txn {
            kind,
            approved: p.approved,
            amount_minor: p.amount_minor,
            at: now,
            voided_at: None,
            auth_code: p.auth_code,
            host_ref_num: p.host_ref_num,
            trans_id: p.trans_id,
            proc_return_code: p.proc_return_code,
        };
        let order = Order {
            client_id: p.client_id.clone(),
            oid: p.oid.clone(),
            currency: p.currency,
            masked_pan: p.masked_pan,
            brand: p.brand,
            transactions: vec![txn],
        };
        self.orders
            .insert((p.client_id.clone(), p.oid.clone()), order);
        let schedule = schedule.filter(|_| p.approved && kind == TxnKind::Sale)?;
        let id = digits(9);
        self.series.insert(
            (p.client_id.clone(), id.clone()),
            Series {
                id: id.clone(),
                client_id: p.client_id,
                first_oid: p.oid,
                amount_minor: p.amount_minor,
                payments: schedule.payments,
                unit: schedule.unit,
                frequency: schedule.frequency,
                start: now,
                charged: 1,
                cancelled: false,
                declines: std::collections::BTreeSet::new(),
            },
        );
        Some(id)
    }

    pub fn credit(
        &mut self,
        client_id: &str,
        oid: &str,
        amount_minor: u64,
        currency: Currency,
        refuse_same_day: bool,
        now: OffsetDateTime,
    ) -> Result<Txn, LedgerError> {
        let order = self.order_mut(client_id, oid)?;
        if order.currency != currency {
            return Err(LedgerError::NotEligible(
                "currency differs from the order's",
            ));
        }
        let captured = order.captured_minor();
        if captured == 0 {
            return Err(LedgerError::NotEligible("nothing captured on this order"));
        }
        if refuse_same_day
            && order.transactions.iter().any(|t| {
                t.live() && matches!(t.kind, TxnKind::Sale | TxnKind::PostAuth) && !t.settled(now)
            })
        {
            return Err(LedgerError::RefundBeforeSettlement);
        }
        let net = captured.saturating_sub(order.refunded_minor());
        if amount_minor > net {
            return Err(LedgerError::RefundExceedsRemaining);
        }
        let txn = approved_txn(TxnKind::Credit, amount_minor, now);
        order.transactions.push(txn.clone());
        Ok(txn)
    }

    /// Voids the latest live transaction not yet settled.
    pub fn void(
        &mut self,
        client_id: &str,
        oid: &str,
        now: OffsetDateTime,
    ) -> Result<Txn, LedgerError> {
        let order = self.order_mut(client_id, oid)?;
        let txn = order
            .transactions
            .iter_mut()
            .rev()
            .find(|t| t.live())
            .filter(|t| !t.settled(now))
            .ok_or(LedgerError::NothingVoidable)?;
        txn.voided_at = Some(now);
        Ok(txn.clone())
    }

    pub fn post_auth(
        &mut self,
        client_id: &str,
        oid: &str,
        amount_minor: u64,
        now: OffsetDateTime,
    ) -> Result<Txn, LedgerError> {
        let order = self.order_mut(client_id, oid)?;
        let main = order.main();
        if main.kind != TxnKind::PreAuth || !main.live() {
            return Err(LedgerError::NotEligible("not an open pre-authorisation"));
        }
        if order.captured_minor() > 0 {
            return Err(LedgerError::NotEligible("already captured"));
        }
        if amount_minor > main.amount_minor {
            return Err(LedgerError::NotEligible(
                "capture exceeds the authorised amount",
            ));
        }
        let txn = approved_txn(TxnKind::PostAuth, amount_minor, now);
        order.transactions.push(txn.clone());
        Ok(txn)
    }

    pub fn series(&self, client_id: &str, id: &str) -> Option<&Series> {
        self.series.get(&(client_id.to_owned(), id.to_owned()))
    }

    pub fn cancel_series(&mut self, client_id: &str, id: &str) -> Result<(), LedgerError> {
        let s = self
            .series
            .get_mut(&(client_id.to_owned(), id.to_owned()))
            .ok_or(LedgerError::NotFound)?;
        s.cancelled = true;
        Ok(())
    }

    /// The series with gateway id `id`, of whichever store (the admin endpoints name a
    /// series by its id alone).
    pub fn series_mut(&mut self, id: &str) -> Option<&mut Series> {
        self.series.values_mut().find(|s| s.id == id)
    }

    /// Charges every installment that has come due by `now`. Like the real
    /// gateway, this sends no callback: the merchant polls the series.
    pub fn run_due(&mut self, now: OffsetDateTime) {
        let mut new_orders = Vec::new();
        for s in self.series.values_mut().filter(|s| !s.cancelled) {
            while s.charged < s.payments && s.planned(s.charged + 1) <= now {
                s.charged += 1;
                let first = self.orders.get(&(s.client_id.clone(), s.first_oid.clone()));
                let Some(first) = first else { break };
                let at = s.planned(s.charged);
                let mut txn = approved_txn(TxnKind::Sale, s.amount_minor, at);
                if s.declines.contains(&s.charged) {
                    txn.approved = false;
                    txn.auth_code.clear();
                    txn.proc_return_code = "51".into();
                }
                new_orders.push(Order {
                    client_id: s.client_id.clone(),
                    oid: s.installment_oid(s.charged),
                    currency: first.currency,
                    masked_pan: first.masked_pan.clone(),
                    brand: first.brand,
                    transactions: vec![txn],
                });
            }
        }
        for o in new_orders {
            self.orders.insert((o.client_id.clone(), o.oid.clone()), o);
        }
    }
}

#[cfg(test)]
mod tests;
