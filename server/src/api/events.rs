//! `/v1/events`: what happened to the merchant's objects in the last 30 days, the same
//! objects its webhooks carry.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use domain::EventType;
use domain::public_id::Kind;
use platform::Platform;
use platform::api::keys::{Access, Resource};
use platform::api::{List, ReadError};
use platform::events::{self, EventObject, Filter, ListError};
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::Caller;
use super::docs::ErrorBody;
use super::error::ApiError;

const TAG: &str = "Events";

/// Paging and narrowing of the events list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    /// 1 to 100, default 10.
    pub limit: Option<u32>,
    /// An event id: the page after it (older events).
    pub starting_after: Option<String>,
    /// An event id: the page before it (newer events).
    pub ending_before: Option<String>,
    /// Only events of this type, such as `payment.succeeded`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Only events created at or after this time (RFC 3339).
    #[serde(
        default,
        rename = "created[gte]",
        with = "time::serde::rfc3339::option"
    )]
    #[param(rename = "created[gte]", value_type = Option<String>, format = DateTime)]
    pub created_gte: Option<OffsetDateTime>,
    /// Only events created before this time (RFC 3339).
    #[serde(default, rename = "created[lt]", with = "time::serde::rfc3339::option")]
    #[param(rename = "created[lt]", value_type = Option<String>, format = DateTime)]
    pub created_lt: Option<OffsetDateTime>,
}

#[utoipa::path(get, path = "/events/{id}", tag = TAG,
    params(("id" = String, Path, description = "`evt_…`")),
    responses(
        (status = 200, description = "The event.", body = EventObject),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn retrieve(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<EventObject>, ApiError> {
    caller
        .require(&platform, Resource::Events, Access::Read)
        .await?;
    let event = events::get(&platform.pool, &caller.scope(), caller.mode(), &id)
        .await?
        .ok_or(ReadError::NotFound);
    let event = caller.found(&platform, Kind::Event, &id, event).await?;
    Ok(Json(event.object()))
}

#[utoipa::path(get, path = "/events", tag = TAG,
    params(EventListParams),
    responses(
        (status = 200, description = "A page of the list, newest first.", body = List<EventObject>),
        (status = "4XX", description = "Refused; the error's `code` says why.", body = ErrorBody),
    ))]
pub async fn list(
    State(platform): State<Platform>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<EventListParams>,
) -> Result<Json<List<EventObject>>, ApiError> {
    caller
        .require(&platform, Resource::Events, Access::Read)
        .await?;
    let kind = params
        .kind
        .as_deref()
        .map(|text| {
            text.parse::<EventType>()
                .map_err(|_| ApiError::invalid("type", "No such event type."))
        })
        .transpose()?;
    let filter = Filter {
        limit: params.limit,
        starting_after: params.starting_after,
        ending_before: params.ending_before,
        kind,
        created_gte: params.created_gte,
        created_lt: params.created_lt,
    };
    let page = events::list(&platform.pool, &caller.scope(), caller.mode(), &filter)
        .await
        .map_err(|error| match error {
            ListError::Limit => ApiError::invalid("limit", "limit must be between 1 and 100"),
            ListError::BothCursors => ApiError::invalid(
                "ending_before",
                "give starting_after or ending_before, not both",
            ),
            ListError::UnknownCursor(param) => ApiError::invalid(param, "no such event"),
            ListError::Database(error) => error.into(),
        })?;
    Ok(Json(List {
        object: "list",
        data: page.data.iter().map(events::Event::object).collect(),
        has_more: page.has_more,
        url: "/v1/events".to_owned(),
    }))
}
