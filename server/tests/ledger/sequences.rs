//! Random sequences of what happens to a Live merchant's money (sales, refunds, releases,
//! chargebacks won or lost, payout runs whose payouts are paid or returned, staff
//! adjustments), each applied through the code that does it for real, with the books
//! checked after every step: they balance, every balance is the sum of its lines, no
//! account goes below zero but those allowed to, and what Saleonix owes the merchant
//! (available + pending + reserve + in payout) is the net of everything that happened.
//!
//! Sequences come from proptest's generators, one merchant each; on a failure the
//! sequence is printed.

use domain::TimelineSource as Source;
use domain::{Currency, MerchantId, Money, PaymentId};
use platform::audit::{Actor, ActorKind, RequestFacts};
use platform::chargebacks::record::{self as chargebacks, NewChargeback};
use platform::chargebacks::transition::{self as chargeback, Decision};
use platform::field_crypto::FieldSlot;
use platform::gateway_accounts::Mode;
use platform::identity::roles::{Level, MerchantScope, Module, StaffScope};
use platform::ledger::{self, AccountKind, EntryKind, Line, NewEntry, release};
use platform::payments::sessions::{self, NewItem, NewSession};
use platform::payments::transition::{self, CardFacts, Change, NewAttempt};
use platform::payouts::run;
use platform::payouts::transition::{self as payout, Move};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use sqlx::PgPool;
use uuid::Uuid;

use super::books;
use super::support::checkout::{LIVE_CLIENT_ID, Shop, merchant, shop, staff_user};

#[derive(Debug, Clone)]
enum Step {
    /// A sale of this many cents.
    Sell(i64),
    /// A refund of this share (per mille) of what is left of the n-th sale (counted round).
    Refund { sale: usize, per_mille: i64 },
    /// Every hold due: released.
    Release,
    /// Staff credit (positive) or debit the merchant's available balance.
    Adjust(i64),
    /// The acquirer takes back this share (per mille) of the n-th sale; staff later mark it
    /// won (the money comes back) or lost.
    Chargeback {
        sale: usize,
        per_mille: i64,
        won: bool,
    },
    /// Every hold released, then the payout run; the payout it makes (if any) is approved,
    /// sent, then paid or returned.
    Payout { returned: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1i64..=200_000).prop_map(Step::Sell),
        3 => (0usize..12, 1i64..=1_000).prop_map(|(sale, per_mille)| Step::Refund { sale, per_mille }),
        1 => Just(Step::Release),
        1 => (-5_000i64..=5_000).prop_filter("a movement", |a| *a != 0).prop_map(Step::Adjust),
        1 => (0usize..12, 1i64..=1_000, any::<bool>())
            .prop_map(|(sale, per_mille, won)| Step::Chargeback { sale, per_mille, won }),
        1 => any::<bool>().prop_map(|returned| Step::Payout { returned }),
    ]
}

struct Sale {
    payment_id: Uuid,
    order_id: String,
    amount_minor: i64,
    refunded_minor: i64,
    charged_back_minor: i64,
}

/// The merchant a sequence works for, Live and payable daily, and a staff member's
/// scopes for payouts and chargebacks.
struct Seller {
    merchant_id: Uuid,
    scope: MerchantScope,
    payouts: StaffScope,
    payments: StaffScope,
}

async fn seller(shop: &Shop, n: usize) -> Seller {
    let pool = shop.pool();
    let (merchant_id, scope) = merchant(pool, &format!("Sequence shop {n}"), true).await;
    for statement in [
        "INSERT INTO kyc_applications (merchant_id, status, submitted_at, decided_at) VALUES ($1, 'approved', now(), now())",
        "INSERT INTO kyc_items (merchant_id, item, state, reviewed_at) VALUES ($1, 'bank_account', 'accepted', now())",
        "INSERT INTO merchant_settlement (merchant_id, reserve_bp, reserve_days, payout_schedule, payout_minimum_minor)
         VALUES ($1, 750, 30, 'daily', 100)",
    ] {
        sqlx::query(statement).bind(merchant_id).execute(pool).await.unwrap();
    }
    let account = Uuid::new_v4();
    let keys = &shop.server.platform.config.secrets.field_keys;
    let sealed = keys
        .encrypt(
            FieldSlot {
                table: "bank_accounts",
                column: "iban_enc",
                row: &account.to_string(),
            },
            b"XK051212012345678906",
        )
        .unwrap();
    sqlx::query(
        "INSERT INTO bank_accounts (id, merchant_id, holder_name, iban_enc, iban_masked, created_by, payouts_from)
         VALUES ($1, $2, 'Sequence shop', $3, 'XK05 **** **** **** 8906', $4, now() - interval '1 hour')",
    )
    .bind(account)
    .bind(merchant_id)
    .bind(sealed)
    .bind(scope.user_id())
    .execute(pool)
    .await
    .unwrap();
    let staff = staff_user(
        pool,
        &format!("staff-{}@saleonix.test", Uuid::new_v4()),
        &[
            (Module::Payouts, Level::Act),
            (Module::Payments, Level::Act),
        ],
    )
    .await;
    Seller {
        merchant_id,
        scope,
        payouts: StaffScope::of(&staff, Module::Payouts, Level::Act).unwrap(),
        payments: StaffScope::of(&staff, Module::Payments, Level::Act).unwrap(),
    }
}

fn system() -> Actor {
    Actor {
        kind: ActorKind::System,
        id: None,
    }
}

async fn sell(shop: &Shop, seller: &Seller, n: usize, amount_minor: i64) -> (Sale, i64) {
    let platform = &shop.server.platform;
    let new = NewSession {
        items: vec![NewItem::Custom {
            name: "Silver filigree earrings".into(),
            unit_amount: domain::Money::eur(amount_minor),
            quantity: 1,
        }],
        ..NewSession::default()
    };
    let facts = RequestFacts::default();
    let (session_id, _) = sessions::create(shop.pool(), &seller.scope, Mode::Live, &new, &facts)
        .await
        .unwrap();
    let order_id = format!("seq{n}{}", &Uuid::new_v4().simple().to_string()[..10]);
    let mut tx = shop.pool().begin().await.unwrap();
    let attempt = NewAttempt {
        merchant_id: domain::MerchantId::from_uuid(seller.merchant_id),
        mode: Mode::Live,
        session_id,
        order_id: &order_id,
        gateway_client_id: LIVE_CLIENT_ID,
        amount_minor,
        currency: "EUR",
        buyer_email: Some("buyer@example.com"),
        buyer_locale: i18n::Locale::sq,
    };
    let payment_id = transition::create(&mut tx, &attempt, system(), &facts)
        .await
        .unwrap();
    for change in [Change::Send, Change::Paid(CardFacts::default())] {
        transition::apply(
            &mut tx,
            platform,
            &order_id,
            change,
            Source::StatusQuery,
            system(),
            &facts,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let net: i64 = sqlx::query_scalar("SELECT net_minor FROM payment_fees WHERE payment_id = $1")
        .bind(payment_id)
        .fetch_one(shop.pool())
        .await
        .unwrap();
    (
        Sale {
            payment_id,
            order_id,
            amount_minor,
            refunded_minor: 0,
            charged_back_minor: 0,
        },
        net,
    )
}

/// A chargeback of `amount_minor` recorded and decided by staff; false when the rules
/// refused it (a refunded payment, more than is left), which must change nothing.
async fn chargeback(
    shop: &Shop,
    seller: &Seller,
    sale: &mut Sale,
    amount_minor: i64,
    won: bool,
) -> bool {
    let platform = &shop.server.platform;
    let today = time::OffsetDateTime::now_utc().date();
    let new = NewChargeback {
        request_id: Uuid::new_v4(),
        payment_id: PaymentId::from_uuid(sale.payment_id),
        amount: Money::eur(amount_minor),
        reason_code: "10.4".into(),
        reported_on: today,
        evidence_due_on: today + time::Duration::days(10),
    };
    let facts = RequestFacts::default();
    let Ok(id) = chargebacks::record(platform, &seller.payments, &new, &facts).await else {
        return false;
    };
    let decision = if won { Decision::Won } else { Decision::Lost };
    chargeback::decide(platform, &seller.payments, id, decision, &facts)
        .await
        .unwrap();
    sale.charged_back_minor += amount_minor;
    true
}

/// The payout run, and the payout it made sent and then paid or returned: what left the
/// merchant's books for its bank (nothing when returned).
async fn payout(shop: &Shop, seller: &Seller, returned: bool) -> i64 {
    let platform = &shop.server.platform;
    let facts = RequestFacts::default();
    let report = run::run(platform, None, &facts).await.unwrap();
    let Some(&batch_id) = report.batches.first() else {
        return 0;
    };
    // The run pays every merchant that is due: this one only when its balance is enough.
    let ours: Option<(Uuid, i64)> = sqlx::query_as(
        "SELECT id, amount_minor FROM payouts WHERE batch_id = $1 AND merchant_id = $2",
    )
    .bind(batch_id)
    .bind(seller.merchant_id)
    .fetch_optional(shop.pool())
    .await
    .unwrap();
    let Some((payout_id, amount)) = ours else {
        return 0;
    };
    let staff = &seller.payouts;
    payout::apply(platform, Move::Approve { batch_id, staff }, &facts)
        .await
        .unwrap();
    payout::apply(platform, Move::Send { batch_id, staff }, &facts)
        .await
        .unwrap();
    let last = if returned {
        Move::Returned {
            payout_id,
            staff,
            reason: "Account closed",
        }
    } else {
        Move::Paid { payout_id, staff }
    };
    payout::apply(platform, last, &facts).await.unwrap();
    if returned { 0 } else { amount }
}

/// A refund the gateway made, as `refunds::settle` applies it: held first, then refunded.
async fn refund(shop: &Shop, sale: &mut Sale, amount_minor: i64) {
    let mut tx = shop.pool().begin().await.unwrap();
    sqlx::query(
        "UPDATE payments SET refund_pending_minor = refund_pending_minor + $2 WHERE order_id = $1",
    )
    .bind(&sale.order_id)
    .bind(amount_minor)
    .execute(&mut *tx)
    .await
    .unwrap();
    let whole = sale.refunded_minor + amount_minor == sale.amount_minor;
    let change = Change::Refund {
        amount_minor,
        whole,
    };
    let facts = RequestFacts::default();
    transition::apply(
        &mut tx,
        &shop.server.platform,
        &sale.order_id,
        change,
        Source::Refund,
        system(),
        &facts,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sale.refunded_minor += amount_minor;
}

async fn adjust(shop: &Shop, seller: &Seller, n: usize, amount_minor: i64) {
    let mut tx = shop.pool().begin().await.unwrap();
    let entry = NewEntry {
        kind: EntryKind::Adjustment,
        mode: Mode::Live,
        merchant_id: Some(MerchantId::from_uuid(seller.merchant_id)),
        currency: Currency::Eur,
        cause: format!("sequence:{}:{n}", Uuid::new_v4()),
        payment_id: None,
        memo: Some("sequence"),
        created_by: None,
        // A credit is a loss Saleonix absorbs; a debit is a fee the merchant owes.
        lines: if amount_minor > 0 {
            vec![
                Line::debit(AccountKind::ChargebackLosses, amount_minor),
                Line::credit(AccountKind::MerchantAvailable, amount_minor),
            ]
        } else {
            vec![
                Line::debit(AccountKind::MerchantAvailable, -amount_minor),
                Line::credit(AccountKind::FeeRevenue, -amount_minor),
            ]
        },
    };
    ledger::post(&mut tx, &entry).await.unwrap();
    tx.commit().await.unwrap();
}

/// Every hold due now.
async fn release_all(shop: &Shop) {
    sqlx::query("UPDATE ledger_holds SET release_on = current_date - 1 WHERE released_at IS NULL")
        .execute(shop.pool())
        .await
        .unwrap();
    release::release_due(&shop.server.platform).await.unwrap();
}

/// No account below zero but those allowed to be.
async fn assert_signs(pool: &PgPool) {
    let accounts: Vec<(AccountKind, i64)> =
        sqlx::query_as("SELECT kind, balance_minor FROM ledger_accounts")
            .fetch_all(pool)
            .await
            .unwrap();
    for (kind, stored) in accounts {
        assert!(
            kind.may_go_negative() || kind.reading(stored) >= 0,
            "{} reads {}",
            kind.as_str(),
            kind.reading(stored)
        );
    }
}

/// Runs `steps` for a merchant of their own.
async fn run(shop: &Shop, n: usize, steps: &[Step]) {
    let seller = seller(shop, n).await;
    let mut sales: Vec<Sale> = Vec::new();
    let mut owed = 0i64;
    for (n, step) in steps.iter().enumerate() {
        match *step {
            Step::Sell(amount) => {
                let (sale, net) = sell(shop, &seller, n, amount).await;
                owed += net;
                sales.push(sale);
            }
            Step::Refund { sale, per_mille } => {
                let count = sales.len().max(1);
                let Some(sale) = sales.get_mut(sale % count) else {
                    continue;
                };
                let left = sale.amount_minor - sale.refunded_minor;
                if left > 0 {
                    let amount = (left * per_mille / 1_000).clamp(1, left);
                    refund(shop, sale, amount).await;
                    owed -= amount;
                }
            }
            Step::Release => release_all(shop).await,
            Step::Adjust(amount) => {
                adjust(shop, &seller, n, amount).await;
                owed += amount;
            }
            Step::Chargeback {
                sale,
                per_mille,
                won,
            } => {
                let count = sales.len().max(1);
                let Some(sale) = sales.get_mut(sale % count) else {
                    continue;
                };
                let left = sale.amount_minor - sale.charged_back_minor;
                let amount = (left * per_mille / 1_000).clamp(1, left.max(1));
                if chargeback(shop, &seller, sale, amount, won).await && !won {
                    owed -= amount;
                }
            }
            Step::Payout { returned } => {
                release_all(shop).await;
                owed -= payout(shop, &seller, returned).await;
            }
        }
        books::assert_consistent(shop.pool()).await;
        assert_signs(shop.pool()).await;
        let (available, pending, reserve, in_payout) =
            books::merchant(shop.pool(), seller.merchant_id, Mode::Live).await;
        assert_eq!(
            available + pending + reserve + in_payout,
            owed,
            "after step {n}: {step:?}"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_books_hold_over_random_sequences(pool: PgPool) {
    let shop = shop(pool).await;
    let mut runner = TestRunner::new(Config {
        cases: 12,
        ..Config::default()
    });
    let sequences = proptest::collection::vec(step(), 1..24);
    for n in 0..12 {
        let steps = sequences.new_tree(&mut runner).unwrap().current();
        println!("sequence {n}: {steps:?}");
        run(&shop, n, &steps).await;
    }
    let (payouts, chargebacks): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM payouts WHERE status IN ('paid', 'returned')), (SELECT count(*) FROM chargebacks)",
    )
    .fetch_one(shop.pool())
    .await
    .unwrap();
    println!("{payouts} payouts paid or returned, {chargebacks} chargebacks");
}
