//! `/v1/plans`: create, retrieve and list recurring prices, through
//! `platform::subscriptions::plans`, so the dashboard's checks and audit apply.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::Money;
use domain::public_id::{self, Kind};
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::plans::{self, PlanObject};
use platform::api::{List, ListParams};
use platform::subscriptions::Interval;
use platform::subscriptions::plans::{self as subscription_plans, NewPlan};
use serde::Deserialize;

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;
use super::json::ApiJson;

const TAG: &str = "Plans";

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    /// 1 to 200 characters, on the buyer's page and each installment's receipt.
    pub name: String,
    /// Each payment, in minor units, 1 to 100000000.
    pub unit_amount: i64,
    /// ISO 4217; only `EUR` today. Defaults to `EUR`.
    pub currency: Option<String>,
    /// `day`, `week`, `month` or `year`.
    pub interval: String,
    /// Every this many intervals, 1 to 999; 1 when left out.
    pub interval_count: Option<u16>,
    /// Payments in all, 2 to 121 (the gateway's limit), the first taken at sign-up: the
    /// gateway charges at once, so there is no free trial. Left out when `until_cancelled`.
    pub installments: Option<u16>,
    /// Runs until cancelled: series of 121 payments, each next one started only when the
    /// buyer agrees again by the renewal link Saleonix mails them. False when left out.
    pub until_cancelled: Option<bool>,
    /// `prod_…`: an active product of the key's mode the plan sells.
    pub product: Option<String>,
}

#[utoipa::path(post, path = "/plans", tag = TAG,
    request_body = CreatePlan,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses(
        (status = 200, description = "The new plan.", body = PlanObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<CreatePlan>,
) -> Result<Json<PlanObject>, ApiError> {
    caller
        .require(&platform, Resource::Subscriptions, Access::Write)
        .await?;
    let interval = Interval::parse(&body.interval)
        .ok_or_else(|| ApiError::invalid("interval", "Give `day`, `week`, `month` or `year`."))?;
    let product_id = body
        .product
        .map(|id| {
            public_id::decode(Kind::Product, &id)
                .ok_or_else(|| ApiError::invalid("product", "No such product."))
        })
        .transpose()?;
    let until_cancelled = body.until_cancelled.unwrap_or(false);
    let installments = match (until_cancelled, body.installments) {
        (false, Some(n)) => n,
        (false, None) => {
            return Err(ApiError::invalid(
                "installments",
                "Give 2 to 121 payments, or `until_cancelled`.",
            ));
        }
        (true, None) => subscription_plans::MAX_INSTALLMENTS,
        (true, Some(_)) => {
            return Err(ApiError::invalid(
                "installments",
                "A plan that runs until cancelled has no number of payments; leave it out.",
            ));
        }
    };
    let new = NewPlan {
        name: body.name,
        amount: Money::new(
            body.unit_amount,
            super::currency("currency", body.currency.as_deref())?,
        ),
        interval,
        count: body.interval_count.unwrap_or(1),
        installments,
        until_cancelled,
        product_id,
    };
    let scope = caller.scope();
    let plan =
        subscription_plans::create(&platform.pool, &scope, caller.mode(), &new, &caller.facts)
            .await
            .map_err(|error| match error {
                platform::payments::PaymentError::Invalid { field, message } => {
                    let param = match field {
                        "amount" => "unit_amount",
                        field => field,
                    };
                    ApiError::invalid(param, message)
                }
                error => error.into(),
            })?;
    let mut conn = platform.pool.acquire().await?;
    let id = public_id::encode(Kind::Plan, plan.id);
    Ok(Json(
        plans::get(&mut conn, &scope, caller.mode(), &id).await?,
    ))
}

#[utoipa::path(get, path = "/plans/{id}", tag = TAG,
    params(("id" = String, Path, description = "`plan_…`")),
    responses(
        (status = 200, description = "The plan.", body = PlanObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PlanObject>, ApiError> {
    caller
        .require(&platform, Resource::Subscriptions, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let read = plans::get(&mut conn, &caller.scope(), caller.mode(), &id).await;
    Ok(Json(caller.found(&platform, Kind::Plan, &id, read).await?))
}

#[utoipa::path(get, path = "/plans", tag = TAG,
    params(ListParams),
    responses(
        (status = 200, description = "A page of the list, newest first.", body = List<PlanObject>),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<List<PlanObject>>, ApiError> {
    caller
        .require(&platform, Resource::Subscriptions, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        plans::list(&mut conn, &caller.scope(), caller.mode(), &params).await?,
    ))
}
