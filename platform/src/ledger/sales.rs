//! What a payment's state means for the books.
//!
//! [`follow`] runs in [`crate::payments::transition::apply`]'s transaction, under the
//! payment's row lock, after every change of state. It compares the payment with what the
//! books already say about it and posts only the difference, so a retried or repeated
//! change posts nothing, and any change (a capture, a refund, a duplicate returned, staff
//! accepting the gateway's account) leaves the books agreeing with the payment:
//!
//! - a payment paid for its order: the gross into gateway clearing, Saleonix's fee and the
//!   VAT on it to their accounts, the net to the merchant's `pending` (and its reserve
//!   share to `reserve`), each held until its release day ([`super::release`]);
//! - a duplicate charge: the gross owed back to the buyer (`buyer_returns`); the merchant's
//!   accounts never see it;
//! - a refund: out of what this payment still has pending (then reserved), the rest out of
//!   `available`, which may go below zero. Saleonix keeps its fee and the VAT on it;
//! - a payment staff found was never taken: every line it posted, reversed.

use domain::{Currency, MerchantId, PaymentId};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{AccountKind, EntryKind, LedgerError, Line, NewEntry, calendar, fees, settlement};
use crate::Platform;
use crate::gateway_accounts::Mode;
use domain::PaymentStatus as Status;

/// How the books hold a captured payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    Sale,
    Duplicate,
}

/// The payment as the postings need it: its minor units are all in `currency`, the
/// currency of every entry posted for it.
#[derive(sqlx::FromRow)]
struct Payment {
    merchant_id: MerchantId,
    mode: Mode,
    status: Status,
    amount_minor: i64,
    currency: Currency,
    refunded_minor: i64,
    paid_at: Option<OffsetDateTime>,
}

/// What the books say about one payment.
struct Books {
    kept: Option<Kept>,
    /// Entries posted for the payment so far: the next entry's sequence number.
    entries: i64,
    /// What gateway clearing holds for it: captured less refunded. A chargeback's entries
    /// name the payment too but are the acquirer's, not the payment's state: left out, or
    /// the next change of the payment would read a chargeback as a refund undone.
    clearing_minor: i64,
}

async fn books(conn: &mut PgConnection, payment_id: Uuid) -> Result<Books, sqlx::Error> {
    let (last_capture, entries, clearing_minor): (Option<EntryKind>, i64, i64) = sqlx::query_as(
        "SELECT (SELECT kind FROM ledger_entries
                 WHERE payment_id = $1 AND kind IN ('payment_paid', 'duplicate_capture', 'payment_reversal')
                 ORDER BY id DESC LIMIT 1),
                (SELECT count(*) FROM ledger_entries WHERE payment_id = $1),
                (SELECT coalesce(sum(l.amount_minor), 0)::bigint
                 FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
                 JOIN ledger_accounts a ON a.id = l.account_id
                 WHERE e.payment_id = $1 AND a.kind = 'gateway_clearing'
                   AND e.kind NOT IN ('chargeback', 'chargeback_reversal'))",
    )
    .bind(payment_id)
    .fetch_one(conn)
    .await?;
    let kept = match last_capture {
        Some(EntryKind::PaymentPaid) => Some(Kept::Sale),
        Some(EntryKind::DuplicateCapture) => Some(Kept::Duplicate),
        _ => None,
    };
    Ok(Books {
        kept,
        entries,
        clearing_minor,
    })
}

/// Brings the books in line with the payment `payment_id` (locked by the caller).
pub async fn follow(
    conn: &mut PgConnection,
    platform: &Platform,
    payment_id: Uuid,
) -> Result<(), LedgerError> {
    let payment: Payment = sqlx::query_as(
        "SELECT merchant_id, mode, status, amount_minor, currency::text AS currency, refunded_minor, paid_at
         FROM payments WHERE id = $1",
    )
    .bind(payment_id)
    .fetch_one(&mut *conn)
    .await?;
    let target = match payment.status {
        s if s.is_paid() => Some(Kept::Sale),
        Status::Duplicate => Some(Kept::Duplicate),
        _ => None,
    };
    let mut books = books(conn, payment_id).await?;
    let posting = Posting {
        payment_id,
        payment: &payment,
    };
    if books.kept.is_some() && books.kept != target {
        posting.reverse(conn, books.entries).await?;
        books = Books {
            kept: None,
            entries: books.entries + 1,
            clearing_minor: 0,
        };
    }
    let Some(kept) = target else { return Ok(()) };
    if books.kept.is_none() {
        match kept {
            Kept::Sale => posting.sale(conn, platform, books.entries).await?,
            Kept::Duplicate => posting.duplicate(conn, books.entries).await?,
        }
        books = Books {
            kept: Some(kept),
            entries: books.entries + 1,
            clearing_minor: payment.amount_minor,
        };
    }
    let owed = payment.amount_minor - payment.refunded_minor;
    match books.clearing_minor - owed {
        0 => {}
        more if more > 0 => posting.refund(conn, kept, more, books.entries).await?,
        less => {
            posting
                .refund_undone(conn, kept, -less, books.entries)
                .await?
        }
    }
    Ok(())
}

struct Posting<'a> {
    payment_id: Uuid,
    payment: &'a Payment,
}

impl Posting<'_> {
    fn entry(&self, kind: EntryKind, seq: i64, lines: Vec<Line>) -> NewEntry<'_> {
        NewEntry {
            kind,
            mode: self.payment.mode,
            merchant_id: Some(self.payment.merchant_id),
            currency: self.payment.currency,
            cause: format!("payment:{}:{}:{seq}", self.payment_id, kind.as_str()),
            payment_id: Some(PaymentId::from_uuid(self.payment_id)),
            memo: None,
            created_by: None,
            lines,
        }
    }

    /// When the money was taken: the transition sets it with every capture, in the same
    /// statement as the state this posting follows.
    fn paid_at(&self) -> OffsetDateTime {
        self.payment.paid_at.unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// The fee split this payment pays: the one recorded at its first capture, else the
    /// schedule in effect when it was paid.
    async fn split(
        &self,
        conn: &mut PgConnection,
        platform: &Platform,
    ) -> Result<fees::Split, LedgerError> {
        let recorded: Option<(i64, i64, i64, i64)> =
            sqlx::query_as("SELECT gross_minor, fee_minor, vat_minor, net_minor FROM payment_fees WHERE payment_id = $1")
                .bind(self.payment_id)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((gross_minor, fee_minor, vat_minor, net_minor)) = recorded {
            return Ok(fees::Split {
                gross_minor,
                fee_minor,
                vat_minor,
                net_minor,
            });
        }
        let schedule = fees::in_effect(
            conn,
            self.payment.merchant_id,
            self.payment.currency,
            self.paid_at(),
        )
        .await?;
        let vat_rate_bp = platform.config.settings.ledger.vat_rate_bp;
        let split = fees::split(
            self.payment.amount_minor,
            u32::try_from(schedule.percent_bp).unwrap_or(0),
            schedule.fixed.minor(),
            vat_rate_bp,
        );
        sqlx::query(
            "INSERT INTO payment_fees (payment_id, schedule_id, currency, gross_minor, fee_minor, vat_minor, net_minor, vat_rate_bp)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(self.payment_id)
        .bind(schedule.id)
        .bind(self.payment.currency)
        .bind(split.gross_minor)
        .bind(split.fee_minor)
        .bind(split.vat_minor)
        .bind(split.net_minor)
        .bind(i32::try_from(vat_rate_bp).unwrap_or(i32::MAX))
        .execute(&mut *conn)
        .await?;
        Ok(split)
    }

    async fn sale(
        &self,
        conn: &mut PgConnection,
        platform: &Platform,
        seq: i64,
    ) -> Result<(), LedgerError> {
        use AccountKind::*;
        let split = self.split(conn, platform).await?;
        let terms = settlement::of_merchant(conn, self.payment.merchant_id).await?;
        let reserve = if terms.reserve_days > 0 {
            fees::share(
                split.net_minor,
                u32::try_from(terms.reserve_bp).unwrap_or(0),
            )
        } else {
            0
        };
        let pending = split.net_minor - reserve;
        let lines = vec![
            Line::debit(GatewayClearing, split.gross_minor),
            Line::credit(MerchantPending, pending),
            Line::credit(MerchantReserve, reserve),
            Line::credit(FeeRevenue, split.fee_minor),
            Line::credit(VatPayable, split.vat_minor),
        ];
        super::post(conn, &self.entry(EntryKind::PaymentPaid, seq, lines)).await?;

        let paid_on: time::Date =
            sqlx::query_scalar("SELECT ($1 AT TIME ZONE 'Europe/Belgrade')::date")
                .bind(self.paid_at())
                .fetch_one(&mut *conn)
                .await?;
        let holidays = calendar::holidays_from(conn, paid_on).await?;
        let release_on = calendar::add_business_days(
            paid_on,
            u32::try_from(terms.delay_days).unwrap_or(0),
            &holidays,
        );
        let reserve_until = paid_on + time::Duration::days(i64::from(terms.reserve_days));
        for (kind, amount, on) in [
            ("pending", pending, release_on),
            ("reserve", reserve, reserve_until),
        ] {
            if amount > 0 {
                sqlx::query(
                    "INSERT INTO ledger_holds (merchant_id, mode, currency, payment_id, kind, amount_minor, remaining_minor, release_on)
                     VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
                )
                .bind(self.payment.merchant_id)
                .bind(self.payment.mode)
                .bind(self.payment.currency)
                .bind(self.payment_id)
                .bind(kind)
                .bind(amount)
                .bind(on)
                .execute(&mut *conn)
                .await?;
            }
        }
        Ok(())
    }

    async fn duplicate(&self, conn: &mut PgConnection, seq: i64) -> Result<(), LedgerError> {
        let gross = self.payment.amount_minor;
        let lines = vec![
            Line::debit(AccountKind::GatewayClearing, gross),
            Line::credit(AccountKind::BuyerReturns, gross),
        ];
        super::post(conn, &self.entry(EntryKind::DuplicateCapture, seq, lines)).await?;
        Ok(())
    }

    /// `amount` more went back to the buyer.
    async fn refund(
        &self,
        conn: &mut PgConnection,
        kept: Kept,
        amount: i64,
        seq: i64,
    ) -> Result<(), LedgerError> {
        use AccountKind::*;
        if kept == Kept::Duplicate {
            let lines = vec![
                Line::debit(BuyerReturns, amount),
                Line::credit(GatewayClearing, amount),
            ];
            super::post(conn, &self.entry(EntryKind::DuplicateReturn, seq, lines)).await?;
            return Ok(());
        }
        let mut lines = super::holds::take(conn, self.payment_id, amount).await?;
        lines.push(Line::credit(GatewayClearing, amount));
        super::post(conn, &self.entry(EntryKind::PaymentRefund, seq, lines)).await?;
        Ok(())
    }

    /// Staff accepted the gateway's account, which has `amount` less refunded than the
    /// books: it comes back to the merchant's available balance (or the buyer's return).
    async fn refund_undone(
        &self,
        conn: &mut PgConnection,
        kept: Kept,
        amount: i64,
        seq: i64,
    ) -> Result<(), LedgerError> {
        let to = if kept == Kept::Duplicate {
            AccountKind::BuyerReturns
        } else {
            AccountKind::MerchantAvailable
        };
        let lines = vec![
            Line::debit(AccountKind::GatewayClearing, amount),
            Line::credit(to, amount),
        ];
        let mut entry = self.entry(EntryKind::PaymentRefund, seq, lines);
        entry.memo = Some("The gateway's account shows less refunded than recorded.");
        super::post(conn, &entry).await?;
        Ok(())
    }

    /// The payment was never taken: every line posted for it, reversed, and its holds
    /// closed.
    async fn reverse(&self, conn: &mut PgConnection, seq: i64) -> Result<(), LedgerError> {
        let sums: Vec<(AccountKind, i64)> = sqlx::query_as(
            "SELECT a.kind, sum(l.amount_minor)::bigint
             FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id
             WHERE e.payment_id = $1 GROUP BY a.kind HAVING sum(l.amount_minor) <> 0",
        )
        .bind(self.payment_id)
        .fetch_all(&mut *conn)
        .await?;
        let lines: Vec<Line> = sums
            .into_iter()
            .map(|(account, sum)| Line {
                account,
                amount_minor: -sum,
            })
            .collect();
        // Lines that already net to nothing (refunded in full) need no reversal.
        if lines.is_empty() {
            return Ok(());
        }
        let mut entry = self.entry(EntryKind::PaymentReversal, seq, lines);
        entry.memo = Some("The gateway's account shows no money taken.");
        super::post(conn, &entry).await?;
        sqlx::query("UPDATE ledger_holds SET remaining_minor = 0, released_at = now() WHERE payment_id = $1 AND released_at IS NULL")
            .bind(self.payment_id)
            .execute(conn)
            .await?;
        Ok(())
    }
}
