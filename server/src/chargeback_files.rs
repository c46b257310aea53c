//! Chargeback evidence files over plain routes, behind the same layers as every `/api/`
//! call (CSRF, session, the route guard with `app::policy::FILE_ROUTES`); each handler
//! checks the role again from the session and scopes its query to the session's merchant:
//! - `POST /api/chargebacks/{id}/evidence` (owners, admins, finance): multipart `file`,
//!   the body capped at [`BODY_LIMIT`], the file at 10 MB and its type sniffed before
//!   anything is stored. A browser's form post is answered with a redirect back to the
//!   chargeback's page with `uploaded=1` or a fixed `upload_error=<code>`;
//! - `GET /api/chargebacks/evidence/{id}` (any member) and
//!   `GET /api/admin/chargebacks/evidence/{id}` (staff with payments `view`): the file as
//!   an attachment, `no-store`, its sniffed type; audited as `chargeback.evidence.view`.
//!   Another merchant's id is a plain 404.

use app::error::AppError;
use app::policy::{ALL_MERCHANT_ROLES, DISPUTE_RESPONDERS, Policy};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use platform::Platform;
use platform::audit::RequestFacts;
use platform::chargebacks::ChargebackError;
use platform::chargebacks::evidence::{self, Submission};
use platform::identity::roles::{Level, Module, StaffScope};
use platform::kyc::documents::{MAX_BYTES, Reader};
use tower_sessions::Session;
use uuid::Uuid;

use crate::facts::Facts;
use crate::files::{self, Disposition, admitted, member, refusal};
use crate::kyc_files::BODY_LIMIT;

pub fn routes() -> Router<Platform> {
    Router::new()
        .route(
            "/api/chargebacks/{id}/evidence",
            post(upload).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/api/chargebacks/evidence/{id}", get(member_download))
        .route("/api/admin/chargebacks/evidence/{id}", get(staff_download))
}

fn back(chargeback_id: Uuid, query: &str) -> Response {
    Redirect::to(&format!(
        "/dashboard/chargebacks/{chargeback_id}?{query}#evidence"
    ))
    .into_response()
}

/// The multipart `file`, capped: past [`MAX_BYTES`] the rest is read and dropped (the body
/// limit bounds it), so memory holds at most one file. `None` when it was too large.
async fn read_file(mut multipart: Multipart) -> Result<Option<Vec<u8>>, StatusCode> {
    let mut file = Vec::new();
    let mut too_large = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| e.status())? {
        if field.name() != Some("file") {
            continue;
        }
        while let Some(chunk) = field.chunk().await.map_err(|e| e.status())? {
            if too_large || file.len() + chunk.len() > MAX_BYTES {
                too_large = true;
                file = Vec::new();
            } else {
                file.extend_from_slice(&chunk);
            }
        }
    }
    Ok((!too_large).then_some(file))
}

#[tracing::instrument(skip_all)]
async fn upload(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Response {
    let (user, scope) = match member(&platform, &session, DISPUTE_RESPONDERS).await {
        Ok(member) => member,
        Err(error) => return refusal(error),
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return refusal(AppError::NotFound);
    };
    let file = match read_file(multipart).await {
        Ok(Some(file)) => file,
        Ok(None) | Err(StatusCode::PAYLOAD_TOO_LARGE) => return back(id, "upload_error=size"),
        Err(status) => return (status, "The upload could not be read.").into_response(),
    };
    match evidence::add(
        &platform,
        user.id(),
        scope.merchant_id(),
        id,
        Submission::File(&file),
        &facts,
    )
    .await
    {
        Ok(_) => back(id, "uploaded=1"),
        Err(ChargebackError::Invalid { field: "file", .. }) if file.is_empty() => {
            back(id, "upload_error=empty")
        }
        Err(ChargebackError::Invalid { field: "file", .. }) if file.len() > MAX_BYTES => {
            back(id, "upload_error=size")
        }
        Err(ChargebackError::Invalid { field: "file", .. }) => back(id, "upload_error=type"),
        Err(ChargebackError::Invalid { .. }) => back(id, "upload_error=closed"),
        Err(error) => refusal(AppError::from(error)),
    }
}

async fn member_download(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
    Path(id): Path<String>,
) -> Response {
    let (_, scope) = match member(&platform, &session, ALL_MERCHANT_ROLES).await {
        Ok(member) => member,
        Err(error) => return refusal(error),
    };
    download(&platform, Reader::Member(scope), &id, facts).await
}

async fn staff_download(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
    Path(id): Path<String>,
) -> Response {
    let user = match admitted(
        &platform,
        &session,
        Policy::Staff(Module::Payments, Level::View),
    )
    .await
    {
        Ok(user) => user,
        Err(error) => return refusal(error),
    };
    let Some(staff) = StaffScope::of(&user, Module::Payments, Level::View) else {
        return refusal(AppError::Forbidden);
    };
    download(&platform, Reader::Staff(staff), &id, facts).await
}

async fn download(platform: &Platform, reader: Reader, id: &str, facts: RequestFacts) -> Response {
    let Ok(id) = Uuid::parse_str(id) else {
        return refusal(AppError::NotFound);
    };
    let file = match evidence::read(platform, reader, id, &facts).await {
        Ok(file) => file,
        Err(error) => return refusal(AppError::from(error)),
    };
    files::file(
        file.bytes().to_vec(),
        file.file_type.content_type(),
        &file.file_name(),
        Disposition::Attachment,
    )
}
