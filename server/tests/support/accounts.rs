//! Accounts as a browser sees them: a visitor with its session cookie, the mail the
//! platform queued, and the steps to a verified, signed-in merchant.

use platform::field_crypto::FieldSlot;
use reqwest::Response;
use secrecy::ExposeSecret;

use super::TestServer;

pub const PASSWORD: &str = "vivid-otter-lantern-92";
pub const NEW_PASSWORD: &str = "amber-kettle-orbit-57";

/// A browser's view of one server, as the hydrated app calls it: its session cookie, sent
/// back on every request. Server functions answer it with a `Location` header to follow
/// (status 200) or an error status with the error as JSON.
pub struct Visitor<'a> {
    pub server: &'a TestServer,
    pub cookie: Option<String>,
    /// The client address a proxy in front passes on (`X-Forwarded-For`), if any.
    pub forwarded_for: Option<String>,
}

impl<'a> Visitor<'a> {
    pub fn new(server: &'a TestServer) -> Self {
        Self {
            server,
            cookie: None,
            forwarded_for: None,
        }
    }

    /// A visitor at client address `ip`, for a server that trusts the loopback proxy.
    pub fn at(server: &'a TestServer, ip: &str) -> Self {
        Self {
            server,
            cookie: None,
            forwarded_for: Some(ip.to_owned()),
        }
    }

    fn keep_cookie(&mut self, response: &Response) {
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            if !set.contains("saleonix-session=") {
                continue;
            }
            let pair = set.split(';').next().unwrap().to_owned();
            let removed = set.contains("Max-Age=0") || pair.ends_with('=');
            self.cookie = if removed { None } else { Some(pair) };
        }
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let mut request = self
            .server
            .client
            .post(self.server.url(path))
            .header("sec-fetch-site", "same-origin")
            .form(form);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(ip) = &self.forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        let response = request.send().await.unwrap();
        self.keep_cookie(&response);
        response
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let mut request = self.server.client.get(self.server.url(path));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(ip) = &self.forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        let response = request.send().await.unwrap();
        self.keep_cookie(&response);
        response
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Response {
        self.post(
            "/api/auth/sign-in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Whether the session still opens the dashboard.
    pub async fn is_signed_in(&mut self) -> bool {
        let response = self.get("/dashboard").await;
        match response.status().as_u16() {
            200 => true,
            303 => {
                assert_eq!(location(&response), "/sign-in");
                false
            }
            other => panic!("unexpected status {other}"),
        }
    }
}

pub fn location(response: &Response) -> &str {
    response.headers()["location"].to_str().unwrap()
}

pub async fn error_of(response: Response) -> app::error::AppError {
    let body = response.text().await.unwrap();
    serde_json::from_str(&body).unwrap_or_else(|_| panic!("not an AppError: {body}"))
}

/// Every queued mail to `to`, newest first, decrypted.
pub async fn mails_to(server: &TestServer, to: &str) -> Vec<String> {
    let rows: Vec<(uuid::Uuid, Vec<u8>)> = sqlx::query_as(
        "SELECT id, body FROM mail_outbox WHERE to_address = $1 ORDER BY created_at DESC, id",
    )
    .bind(to)
    .fetch_all(&server.platform.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(id, body)| {
            let slot = FieldSlot {
                table: "mail_outbox",
                column: "body",
                row: &id.to_string(),
            };
            let plain = server
                .platform
                .config
                .secrets
                .field_keys
                .decrypt(slot, &body)
                .unwrap();
            String::from_utf8(plain.expose_secret().clone()).unwrap()
        })
        .collect()
}

/// The token of the newest link to `path` in mail to `to`.
pub async fn token_from_mail(server: &TestServer, to: &str, path: &str) -> String {
    let needle = format!("{}{path}?token=", server.base);
    for body in mails_to(server, to).await {
        if let Some(start) = body.find(&needle) {
            return body[start + needle.len()..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
        }
    }
    panic!("no {path} link in mail to {to}");
}

pub async fn sign_up(server: &TestServer, email: &str, password: &str) -> Response {
    Visitor::new(server)
        .post(
            "/api/auth/sign-up",
            &[
                ("full_name", "Drita Berisha"),
                ("business_name", "Dardania Crafts"),
                ("email", email),
                ("password", password),
            ],
        )
        .await
}

pub async fn verified_account(server: &TestServer, email: &str) {
    assert_eq!(
        location(&sign_up(server, email, PASSWORD).await),
        "/check-email"
    );
    let token = token_from_mail(server, email, "/verify-email").await;
    let verified = Visitor::new(server)
        .post("/api/auth/verify-email", &[("token", &token)])
        .await;
    assert_eq!(location(&verified), "/sign-in?verified=1");
}

pub async fn signed_in<'a>(server: &'a TestServer, email: &str, password: &str) -> Visitor<'a> {
    let mut visitor = Visitor::new(server);
    let response = visitor.sign_in(email, password).await;
    assert_eq!(
        response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap()),
        Some("/dashboard")
    );
    visitor
}
