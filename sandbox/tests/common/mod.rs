//! Test harness: a sandbox, a merchant that receives returns and callbacks,
//! and a "browser" that walks the hosted pages with reqwest.
#![allow(dead_code)] // Each test binary uses a different part of the harness.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::Method;
use axum::routing::any;
use payten::{
    BillTo, Credentials, Currency, GatewayEndpoints, Lang, Money, NestPay, OrderId,
    PaymentGateway as _, PaymentRequest, Recurring, Timeouts, TranType,
};
use payten_sandbox::buyer::Buyer;
use payten_sandbox::config::{DEV_API_PASSWORD, DEV_API_USER, DEV_CLIENT_ID, DEV_STORE_KEY};
use payten_sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub const APPROVE_MC: &str = "5571135571135575";
pub const APPROVE_VISA: &str = "4355084355084358";
#[allow(unused_imports)] // Each test binary uses a different part.
pub use payten_sandbox::buyer::{CVV, EXPIRY, HtmlForm, forms};

/// Something the merchant received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `ok`, `fail` or `cb`.
    pub kind: String,
    pub method: Method,
    pub fields: Vec<(String, String)>,
}

pub struct Merchant {
    pub base: String,
    pub rx: mpsc::UnboundedReceiver<Received>,
}

impl Merchant {
    /// The next thing received. The timeout only guards against a hung test.
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
            .await
            .expect("merchant received nothing")
            .expect("merchant channel open")
    }

    /// The next callback, skipping browser returns.
    pub async fn next_callback(&mut self) -> Received {
        loop {
            let r = self.next().await;
            if r.kind == "cb" {
                return r;
            }
        }
    }
}

/// A merchant site on 127.0.0.1:0: `/ok`, `/fail` and `/cb` record what they get;
/// `/cb` answers `Approved` as the gateway expects.
pub async fn merchant() -> Merchant {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/{kind}",
        any(
            move |Path(kind): Path<String>,
                  method: Method,
                  RawQuery(query): RawQuery,
                  body: Bytes| {
                let tx = tx.clone();
                async move {
                    let raw = if method == Method::GET {
                        query.unwrap_or_default().into_bytes()
                    } else {
                        body.to_vec()
                    };
                    let fields = form_urlencoded::parse(&raw)
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    let reply = if kind == "cb" { "Approved" } else { "OK" };
                    let _ = tx.send(Received {
                        kind,
                        method,
                        fields,
                    });
                    reply
                }
            },
        ),
    );
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind merchant");
    let addr = listener.local_addr().expect("merchant addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Merchant {
        base: format!("http://{addr}"),
        rx,
    }
}

pub async fn sandbox() -> Sandbox {
    let config = SandboxConfig {
        callback_backoff: Duration::from_millis(20),
        ..SandboxConfig::default()
    };
    Sandbox::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start sandbox")
}

pub fn credentials() -> Credentials {
    Credentials {
        client_id: DEV_CLIENT_ID.into(),
        store_key: SecretString::from(DEV_STORE_KEY),
        api_user: DEV_API_USER.into(),
        api_password: SecretString::from(DEV_API_PASSWORD),
    }
}

pub fn gateway(sandbox: &Sandbox, timeouts: Timeouts) -> NestPay {
    NestPay::new(
        GatewayEndpoints::from_base(&sandbox.base_url()),
        credentials(),
        timeouts,
    )
    .expect("client")
}

/// What most tests start from: the sandbox, a merchant site receiving returns and
/// callbacks, a client with default timeouts, and a buyer's browser.
pub struct Rig {
    pub sb: Sandbox,
    pub merchant: Merchant,
    pub gw: NestPay,
    pub browser: Browser,
}

pub async fn rig() -> Rig {
    let sb = sandbox().await;
    let merchant = merchant().await;
    let gw = gateway(&sb, Timeouts::default());
    let browser = Browser::new(&sb);
    Rig {
        sb,
        merchant,
        gw,
        browser,
    }
}

pub fn fresh_oid(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(1);
    format!("{prefix}{}", N.fetch_add(1, Ordering::Relaxed))
}

pub fn request(merchant: &Merchant, oid: &str, minor: i64) -> PaymentRequest {
    PaymentRequest {
        oid: OrderId::new(oid).expect("oid"),
        amount: Money::new(minor, Currency::Eur),
        tran_type: TranType::Auth,
        ok_url: format!("{}/ok", merchant.base),
        fail_url: format!("{}/fail", merchant.base),
        callback_url: format!("{}/cb", merchant.base),
        lang: Lang::En,
        email: Some("buyer@example.com".into()),
        bill_to: BillTo {
            name: Some("Arbër Çela".into()),
            ..BillTo::default()
        },
        recurring: None,
    }
}

/// The buyer's browser: the shared scripted buyer, plus the client's own form builder.
pub struct Browser {
    pub buyer: Buyer,
    pub http: reqwest::Client,
}

impl Browser {
    pub fn new(sandbox: &Sandbox) -> Browser {
        let buyer = Buyer::new(sandbox.base_url());
        Browser {
            http: buyer.http.clone(),
            buyer,
        }
    }

    pub async fn post(&self, action: &str, fields: &[(String, String)]) -> String {
        self.buyer.post(action, fields).await
    }

    pub async fn post_pairs(&self, action: &str, fields: &[(&str, &str)]) -> String {
        self.buyer.post_pairs(action, fields).await
    }

    /// Submits a form the way a browser would (POST body or GET query).
    pub async fn submit(&self, form: &HtmlForm) {
        let url = if form.action.starts_with('/') {
            format!("{}{}", self.buyer.base, form.action)
        } else {
            form.action.clone()
        };
        let r = if form.method.eq_ignore_ascii_case("post") {
            self.http.post(url).form(&form.fields).send().await
        } else {
            self.http.get(url).query(&form.fields).send().await
        };
        assert!(r.expect("submit").status().is_success());
    }

    /// Gate → card page → 3-D Secure page; returns the page after the password.
    pub async fn pay_page(
        &self,
        gw: &NestPay,
        req: &PaymentRequest,
        card: &str,
        password: &str,
    ) -> String {
        let form = gw.hosted_form(req).expect("hosted form");
        let gate = HtmlForm {
            method: "post".into(),
            action: form.action,
            fields: form.fields,
        };
        self.buyer.card_and_3ds(&gate, card, password).await
    }

    /// Pays and returns the auto-post form(s) of the return page.
    pub async fn pay(
        &self,
        gw: &NestPay,
        req: &PaymentRequest,
        card: &str,
        password: &str,
    ) -> Vec<HtmlForm> {
        forms(&self.pay_page(gw, req, card, password).await)
    }
}

pub fn with_recurring(mut req: PaymentRequest, recurring: Recurring) -> PaymentRequest {
    req.recurring = Some(recurring);
    req
}

/// Sets a fault through the admin endpoint.
pub async fn set_fault(sandbox: &Sandbox, rule: serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/sandbox/faults", sandbox.base_url()))
        .json(&rule)
        .send()
        .await
        .expect("set fault");
    assert!(r.status().is_success(), "fault refused: {}", r.status());
}

pub async fn advance_days(sandbox: &Sandbox, days: u64) {
    let r = reqwest::Client::new()
        .post(format!("{}/sandbox/clock", sandbox.base_url()))
        .json(&serde_json::json!({ "days": days }))
        .send()
        .await
        .expect("advance clock");
    assert!(r.status().is_success());
}
