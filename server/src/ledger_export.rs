//! The merchant's ledger lines as CSV for its accountant (`GET /api/balance/export.csv`,
//! every member): behind the same layers as every `/api/` call (CSRF, session, the route
//! guard with `app::policy::FILE_ROUTES`), checked again here, scoped to the session's
//! merchant and dashboard mode, `no-store`, and audited as `ledger.export`.

use app::policy::ALL_MERCHANT_ROLES;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use platform::Platform;
use tower_sessions::Session;

use crate::facts::Facts;
use crate::files::{Disposition, file, member, refusal};

pub fn routes() -> Router<Platform> {
    Router::new().route(app::balance::EXPORT_PATH, get(export))
}

#[tracing::instrument(skip_all)]
async fn export(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
) -> Response {
    let (user, scope) = match member(&platform, &session, ALL_MERCHANT_ROLES).await {
        Ok(member) => member,
        Err(error) => return refusal(error),
    };
    let (csv, file_name) =
        match app::balance::ssr::export(&platform, &user, &scope, &session, &facts).await {
            Ok(export) => export,
            Err(error) => return refusal(error),
        };
    file(
        csv,
        "text/csv; charset=utf-8",
        &file_name,
        Disposition::Attachment,
    )
}
