//! Checkout sessions: one order a buyer pays once. The dashboard makes them for an order
//! (items, optional buyer email, return URLs, 30 minutes to 24 hours to pay); a buyer
//! opening a payment link gets one of their own.

use domain::{CheckoutId, CheckoutStatus, Currency, MerchantId, Money};
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::transition::{self, Change};
use super::{Mode, PaymentError, ensure_mode_allowed, invalid, public_token, text};
use crate::Platform;
use crate::audit::{self, Actor, ActorKind, Event, Outcome, RequestFacts};
use crate::identity::roles::MerchantScope;
use crate::payments::links::Link;
use domain::TimelineSource;

pub const MIN_EXPIRY_MINUTES: u32 = 30;
pub const MAX_EXPIRY_MINUTES: u32 = 24 * 60;
/// A buyer who opened a payment link has this long to pay.
const LINK_SESSION_MINUTES: i64 = 60;
const MAX_ITEMS: usize = 50;
const MAX_QUANTITY: u32 = 999;

#[derive(Debug, Clone)]
pub enum NewItem {
    /// One of the merchant's active products of the same mode, at its price.
    Product { id: Uuid, quantity: u32 },
    /// A line typed in: a name and a unit price (the dashboard reads it with
    /// [`super::parse_euro`]; the API takes minor units).
    Custom {
        name: String,
        unit_amount: Money,
        quantity: u32,
    },
}

#[derive(Debug, Clone, Default)]
pub struct NewSession {
    pub items: Vec<NewItem>,
    pub buyer_email: String,
    pub reference: String,
    pub success_url: String,
    pub cancel_url: String,
    /// 30 to 1440; `None` is the default, 24 hours.
    pub expires_in_minutes: Option<u32>,
    /// One of the merchant's active subscription plans of the same mode: the checkout signs
    /// the buyer up for it, and its one line is the plan's first payment (`items` stays
    /// empty).
    pub plan: Option<Uuid>,
}

/// A line of an order, in its checkout's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    pub unit_amount: Money,
    pub quantity: i32,
}

impl Item {
    /// The unit amount times the quantity; `None` past what an amount holds, which the
    /// checkout's own limits keep far away.
    pub fn amount(&self) -> Option<Money> {
        self.unit_amount
            .minor()
            .checked_mul(i64::from(self.quantity))
            .map(|minor| Money::new(minor, self.unit_amount.currency()))
    }
}

/// A checkout session as the buyer's page and the dashboard show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub id: CheckoutId,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub mode: Mode,
    pub token: String,
    pub amount: Money,
    pub buyer_email: Option<String>,
    pub reference: Option<String>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub status: CheckoutStatus,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// Read apart, with [`items`].
    pub items: Vec<Item>,
}

/// By hand rather than derived: the amount is two columns, and the items another query.
impl<'r> sqlx::FromRow<'r, PgRow> for Checkout {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Checkout {
            id: row.try_get("id")?,
            merchant_id: row.try_get("merchant_id")?,
            merchant_name: row.try_get("merchant_name")?,
            mode: row.try_get("mode")?,
            token: row.try_get("token")?,
            amount: super::money_in(row, "amount_minor")?,
            buyer_email: row.try_get("buyer_email")?,
            reference: row.try_get("reference")?,
            success_url: row.try_get("success_url")?,
            cancel_url: row.try_get("cancel_url")?,
            status: row.try_get("status")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            items: Vec::new(),
        })
    }
}

impl Checkout {
    /// The status a buyer should see now: an open session past its expiry is expired
    /// even before the sweep marks it.
    pub fn status_now(&self, now: OffsetDateTime) -> CheckoutStatus {
        match self.status {
            CheckoutStatus::Open if self.expires_at <= now => CheckoutStatus::Expired,
            status => status,
        }
    }
}

const SELECT: &str = "SELECT s.id, s.merchant_id, m.business_name AS merchant_name, s.mode, s.token, s.amount_minor,
        s.currency::text AS currency, s.buyer_email, s.reference, s.success_url, s.cancel_url, s.status,
        s.created_at, s.expires_at
    FROM checkout_sessions s JOIN merchants m ON m.id = s.merchant_id";

/// The lines of a checkout, in order, in its currency.
pub(crate) async fn items<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    session_id: CheckoutId,
) -> Result<Vec<Item>, sqlx::Error> {
    let rows: Vec<(String, i64, Currency, i32)> = sqlx::query_as(
        "SELECT i.name, i.unit_amount_minor, s.currency::text, i.quantity
         FROM checkout_items i JOIN checkout_sessions s ON s.id = i.session_id
         WHERE i.session_id = $1 ORDER BY i.position",
    )
    .bind(session_id)
    .fetch_all(executor)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, unit_minor, currency, quantity)| Item {
            name,
            unit_amount: Money::new(unit_minor, currency),
            quantity,
        })
        .collect())
}

/// A session by its public token, whoever asks (the buyer's page).
pub async fn by_token(
    conn: &mut PgConnection,
    token: &str,
) -> Result<Option<Checkout>, sqlx::Error> {
    let session: Option<Checkout> = sqlx::query_as(&format!("{SELECT} WHERE s.token = $1"))
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?;
    match session {
        Some(mut session) => {
            session.items = items(conn, session.id).await?;
            Ok(Some(session))
        }
        None => Ok(None),
    }
}

/// The merchant's own session, for the dashboard; another merchant's id is not found.
pub async fn get(
    pool: &PgPool,
    scope: &MerchantScope,
    id: CheckoutId,
) -> Result<Option<Checkout>, sqlx::Error> {
    let session: Option<Checkout> =
        sqlx::query_as(&format!("{SELECT} WHERE s.id = $1 AND s.merchant_id = $2"))
            .bind(id)
            .bind(scope.merchant_id())
            .fetch_optional(pool)
            .await?;
    match session {
        Some(mut session) => {
            session.items = items(pool, session.id).await?;
            Ok(Some(session))
        }
        None => Ok(None),
    }
}

/// The merchant's latest sessions in `mode`, newest first, without items.
pub async fn recent(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    limit: i64,
) -> Result<Vec<Checkout>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE s.merchant_id = $1 AND s.mode = $2 ORDER BY s.created_at DESC LIMIT $3"
    ))
    .bind(scope.merchant_id())
    .bind(mode)
    .bind(limit)
    .fetch_all(pool)
    .await
}

fn return_url(field: &'static str, value: &str) -> Result<Option<String>, PaymentError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
    if !host_ok || value.len() > 2000 || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(
            field,
            "enter a full address starting with https://",
        ));
    }
    Ok(Some(value.to_owned()))
}

struct Line {
    name: String,
    product_id: Option<Uuid>,
    unit_minor: i64,
    quantity: i32,
}

/// A quantity as stored; beyond the column's range it is refused, not wrapped.
fn count(quantity: u32) -> Result<i32, PaymentError> {
    i32::try_from(quantity).map_err(|_| invalid("items", "a quantity is too large"))
}

/// What a new session sells and to whom, as stored.
struct Order<'a> {
    link_id: Option<Uuid>,
    plan_id: Option<Uuid>,
    lines: &'a [Line],
    buyer_email: Option<String>,
    reference: Option<String>,
    success_url: Option<String>,
    cancel_url: Option<String>,
}

async fn insert(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    order: Order<'_>,
    expires_in: Duration,
    created_by: Option<Uuid>,
) -> Result<(Uuid, String), PaymentError> {
    let Order {
        link_id,
        plan_id,
        lines,
        buyer_email,
        reference,
        success_url,
        cancel_url,
    } = order;
    let total = lines.iter().try_fold(0i64, |sum, l| {
        sum.checked_add(l.unit_minor.checked_mul(i64::from(l.quantity))?)
    });
    let total = total
        .filter(|t| *t > 0 && *t <= super::MAX_AMOUNT_MINOR)
        .ok_or(invalid(
            "items",
            "the order total must be between 0.01 and 1,000,000.00",
        ))?;
    let currency = "EUR";
    let id = Uuid::new_v4();
    let token = public_token("cs");
    sqlx::query(
        "INSERT INTO checkout_sessions (id, merchant_id, mode, token, link_id, amount_minor, currency, buyer_email,
                                        reference, success_url, cancel_url, created_by, created_at, expires_at, plan_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), now() + $13, $14)",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(mode)
    .bind(&token)
    .bind(link_id)
    .bind(total)
    .bind(currency)
    .bind(buyer_email)
    .bind(reference)
    .bind(success_url)
    .bind(cancel_url)
    .bind(created_by)
    .bind(expires_in)
    .bind(plan_id)
    .execute(&mut *conn)
    .await?;
    for (position, line) in (1_i16..).zip(lines) {
        sqlx::query(
            "INSERT INTO checkout_items (session_id, position, name, product_id, unit_amount_minor, quantity)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position)
        .bind(&line.name)
        .bind(line.product_id)
        .bind(line.unit_minor)
        .bind(line.quantity)
        .execute(&mut *conn)
        .await?;
    }
    Ok((id, token))
}

/// Makes a session from the dashboard, audited as `checkout_session.create`.
pub async fn create(
    pool: &PgPool,
    scope: &MerchantScope,
    mode: Mode,
    new: &NewSession,
    facts: &RequestFacts,
) -> Result<(Uuid, String), PaymentError> {
    let items_ok = match new.plan {
        Some(_) => new.items.is_empty(),
        None => (1..=MAX_ITEMS).contains(&new.items.len()),
    };
    if !items_ok {
        let message = match new.plan {
            Some(_) => "a subscription checkout sells its plan alone",
            None => "add between one and fifty items",
        };
        return Err(invalid("items", message));
    }
    let minutes = new.expires_in_minutes.unwrap_or(MAX_EXPIRY_MINUTES);
    if !(MIN_EXPIRY_MINUTES..=MAX_EXPIRY_MINUTES).contains(&minutes) {
        return Err(invalid(
            "expires_in_minutes",
            "choose between 30 minutes and 24 hours",
        ));
    }
    let buyer_email = match new.buyer_email.trim() {
        "" => None,
        email => Some(super::buyer_email("buyer_email", email)?),
    };
    let reference = super::optional_text("reference", &new.reference, 100)?;
    let success_url = return_url("success_url", &new.success_url)?;
    let cancel_url = return_url("cancel_url", &new.cancel_url)?;

    let mut tx = pool.begin().await?;
    ensure_mode_allowed(&mut tx, scope.merchant_id(), mode).await?;
    let mut lines = Vec::with_capacity(new.items.len());
    for item in &new.items {
        let quantity = match item {
            NewItem::Product { quantity, .. } | NewItem::Custom { quantity, .. } => *quantity,
        };
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            return Err(invalid("quantity", "each quantity must be 1 to 999"));
        }
        lines.push(match item {
            NewItem::Product { id, .. } => {
                let product: Option<(String, i64)> = sqlx::query_as(
                    "SELECT name, price_minor FROM products
                     WHERE id = $1 AND merchant_id = $2 AND mode = $3 AND archived_at IS NULL",
                )
                .bind(id)
                .bind(scope.merchant_id())
                .bind(mode)
                .fetch_optional(&mut *tx)
                .await?;
                let (name, unit_minor) =
                    product.ok_or(invalid("items", "choose your active products"))?;
                Line {
                    name,
                    product_id: Some(*id),
                    unit_minor,
                    quantity: count(quantity)?,
                }
            }
            NewItem::Custom {
                name, unit_amount, ..
            } => Line {
                name: text("item_name", name, 200)?,
                product_id: None,
                unit_minor: super::chargeable("item_price", *unit_amount)?.minor(),
                quantity: count(quantity)?,
            },
        });
    }
    if let Some(plan_id) = new.plan {
        let plan = crate::subscriptions::plans::active(&mut tx, scope.merchant_id(), mode, plan_id)
            .await?
            .ok_or(invalid("plan", "choose one of your active plans"))?;
        lines.push(Line {
            name: plan.name,
            product_id: plan.product_id,
            unit_minor: plan.terms.amount.minor(),
            quantity: 1,
        });
    }
    let order = Order {
        link_id: None,
        plan_id: new.plan,
        lines: &lines,
        buyer_email,
        reference,
        success_url,
        cancel_url,
    };
    let expires_in = Duration::minutes(i64::from(minutes));
    let (id, token) = insert(
        &mut tx,
        scope.merchant_id(),
        mode,
        order,
        expires_in,
        scope.user_id(),
    )
    .await?;
    let event = Event::new("checkout_session.create", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("checkout_session", id.to_string())
        .detail(serde_json::json!({
            "mode": mode.as_str(), "items": lines.len(), "expires_in_minutes": minutes, "plan": new.plan,
        }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok((id, token))
}

/// A buyer's own session for a link, made when they press Pay on the link's page (which
/// checks the merchant may use the link's mode).
pub async fn open_from_link(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    link: &Link,
    buyer_email: &str,
    facts: &RequestFacts,
) -> Result<String, PaymentError> {
    if link.unavailable(OffsetDateTime::now_utc()) {
        return Err(PaymentError::LinkUnavailable);
    }
    let line = Line {
        name: link.title.clone(),
        product_id: link.product_id,
        unit_minor: link.amount.minor(),
        quantity: 1,
    };
    let order = Order {
        link_id: Some(link.id),
        plan_id: link.plan_id,
        lines: &[line],
        buyer_email: Some(buyer_email.to_owned()),
        reference: None,
        success_url: None,
        cancel_url: None,
    };
    let (id, token) = insert(
        conn,
        merchant_id,
        link.mode,
        order,
        Duration::minutes(LINK_SESSION_MINUTES),
        None,
    )
    .await?;
    let event = Event::new(
        "checkout_session.create",
        Actor {
            kind: ActorKind::Anonymous,
            id: None,
        },
        Outcome::Success,
    )
    .merchant(merchant_id)
    .target("checkout_session", id.to_string())
    .detail(serde_json::json!({ "mode": link.mode.as_str(), "payment_link": link.id }));
    audit::record(conn, &event, facts).await?;
    Ok(token)
}

/// The checkout of one installment of subscription `subscription_id`, made by the worker
/// that found the gateway charged or declined it: one line, the buyer's address of the
/// first payment. A charged one is paid in the same transaction
/// (`crate::subscriptions::follow`); a declined one stays open for the buyer to pay the
/// missed amount (`crate::subscriptions::dunning`). Its id and token.
pub(crate) async fn open_for_installment(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    subscription_id: Uuid,
    name: String,
    amount: Money,
    buyer_email: Option<String>,
) -> Result<(Uuid, String), PaymentError> {
    let line = Line {
        name,
        product_id: None,
        unit_minor: amount.minor(),
        quantity: 1,
    };
    let (id, token) = insert_one_line(conn, merchant_id, mode, line, None, buyer_email).await?;
    sqlx::query("UPDATE checkout_sessions SET subscription_id = $2 WHERE id = $1")
        .bind(id)
        .bind(subscription_id)
        .execute(&mut *conn)
        .await?;
    Ok((id, token))
}

/// A checkout the platform opens for a subscription's buyer: one line, the plan's when it
/// signs up, the buyer's address known, with a checkout's longest life (the caller may
/// give it more). Its id and token.
async fn insert_one_line(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    line: Line,
    plan_id: Option<Uuid>,
    buyer_email: Option<String>,
) -> Result<(Uuid, String), PaymentError> {
    let order = Order {
        link_id: None,
        plan_id,
        lines: &[line],
        buyer_email,
        reference: None,
        success_url: None,
        cancel_url: None,
    };
    let expires_in = Duration::minutes(i64::from(MAX_EXPIRY_MINUTES));
    insert(conn, merchant_id, mode, order, expires_in, None).await
}

/// The renewal checkout of subscription `renews` (`crate::subscriptions::renewal`): its
/// plan's checkout, terms and consent box included, open until `expires_at`.
pub(crate) struct Renewal {
    pub renews: Uuid,
    pub plan_id: Uuid,
    pub product_id: Option<Uuid>,
    pub name: String,
    pub amount: Money,
    pub buyer_email: Option<String>,
    pub expires_at: OffsetDateTime,
}

/// Opens a [`Renewal`] checkout: its id and public token.
pub(crate) async fn open_for_renewal(
    conn: &mut PgConnection,
    merchant_id: MerchantId,
    mode: Mode,
    renewal: Renewal,
) -> Result<(Uuid, String), PaymentError> {
    let line = Line {
        name: renewal.name,
        product_id: renewal.product_id,
        unit_minor: renewal.amount.minor(),
        quantity: 1,
    };
    let plan = Some(renewal.plan_id);
    let (id, token) =
        insert_one_line(conn, merchant_id, mode, line, plan, renewal.buyer_email).await?;
    // Given its longer life with the subscription it renews (the table allows more than a
    // day only to such checkouts).
    sqlx::query("UPDATE checkout_sessions SET renews_id = $2, expires_at = $3 WHERE id = $1")
        .bind(id)
        .bind(renewal.renews)
        .bind(renewal.expires_at)
        .execute(&mut *conn)
        .await?;
    Ok((id, token))
}

/// Closes the open installment checkouts of subscription `subscription_id`, which has
/// stopped: nobody is to pay an installment of a subscription that no longer runs.
pub(crate) async fn close_for_subscription(
    conn: &mut PgConnection,
    platform: &Platform,
    subscription_id: Uuid,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let closed: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE checkout_sessions SET status = 'expired'
         WHERE subscription_id = $1 AND status = 'open' RETURNING id",
    )
    .bind(subscription_id)
    .fetch_all(&mut *conn)
    .await?;
    let system = Actor {
        kind: ActorKind::System,
        id: None,
    };
    expire_unsent(conn, platform, &closed, system, facts).await?;
    for id in closed {
        crate::api::notify::checkout_expired(conn, platform, id).await?;
    }
    Ok(())
}

/// Marks open sessions past their expiry as expired, with the attempts that never left
/// for the gateway. Attempts already sent stay pending: the buyer may still be paying on
/// the gateway's page, and reconciliation settles them from the gateway's answer.
pub async fn expire_due(platform: &Platform) -> Result<u64, PaymentError> {
    let mut tx = platform.pool.begin().await?;
    let expired: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE checkout_sessions SET status = 'expired'
         WHERE id IN (SELECT id FROM checkout_sessions WHERE status = 'open' AND expires_at <= now()
                      ORDER BY expires_at LIMIT 500 FOR UPDATE SKIP LOCKED)
         RETURNING id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let system = Actor {
        kind: ActorKind::System,
        id: None,
    };
    expire_unsent(
        &mut tx,
        platform,
        &expired,
        system,
        &RequestFacts::default(),
    )
    .await?;
    for session_id in &expired {
        crate::api::notify::checkout_expired(&mut tx, platform, *session_id).await?;
    }
    tx.commit().await?;
    Ok(u64::try_from(expired.len()).unwrap_or(u64::MAX))
}

/// Expires the attempts of `sessions` that never left for the gateway.
async fn expire_unsent(
    conn: &mut PgConnection,
    platform: &Platform,
    sessions: &[Uuid],
    actor: Actor,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let unsent: Vec<String> = sqlx::query_scalar(
        "SELECT order_id FROM payments WHERE session_id = ANY($1) AND status = 'created'",
    )
    .bind(sessions)
    .fetch_all(&mut *conn)
    .await?;
    for order_id in unsent {
        transition::apply(
            &mut *conn,
            platform,
            &order_id,
            Change::Expire,
            TimelineSource::Expiry,
            actor,
            facts,
        )
        .await?;
    }
    Ok(())
}

/// Closes one of the scope's open sessions in `mode` now, as its expiry would (the API's
/// `expire`), audited as `checkout_session.expire`. A buyer already on the gateway's page
/// may still pay; that money is returned, as for any payment after a checkout closed.
pub async fn expire_now(
    platform: &Platform,
    scope: &MerchantScope,
    mode: Mode,
    id: CheckoutId,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let mut tx = platform.pool.begin().await?;
    let status: Option<CheckoutStatus> = sqlx::query_scalar(
        "SELECT CASE WHEN status = 'open' AND expires_at <= now() THEN 'expired' ELSE status END
         FROM checkout_sessions WHERE id = $1 AND merchant_id = $2 AND mode = $3 FOR UPDATE",
    )
    .bind(id)
    .bind(scope.merchant_id())
    .bind(mode)
    .fetch_optional(&mut *tx)
    .await?;
    match status {
        None => return Err(PaymentError::NotFound),
        Some(CheckoutStatus::Paid) => return Err(PaymentError::SessionPaid),
        Some(CheckoutStatus::Expired) => return Err(PaymentError::SessionExpired),
        Some(CheckoutStatus::Open) => {}
    }
    sqlx::query("UPDATE checkout_sessions SET status = 'expired' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    expire_unsent(&mut tx, platform, &[id.as_uuid()], scope.actor(), facts).await?;
    crate::api::notify::checkout_expired(&mut tx, platform, id.as_uuid()).await?;
    let event = Event::new("checkout_session.expire", scope.actor(), Outcome::Success)
        .merchant(scope.merchant_id())
        .target("checkout_session", id.as_uuid().to_string())
        .detail(serde_json::json!({ "mode": mode.as_str(), "via": scope.via() }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a buyer can pay what a `/pay/<token>` page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payable {
    Yes,
    AlreadyPaid,
    Expired,
    /// A link archived, past its expiry or its limit, or for an archived product.
    LinkUnavailable,
}

/// What the buyer's page shows for a checkout session (`cs_…`) or payment link (`pl_…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuyerPage {
    pub merchant_name: String,
    pub mode: Mode,
    pub items: Vec<Item>,
    pub amount: Money,
    pub buyer_email: Option<String>,
    pub cancel_url: Option<String>,
    pub payable: Payable,
    /// The schedule a subscription checkout signs the buyer up for.
    pub plan: Option<crate::subscriptions::Terms>,
}

/// The buyer's page for `token`, or `None` for a token that names nothing.
pub async fn buyer_page(
    conn: &mut PgConnection,
    token: &str,
) -> Result<Option<BuyerPage>, sqlx::Error> {
    let now = OffsetDateTime::now_utc();
    if token.starts_with("pl_") {
        let Some((merchant_id, link)) = super::links::by_token(&mut *conn, token).await? else {
            return Ok(None);
        };
        let merchant_name: String =
            sqlx::query_scalar("SELECT business_name FROM merchants WHERE id = $1")
                .bind(merchant_id)
                .fetch_one(&mut *conn)
                .await?;
        let payable = if link.unavailable(now) {
            Payable::LinkUnavailable
        } else {
            Payable::Yes
        };
        let plan = match link.plan_id {
            Some(id) => crate::subscriptions::plans::active(&mut *conn, merchant_id, link.mode, id)
                .await?
                .map(|plan| plan.terms),
            None => None,
        };
        return Ok(Some(BuyerPage {
            merchant_name,
            mode: link.mode,
            items: vec![Item {
                name: link.title.clone(),
                unit_amount: link.amount,
                quantity: 1,
            }],
            amount: link.amount,
            buyer_email: None,
            cancel_url: None,
            payable,
            plan,
        }));
    }
    let Some(session) = by_token(conn, token).await? else {
        return Ok(None);
    };
    let payable = match session.status_now(now) {
        CheckoutStatus::Open => Payable::Yes,
        CheckoutStatus::Paid => Payable::AlreadyPaid,
        CheckoutStatus::Expired => Payable::Expired,
    };
    let plan = crate::subscriptions::plans::terms_of_checkout(&mut *conn, session.id).await?;
    Ok(Some(BuyerPage {
        merchant_name: session.merchant_name,
        mode: session.mode,
        items: session.items,
        amount: session.amount,
        buyer_email: session.buyer_email,
        cancel_url: session.cancel_url,
        payable,
        plan,
    }))
}
