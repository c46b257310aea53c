//! The merchant's ledger lines as CSV for its accountant (`GET /api/balance/export.csv`,
//! every member): behind the same layers as every `/api/` call (CSRF, session, the route
//! guard with `app::policy::FILE_ROUTES`), checked again here, scoped to the session's
//! merchant and dashboard mode, `no-store`, and audited as `ledger.export`.

use app::auth::session::{self, SessionState};
use app::error::AppError;
use app::policy::{ALL_MERCHANT_ROLES, Policy};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use platform::Platform;
use platform::identity::roles::MerchantScope;
use tower_sessions::Session;

use crate::facts::Facts;

pub fn routes() -> Router<Platform> {
    Router::new().route(app::balance::EXPORT_PATH, get(export))
}

/// The refusal as the app's client reads a server function's.
fn refusal(error: AppError) -> Response {
    let body = serde_json::to_vec(&error).unwrap_or_default();
    (error.status(), [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

#[tracing::instrument(skip_all)]
async fn export(State(platform): State<Platform>, session: Session, Facts(facts): Facts) -> Response {
    let member = async {
        let state = session::resolve(&platform, &session).await?;
        state.admits(Policy::Merchant(ALL_MERCHANT_ROLES), &platform)?;
        let SessionState::SignedIn(user) = state else { return Err(AppError::Unauthenticated) };
        let scope = MerchantScope::of(&user).ok_or(AppError::Forbidden)?;
        Ok::<_, AppError>((user, scope))
    };
    let (user, scope) = match member.await {
        Ok(member) => member,
        Err(error) => return refusal(error),
    };
    let (csv, file_name) = match app::balance::ssr::export(&platform, &user, &scope, &session, &facts).await {
        Ok(export) => export,
        Err(error) => return refusal(error),
    };
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
