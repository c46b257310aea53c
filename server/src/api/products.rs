//! `/v1/products`: create, retrieve, list and archive, through the dashboard's catalogue.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::Money;
use domain::public_id::{self, Kind};
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::products::{self, ProductObject};
use platform::api::{List, ListParams};
use platform::payments::catalog::{self, NewProduct};
use serde::Deserialize;

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;
use super::json::ApiJson;

const TAG: &str = "Products";

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    /// 1 to 200 characters.
    pub name: String,
    /// At most 1000 characters.
    pub description: Option<String>,
    /// In minor units, 1 to 100000000.
    pub unit_amount: i64,
    /// ISO 4217; only `EUR` today. Defaults to `EUR`.
    pub currency: Option<String>,
}

/// The API's name of a field the catalogue's own checks name.
fn param(field: &'static str) -> &'static str {
    match field {
        "price" => "unit_amount",
        field => field,
    }
}

#[utoipa::path(post, path = "/products", tag = TAG,
    request_body = CreateProduct,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe.")),
    responses(
        (status = 200, description = "The new product.", body = ProductObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn create(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<CreateProduct>,
) -> Result<Json<ProductObject>, ApiError> {
    caller
        .require(&platform, Resource::Products, Access::Write)
        .await?;
    let new = NewProduct {
        name: body.name,
        description: body.description.unwrap_or_default(),
        price: Money::new(
            body.unit_amount,
            super::currency("currency", body.currency.as_deref())?,
        ),
    };
    let scope = caller.scope();
    let product = catalog::create(&platform.pool, &scope, caller.mode(), &new, &caller.facts)
        .await
        .map_err(|error| match error {
            platform::payments::PaymentError::Invalid { field, message } => {
                ApiError::invalid(param(field), message)
            }
            error => error.into(),
        })?;
    let mut conn = platform.pool.acquire().await?;
    let id = public_id::encode(Kind::Product, product.id);
    Ok(Json(
        products::get(&mut conn, &scope, caller.mode(), &id).await?,
    ))
}

#[utoipa::path(get, path = "/products/{id}", tag = TAG,
    params(("id" = String, Path, description = "`prod_…`")),
    responses(
        (status = 200, description = "The product.", body = ProductObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ProductObject>, ApiError> {
    caller
        .require(&platform, Resource::Products, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    let read = products::get(&mut conn, &caller.scope(), caller.mode(), &id).await;
    Ok(Json(
        caller.found(&platform, Kind::Product, &id, read).await?,
    ))
}

#[utoipa::path(get, path = "/products", tag = TAG,
    params(ListParams),
    responses(
        (status = 200, description = "A page of the list, newest first.", body = List<ProductObject>),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ListParams>,
) -> Result<Json<List<ProductObject>>, ApiError> {
    caller
        .require(&platform, Resource::Products, Access::Read)
        .await?;
    let mut conn = platform.pool.acquire().await?;
    Ok(Json(
        products::list(&mut conn, &caller.scope(), caller.mode(), &params).await?,
    ))
}

#[utoipa::path(post, path = "/products/{id}/archive", tag = TAG,
    params(
        ("id" = String, Path, description = "`prod_…`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe."),
    ),
    responses(
        (status = 200, description = "The product, archived: no new checkout or link can sell it.", body = ProductObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn archive(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ProductObject>, ApiError> {
    caller
        .require(&platform, Resource::Products, Access::Write)
        .await?;
    let scope = caller.scope();
    let mut conn = platform.pool.acquire().await?;
    // Read first: the archive itself does not know modes, and another mode's id must be
    // not found here.
    let read = products::get(&mut conn, &scope, caller.mode(), &id).await;
    caller.found(&platform, Kind::Product, &id, read).await?;
    let uuid = public_id::decode(Kind::Product, &id).ok_or_else(ApiError::not_found)?;
    match catalog::archive(&platform.pool, &scope, uuid, &caller.facts).await {
        // Archived before: the same answer, as archiving is idempotent.
        Ok(()) | Err(platform::payments::PaymentError::NotFound) => {}
        Err(error) => return Err(error.into()),
    }
    Ok(Json(
        products::get(&mut conn, &scope, caller.mode(), &id).await?,
    ))
}
