//! The books (migration `20261129000020_ledger.sql`): a double-entry ledger of what
//! Saleonix owes each merchant and what it holds.
//!
//! - [`post`] is the one way money moves in the books: one journal entry per cause, in the
//!   caller's transaction, idempotent on the cause. The database refuses an entry that does
//!   not balance, mixes modes or touches another merchant's accounts, and keeps every
//!   balance itself.
//! - [`sales`] posts what a payment's state means for the books, from
//!   [`crate::payments::transition::apply`], so a payment and its entries commit together.
//! - [`fees`] splits a paid payment into Saleonix's fee, VAT on the fee and the merchant's
//!   net; [`calendar`] counts Kosovo's business days; [`release`] moves sold money from
//!   `pending` to `available` when its day comes; [`balances`] reads what a merchant has;
//!   [`checks`] holds every kept balance to the sum of its lines each night.
//! - [`journal`] reads the entries for staff and accountants; staff set fee schedules
//!   ([`fees::add_default_schedule`], [`fees::add_merchant_schedule`]) and settlement terms ([`settlement::set_terms`]) and adjust
//!   balances ([`adjustments`]), each refused with a [`change::ChangeError`].

// Money code: a silent `as` cast can wrap or truncate an amount; conversions here are
// checked (`try_from`) or lossless (`from`).
#![warn(clippy::as_conversions)]

pub mod adjustments;
pub mod balances;
pub mod calendar;
pub mod change;
pub mod checks;
pub mod fees;
pub mod holds;
pub mod journal;
pub mod release;
pub mod sales;
pub mod settlement;

use domain::{Currency, MerchantId, Money, PaymentId};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::gateway_accounts::Mode;

/// An account in the books. Merchant accounts exist per merchant, mode and currency;
/// platform accounts per mode and currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
#[sqlx(type_name = "ledger_account_kind", rename_all = "snake_case")]
pub enum AccountKind {
    MerchantPending,
    MerchantAvailable,
    MerchantReserve,
    MerchantInPayout,
    GatewayClearing,
    FeeRevenue,
    VatPayable,
    GatewayFees,
    ChargebackLosses,
    BuyerReturns,
    PayoutsInTransit,
    PayoutBank,
}

impl AccountKind {
    pub fn is_merchant(self) -> bool {
        matches!(
            self,
            AccountKind::MerchantPending
                | AccountKind::MerchantAvailable
                | AccountKind::MerchantReserve
                | AccountKind::MerchantInPayout
        )
    }

    /// Credit-normal accounts (what Saleonix owes, and its income) read as credits minus
    /// debits; the others (what it holds or spent) as debits minus credits. A payout in
    /// transit is still owed to its merchant until the bank confirms it.
    pub fn credit_normal(self) -> bool {
        self.is_merchant()
            || matches!(
                self,
                AccountKind::FeeRevenue
                    | AccountKind::VatPayable
                    | AccountKind::BuyerReturns
                    | AccountKind::PayoutsInTransit
            )
    }

    /// The balance as people read it, from the stored debits-minus-credits.
    pub fn reading(self, stored_minor: i64) -> i64 {
        if self.credit_normal() {
            -stored_minor
        } else {
            stored_minor
        }
    }

    /// Accounts whose reading may fall below zero: a merchant's available balance after
    /// refunds and chargebacks; gateway clearing when the acquirer charges back money a
    /// refund already returned (it then takes more than it owes); and the platform's bank
    /// account (the books see money leave it for payouts, not the acquirer's settlements
    /// that fill it).
    pub fn may_go_negative(self) -> bool {
        matches!(
            self,
            AccountKind::MerchantAvailable | AccountKind::GatewayClearing | AccountKind::PayoutBank
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::MerchantPending => "merchant_pending",
            AccountKind::MerchantAvailable => "merchant_available",
            AccountKind::MerchantReserve => "merchant_reserve",
            AccountKind::MerchantInPayout => "merchant_in_payout",
            AccountKind::GatewayClearing => "gateway_clearing",
            AccountKind::FeeRevenue => "fee_revenue",
            AccountKind::VatPayable => "vat_payable",
            AccountKind::GatewayFees => "gateway_fees",
            AccountKind::ChargebackLosses => "chargeback_losses",
            AccountKind::BuyerReturns => "buyer_returns",
            AccountKind::PayoutsInTransit => "payouts_in_transit",
            AccountKind::PayoutBank => "payout_bank",
        }
    }
}

/// Why an entry was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "ledger_entry_kind", rename_all = "snake_case")]
pub enum EntryKind {
    PaymentPaid,
    PaymentRefund,
    PaymentReversal,
    DuplicateCapture,
    DuplicateReturn,
    Release,
    PayoutCreated,
    PayoutSent,
    PayoutPaid,
    PayoutReturned,
    Chargeback,
    ChargebackReversal,
    Adjustment,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::PaymentPaid => "payment_paid",
            EntryKind::PaymentRefund => "payment_refund",
            EntryKind::PaymentReversal => "payment_reversal",
            EntryKind::DuplicateCapture => "duplicate_capture",
            EntryKind::DuplicateReturn => "duplicate_return",
            EntryKind::Release => "release",
            EntryKind::PayoutCreated => "payout_created",
            EntryKind::PayoutSent => "payout_sent",
            EntryKind::PayoutPaid => "payout_paid",
            EntryKind::PayoutReturned => "payout_returned",
            EntryKind::Chargeback => "chargeback",
            EntryKind::ChargebackReversal => "chargeback_reversal",
            EntryKind::Adjustment => "adjustment",
        }
    }
}

/// One line: `amount_minor` on `account`, a debit when positive, a credit when negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub account: AccountKind,
    pub amount_minor: i64,
}

impl Line {
    pub fn debit(account: AccountKind, amount_minor: i64) -> Line {
        Line {
            account,
            amount_minor,
        }
    }

    pub fn credit(account: AccountKind, amount_minor: i64) -> Line {
        Line {
            account,
            amount_minor: -amount_minor,
        }
    }
}

/// A journal entry to post: all of its lines are in one mode and one currency, the
/// entry's, so a line's minor units need no currency of their own.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub kind: EntryKind,
    pub mode: Mode,
    /// The merchant whose accounts the lines name; `None` for platform accounts only.
    pub merchant_id: Option<MerchantId>,
    pub currency: Currency,
    /// The cause, unique in the books: `payment:<id>:paid:0`, `hold:<id>:release`, …
    pub cause: String,
    pub payment_id: Option<PaymentId>,
    pub memo: Option<&'a str>,
    pub created_by: Option<Uuid>,
    pub lines: Vec<Line>,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("an entry must balance: its lines sum to {0}")]
    Unbalanced(i64),
    #[error("a merchant account needs the entry's merchant")]
    NoMerchant,
    #[error("no fee schedule is in effect for {0}")]
    NoFeeSchedule(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
}

/// The account's id, opened on first use.
pub async fn account_id(
    conn: &mut PgConnection,
    kind: AccountKind,
    merchant_id: Option<MerchantId>,
    mode: Mode,
    currency: Currency,
) -> Result<i64, sqlx::Error> {
    let merchant_id = if kind.is_merchant() {
        merchant_id
    } else {
        None
    };
    // Two statements rather than `IS NOT DISTINCT FROM $2`, which no index serves: every
    // posting looks accounts up, and the table is updated with every line.
    let find = || {
        let sql = match merchant_id {
            Some(_) => "SELECT id FROM ledger_accounts WHERE kind = $1 AND merchant_id = $2 AND mode = $3 AND currency = $4",
            None => {
                "SELECT id FROM ledger_accounts
                 WHERE kind = $1 AND merchant_id IS NULL AND $2::uuid IS NULL AND mode = $3 AND currency = $4"
            }
        };
        sqlx::query_scalar(sql)
            .bind(kind)
            .bind(merchant_id)
            .bind(mode)
            .bind(currency)
    };
    if let Some(id) = find().fetch_optional(&mut *conn).await? {
        return Ok(id);
    }
    sqlx::query(
        "INSERT INTO ledger_accounts (kind, merchant_id, mode, currency) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind, merchant_id, mode, currency) DO NOTHING",
    )
    .bind(kind)
    .bind(merchant_id)
    .bind(mode)
    .bind(currency)
    .execute(&mut *conn)
    .await?;
    find().fetch_one(conn).await
}

/// Posts `entry` in `conn`'s transaction and returns its id, or `None` when its cause was
/// posted before (a retry). Zero lines are dropped; the rest are written in account order,
/// so two postings that share accounts lock them in the same order and cannot deadlock.
pub async fn post(
    conn: &mut PgConnection,
    entry: &NewEntry<'_>,
) -> Result<Option<i64>, LedgerError> {
    let sum: i64 = entry.lines.iter().map(|l| l.amount_minor).sum();
    if sum != 0 {
        return Err(LedgerError::Unbalanced(sum));
    }
    if entry.merchant_id.is_none() && entry.lines.iter().any(|l| l.account.is_merchant()) {
        return Err(LedgerError::NoMerchant);
    }
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO ledger_entries (kind, mode, merchant_id, cause, payment_id, memo, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cause) DO NOTHING RETURNING id",
    )
    .bind(entry.kind)
    .bind(entry.mode)
    .bind(entry.merchant_id)
    .bind(&entry.cause)
    .bind(entry.payment_id)
    .bind(entry.memo)
    .bind(entry.created_by)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(None) };
    // The entry's accounts in one query; one used for the first time is opened.
    let kinds: Vec<AccountKind> = entry.lines.iter().map(|l| l.account).collect();
    let known: Vec<(AccountKind, i64)> = sqlx::query_as(
        "SELECT kind, id FROM ledger_accounts
         WHERE mode = $1 AND currency = $2 AND kind = ANY($3)
           AND (merchant_id = $4 OR (merchant_id IS NULL AND kind::text NOT LIKE 'merchant\\_%'))",
    )
    .bind(entry.mode)
    .bind(entry.currency)
    .bind(&kinds)
    .bind(entry.merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut lines = Vec::with_capacity(entry.lines.len());
    for line in entry.lines.iter().filter(|l| l.amount_minor != 0) {
        let account = match known.iter().find(|(kind, _)| *kind == line.account) {
            Some((_, account)) => *account,
            None => {
                account_id(
                    conn,
                    line.account,
                    entry.merchant_id,
                    entry.mode,
                    entry.currency,
                )
                .await?
            }
        };
        lines.push((account, line.amount_minor));
    }
    lines.sort_unstable();
    let (accounts, amounts): (Vec<i64>, Vec<i64>) = lines.into_iter().unzip();
    // One statement for all lines, inserted in account order (the line trigger locks each
    // account as its line goes in).
    sqlx::query(
        "INSERT INTO ledger_lines (entry_id, account_id, mode, currency, amount_minor)
         SELECT $1, line.account_id, $3, $4, line.amount_minor
         FROM unnest($2::bigint[], $5::bigint[]) WITH ORDINALITY AS line (account_id, amount_minor, n)
         ORDER BY line.n",
    )
    .bind(id)
    .bind(&accounts)
    .bind(entry.mode)
    .bind(entry.currency)
    .bind(&amounts)
    .execute(&mut *conn)
    .await?;
    Ok(Some(id))
}

/// The stored balance (debits minus credits) of an account, locked until the transaction
/// ends, so what the caller moves next is what it read. Zero for an account never used.
pub async fn lock_balance(
    conn: &mut PgConnection,
    kind: AccountKind,
    merchant_id: Option<MerchantId>,
    mode: Mode,
    currency: Currency,
) -> Result<i64, sqlx::Error> {
    let id = account_id(conn, kind, merchant_id, mode, currency).await?;
    sqlx::query_scalar("SELECT balance_minor FROM ledger_accounts WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// The amount of a row that keeps it as minor units beside a currency column (read as
/// text, e.g. `currency::text AS currency`).
pub(crate) fn money_at(row: &PgRow, minor: &str, currency: &str) -> Result<Money, sqlx::Error> {
    Ok(Money::new(row.try_get(minor)?, row.try_get(currency)?))
}

/// Today in Kosovo (Europe/Belgrade), where business days and release dates are counted.
pub async fn today(conn: &mut PgConnection) -> Result<time::Date, sqlx::Error> {
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Belgrade')::date")
        .fetch_one(conn)
        .await
}
