//! Minimal HTML pages with a nonce-based Content Security Policy.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use rand::Rng as _;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub fn nonce() -> String {
    let bytes: [u8; 16] = rand::thread_rng().r#gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where forms on the page may post. Pages of the sandbox itself post to
/// `'self'`; the return page posts to the merchant's origin.
pub struct Page {
    /// The page's language: the `lang` the gate request named, where the page follows it.
    pub lang: &'static str,
    pub title: String,
    pub body: String,
    pub nonce: String,
    pub form_action: String,
}

const STYLE: &str = "body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}\
label{display:block;margin:.6rem 0}input{display:block;width:100%;padding:.4rem}\
.err{color:#a00}.note{color:#555;font-size:.9rem}";

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let html = format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title>\
             <style nonce=\"{n}\">{STYLE}</style></head><body>{}</body></html>",
            escape(&self.title),
            self.body,
            lang = self.lang,
            n = self.nonce,
        );
        let csp = format!(
            "default-src 'none'; script-src 'nonce-{n}'; style-src 'nonce-{n}'; form-action {fa}; \
             frame-src {fa}; base-uri 'none'; frame-ancestors 'none'",
            n = self.nonce,
            fa = self.form_action,
        );
        let mut response = Html(html).into_response();
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        response
    }
}

/// Hidden inputs for a list of fields.
pub fn hidden_inputs(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(n, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(n),
                escape(v)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
