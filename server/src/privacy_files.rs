//! The archive an access request is answered with, over a plain route (a download does not
//! fit a JSON server function): `POST /api/public/privacy/export` with the mailed link's
//! `token` as a form field, posted by the button on `/privacy/export` (a POST, so a mail
//! scanner that follows the link does not spend it). The archive is answered once, as an
//! attachment with `no-store`; a spent, expired or unknown link goes back to the page with
//! a fixed code, never with text from the request.

use axum::Router;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use platform::Platform;
use platform::privacy::requests::export::{self, DownloadError};
use secrecy::SecretString;
use serde::Deserialize;

use crate::facts::Facts;
use crate::files::{self, Disposition};

pub fn routes() -> Router<Platform> {
    Router::new().route("/api/public/privacy/export", post(download))
}

#[derive(Deserialize)]
struct Link {
    token: String,
}

fn back(code: &str) -> Response {
    Redirect::to(&format!("/privacy/export?failed={code}")).into_response()
}

async fn download(
    State(platform): State<Platform>,
    Facts(facts): Facts,
    Form(link): Form<Link>,
) -> Response {
    let token = SecretString::from(link.token.trim().to_owned());
    match export::download(&platform, &token, &facts).await {
        Ok(zip) => files::file(
            zip,
            "application/zip",
            "saleonix-personal-data.zip",
            Disposition::Attachment,
        ),
        Err(DownloadError::Unknown) => back("unknown"),
        Err(DownloadError::Used) => back("used"),
        Err(DownloadError::Expired) => back("expired"),
        Err(error) => {
            tracing::error!(%error, "handing over a personal data export failed");
            back("failed")
        }
    }
}
