//! The checkout sessions screen: one order each, made from the dashboard's form.

use domain::{CheckoutStatus, Money};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// The buyer's address, `{public origin}/pay/cs_…`.
    pub url: String,
    pub amount: Money,
    pub buyer_email: Option<String>,
    pub reference: Option<String>,
    /// As the buyer would find it now.
    pub status: CheckoutStatus,
    pub created: String,
    pub expires: String,
}

/// One line of the checkout form: a product (its id) and a quantity, or a name and unit
/// price in euro typed in (when no product is chosen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub product: String,
    pub name: String,
    pub price: String,
    pub quantity: String,
}

/// The checkout form as posted (`checkout[items][0][product]=…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckoutForm {
    pub items: Vec<ItemForm>,
    pub buyer_email: String,
    pub reference: String,
    pub success_url: String,
    pub cancel_url: String,
    /// 30 to 1440; empty is the default, 24 hours.
    pub expires_in_minutes: String,
}

/// How long a new checkout stays payable, as the form offers it: `(minutes, label)`.
pub const CHECKOUT_EXPIRIES: &[(&str, &str)] = &[
    ("30", "30 minutes"),
    ("60", "1 hour"),
    ("180", "3 hours"),
    ("720", "12 hours"),
    ("1440", "24 hours"),
];
/// The latest checkout sessions of the current mode.
#[server(endpoint = "payments/checkouts")]
pub async fn checkouts() -> Result<Vec<CheckoutView>, AppError> {
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<Checkouts>()
            .await?
            .merchant()?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Read).await?;
        let list = platform::payments::sessions::recent(&platform.pool, &scope, mode, 50)
            .await
            .map_err(crate::error::internal)?;
        let now = time::OffsetDateTime::now_utc();
        Ok(list
            .into_iter()
            .map(|c| CheckoutView {
                url: ssr::pay_url(&platform, &c.token),
                status: c.status_now(now),
                amount: c.amount,
                buyer_email: c.buyer_email,
                reference: c.reference,
                created: ssr::when(c.created_at),
                expires: ssr::when(c.expires_at),
            })
            .collect())
    }
    .await
    .map_err(AppError::respond)
}

/// A checkout session for one order in the current mode. Answers the buyer's address.
/// Limited per IP and per member, like every way of making gateway orders.
#[server(endpoint = "payments/create-checkout")]
pub async fn create_checkout(
    #[server(default)] checkout: CheckoutForm,
) -> Result<String, AppError> {
    use platform::payments::sessions::{self, NewItem, NewSession};
    let platform = expect_context::<platform::Platform>();
    async {
        let (user, scope, session) = crate::auth::session::require_declared::<CreateCheckout>()
            .await?
            .merchant()?;
        let limits = &platform.config.settings.rate_limits;
        let ip = crate::request::client_key().await;
        let user_key = user.id().to_string();
        crate::limits::enforce(
            &platform,
            &[
                ("checkout-create-ip", limits.checkout_create_per_ip, &ip),
                (
                    "checkout-create-user",
                    limits.checkout_create_per_user,
                    &user_key,
                ),
            ],
        )
        .await?;
        let mode = ssr::mode(&platform, &scope, &session, ssr::Intent::Change).await?;
        let quantity_message = "Enter a quantity from 1 to 999.";
        let items = checkout
            .items
            .into_iter()
            // A line left without a product, a name or a price (a spare line) is no item.
            .filter(|item| {
                [&item.product, &item.name, &item.price]
                    .iter()
                    .any(|v| !v.trim().is_empty())
            })
            .map(|item| {
                let quantity = ssr::optional_number("quantity", &item.quantity, quantity_message)?
                    .unwrap_or(1);
                Ok(match item.product.trim() {
                    "" => NewItem::Custom {
                        name: item.name,
                        unit_amount: platform::payments::parse_euro("item_price", &item.price)?,
                        quantity,
                    },
                    id => NewItem::Product {
                        id: uuid::Uuid::parse_str(id).map_err(|_| {
                            AppError::validation("items", "Choose your active products.")
                        })?,
                        quantity,
                    },
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let expires_in_minutes = ssr::optional_number(
            "expires_in_minutes",
            &checkout.expires_in_minutes,
            "Choose between 30 minutes and 24 hours.",
        )?;
        let new = NewSession {
            items,
            buyer_email: checkout.buyer_email,
            reference: checkout.reference,
            success_url: checkout.success_url,
            cancel_url: checkout.cancel_url,
            expires_in_minutes,
            plan: None,
        };
        let (_, token) = sessions::create(
            &platform.pool,
            &scope,
            mode,
            &new,
            &crate::request::facts().await,
        )
        .await?;
        Ok(ssr::pay_url(&platform, &token))
    }
    .await
    .map_err(AppError::respond)
}
