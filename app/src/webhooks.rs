//! The merchant's webhook endpoints as the Developers area shows them, in the dashboard's
//! mode: the list (never a secret), adding one (its secret shown once), enabling and
//! disabling, rotating the secret, deleting, and sending a test event. The platform
//! (`platform::webhooks`) checks the address, keeps merchants and modes apart and audits
//! every change; these functions add the session, the fresh two-factor check their policy
//! rows ask for, and the words the page shows.

use std::collections::BTreeMap;

use domain::Mode;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How long the old secret keeps signing beside the new one, in hours, with the words the
/// form offers (the platform allows up to seven days).
pub const ROTATE_OVERLAPS: &[(u16, &str)] = &[
    (0, "Stop signing with the old secret now"),
    (24, "Keep signing with the old secret for 24 hours"),
    (168, "Keep signing with the old secret for 7 days"),
];

/// An endpoint as the list shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRow {
    /// `we_…`.
    pub id: String,
    pub url: String,
    pub description: String,
    /// "All events", or the types it wants, comma-separated.
    pub event_types: String,
    /// The types it wants by name, for the edit form's boxes; `None`: all of them.
    pub chosen_types: Option<Vec<String>>,
    pub enabled: bool,
    /// Why it is disabled, in words, when it is.
    pub disabled_because: Option<String>,
    pub created_at: String,
}

/// The webhooks page: the mode shown and its endpoints, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpointList {
    pub mode: Mode,
    pub endpoints: Vec<EndpointRow>,
}

/// An endpoint just added or its secret just rotated: the only answer that carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSigningSecret {
    pub endpoint_id: String,
    pub url: String,
    pub mode: Mode,
    /// `whsec_…`.
    pub secret: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use platform::webhooks::WebhookError;
    use platform::webhooks::endpoints::Endpoint;

    use super::EndpointRow;
    use crate::error::AppError;
    use crate::payments::ssr::when;

    impl From<WebhookError> for AppError {
        fn from(error: WebhookError) -> Self {
            match error {
                WebhookError::NotFound => AppError::NotFound,
                WebhookError::Invalid { field, message } => {
                    AppError::validation(field, &sentence(message))
                }
                WebhookError::LiveNotAllowed => AppError::validation(
                    "url",
                    "Live Mode endpoints open once Saleonix has verified your business, while it is not suspended.",
                ),
                WebhookError::Refused(refusal) => AppError::validation(
                    "url",
                    &format!(
                        "The address must be public: {refusal}. Use your server's public https:// address."
                    ),
                ),
                WebhookError::Disabled => AppError::Denied {
                    message: "The endpoint is disabled: enable it first.".into(),
                },
                other @ (WebhookError::Audit(_)
                | WebhookError::Crypto(_)
                | WebhookError::Database(_)) => crate::error::internal(other),
            }
        }
    }

    /// The platform's field messages are phrases; the page shows sentences.
    fn sentence(phrase: &str) -> String {
        let mut chars = phrase.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        format!("{first}{}.", chars.as_str())
    }

    pub fn row(endpoint: Endpoint) -> EndpointRow {
        let chosen_types: Option<Vec<String>> = endpoint
            .event_types
            .as_ref()
            .map(|types| types.iter().map(|t| t.as_str().to_owned()).collect());
        let event_types = chosen_types
            .as_ref()
            .map_or_else(|| "All events".to_owned(), |types| types.join(", "));
        let disabled_because = (!endpoint.enabled).then(|| {
            match endpoint.disabled_reason.as_deref() {
                Some("failing") => "Disabled by Saleonix: its deliveries kept failing",
                Some("merchant") => "Disabled by your team",
                _ => "Disabled",
            }
            .to_owned()
        });
        EndpointRow {
            id: endpoint.public_id(),
            event_types,
            chosen_types,
            disabled_because,
            enabled: endpoint.enabled,
            created_at: when(endpoint.created_at),
            url: endpoint.url,
            description: endpoint.description,
        }
    }

    /// The form's choice of event types: `all`, or `chosen` with a box per type
    /// (`types[payment.succeeded]=on`).
    pub fn event_types(
        events: &str,
        types: Option<std::collections::BTreeMap<String, String>>,
    ) -> Result<Option<Vec<domain::EventType>>, AppError> {
        match events.trim() {
            "all" => Ok(None),
            "chosen" => types
                .unwrap_or_default()
                .keys()
                .map(|name| name.parse().ok())
                .collect::<Option<Vec<domain::EventType>>>()
                .map(Some)
                .ok_or_else(|| AppError::validation("event_types", "Choose known event types.")),
            _ => Err(AppError::validation(
                "event_types",
                "Choose all events or some of them.",
            )),
        }
    }
}

/// Why no endpoint is added, nor a secret rotated, from a form posted without WASM.
#[cfg(feature = "ssr")]
const NO_SCRIPT: &str = "Showing the signing secret needs JavaScript, which is off in this browser: nothing was changed. Turn it on and try again.";

/// The endpoints of the dashboard's mode, oldest first.
#[server(endpoint = "developers/webhooks")]
pub async fn webhook_endpoints() -> Result<WebhookEndpointList, AppError> {
    use crate::payments::ssr::{Intent, mode};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<WebhookEndpoints>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Read).await?;
        let endpoints = platform::webhooks::endpoints::list(&platform.pool, &scope, mode).await?;
        Ok(WebhookEndpointList {
            mode,
            endpoints: endpoints.into_iter().map(ssr::row).collect(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Adds an endpoint in the dashboard's mode: `events` `all`, or `chosen` with `types`.
/// A fresh two-factor check first; the signing secret is in this answer and nowhere else.
#[server(endpoint = "developers/webhooks/create")]
pub async fn create_webhook_endpoint(
    url: String,
    description: String,
    events: String,
    types: Option<BTreeMap<String, String>>,
) -> Result<NewSigningSecret, AppError> {
    use crate::payments::ssr::{Intent, mode};
    use platform::webhooks::endpoints::{self, NewEndpoint};
    use secrecy::ExposeSecret;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<CreateWebhookEndpoint>()
            .await?
            .merchant()?;
        crate::developers::ssr::refuse_without_script("url", NO_SCRIPT)?;
        let mode = mode(&platform, &scope, &session, Intent::Change).await?;
        let new = NewEndpoint {
            url,
            event_types: ssr::event_types(&events, types)?,
            description,
        };
        let facts = crate::request::facts().await;
        let created = endpoints::create(&platform, &scope, mode, &new, &facts).await?;
        Ok(NewSigningSecret {
            endpoint_id: created.endpoint.public_id(),
            url: created.endpoint.url,
            mode,
            secret: created.secret.expose_secret().to_owned(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Changes an endpoint's URL, description and event types (`events` `all`, or `chosen`
/// with `types`). Where the events about money go is as sensitive as adding an endpoint,
/// so the same roles and a fresh two-factor check; an invalid field changes nothing.
#[server(endpoint = "developers/webhooks/update")]
pub async fn update_webhook_endpoint(
    endpoint_id: String,
    url: String,
    description: String,
    events: String,
    types: Option<BTreeMap<String, String>>,
) -> Result<EndpointRow, AppError> {
    use crate::payments::ssr::{Intent, mode};
    use platform::webhooks::endpoints::{self, Change};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<UpdateWebhookEndpoint>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Change).await?;
        let change = Change {
            url: Some(url),
            event_types: Some(ssr::event_types(&events, types)?),
            description: Some(description),
            enabled: None,
        };
        let facts = crate::request::facts().await;
        let endpoint =
            endpoints::update(&platform, &scope, mode, &endpoint_id, &change, &facts).await?;
        Ok(ssr::row(endpoint))
    }
    .await
    .map_err(AppError::respond)
}

/// Enables (`enabled` `true`) or disables an endpoint. Disabling gives up its pending
/// deliveries; they show as failed, to resend later.
#[server(endpoint = "developers/webhooks/set-enabled")]
pub async fn set_webhook_endpoint_enabled(
    endpoint_id: String,
    enabled: String,
) -> Result<(), AppError> {
    use crate::payments::ssr::{Intent, mode};
    use platform::webhooks::endpoints::{self, Change};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) =
            crate::auth::session::require_declared::<SetWebhookEndpointEnabled>()
                .await?
                .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Change).await?;
        let enabled = match enabled.trim() {
            "true" => true,
            "false" => false,
            _ => return Err(AppError::validation("enabled", "Choose enable or disable.")),
        };
        let change = Change {
            enabled: Some(enabled),
            ..Change::default()
        };
        let facts = crate::request::facts().await;
        endpoints::update(&platform, &scope, mode, &endpoint_id, &change, &facts).await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Gives the endpoint a new signing secret; the old one keeps signing beside it for
/// `overlap_hours` (one of [`ROTATE_OVERLAPS`]). A fresh two-factor check first.
#[server(endpoint = "developers/webhooks/rotate")]
pub async fn rotate_webhook_secret(
    endpoint_id: String,
    overlap_hours: String,
) -> Result<NewSigningSecret, AppError> {
    use crate::payments::ssr::{Intent, mode};
    use platform::webhooks::endpoints;
    use secrecy::ExposeSecret;
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<RotateWebhookSecret>()
            .await?
            .merchant()?;
        crate::developers::ssr::refuse_without_script("overlap_hours", NO_SCRIPT)?;
        let mode = mode(&platform, &scope, &session, Intent::Change).await?;
        let hours = overlap_hours
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|hours| ROTATE_OVERLAPS.iter().any(|(h, _)| h == hours))
            .ok_or_else(|| {
                AppError::validation(
                    "overlap_hours",
                    "Choose how long the old secret keeps signing.",
                )
            })?;
        let overlap = time::Duration::hours(i64::from(hours));
        let facts = crate::request::facts().await;
        let secret =
            endpoints::rotate_secret(&platform, &scope, mode, &endpoint_id, overlap, &facts)
                .await?;
        let endpoint = endpoints::get(&platform.pool, &scope, mode, &endpoint_id).await?;
        Ok(NewSigningSecret {
            endpoint_id: endpoint.public_id(),
            url: endpoint.url,
            mode,
            secret: secret.expose_secret().to_owned(),
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Deletes an endpoint and its pending deliveries. A fresh two-factor check first.
#[server(endpoint = "developers/webhooks/delete")]
pub async fn delete_webhook_endpoint(endpoint_id: String) -> Result<(), AppError> {
    use crate::payments::ssr::{Intent, mode};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<DeleteWebhookEndpoint>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Change).await?;
        let facts = crate::request::facts().await;
        platform::webhooks::endpoints::delete(&platform, &scope, mode, &endpoint_id, &facts)
            .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Sends a `webhook.test` event to this endpoint alone; answers its id (`evt_…`).
#[server(endpoint = "developers/webhooks/test")]
pub async fn send_test_webhook(endpoint_id: String) -> Result<String, AppError> {
    use crate::payments::ssr::{Intent, mode};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<SendTestWebhook>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Change).await?;
        let facts = crate::request::facts().await;
        Ok(
            platform::webhooks::resend::send_test(&platform, &scope, mode, &endpoint_id, &facts)
                .await?,
        )
    }
    .await
    .map_err(AppError::respond)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use std::collections::BTreeMap;

    use domain::EventType;

    use super::ssr::event_types;

    #[test]
    fn the_form_reads_all_or_the_chosen_types_and_refuses_unknown_ones() {
        assert_eq!(event_types("all", None), Ok(None));
        let chosen = BTreeMap::from([
            ("payment.succeeded".to_owned(), "on".to_owned()),
            ("refund.failed".to_owned(), "on".to_owned()),
        ]);
        assert_eq!(
            event_types("chosen", Some(chosen)),
            Ok(Some(vec![
                EventType::PaymentSucceeded,
                EventType::RefundFailed
            ]))
        );
        let unknown = BTreeMap::from([("customer.created".to_owned(), "on".to_owned())]);
        assert!(event_types("chosen", Some(unknown)).is_err());
        assert!(event_types("some", None).is_err());
    }
}
