//! `/v1/dunning_schedule`: what follows an installment the gateway declined, for the key's
//! mode (`platform::subscriptions::dunning`). Each mode has its own schedule.

use axum::Json;
use axum::extract::{Extension, State};
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::payments::Mode;
use platform::subscriptions::dunning::{self, Schedule};
use serde::{Deserialize, Serialize};

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;
use super::json::ApiJson;

const TAG: &str = "Subscriptions";

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DunningSchedule)]
pub struct DunningScheduleObject {
    /// Always `dunning_schedule`.
    pub object: &'static str,
    pub livemode: bool,
    /// Declined installments left unpaid at once that end a subscription `unpaid` (1 to 10).
    pub max_declines: u16,
    /// Days the buyer has to pay a declined installment before the subscription ends
    /// `unpaid` (1 to 60).
    pub grace_days: u16,
}

fn render(mode: Mode, schedule: Schedule) -> DunningScheduleObject {
    DunningScheduleObject {
        object: "dunning_schedule",
        livemode: mode == Mode::Live,
        max_declines: schedule.max_declines,
        grace_days: schedule.grace_days,
    }
}

async fn current(platform: &Platform, caller: &Caller) -> Result<DunningScheduleObject, ApiError> {
    let mut conn = platform.pool.acquire().await?;
    let merchant_id = caller.scope().merchant_id().as_uuid();
    let schedule = dunning::schedule(&mut conn, merchant_id, caller.mode()).await?;
    Ok(render(caller.mode(), schedule))
}

#[utoipa::path(get, path = "/dunning_schedule", tag = TAG,
    responses(
        (status = 200, description = "The schedule of the key's mode (3 declines and 14 days until one is set).", body = DunningScheduleObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<DunningScheduleObject>, ApiError> {
    caller
        .require(&platform, Resource::Subscriptions, Access::Read)
        .await?;
    Ok(Json(current(&platform, &caller).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDunningSchedule {
    /// 1 to 10.
    pub max_declines: u16,
    /// 1 to 60.
    pub grace_days: u16,
}

#[utoipa::path(post, path = "/dunning_schedule", tag = TAG,
    request_body = UpdateDunningSchedule,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses(
        (status = 200, description = "The schedule as saved. It applies to declines found from now on; a deadline already mailed to a buyer stands.", body = DunningScheduleObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn update(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<UpdateDunningSchedule>,
) -> Result<Json<DunningScheduleObject>, ApiError> {
    caller
        .require(&platform, Resource::Subscriptions, Access::Write)
        .await?;
    let schedule = Schedule {
        max_declines: body.max_declines,
        grace_days: body.grace_days,
    };
    let scope = caller.scope();
    dunning::set_schedule(
        &platform.pool,
        &scope,
        caller.mode(),
        schedule,
        &caller.facts,
    )
    .await?;
    Ok(Json(current(&platform, &caller).await?))
}
