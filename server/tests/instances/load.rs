//! The mixed load, all through nginx: buyers opening checkouts and paying them at the
//! sandbox (some returns and callbacks lost on the way, some cards declined), merchants
//! making checkouts from the dashboard and the API and signing in, and a shop refunding
//! through the API. A request that dies with an instance (a lost connection, nginx's 502)
//! is sent again, as a person presses the button again or a shop retries with the same
//! Idempotency-Key.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::public_id::{Kind, encode};
use payten_sandbox::buyer::{Buyer, HtmlForm, PASSWORD_3DS, forms};
use platform::api::keys::{self, NewKey, Permissions};
use platform::audit::RequestFacts;
use platform::gateway_accounts::Mode;
use platform::webhooks::endpoints::{self, NewEndpoint};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use super::stack::{Site, Stack};
use super::support::checkout::{APPROVE, field, merchant};

const PASSWORD: &str = "vivid-otter-lantern-92";
const DECLINED: &str = "4000000000000051";
/// A refund the shop asks for: one euro, so each payment takes several.
const REFUND_MINOR: i64 = 100;

/// A merchant of the load: its owner's session (signed in once, before any instance
/// dies) and its Test Mode API key.
pub struct Merchant {
    pub id: Uuid,
    pub email: String,
    key: String,
    session: reqwest::Client,
}

/// What the load did, for the checks and the printed counts.
#[derive(Debug, Default)]
pub struct Tally {
    pub checkouts: u32,
    pub pay_presses: u32,
    pub returns_delivered: u32,
    pub returns_lost: u32,
    pub callbacks_dropped: u32,
    pub declined_cards: u32,
    /// Requests sent again after an instance died holding them.
    pub repeats: u32,
    /// API keys whose first request died with its instance, still held when asked again.
    pub keys_held: u32,
    pub sign_ins: u32,
    /// Sessions made before the kill that opened the dashboard after it.
    pub sessions_kept: u32,
    pub refunds: Vec<RefundAsked>,
}

/// A refund the shop asked for under `key`, and what it was told.
#[derive(Debug, Clone)]
pub struct RefundAsked {
    pub merchant: usize,
    pub key: String,
    pub body: Value,
    /// The refund's id, or `None` while the first request's claim is held by a request
    /// that died with its instance (the API says `idempotency_key_in_use`).
    pub refund: Option<String>,
}

pub struct Load {
    pub site: Site,
    pub pool: PgPool,
    pub merchants: Vec<Merchant>,
    pub tally: Mutex<Tally>,
    until: Instant,
}

impl Merchant {
    /// A checkout made on the dashboard (the server function the page posts to).
    async fn checkout_from_dashboard(&self, load: &Load, price: &str) -> String {
        let body = format!(
            "checkout[items][0][product]=&checkout[items][0][name]=Filigree+earrings&checkout[items][0][price]={price}\
             &checkout[items][0][quantity]=1&checkout[buyer_email]=&checkout[reference]=&checkout[success_url]=\
             &checkout[cancel_url]=&checkout[expires_in_minutes]="
        );
        let response = load
            .answered(|| {
                self.session
                    .post(load.site.url("/api/payments/create-checkout"))
                    .header("sec-fetch-site", "same-origin")
                    .header("accept", "application/json")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
            })
            .await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "the dashboard refused a checkout: {text}");
        let url: String = serde_json::from_str(&text).unwrap();
        token_of(&url)
    }

    /// A checkout made by the shop through the API, retried under one Idempotency-Key.
    async fn checkout_from_api(&self, load: &Load, reference: &str, amount: i64) -> String {
        let body = json!({
            "line_items": [{"name": "Silver filigree earrings", "unit_amount": amount, "quantity": 1}],
            "success_url": "https://shop.example/thanks",
            "reference": reference,
        });
        let mut key = format!("cs-{reference}");
        loop {
            let (status, answer) = load.api(self, "/v1/checkout_sessions", &key, &body).await;
            if in_use(status, &answer) {
                // The first request died with its instance and holds the key for minutes;
                // the shop makes the checkout under a new key (the old one, if made,
                // simply expires unpaid).
                load.tally().keys_held += 1;
                key.push_str("-again");
                continue;
            }
            assert_eq!(status, 200, "the API refused a checkout: {answer}");
            return token_of(answer["url"].as_str().unwrap());
        }
    }
}

/// The API's answer to a key whose first request is still running (or died running).
fn in_use(status: u16, answer: &Value) -> bool {
    status == 409 && answer["error"]["code"] == "idempotency_key_in_use"
}

fn token_of(pay_url: &str) -> String {
    let (_, token) = pay_url.rsplit_once("/pay/").unwrap();
    assert!(token.starts_with("cs_"), "{pay_url}");
    token.to_owned()
}

/// Merchants with a signed-in owner session each, a Test Mode key, and a Test Mode webhook
/// endpoint at `hooks` for every event.
pub async fn merchants(stack: &Stack, count: usize, hooks: &str) -> Vec<Merchant> {
    let pool = &stack.platform.pool;
    let hash = platform::password::hash(&SecretString::from(PASSWORD)).unwrap();
    let mut out = Vec::new();
    for i in 0..count {
        let (id, scope) = merchant(pool, &format!("Shop {i}"), false).await;
        let email = format!("owner-{id}@shop.test");
        sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
            .bind(&hash)
            .bind(&email)
            .execute(pool)
            .await
            .unwrap();
        let new = NewKey {
            name: "Shop".into(),
            mode: Mode::Test,
            permissions: Permissions::Full,
        };
        let key = keys::create(&stack.platform, &scope, new, &RequestFacts::default())
            .await
            .unwrap()
            .secret
            .expose_secret()
            .to_owned();
        let endpoint = NewEndpoint {
            url: hooks.to_owned(),
            event_types: None,
            description: "Shop".into(),
        };
        endpoints::create(
            &stack.platform,
            &scope,
            Mode::Test,
            &endpoint,
            &RequestFacts::default(),
        )
        .await
        .unwrap();
        let session = stack.site.client();
        let merchant = Merchant {
            id,
            email,
            key,
            session,
        };
        let ip = format!("10.250.0.{i}");
        let response = sign_in(&stack.site, &merchant.session, &merchant.email, &ip)
            .send()
            .await
            .unwrap();
        assert_signed_in(&response, &merchant.email);
        out.push(merchant);
    }
    out
}

/// The sign-in form of `email`, posted from client address `ip`.
fn sign_in(
    site: &Site,
    client: &reqwest::Client,
    email: &str,
    ip: &str,
) -> reqwest::RequestBuilder {
    client
        .post(site.url("/api/auth/sign-in"))
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", ip)
        .form(&[("email", email), ("password", PASSWORD)])
}

/// A sign-in answered by sending the browser on to the dashboard.
fn assert_signed_in(response: &reqwest::Response, email: &str) {
    assert_eq!(
        response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap()),
        Some("/dashboard"),
        "sign-in of {email}: {}",
        response.status()
    );
}

impl Load {
    pub fn new(stack: &Stack, merchants: Vec<Merchant>, duration: Duration) -> Arc<Load> {
        Arc::new(Load {
            site: stack.site.clone(),
            pool: stack.platform.pool.clone(),
            merchants,
            tally: Mutex::default(),
            until: Instant::now() + duration,
        })
    }

    fn tally(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally.lock().unwrap()
    }

    fn running(&self) -> bool {
        Instant::now() < self.until
    }

    /// The answer of an instance to the request `make` builds, sending it again while
    /// none answers (the connection lost, or nginx's 502 for a request whose instance died).
    async fn answered(&self, make: impl Fn() -> reqwest::RequestBuilder) -> reqwest::Response {
        for _ in 0..40 {
            match make().send().await {
                Ok(response) if response.status() != 502 => return response,
                _ => self.tally().repeats += 1,
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("no instance answered forty times in a row");
    }

    /// An API POST under `key`, repeated under the same key until an instance answers.
    async fn api(&self, merchant: &Merchant, path: &str, key: &str, body: &Value) -> (u16, Value) {
        let response = self
            .answered(|| {
                merchant
                    .session
                    .post(self.site.url(path))
                    .bearer_auth(&merchant.key)
                    .header("idempotency-key", key)
                    .json(body)
            })
            .await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Buyer `worker`: checkout after checkout until the load ends.
    pub async fn buyer(self: Arc<Self>, worker: usize) {
        let mut n = 0;
        while self.running() {
            n += 1;
            self.pay_one(worker, n).await;
        }
    }

    async fn pay_one(&self, worker: usize, n: usize) {
        let merchant = &self.merchants[(worker + n) % self.merchants.len()];
        let reference = format!("w{worker}n{n}");
        let cents = 1_000 + i64::try_from(n % 50).unwrap() * 37;
        let token = if n.is_multiple_of(2) {
            let price = format!("{}.{:02}", cents / 100, cents % 100);
            merchant.checkout_from_dashboard(self, &price).await
        } else {
            merchant.checkout_from_api(self, &reference, cents).await
        };
        self.tally().checkouts += 1;

        // A buyer of their own address: the per-address limits hold for each of them.
        let browser = self.site.client();
        let ip = format!("10.{worker}.{}.{}", n / 200, n % 200 + 1);
        let path = format!("/pay/{token}");
        let page = self
            .answered(|| {
                browser
                    .get(self.site.url(&path))
                    .header("x-forwarded-for", &ip)
            })
            .await;
        assert_eq!(page.status(), 200, "the checkout page of {token}");

        let email = format!("buyer-{reference}@example.com");
        let pressed = self
            .answered(|| {
                browser
                    .post(self.site.url(&path))
                    .header("sec-fetch-site", "same-origin")
                    .header("x-forwarded-for", &ip)
                    .form(&[("email", email.as_str())])
            })
            .await;
        let status = pressed.status();
        let page = pressed.text().await.unwrap();
        assert_eq!(status, 200, "Pay on {token}: {page}");
        let gate = forms(&page)
            .into_iter()
            .next()
            .expect("the form to the gateway");
        self.tally().pay_presses += 1;

        // Lost on the way: the browser's return, the gateway's callback, or both.
        let order_id = field(&gate, "oid").to_owned();
        let (drop_return, drop_callback) = (n % 7 == 3 || n % 11 == 5, n % 5 == 2 || n % 11 == 5);
        if drop_return {
            self.fault("drop_return", &order_id).await;
        }
        if drop_callback {
            self.fault("drop_callback", &order_id).await;
            self.tally().callbacks_dropped += 1;
        }
        let card = if n % 6 == 4 { DECLINED } else { APPROVE };
        if card == DECLINED {
            self.tally().declined_cards += 1;
        }
        let after = forms(
            &Buyer::new(self.site.gateway_base.clone())
                .card_and_3ds(&gate, card, PASSWORD_3DS)
                .await,
        );
        match after.first() {
            Some(back) => {
                let returned = self.answered(|| deliver(&browser, back, &ip)).await;
                assert!(
                    returned.status().is_success() || returned.status().is_redirection(),
                    "the return of {order_id}: {}",
                    returned.status()
                );
                self.tally().returns_delivered += 1;
            }
            None => self.tally().returns_lost += 1,
        }
    }

    async fn fault(&self, kind: &str, order_id: &str) {
        let response = reqwest::Client::new()
            .post(format!("{}/sandbox/faults", self.site.gateway_base))
            .json(&json!({"kind": kind, "order_id": order_id}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// A shop refunding a euro at a time through the API, each under its own key, some
    /// asked twice to see the same refund come back.
    pub async fn refunder(self: Arc<Self>) {
        let mut k = 0_u32;
        while self.running() {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let Some((payment, merchant_id)) = self.refundable().await else {
                continue;
            };
            k += 1;
            let merchant = self
                .merchants
                .iter()
                .position(|m| m.id == merchant_id)
                .unwrap();
            let asked = RefundAsked {
                merchant,
                key: format!("refund-{k}"),
                body: json!({
                    "payment": encode(Kind::Payment, payment),
                    "amount": REFUND_MINOR,
                    "reason": "One item returned",
                }),
                refund: None,
            };
            let asked = self.ask_refund(asked).await;
            if k.is_multiple_of(3)
                && let Some(first) = &asked.refund
            {
                let again = self.ask_refund(RefundAsked {
                    refund: None,
                    ..asked.clone()
                });
                assert_eq!(again.await.refund.as_ref(), Some(first), "{}", asked.key);
            }
            self.tally().refunds.push(asked);
        }
    }

    /// Asks for `asked` (again); with the refund's id once an answer says it.
    pub async fn ask_refund(&self, mut asked: RefundAsked) -> RefundAsked {
        let merchant = &self.merchants[asked.merchant];
        let (status, answer) = self
            .api(merchant, "/v1/refunds", &asked.key, &asked.body)
            .await;
        if in_use(status, &answer) {
            self.tally().keys_held += 1;
            return asked;
        }
        assert_eq!(status, 200, "refund {}: {answer}", asked.key);
        asked.refund = Some(answer["id"].as_str().unwrap().to_owned());
        asked
    }

    /// A paid payment of the load's merchants with at least a euro left to refund.
    async fn refundable(&self) -> Option<(Uuid, Uuid)> {
        let ids: Vec<Uuid> = self.merchants.iter().map(|m| m.id).collect();
        sqlx::query_as(
            "SELECT id, merchant_id FROM payments
             WHERE merchant_id = ANY($1) AND status IN ('paid', 'partially_refunded')
               AND amount_minor - refunded_minor >= $2
             ORDER BY random() LIMIT 1",
        )
        .bind(&ids)
        .bind(REFUND_MINOR)
        .fetch_optional(&self.pool)
        .await
        .unwrap()
    }

    /// Merchants signing in again and again (each on a new client, as on another device).
    pub async fn signer(self: Arc<Self>) {
        let mut n = 0;
        while self.running() {
            tokio::time::sleep(Duration::from_secs(3)).await;
            n += 1;
            let merchant = &self.merchants[n % self.merchants.len()];
            let client = self.site.client();
            let ip = format!("10.251.0.{}", n % 250);
            let response = self
                .answered(|| sign_in(&self.site, &client, &merchant.email, &ip))
                .await;
            assert_signed_in(&response, &merchant.email);
            self.tally().sign_ins += 1;
        }
    }

    /// Every merchant's session from before the kill still opens the dashboard.
    pub async fn sessions_open_the_dashboard(&self) {
        for merchant in &self.merchants {
            let response = self
                .answered(|| merchant.session.get(self.site.url("/dashboard")))
                .await;
            assert_eq!(
                response.status(),
                200,
                "the session of {} did not survive: {:?}",
                merchant.email,
                response.headers().get("location")
            );
            self.tally().sessions_kept += 1;
        }
    }
}

/// The browser following the gateway's auto-post form back to Saleonix.
fn deliver(browser: &reqwest::Client, form: &HtmlForm, ip: &str) -> reqwest::RequestBuilder {
    let request = if form.method.eq_ignore_ascii_case("post") {
        browser.post(&form.action).form(&form.fields)
    } else {
        browser.get(&form.action).query(&form.fields)
    };
    request.header("x-forwarded-for", ip)
}
