//! KYC files over plain routes (a multipart upload and binary downloads do not fit JSON
//! server functions), behind the same layers as every `/api/` call: the CSRF layer, the
//! session, and the route guard, which finds their policies in `app::policy::FILE_ROUTES`.
//! Each handler checks the role again from the session and scopes its query:
//! - `POST /api/kyc/files` (owners and admins): multipart `kind`, `person_id` (identity
//!   documents), `file`. The body is capped at [`BODY_LIMIT`] before it is read whole; the
//!   file at `platform::kyc::documents::MAX_BYTES` and its type sniffed before anything is
//!   stored. A browser's form post is answered with a redirect back to the Verification
//!   page, carrying `uploaded=<kind>` or a fixed `upload_error=<code>` (never text from
//!   the request, so the page cannot be made to show someone else's words);
//! - `GET /api/kyc/files/{id}` (any member) and `GET /api/admin/kyc/files/{id}` (staff
//!   with merchants `view`): the file as an attachment, `no-store`, its sniffed type;
//!   audited as `kyc.document.view`. Another merchant's id is a plain 404.

use app::error::AppError;
use app::policy::{ALL_MERCHANT_ROLES, KYC_EDITORS, Policy};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use platform::Platform;
use platform::audit::RequestFacts;
use platform::identity::roles::{Level, Module, StaffScope};
use platform::kyc::documents::{self, MAX_BYTES, Reader};
use platform::kyc::{DocumentKind, KycError};
use tower_sessions::Session;
use uuid::Uuid;

use crate::facts::Facts;
use crate::files::{self, Disposition, admitted, member, refusal};

/// The largest upload body: the file's limit and room for the multipart envelope (the
/// boundaries, the other fields and their headers).
pub const BODY_LIMIT: usize = MAX_BYTES + 64 * 1024;

const PAGE: &str = "/dashboard/verification";

pub fn routes() -> Router<Platform> {
    Router::new()
        .route(
            "/api/kyc/files",
            post(upload).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/api/kyc/files/{id}", get(member_download))
        .route("/api/admin/kyc/files/{id}", get(staff_download))
}

fn back(query: &str) -> Response {
    Redirect::to(&format!("{PAGE}?{query}#documents")).into_response()
}

/// The multipart form, read with the file capped: past [`MAX_BYTES`] the rest is read
/// and dropped (the body limit bounds it), so memory holds at most one file.
struct UploadForm {
    kind: String,
    person_id: String,
    file: Vec<u8>,
    too_large: bool,
}

async fn read_form(mut multipart: Multipart) -> Result<UploadForm, StatusCode> {
    let mut form = UploadForm {
        kind: String::new(),
        person_id: String::new(),
        file: Vec::new(),
        too_large: false,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(|e| e.status())? {
        match field.name() {
            Some("kind") => form.kind = field.text().await.map_err(|e| e.status())?,
            Some("person_id") => form.person_id = field.text().await.map_err(|e| e.status())?,
            Some("file") => {
                while let Some(chunk) = field.chunk().await.map_err(|e| e.status())? {
                    if form.too_large || form.file.len() + chunk.len() > MAX_BYTES {
                        form.too_large = true;
                        form.file = Vec::new();
                    } else {
                        form.file.extend_from_slice(&chunk);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(form)
}

#[tracing::instrument(skip_all)]
async fn upload(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
    multipart: Multipart,
) -> Response {
    let (user, scope) = match member(&platform, &session, KYC_EDITORS).await {
        Ok(member) => member,
        Err(error) => return refusal(error),
    };
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(StatusCode::PAYLOAD_TOO_LARGE) => return back("upload_error=size"),
        Err(status) => return (status, "The upload could not be read.").into_response(),
    };
    if form.too_large {
        return back("upload_error=size");
    }
    let Some(kind) = DocumentKind::parse(form.kind.trim()) else {
        return back("upload_error=kind");
    };
    let person_id = match form.person_id.trim() {
        "" => None,
        text => match Uuid::parse_str(text) {
            Ok(id) => Some(id),
            Err(_) => return back("upload_error=person"),
        },
    };
    match documents::upload(
        &platform,
        user.id(),
        scope.merchant_id(),
        kind,
        person_id,
        &form.file,
        &facts,
    )
    .await
    {
        Ok(_) => back(&format!("uploaded={}", kind.slug())),
        Err(error) => match upload_error(&form.file, &error) {
            Some(code) => back(&format!("upload_error={code}")),
            None => refusal(AppError::from(error)),
        },
    }
}

/// The fixed code of an upload's refusal, for the page to say in its own words.
fn upload_error(file: &[u8], error: &KycError) -> Option<&'static str> {
    Some(match error {
        KycError::Invalid { field: "file", .. } if file.is_empty() => "empty",
        KycError::Invalid { field: "file", .. } if file.len() > MAX_BYTES => "size",
        KycError::Invalid { field: "file", .. } => "type",
        KycError::Invalid { field: "kind", .. } => "passport_back",
        KycError::Invalid {
            field: "person_id", ..
        }
        | KycError::NotFound => "person",
        KycError::NotAllowed(_) => "closed",
        _ => return None,
    })
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
        Policy::Staff(Module::Merchants, Level::View),
    )
    .await
    {
        Ok(user) => user,
        Err(error) => return refusal(error),
    };
    let Some(staff) = StaffScope::of(&user, Module::Merchants, Level::View) else {
        return refusal(AppError::Forbidden);
    };
    download(&platform, Reader::Staff(staff), &id, facts).await
}

async fn download(platform: &Platform, reader: Reader, id: &str, facts: RequestFacts) -> Response {
    let Ok(id) = Uuid::parse_str(id) else {
        return refusal(AppError::NotFound);
    };
    let document = match documents::read(platform, reader, id, &facts).await {
        Ok(document) => document,
        Err(error) => return refusal(AppError::from(error)),
    };
    files::file(
        document.bytes().to_vec(),
        document.file_type.content_type(),
        &document.file_name(),
        Disposition::Attachment,
    )
}
