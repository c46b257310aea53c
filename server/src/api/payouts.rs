//! `/v1/payouts`: retrieve and list. Saleonix makes payouts from Live Mode balances only,
//! so a Test key's list is always empty.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::public_id::Kind;
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::payouts::{self, PayoutObject};
use platform::api::{List, ListParams};

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;

const TAG: &str = "Payouts";

#[utoipa::path(get, path = "/payouts/{id}", tag = TAG,
    params(("id" = String, Path, description = "`po_…`")),
    responses((status = 200, description = "The payout.", body = PayoutObject), (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody)))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PayoutObject>, ApiError> {
    caller
        .require(&platform, Resource::Payouts, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let read = payouts::get(&mut conn, &caller.scope(), caller.mode(), &id).await;
    Ok(Json(
        caller.found(&platform, Kind::Payout, &id, read).await?,
    ))
}

#[utoipa::path(get, path = "/payouts", tag = TAG,
    params(ListParams),
    responses((status = 200, description = "A page of the list, newest first.", body = List<PayoutObject>), (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody)))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<List<PayoutObject>>, ApiError> {
    caller
        .require(&platform, Resource::Payouts, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        payouts::list(&mut conn, &caller.scope(), caller.mode(), &params).await?,
    ))
}
