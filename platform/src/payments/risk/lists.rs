//! Staff-kept block lists and per-merchant amount limits.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BlockEntry {
    pub id: Uuid,
    pub kind: String,
    pub value: String,
    pub note: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn blocklist(pool: &PgPool) -> Result<Vec<BlockEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, value, note, created_at FROM risk_blocklist ORDER BY created_at DESC",
    )
    .fetch_all(pool)
    .await
}

/// The canonical form of a blocklist value and its network, or why it is not one.
pub(super) fn block_value(
    kind: &str,
    value: &str,
) -> Result<(String, Option<String>), PaymentError> {
    let value = value.trim();
    match kind {
        "email" => crate::payments::buyer_email("value", value).map(|email| (email, None)),
        "ip" => {
            let ip: IpAddr = value
                .parse()
                .map_err(|_| invalid("value", "enter an IP address such as 203.0.113.7"))?;
            Ok((ip.to_string(), Some(ipnet::IpNet::from(ip).to_string())))
        }
        "network" => {
            let net: ipnet::IpNet = value
                .parse()
                .map_err(|_| invalid("value", "enter a network such as 203.0.113.0/24"))?;
            let net = net.trunc();
            Ok((net.to_string(), Some(net.to_string())))
        }
        _ => Err(invalid("kind", "choose email, ip or network")),
    }
}

/// Adds an email, address or network to the blocklist, audited.
pub async fn add_block(
    platform: &Platform,
    scope: &StaffScope,
    kind: &str,
    value: &str,
    note: &str,
    facts: &RequestFacts,
) -> Result<Uuid, PaymentError> {
    let actor = staff(scope)?;
    let (value, network) = block_value(kind, value)?;
    let note = optional_text("note", note, 500)?;
    let id = Uuid::new_v4();
    let mut tx = platform.pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO risk_blocklist (id, kind, value, network, note, created_by) VALUES ($1, $2, $3, $4::cidr, $5, $6)
         ON CONFLICT (kind, value) DO NOTHING",
    )
    .bind(id)
    .bind(kind)
    .bind(&value)
    .bind(network)
    .bind(&note)
    .bind(scope.user_id())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(invalid("value", "this is already on the blocklist"));
    }
    // The blocked value itself may be personal data (an email); the audit row names the
    // entry and its kind only.
    let event = Event::new("risk.block_add", actor, Outcome::Success)
        .target("risk_blocklist", id.to_string())
        .detail(serde_json::json!({ "kind": kind }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_block(
    platform: &Platform,
    scope: &StaffScope,
    id: Uuid,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let actor = staff(scope)?;
    let mut tx = platform.pool.begin().await?;
    let kind: Option<String> =
        sqlx::query_scalar("DELETE FROM risk_blocklist WHERE id = $1 RETURNING kind")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let kind = kind.ok_or(PaymentError::NotFound)?;
    let event = Event::new("risk.block_remove", actor, Outcome::Success)
        .target("risk_blocklist", id.to_string())
        .detail(serde_json::json!({ "kind": kind }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}

/// A merchant with its own maximum amount per payment, in place of the `max_amount` rule's.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MerchantLimit {
    pub merchant_id: MerchantId,
    pub business_name: String,
    /// In euro, which every payment is in today.
    pub max_payment: Money,
}

/// The merchants that have their own maximum, by name, so staff see what was set.
pub async fn merchant_limits(pool: &PgPool) -> Result<Vec<MerchantLimit>, sqlx::Error> {
    let rows: Vec<(MerchantId, String, i64)> = sqlx::query_as(
        "SELECT id, business_name, max_payment_minor FROM merchants
         WHERE max_payment_minor IS NOT NULL ORDER BY business_name, id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(merchant_id, business_name, max)| MerchantLimit {
            merchant_id,
            business_name,
            max_payment: Money::eur(max),
        })
        .collect())
}

/// Sets (or clears, with `None`) a merchant's own maximum amount per payment, audited.
pub async fn set_merchant_limit(
    platform: &Platform,
    scope: &StaffScope,
    merchant_id: MerchantId,
    max: Option<Money>,
    facts: &RequestFacts,
) -> Result<(), PaymentError> {
    let actor = staff(scope)?;
    if max.is_some_and(|m| !m.is_positive()) {
        return Err(invalid("max_amount", "the limit must be above zero"));
    }
    // Payments are compared with it in minor units: the limit is euro, as they are.
    if max.is_some_and(|m| m.currency() != domain::Currency::Eur) {
        return Err(invalid("max_amount", "the limit is in euro"));
    }
    let max_minor = max.map(Money::minor);
    let mut tx = platform.pool.begin().await?;
    let updated = sqlx::query("UPDATE merchants SET max_payment_minor = $2 WHERE id = $1")
        .bind(merchant_id)
        .bind(max_minor)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(PaymentError::NotFound);
    }
    let event = Event::new("risk.merchant_limit", actor, Outcome::Success)
        .merchant(merchant_id)
        .target("merchant", merchant_id.to_string())
        .detail(serde_json::json!({ "max_amount_minor": max_minor }));
    audit::record(&mut tx, &event, facts).await?;
    tx.commit().await?;
    Ok(())
}
