//! Who is signed in, for the header of every page: found here, before the page renders,
//! and handed to it in the request ([`PageViewer`]), so the page goes out whole with it
//! rather than as a stream with the header's answer after it (issue 24).

use app::auth::session::{self, SessionState};
use app::auth::{PageViewer, viewer_of};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use platform::Platform;
use tower_sessions::Session;

use crate::site;

pub async fn attach(
    State(platform): State<Platform>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with(app::SERVER_FN_PREFIX) || site::is_site_file(path) {
        return next.run(request).await;
    }
    // The route guard has resolved the session of a page that is not public already.
    let state = match request.extensions_mut().remove::<SessionState>() {
        Some(state) => state,
        None => session::resolve(&platform, &session)
            .await
            .unwrap_or_else(|error| {
                // A public page still renders, as to a visitor; the guard has refused
                // every other page whose session could not be read.
                tracing::warn!(%error, "reading the session for a page's header failed");
                SessionState::Anonymous
            }),
    };
    let viewer = match &state {
        SessionState::SignedIn(user) => Some(viewer_of(user)),
        _ => None,
    };
    request.extensions_mut().insert(PageViewer(viewer));
    next.run(request).await
}
