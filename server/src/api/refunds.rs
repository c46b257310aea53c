//! `/v1/refunds`: create, retrieve and list. Creating goes through the dashboard's own
//! refund path (`platform::payments::refunds::request`): the same holds, the same single
//! refund in flight per payment, the same reconciliation of an answer that never came.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::public_id::{self, Kind};
use domain::{Money, PaymentId};
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::refunds::{self, RefundObject};
use platform::api::{List, ListParams};
use platform::payments::refunds::{RefundRequest, Requester};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;
use super::json::ApiJson;

const TAG: &str = "Refunds";

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRefund {
    /// The paid payment to refund: `pay_…`
    pub payment: String,
    /// In minor units, at most what is left to refund; everything left when left out.
    pub amount: Option<i64>,
    /// Shown to your team, at most 500 characters.
    pub reason: Option<String>,
}

/// The refund request's id: from the API key and its `Idempotency-Key` when there is one,
/// so even a retry that runs again (its first answer lost with an instance) names the same
/// refund and cannot make a second; otherwise fresh, as each POST asks for a new refund.
fn request_id(caller: &Caller, idempotency_key: Option<&str>) -> Uuid {
    match idempotency_key {
        Some(key) => {
            let digest = Sha256::digest(format!("{}:{key}", caller.key_id()).as_bytes());
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(&digest[..16]);
            uuid::Builder::from_random_bytes(bytes).into_uuid()
        }
        None => Uuid::new_v4(),
    }
}

#[utoipa::path(post, path = "/refunds", tag = TAG,
    request_body = CreateRefund,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key never makes a second refund.")),
    responses(
        (status = 200, description = "The refund as the gateway answered it: `succeeded`, `failed`, or `unknown` until reconciliation learns the outcome.", body = RefundObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    headers: http::HeaderMap,
    ApiJson(body): ApiJson<CreateRefund>,
) -> Result<Json<RefundObject>, ApiError> {
    caller
        .require(&platform, Resource::Refunds, Access::Write)
        .await?;
    let scope = caller.scope();
    let mut conn = platform.pool.acquire().await?;
    let read = platform::api::payments::get(&mut conn, &scope, caller.mode(), &body.payment).await;
    let payment = caller
        .found(&platform, Kind::Payment, &body.payment, read)
        .await?;
    let payment_id = public_id::decode(Kind::Payment, &payment.id)
        .map(PaymentId::from_uuid)
        .ok_or_else(ApiError::not_found)?;
    let amount = body
        .amount
        .unwrap_or_else(|| payment.amount.saturating_sub(payment.amount_refunded));
    let idempotency_key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let request = RefundRequest {
        request_id: request_id(&caller, idempotency_key),
        amount: Money::new(amount, payment.currency),
        reason: body.reason.unwrap_or_default(),
    };
    let refund = platform::payments::refunds::request(
        &platform,
        payment_id,
        &request,
        Requester::Merchant(scope),
        &caller.facts,
    )
    .await?;
    Ok(Json(refunds::load(&mut conn, refund.id).await?))
}

#[utoipa::path(get, path = "/refunds/{id}", tag = TAG,
    params(("id" = String, Path, description = "`re_…`")),
    responses((status = 200, description = "The refund.", body = RefundObject), (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody)))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<RefundObject>, ApiError> {
    caller
        .require(&platform, Resource::Refunds, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let read = refunds::get(&mut conn, &caller.scope(), caller.mode(), &id).await;
    Ok(Json(
        caller.found(&platform, Kind::Refund, &id, read).await?,
    ))
}

#[utoipa::path(get, path = "/refunds", tag = TAG,
    params(ListParams),
    responses((status = 200, description = "A page of the list, newest first.", body = List<RefundObject>), (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody)))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<List<RefundObject>>, ApiError> {
    caller
        .require(&platform, Resource::Refunds, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        refunds::list(&mut conn, &caller.scope(), caller.mode(), &params).await?,
    ))
}
