//! `/v1/checkout_sessions`: create, retrieve, list and expire. Creating goes through the
//! dashboard's own `platform::payments::sessions::create`, so its checks and audit apply.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::public_id::{self, Kind};
use domain::{CheckoutId, Money};
use platform::Platform;
use platform::api::checkout_sessions::{self, CheckoutSessionObject};
use platform::api::keys::{Access, Resource};
use platform::api::{List, ListParams};
use platform::payments::sessions::{self, NewItem, NewSession};
use serde::Deserialize;

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;
use super::json::ApiJson;

const TAG: &str = "Checkout sessions";

/// A new checkout session: what the buyer pays for and where they go afterwards.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCheckoutSession {
    /// 1 to 50 lines; none with `plan`.
    #[serde(default)]
    pub line_items: Vec<NewLineItem>,
    /// `plan_…`: an active plan of the key's mode. The checkout signs the buyer up for it
    /// (its one line is the plan's first payment), after the buyer agrees on its page.
    pub plan: Option<String>,
    /// Prefilled on the checkout page, and where the receipt goes.
    pub buyer_email: Option<String>,
    /// Your own reference for the order, at most 100 characters.
    pub reference: Option<String>,
    /// Where the buyer goes after paying (https://…).
    pub success_url: Option<String>,
    /// Where the buyer goes if they give up.
    pub cancel_url: Option<String>,
    /// 30 to 1440; 1440 (24 hours) when left out.
    pub expires_in_minutes: Option<u32>,
}

/// One of your products (`product`), or a line of your own (`name` and `unit_amount`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLineItem {
    /// `prod_…`: an active product of the key's mode, at its price.
    pub product: Option<String>,
    pub name: Option<String>,
    /// In minor units, 1 to 100000000.
    pub unit_amount: Option<i64>,
    /// ISO 4217; only `EUR` today. Defaults to `EUR`.
    pub currency: Option<String>,
    /// 1 to 999; 1 when left out.
    pub quantity: Option<u32>,
}

fn item(line: NewLineItem) -> Result<NewItem, ApiError> {
    let quantity = line.quantity.unwrap_or(1);
    match (line.product, line.name, line.unit_amount) {
        (Some(product), None, None) => Ok(NewItem::Product {
            id: public_id::decode(Kind::Product, &product)
                .ok_or_else(|| ApiError::invalid("line_items[].product", "No such product."))?,
            quantity,
        }),
        (None, Some(name), Some(unit_amount)) => {
            let currency = super::currency("line_items[].currency", line.currency.as_deref())?;
            Ok(NewItem::Custom {
                name,
                unit_amount: Money::new(unit_amount, currency),
                quantity,
            })
        }
        _ => Err(ApiError::invalid(
            "line_items",
            "Each line is a `product`, or a `name` with a `unit_amount`.",
        )),
    }
}

/// The API's name of a field the checkout's own checks name.
fn param(field: &str) -> &'static str {
    match field {
        "item_price" => "line_items[].unit_amount",
        "item_name" => "line_items[].name",
        "quantity" => "line_items[].quantity",
        "currency" => "line_items[].currency",
        "buyer_email" => "buyer_email",
        "reference" => "reference",
        "success_url" => "success_url",
        "cancel_url" => "cancel_url",
        "expires_in_minutes" => "expires_in_minutes",
        "plan" => "plan",
        _ => "line_items",
    }
}

#[utoipa::path(post, path = "/checkout_sessions", tag = TAG,
    request_body = CreateCheckoutSession,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the first answer is returned again for 72 hours.")),
    responses(
        (status = 200, description = "The new session; send the buyer to its `url`.", body = CheckoutSessionObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<CreateCheckoutSession>,
) -> Result<Json<CheckoutSessionObject>, ApiError> {
    caller
        .require(&platform, Resource::CheckoutSessions, Access::Write)
        .await?;
    let new = NewSession {
        items: body
            .line_items
            .into_iter()
            .map(item)
            .collect::<Result<_, _>>()?,
        buyer_email: body.buyer_email.unwrap_or_default(),
        reference: body.reference.unwrap_or_default(),
        success_url: body.success_url.unwrap_or_default(),
        cancel_url: body.cancel_url.unwrap_or_default(),
        expires_in_minutes: body.expires_in_minutes,
        plan: body
            .plan
            .map(|plan| {
                public_id::decode(Kind::Plan, &plan)
                    .ok_or_else(|| ApiError::invalid("plan", "No such plan."))
            })
            .transpose()?,
    };
    let scope = caller.scope();
    let (id, _) = sessions::create(&platform.pool, &scope, caller.mode(), &new, &caller.facts)
        .await
        .map_err(|error| match error {
            platform::payments::PaymentError::Invalid { field, message } => {
                ApiError::invalid(param(field), message)
            }
            error => error.into(),
        })?;
    let mut conn = platform.pool.acquire().await?;
    let origin = platform.config.settings.public_origin();
    let object = checkout_sessions::load(&mut conn, CheckoutId::from_uuid(id), origin).await?;
    Ok(Json(object))
}

#[utoipa::path(get, path = "/checkout_sessions/{id}", tag = TAG,
    params(("id" = String, Path, description = "`cs_…`")),
    responses(
        (status = 200, description = "The checkout session.", body = CheckoutSessionObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CheckoutSessionObject>, ApiError> {
    caller
        .require(&platform, Resource::CheckoutSessions, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let origin = platform.config.settings.public_origin();
    let read = checkout_sessions::get(&mut conn, &caller.scope(), caller.mode(), &id, origin).await;
    Ok(Json(
        caller
            .found(&platform, Kind::CheckoutSession, &id, read)
            .await?,
    ))
}

#[utoipa::path(get, path = "/checkout_sessions", tag = TAG,
    params(ListParams),
    responses(
        (status = 200, description = "A page of the list, newest first.", body = List<CheckoutSessionObject>),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<List<CheckoutSessionObject>>, ApiError> {
    caller
        .require(&platform, Resource::CheckoutSessions, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let origin = platform.config.settings.public_origin();
    let page =
        checkout_sessions::list(&mut conn, &caller.scope(), caller.mode(), &params, origin).await?;
    Ok(Json(page))
}

#[utoipa::path(post, path = "/checkout_sessions/{id}/expire", tag = TAG,
    params(
        ("id" = String, Path, description = "`cs_…`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe."),
    ),
    responses(
        (status = 200, description = "The session, now expired: its page no longer takes payments.", body = CheckoutSessionObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn expire(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CheckoutSessionObject>, ApiError> {
    caller
        .require(&platform, Resource::CheckoutSessions, Access::Write)
        .await?;
    let Some(uuid) = public_id::decode(Kind::CheckoutSession, &id) else {
        return Err(ApiError::not_found());
    };
    let checkout = CheckoutId::from_uuid(uuid);
    match sessions::expire_now(
        &platform,
        &caller.scope(),
        caller.mode(),
        checkout,
        &caller.facts,
    )
    .await
    {
        Ok(()) => {}
        Err(platform::payments::PaymentError::NotFound) => {
            return Err(caller.missing(&platform, Kind::CheckoutSession, &id).await);
        }
        Err(error) => return Err(error.into()),
    }
    let mut conn = platform.pool.acquire().await?;
    let origin = platform.config.settings.public_origin();
    Ok(Json(
        checkout_sessions::load(&mut conn, checkout, origin).await?,
    ))
}
