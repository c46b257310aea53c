//! `/v1/subscriptions`: retrieve, list, update (cancel at period end) and cancel. A
//! subscription starts when the buyer pays a plan's checkout session; each installment is
//! a payment of its own.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::public_id::{self, Kind};
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::subscriptions::{self, SubscriptionObject};
use platform::api::{List, ListParams};
use platform::subscriptions::cancel;
use serde::Deserialize;

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;
use super::json::ApiJson;

const TAG: &str = "Subscriptions";

#[utoipa::path(get, path = "/subscriptions/{id}", tag = TAG,
    params(("id" = String, Path, description = "`sub_…`")),
    responses(
        (status = 200, description = "The subscription.", body = SubscriptionObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<SubscriptionObject>, ApiError> {
    caller
        .require(&platform, Resource::Subscriptions, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let read = subscriptions::get(&mut conn, &caller.scope(), caller.mode(), &id).await;
    Ok(Json(
        caller
            .found(&platform, Kind::Subscription, &id, read)
            .await?,
    ))
}

#[utoipa::path(get, path = "/subscriptions", tag = TAG,
    params(ListParams),
    responses(
        (status = 200, description = "A page of the list, newest first; `status` narrows it.", body = List<SubscriptionObject>),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<List<SubscriptionObject>>, ApiError> {
    caller
        .require(&platform, Resource::Subscriptions, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        subscriptions::list(&mut conn, &caller.scope(), caller.mode(), &params).await?,
    ))
}

#[utoipa::path(post, path = "/subscriptions/{id}/cancel", tag = TAG,
    params(
        ("id" = String, Path, description = "`sub_…`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe."),
    ),
    responses(
        (status = 200, description = "The subscription, cancelled at the gateway: no further installment is charged. Payments already made stay; refund them one by one. When the gateway's answer was lost, `cancel_pending` is true and Saleonix settles it within minutes.", body = SubscriptionObject),
        (status = "4XX", description = "Refused; the error's `code` says why (`subscription_not_running` once cancelled or ended).", body = ErrorBody),
        (status = 502, description = "The gateway refused or did not answer; nothing changed.", body = ErrorBody),
    ))]
pub async fn cancel(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<SubscriptionObject>, ApiError> {
    let uuid = writable(&platform, &caller, &id).await?;
    let scope = caller.scope();
    cancel::cancel_now(&platform, &scope, caller.mode(), uuid, &caller.facts).await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        subscriptions::get(&mut conn, &scope, caller.mode(), &id).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSubscription {
    /// `true`: the buyer keeps the period paid for, and Saleonix cancels the series a day
    /// before the next planned charge. `false`, before then: it runs on as agreed.
    pub cancel_at_period_end: bool,
}

#[utoipa::path(post, path = "/subscriptions/{id}", tag = TAG,
    request_body = UpdateSubscription,
    params(
        ("id" = String, Path, description = "`sub_…`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe."),
    ),
    responses(
        (status = 200, description = "The subscription as changed (`cancel_at_period_end`, `cancel_at`).", body = SubscriptionObject),
        (status = "4XX", description = "Refused; the error's `code` says why (`subscription_not_running` once cancelled or ended).", body = ErrorBody),
    ))]
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateSubscription>,
) -> Result<Json<SubscriptionObject>, ApiError> {
    let uuid = writable(&platform, &caller, &id).await?;
    let scope = caller.scope();
    if body.cancel_at_period_end {
        cancel::at_period_end(&platform, &scope, caller.mode(), uuid, &caller.facts).await?;
    } else {
        cancel::keep(&platform, &scope, caller.mode(), uuid, &caller.facts).await?;
    }
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        subscriptions::get(&mut conn, &scope, caller.mode(), &id).await?,
    ))
}

/// The id of subscription `id` the caller may change. Read first: another merchant's or
/// mode's id is not found here, and the audit trail hears of it.
async fn writable(platform: &Platform, caller: &Caller, id: &str) -> Result<uuid::Uuid, ApiError> {
    caller
        .require(platform, Resource::Subscriptions, Access::Write)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let read = subscriptions::get(&mut conn, &caller.scope(), caller.mode(), id).await;
    caller.found(platform, Kind::Subscription, id, read).await?;
    public_id::decode(Kind::Subscription, id).ok_or_else(ApiError::not_found)
}
