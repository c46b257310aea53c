//! `/v1/balance`: what Saleonix owes the merchant in the key's mode, per currency.

use axum::Json;
use axum::extract::{Extension, State};
use platform::Platform;
use platform::api::balance::{self, BalanceObject};
use platform::api::keys::{Access, Resource};

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;

#[utoipa::path(get, path = "/balance", tag = "Balance",
    responses((status = 200, description = "The balance in the key's mode.", body = BalanceObject), (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody)))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<BalanceObject>, ApiError> {
    caller
        .require(&platform, Resource::Balance, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        balance::get(&mut conn, &caller.scope(), caller.mode()).await?,
    ))
}
