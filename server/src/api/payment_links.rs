//! `/v1/payment_links`: create, retrieve, list and archive, through the dashboard's links.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::Money;
use domain::public_id::{self, Kind};
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::payment_links::{self, PaymentLinkObject};
use platform::api::{List, ListParams};
use platform::payments::links::{self, Charge, NewLink};
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;
use super::json::ApiJson;

const TAG: &str = "Payment links";

/// A link for one of your products (`product`), for a `title` and an `amount`, or for one of
/// your subscription plans (`plan`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentLink {
    /// `prod_…`: an active product of the key's mode; its name and price are copied.
    pub product: Option<String>,
    /// `plan_…`: an active plan of the key's mode; each buyer who opens the link signs up
    /// for it (its terms, a consent box, the first payment today).
    pub plan: Option<String>,
    pub title: Option<String>,
    /// In minor units, 1 to 100000000.
    pub amount: Option<i64>,
    /// ISO 4217; only `EUR` today. Defaults to `EUR`.
    pub currency: Option<String>,
    /// At most this many paid checkouts.
    pub max_payments: Option<u32>,
    /// RFC 3339; the link stops taking payments then.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<OffsetDateTime>,
}

fn charge(body: &CreatePaymentLink) -> Result<Charge, ApiError> {
    match (&body.product, &body.plan, &body.title, body.amount) {
        (Some(product), None, None, None) => Ok(Charge::Product(
            public_id::decode(Kind::Product, product)
                .ok_or_else(|| ApiError::invalid("product", "No such product."))?,
        )),
        (None, Some(plan), None, None) => Ok(Charge::Plan(
            public_id::decode(Kind::Plan, plan)
                .ok_or_else(|| ApiError::invalid("plan", "No such plan."))?,
        )),
        (None, None, Some(title), Some(amount)) => Ok(Charge::Amount {
            title: title.clone(),
            amount: Money::new(
                amount,
                super::currency("currency", body.currency.as_deref())?,
            ),
        }),
        _ => Err(ApiError::invalid(
            "product",
            "Give a `product`, a `plan`, or a `title` with an `amount`.",
        )),
    }
}

#[utoipa::path(post, path = "/payment_links", tag = TAG,
    request_body = CreatePaymentLink,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses(
        (status = 200, description = "The new link; share its `url`.", body = PaymentLinkObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<CreatePaymentLink>,
) -> Result<Json<PaymentLinkObject>, ApiError> {
    caller
        .require(&platform, Resource::PaymentLinks, Access::Write)
        .await?;
    let new = NewLink {
        charge: charge(&body)?,
        max_payments: body.max_payments,
        expires_at: body.expires_at,
    };
    let scope = caller.scope();
    let link = links::create(&platform.pool, &scope, caller.mode(), &new, &caller.facts).await?;
    let mut conn = platform.pool.acquire().await?;
    let id = public_id::encode(Kind::PaymentLink, link.id);
    let origin = platform.config.settings.public_origin();
    Ok(Json(
        payment_links::get(&mut conn, &scope, caller.mode(), &id, origin).await?,
    ))
}

#[utoipa::path(get, path = "/payment_links/{id}", tag = TAG,
    params(("id" = String, Path, description = "`pl_…`")),
    responses(
        (status = 200, description = "The payment link.", body = PaymentLinkObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PaymentLinkObject>, ApiError> {
    caller
        .require(&platform, Resource::PaymentLinks, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let origin = platform.config.settings.public_origin();
    let read = payment_links::get(&mut conn, &caller.scope(), caller.mode(), &id, origin).await;
    Ok(Json(
        caller
            .found(&platform, Kind::PaymentLink, &id, read)
            .await?,
    ))
}

#[utoipa::path(get, path = "/payment_links", tag = TAG,
    params(ListParams),
    responses(
        (status = 200, description = "A page of the list, newest first.", body = List<PaymentLinkObject>),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<List<PaymentLinkObject>>, ApiError> {
    caller
        .require(&platform, Resource::PaymentLinks, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let origin = platform.config.settings.public_origin();
    Ok(Json(
        payment_links::list(&mut conn, &caller.scope(), caller.mode(), &params, origin).await?,
    ))
}

#[utoipa::path(post, path = "/payment_links/{id}/archive", tag = TAG,
    params(
        ("id" = String, Path, description = "`pl_…`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe."),
    ),
    responses(
        (status = 200, description = "The link, archived: buyers opening it are told it is no longer available.", body = PaymentLinkObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn archive(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<PaymentLinkObject>, ApiError> {
    caller
        .require(&platform, Resource::PaymentLinks, Access::Write)
        .await?;
    let scope = caller.scope();
    let origin = platform.config.settings.public_origin();
    let mut conn = platform.pool.acquire().await?;
    // Read first: the archive itself does not know modes, and another mode's id must be
    // not found here.
    let read = payment_links::get(&mut conn, &scope, caller.mode(), &id, origin).await;
    caller
        .found(&platform, Kind::PaymentLink, &id, read)
        .await?;
    let uuid = public_id::decode(Kind::PaymentLink, &id).ok_or_else(ApiError::not_found)?;
    match links::archive(&platform.pool, &scope, uuid, &caller.facts).await {
        // Archived before: the same answer, as archiving is idempotent.
        Ok(()) | Err(platform::payments::PaymentError::NotFound) => {}
        Err(error) => return Err(error.into()),
    }
    Ok(Json(
        payment_links::get(&mut conn, &scope, caller.mode(), &id, origin).await?,
    ))
}
