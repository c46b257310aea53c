//! The products screen: the catalogue of the current mode.

use domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub price: Money,
    pub archived: bool,
    pub created: String,
}
/// The products of the current mode, active first.
#[server(endpoint = "payments/products")]
pub async fn products() -> Result<Vec<ProductView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<Products>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let list = platform::payments::catalog::list(&platform.pool, &scope, mode)
            .await
            .map_err(crate::error::internal)?;
        Ok(list
            .into_iter()
            .map(|p| ProductView {
                id: p.id.to_string(),
                name: p.name,
                description: p.description,
                price: p.price,
                archived: p.archived_at.is_some(),
                created: ssr::when(p.created_at),
            })
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

/// A product in the current mode; `price` is euro, like `12.50`.
#[server(endpoint = "payments/create-product")]
pub async fn create_product(
    name: String,
    description: String,
    price: String,
) -> Result<(), AppError> {
    use platform::payments::catalog::{self, NewProduct};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<CreateProduct>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let new = NewProduct {
            name,
            description,
            price: platform::payments::parse_euro("price", &price)?,
        };
        catalog::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

#[server(endpoint = "payments/archive-product")]
pub async fn archive_product(id: String) -> Result<(), AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, _) = crate::auth::session::require_declared::<ArchiveProduct>()
            .await?
            .merchant()?;
        let id = ssr::id(&id)?;
        platform::payments::catalog::archive(
            &platform.pool,
            &scope,
            id,
            &crate::request::facts().await,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}
