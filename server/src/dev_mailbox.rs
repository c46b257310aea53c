//! `GET /dev/mailbox`: the development mailbox as a page, so a developer (or a browser
//! test) can read the mail the platform sent and follow its links. The router mounts it
//! only where [`platform::mail::dev_mailbox`] says the mailbox is in use: development
//! without SMTP. Elsewhere the path is an ordinary 404.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;
use platform::mail::{MailboxMessage, read_mailbox};

use crate::AppState;

/// Enough for a development session; older files stay in the folder.
const SHOWN: usize = 200;

pub async fn page(State(state): State<AppState>) -> Response {
    let dir = state.platform.config.settings.mail.mailbox_dir.clone();
    let shown = dir.display().to_string();
    match tokio::task::spawn_blocking(move || read_mailbox(&dir, SHOWN)).await {
        Ok(Ok(messages)) => (
            [("x-robots-tag", "noindex, nofollow")],
            Html(render(&shown, &messages)),
        )
            .into_response(),
        Ok(Err(error)) => {
            tracing::error!(%error, dir = %shown, "cannot read the development mailbox");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot read the development mailbox",
            )
                .into_response()
        }
        Err(error) => {
            tracing::error!(%error, "reading the development mailbox panicked");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn render(dir: &str, messages: &[MailboxMessage]) -> String {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>Development mailbox · Saleonix</title>\n</head>\n<body>\n\
         <h1>Development mailbox</h1>\n",
    );
    html.push_str(&format!(
        "<p>{} in <code>{}</code>, newest first. Development only: with an SMTP server \
         configured, mail goes there instead.</p>\n",
        match messages.len() {
            1 => "1 message".to_owned(),
            n => format!("{n} messages"),
        },
        escape(dir),
    ));
    for message in messages {
        html.push_str(&format!(
            "<article class=\"mail\" data-to=\"{to}\">\n<h2>{subject}</h2>\n<dl>\n\
             <dt>To</dt><dd class=\"to\">{to}</dd>\n<dt>From</dt><dd class=\"from\">{from}</dd>\n\
             <dt>Date</dt><dd class=\"date\">{date}</dd>\n</dl>\n<pre class=\"body\">{body}</pre>\n</article>\n",
            to = escape(&message.to),
            subject = escape(&message.subject),
            from = escape(&message.from),
            date = escape(&message.date),
            body = linked(&message.body),
        ));
    }
    html.push_str("</body>\n</html>\n");
    html
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The escaped body with its `http://` and `https://` URLs as links. A URL ends at
/// whitespace, a quote or an angle bracket; punctuation that ends a sentence after it is
/// left out.
fn linked(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = ["http://", "https://"]
        .iter()
        .filter_map(|scheme| rest.find(scheme))
        .min()
    {
        out.push_str(&escape(&rest[..start]));
        let candidate = rest[start..]
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .next()
            .unwrap_or_default();
        let url_len = candidate
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')'])
            .len();
        let url = escape(&rest[start..start + url_len]);
        out.push_str(&format!("<a href=\"{url}\">{url}</a>"));
        rest = &rest[start + url_len..];
    }
    out.push_str(&escape(rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(to: &str, subject: &str, body: &str) -> MailboxMessage {
        MailboxMessage {
            file_name: "x.eml".into(),
            date: "Tue, 24 Nov 2026 19:46:15 +0000".into(),
            from: "Saleonix <no-reply@saleonix.test>".into(),
            to: to.into(),
            subject: subject.into(),
            body: body.into(),
        }
    }

    #[test]
    fn everything_from_the_mail_is_escaped() {
        let html = render(
            "/tmp/<box>",
            &[message(
                "\"><script>@x.test",
                "<b>hi</b> & 'bye'",
                "<img src=x onerror=alert(1)>",
            )],
        );
        assert!(
            !html.contains("<script>") && !html.contains("<b>") && !html.contains("<img"),
            "{html}"
        );
        assert!(
            html.contains("data-to=\"&quot;&gt;&lt;script&gt;@x.test\""),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;hi&lt;/b&gt; &amp; &#39;bye&#39;"));
        assert!(html.contains("<code>/tmp/&lt;box&gt;</code>"));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    }

    #[test]
    fn urls_in_the_body_become_links_and_nothing_else_does() {
        let body = "Confirm: http://127.0.0.1:3000/verify?token=a&b=1\nor https://pay.example/x.\njavascript:alert(1) <http://e.test/>";
        let html = linked(body);
        assert!(html.contains("<a href=\"http://127.0.0.1:3000/verify?token=a&amp;b=1\">http://127.0.0.1:3000/verify?token=a&amp;b=1</a>\n"), "{html}");
        assert!(
            html.contains("or <a href=\"https://pay.example/x\">https://pay.example/x</a>.\n"),
            "{html}"
        );
        assert!(
            html.contains(
                "javascript:alert(1) &lt;<a href=\"http://e.test/\">http://e.test/</a>&gt;"
            ),
            "{html}"
        );
        assert_eq!(linked("no links here & there"), "no links here &amp; there");
    }
}
