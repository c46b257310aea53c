//! The buyer's language on the buyer's pages ([`i18n::choice`]): a choice made with the
//! switcher (`?lang=sr-Latn` on any of these pages) is kept in a cookie for a year; else
//! the browser's `Accept-Language`; else Albanian. The merchant's language plays no part.
//!
//! [`remember`] wraps each request of these routes, so that the pages, built by many
//! small functions down to the error pages, read the language with [`locale`] rather
//! than each handler passing it along (the stylesheet's name travels the same way,
//! `crate::site::stylesheet`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use i18n::{Locale, choice};

/// The language of the request being answered, and the page to switch the language on.
#[derive(Clone)]
struct Buyer {
    locale: Locale,
    here: Option<Arc<str>>,
}

tokio::task_local! {
    static BUYER: Buyer;
}

/// Whether the language cookie is `Secure`: on an HTTPS public URL.
#[derive(Clone, Copy)]
pub struct CookiePolicy {
    pub secure: bool,
}

/// Resolves the request's language, answers within it, and keeps a switcher's choice.
pub async fn remember(
    State(policy): State<CookiePolicy>,
    request: Request,
    next: Next,
) -> Response {
    let switched = request
        .uri()
        .query()
        .and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix(choice::PARAM)?.strip_prefix('='))
        })
        .and_then(choice::parse);
    let cookie = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(choice::COOKIE)?.strip_prefix('='))
        .and_then(choice::parse);
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    let locale = choice::resolve(switched.or(cookie), accept);
    let buyer = Buyer {
        locale,
        here: switchable(&request).map(Arc::from),
    };
    let mut response = BUYER.scope(buyer, next.run(request)).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(choice::tag(locale)),
    );
    headers.append(
        header::VARY,
        HeaderValue::from_static("accept-language, cookie"),
    );
    if let Some(locale) = switched {
        let secure = if policy.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            choice::COOKIE,
            choice::tag(locale)
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The page a language link reloads: the path of a page fetched with GET. A page answered
/// to a POST has none (reloading it would post again), nor have the gateway's return and
/// callback, which a bare GET would answer as an unverifiable return.
fn switchable(request: &Request) -> Option<String> {
    let path = request.uri().path();
    let gateway = super::GATEWAY_PATHS.contains(&path);
    (matches!(*request.method(), Method::GET | Method::HEAD) && !gateway).then(|| path.to_owned())
}

/// The language of the page being rendered: Albanian outside a request [`remember`] wraps.
pub fn locale() -> Locale {
    BUYER.try_with(|b| b.locale).unwrap_or(Locale::sq)
}

/// The page being rendered, to reload in another language; see [`switchable`].
pub fn here() -> Option<Arc<str>> {
    BUYER.try_with(|b| b.here.clone()).ok().flatten()
}
