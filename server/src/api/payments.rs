//! `/v1/payments`: retrieve and list. Payments are made by buyers on the checkout page.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::public_id::Kind;
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::payments::{self, PaymentObject};
use platform::api::{List, ListParams};

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;

const TAG: &str = "Payments";

#[utoipa::path(get, path = "/payments/{id}", tag = TAG,
    params(("id" = String, Path, description = "`pay_…`")),
    responses((status = 200, description = "The payment.", body = PaymentObject), (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody)))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PaymentObject>, ApiError> {
    caller
        .require(&platform, Resource::Payments, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let read = payments::get(&mut conn, &caller.scope(), caller.mode(), &id).await;
    Ok(Json(
        caller.found(&platform, Kind::Payment, &id, read).await?,
    ))
}

#[utoipa::path(get, path = "/payments", tag = TAG,
    params(ListParams),
    responses((status = 200, description = "A page of the list, newest first.", body = List<PaymentObject>), (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody)))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<List<PaymentObject>>, ApiError> {
    caller
        .require(&platform, Resource::Payments, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        payments::list(&mut conn, &caller.scope(), caller.mode(), &params).await?,
    ))
}
