//! Payout files over plain routes, behind the same layers as every `/api/` call (the CSRF
//! layer, the session, the route guard with `app::policy::FILE_ROUTES`); each handler
//! checks the policy again from the session:
//! - `GET /api/payouts/{id}/statement` (owners, admins and finance of the payout's
//!   merchant; another merchant's payout is a plain 404) and
//!   `GET /api/admin/payouts/{id}/statement` (staff with payouts `view`): the statement as
//!   a printable page, or with `?format=csv` as CSV; audited as `payout.statement`;
//! - `GET /api/admin/payouts/batches/{id}/file` (payouts `act`): an approved batch's
//!   pain.001 XML as an attachment; audited as `payout_batch.file`;
//! - `POST /api/admin/payouts/statements` (payouts `act`): multipart `file`, the bank
//!   statement's CSV; answered with a redirect back to the Payouts module carrying
//!   `imported=<id>` or a fixed `import_error=<code>`.

use app::error::AppError;
use app::policy::{PAYOUT_READERS, Policy};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use platform::Platform;
use platform::audit::RequestFacts;
use platform::identity::roles::{Level, Module, StaffScope};
use platform::payouts::statement::{self, Reader};
use platform::payouts::{PayoutError, import, pain001};
use tower_sessions::Session;
use uuid::Uuid;

use crate::facts::Facts;
use crate::files::{Disposition, admitted, file, member, refusal, stepped_up};

const MODULE_PAGE: &str = "/admin/payouts";
const STATEMENTS: &str = "/api/admin/payouts/statements";

pub fn routes() -> Router<Platform> {
    Router::new()
        .route("/api/payouts/{id}/statement", get(member_statement))
        .route("/api/admin/payouts/{id}/statement", get(staff_statement))
        .route("/api/admin/payouts/batches/{id}/file", get(batch_file))
        .route(
            STATEMENTS,
            post(import_statement).layer(DefaultBodyLimit::max(import::MAX_BYTES + 64 * 1024)),
        )
}

#[derive(serde::Deserialize)]
struct Format {
    #[serde(default)]
    format: String,
}

async fn member_statement(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
    Path(id): Path<String>,
    Query(format): Query<Format>,
) -> Response {
    let (user, scope) = match member(&platform, &session, PAYOUT_READERS).await {
        Ok(member) => member,
        Err(error) => return refusal(error),
    };
    let reader = Reader::Member {
        user_id: user.id(),
        merchant_id: scope.merchant_id(),
    };
    statement_response(&platform, reader, &id, &format.format, &facts).await
}

async fn staff_statement(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
    Path(id): Path<String>,
    Query(format): Query<Format>,
) -> Response {
    let user = match admitted(
        &platform,
        &session,
        Policy::Staff(Module::Payouts, Level::View),
    )
    .await
    {
        Ok(user) => user,
        Err(error) => return refusal(error),
    };
    statement_response(
        &platform,
        Reader::Staff { user_id: user.id() },
        &id,
        &format.format,
        &facts,
    )
    .await
}

async fn statement_response(
    platform: &Platform,
    reader: Reader,
    id: &str,
    format: &str,
    facts: &RequestFacts,
) -> Response {
    let Ok(id) = Uuid::parse_str(id) else {
        return refusal(AppError::NotFound);
    };
    let statement = match statement::read(platform, reader, id, facts).await {
        Ok(statement) => statement,
        Err(error) => return refusal(AppError::from(error)),
    };
    let stem = statement.file_stem();
    // The statement page carries no script: the strictest policy fits it.
    let mut response = match format {
        "csv" => file(
            statement.to_csv(),
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
            Disposition::Attachment,
        ),
        _ => file(
            statement.to_html(),
            "text/html; charset=utf-8",
            &format!("{stem}.html"),
            Disposition::Inline,
        ),
    };
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    response
}

async fn batch_file(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
    Path(id): Path<String>,
) -> Response {
    let user = match admitted(
        &platform,
        &session,
        Policy::Staff(Module::Payouts, Level::Act),
    )
    .await
    {
        Ok(user) => user,
        Err(error) => return refusal(error),
    };
    let Some(scope) = StaffScope::of(&user, Module::Payouts, Level::Act) else {
        return refusal(AppError::Forbidden);
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return refusal(AppError::NotFound);
    };
    match pain001::batch_file(&platform, id, &scope, &facts).await {
        Ok((name, xml)) => file(
            xml,
            "application/xml; charset=utf-8",
            &name,
            Disposition::Attachment,
        ),
        Err(error) => refusal(AppError::from(error)),
    }
}

fn back(query: &str) -> Response {
    Redirect::to(&format!("{MODULE_PAGE}?{query}#imports")).into_response()
}

async fn import_statement(
    State(platform): State<Platform>,
    session: Session,
    Facts(facts): Facts,
    mut multipart: Multipart,
) -> Response {
    let user = match admitted(
        &platform,
        &session,
        Policy::Staff(Module::Payouts, Level::Act),
    )
    .await
    {
        Ok(user) => user,
        Err(error) => return refusal(error),
    };
    // Importing marks payouts paid or returned: money's story changes, so a fresh step-up.
    if let Err(error) = stepped_up(&platform, &session, &user, STATEMENTS, &facts).await {
        return refusal(error);
    }
    let Some(scope) = StaffScope::of(&user, Module::Payouts, Level::Act) else {
        return refusal(AppError::Forbidden);
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("statement.csv").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    Err(_) => return back("import_error=size"),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => return back("import_error=size"),
        }
    }
    let Some((name, bytes)) = file else {
        return back("import_error=empty");
    };
    match import::import(&platform, &scope, &name, &bytes, &facts).await {
        Ok(report) => back(&format!("imported={}", report.import_id)),
        Err(PayoutError::Invalid { .. }) => back("import_error=format"),
        Err(error) => refusal(AppError::from(error)),
    }
}
