//! What the merchant's webhooks did: an endpoint's delivery log with resends, and the
//! event list of the dashboard's mode. The platform keeps 30 days of both and audits the
//! resends; these functions add the session and the words the pages show.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::webhooks::EndpointRow;

/// One attempt as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub id: String,
    /// `evt_…`, the `webhook-id` the request carried.
    pub event_id: String,
    pub event_type: String,
    pub attempt: i32,
    pub attempted_at: String,
    /// "HTTP 200", or the error class with the status when there was one.
    pub outcome: String,
    pub succeeded: bool,
    pub duration_ms: i32,
    /// The first 2 KB of the response body.
    pub response_body: Option<String>,
    /// A resend or test event a person asked for.
    pub manual: bool,
}

/// The endpoint's page: the endpoint and a page of its attempts of the last 30 days,
/// newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLog {
    pub endpoint: EndpointRow,
    pub attempts: Vec<AttemptRow>,
    /// The cursor of the next, older page (the last attempt's id), while there is one.
    pub older: Option<String>,
}

/// One event as the list shows it, with its JSON as a webhook delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    /// `evt_…`.
    pub id: String,
    pub kind: String,
    pub object_id: String,
    pub created_at: String,
    /// Pretty-printed.
    pub json: String,
}

/// A page of events, newest first; `older` is the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<EventRow>,
    pub older: Option<String>,
}

/// Events on one page.
pub const EVENTS_PER_PAGE: u32 = 25;

#[cfg(feature = "ssr")]
mod ssr {
    use platform::events::{Event, ListError};
    use platform::webhooks::log::Attempt;
    use time::PrimitiveDateTime;
    use time::macros::format_description;

    use super::{AttemptRow, EventRow};
    use crate::error::AppError;
    use crate::payments::ssr::when;

    pub fn attempt(attempt: Attempt) -> AttemptRow {
        let outcome = match (&attempt.error_class, attempt.response_status) {
            (None, Some(status)) => format!("HTTP {status}"),
            (None, None) => "Delivered".to_owned(),
            (Some(class), Some(status)) => format!("HTTP {status} ({class})"),
            (Some(class), None) => class.replace('_', " "),
        };
        AttemptRow {
            id: attempt.id.to_string(),
            event_id: attempt.event_public_id(),
            succeeded: attempt.succeeded(),
            attempted_at: when(attempt.attempted_at),
            outcome,
            event_type: attempt.event_type,
            attempt: attempt.attempt,
            duration_ms: attempt.duration_ms,
            response_body: attempt.response_body,
            manual: attempt.manual,
        }
    }

    pub fn event(event: &Event) -> EventRow {
        let object = event.object();
        EventRow {
            json: serde_json::to_string_pretty(&object).unwrap_or_default(),
            id: object.id,
            kind: object.kind,
            object_id: event.object_id.clone(),
            created_at: when(event.created_at),
        }
    }

    impl From<ListError> for AppError {
        fn from(error: ListError) -> Self {
            match error {
                // The page's own cursor: an event gone past 30 days, or a hand-made one.
                ListError::UnknownCursor(_) => AppError::NotFound,
                other @ (ListError::Limit | ListError::BothCursors | ListError::Database(_)) => {
                    crate::error::internal(other)
                }
            }
        }
    }

    /// A `datetime-local` field's value (`2026-11-30T08:00`), read as UTC.
    pub fn since(value: &str) -> Result<time::OffsetDateTime, AppError> {
        let format = format_description!("[year]-[month]-[day]T[hour]:[minute]");
        PrimitiveDateTime::parse(value.trim(), format)
            .map(PrimitiveDateTime::assume_utc)
            .map_err(|_| {
                AppError::validation("since", "Enter a date and time, such as 2026-11-30 08:00.")
            })
    }
}

/// Endpoint `endpoint_id`'s attempts of the last 30 days, newest first, 100 a page;
/// `older` (an attempt's id, the previous page's `older`) pages on past it.
#[server(endpoint = "developers/webhooks/log")]
pub async fn webhook_delivery_log(
    endpoint_id: String,
    older: Option<String>,
) -> Result<DeliveryLog, AppError> {
    use crate::payments::ssr::{Intent, mode};
    use platform::webhooks::{endpoints, log};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<WebhookDeliveryLog>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Read).await?;
        // The page's own cursor; anything else is a hand-made link.
        let older = match older.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(cursor) => Some(uuid::Uuid::parse_str(cursor).map_err(|_| AppError::NotFound)?),
            None => None,
        };
        let endpoint = endpoints::get(&platform.pool, &scope, mode, &endpoint_id).await?;
        let page = log::attempts(
            &platform.pool,
            &scope,
            mode,
            &endpoint_id,
            log::MAX_PAGE,
            older,
        )
        .await?;
        let attempts: Vec<AttemptRow> = page.data.into_iter().map(ssr::attempt).collect();
        let older = page
            .has_more
            .then(|| attempts.last().map(|attempt| attempt.id.clone()))
            .flatten();
        Ok(DeliveryLog {
            endpoint: crate::webhooks::ssr::row(endpoint),
            attempts,
            older,
        })
    }
    .await
    .map_err(AppError::respond)
}

/// Sends event `event_id` to the endpoint again.
#[server(endpoint = "developers/webhooks/resend")]
pub async fn resend_webhook_event(endpoint_id: String, event_id: String) -> Result<(), AppError> {
    use crate::payments::ssr::{Intent, mode};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<ResendWebhookEvent>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Change).await?;
        let facts = crate::request::facts().await;
        platform::webhooks::resend::resend(
            &platform,
            &scope,
            mode,
            &endpoint_id,
            &event_id,
            &facts,
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(AppError::respond)
}

/// Sends again every event since `since` (UTC) whose delivery failed and has not
/// succeeded since; answers how many.
#[server(endpoint = "developers/webhooks/resend-failed")]
pub async fn resend_failed_webhooks(endpoint_id: String, since: String) -> Result<u64, AppError> {
    use crate::payments::ssr::{Intent, mode};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<ResendFailedWebhooks>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Change).await?;
        let since = ssr::since(&since)?;
        let facts = crate::request::facts().await;
        Ok(platform::webhooks::resend::resend_failed_since(
            &platform,
            &scope,
            mode,
            &endpoint_id,
            since,
            &facts,
        )
        .await?)
    }
    .await
    .map_err(AppError::respond)
}

/// The events of the dashboard's mode, newest first; `starting_after` (`evt_…`) pages to
/// older ones.
#[server(endpoint = "developers/events")]
pub async fn event_list(starting_after: Option<String>) -> Result<EventPage, AppError> {
    use crate::payments::ssr::{Intent, mode};
    use platform::events::{self, Filter};
    let platform = expect_context::<platform::Platform>();
    async {
        let (_, scope, session) = crate::auth::session::require_declared::<EventList>()
            .await?
            .merchant()?;
        let mode = mode(&platform, &scope, &session, Intent::Read).await?;
        let filter = Filter {
            limit: Some(EVENTS_PER_PAGE),
            starting_after: starting_after.filter(|cursor| !cursor.trim().is_empty()),
            ..Filter::default()
        };
        let page = events::list(&platform.pool, &scope, mode, &filter).await?;
        let events: Vec<EventRow> = page.data.iter().map(ssr::event).collect();
        let older = page
            .has_more
            .then(|| events.last().map(|event| event.id.clone()))
            .flatten();
        Ok(EventPage { events, older })
    }
    .await
    .map_err(AppError::respond)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::ssr::since;

    #[test]
    fn since_reads_the_browsers_datetime_as_utc_and_refuses_anything_else() {
        let at = since("2026-11-30T08:05").unwrap();
        assert_eq!(at.unix_timestamp(), 1_796_025_900);
        assert!(since("yesterday").is_err());
    }
}
