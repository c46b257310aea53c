//! A shop for checkout tests: the real server, a Test Mode sandbox and a second sandbox
//! standing in for the live gateway (its own store and key), a verified merchant, and a
//! buyer who walks Saleonix's pages and the gateway's with reqwest.

use std::net::SocketAddr;
use std::time::Duration;

use payten::{Credentials, GatewayEndpoints};
use payten_sandbox::buyer::{Buyer, HtmlForm, PASSWORD_3DS, forms};
use payten_sandbox::config::{DEV_API_PASSWORD, DEV_API_USER, DEV_CLIENT_ID, DEV_STORE_KEY};
use payten_sandbox::{Sandbox, SandboxConfig, StoreConfig};
use platform::gateway_accounts::{self, GatewayAccount, Mode};
use platform::identity::roles::{Level, MerchantScope, Module, StaffScope};
use platform::identity::users::{User, load_active};
use platform::payments::sessions::{self, NewItem, NewSession};
use secrecy::SecretString;
use sqlx::PgPool;
use uuid::Uuid;

use super::{TestServer, start_with};

pub const APPROVE: &str = "5571135571135575";
pub const LIVE_CLIENT_ID: &str = "520000777";
pub const LIVE_STORE_KEY: &str = "LIVE-SANDBOX-STORE-KEY";
pub const LIVE_API_USER: &str = "live-api";
pub const LIVE_API_PASSWORD: &str = "LIVE-API-PASSWORD";

pub struct Shop {
    pub server: TestServer,
    pub test_gateway: Sandbox,
    pub live_gateway: Sandbox,
    pub merchant_id: Uuid,
    pub scope: MerchantScope,
    /// The buyer's browser on Saleonix (no cookies, redirects not followed).
    pub http: reqwest::Client,
}

async fn sandbox(store: StoreConfig) -> Sandbox {
    let config = SandboxConfig {
        stores: vec![store],
        callback_backoff: Duration::from_millis(20),
        ..SandboxConfig::default()
    };
    Sandbox::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start sandbox")
}

fn live_store() -> StoreConfig {
    StoreConfig {
        client_id: LIVE_CLIENT_ID.into(),
        store_key: LIVE_STORE_KEY.into(),
        api_user: LIVE_API_USER.into(),
        api_password: LIVE_API_PASSWORD.into(),
    }
}

fn account(mode: Mode, gateway: &Sandbox, store: &StoreConfig) -> GatewayAccount {
    GatewayAccount {
        mode,
        endpoints: GatewayEndpoints::from_base(&gateway.base_url()),
        credentials: Credentials {
            client_id: store.client_id.clone(),
            store_key: SecretString::from(store.store_key.clone()),
            api_user: store.api_user.clone(),
            api_password: SecretString::from(store.api_password.clone()),
        },
    }
}

pub async fn shop(pool: PgPool) -> Shop {
    shop_with(pool, |_| {}).await
}

pub async fn shop_with(pool: PgPool, adjust: impl FnOnce(&mut platform::config::Settings)) -> Shop {
    let test_store = StoreConfig {
        client_id: DEV_CLIENT_ID.into(),
        store_key: DEV_STORE_KEY.into(),
        api_user: DEV_API_USER.into(),
        api_password: DEV_API_PASSWORD.into(),
    };
    let test_gateway = sandbox(test_store.clone()).await;
    let live_gateway = sandbox(live_store()).await;
    let (test, live) = (
        GatewayEndpoints::from_base(&test_gateway.base_url()),
        GatewayEndpoints::from_base(&live_gateway.base_url()),
    );
    // The two sandboxes are the configured gateways of their modes (plain HTTP on this
    // machine: tests build the settings without the https rule of `Settings::load`).
    let server = start_with(pool.clone(), |settings| {
        (settings.payten.test_gate_url, settings.payten.test_api_url) =
            (test.gate_url, test.api_url);
        (settings.payten.live_gate_url, settings.payten.live_api_url) =
            (live.gate_url, live.api_url);
        adjust(settings);
    })
    .await;
    let keys = &server.platform.config.secrets.field_keys;
    let mut conn = pool.acquire().await.unwrap();
    gateway_accounts::save(
        &mut conn,
        keys,
        &account(Mode::Test, &test_gateway, &test_store),
    )
    .await
    .unwrap();
    gateway_accounts::save(
        &mut conn,
        keys,
        &account(Mode::Live, &live_gateway, &live_store()),
    )
    .await
    .unwrap();

    let (merchant_id, scope) = merchant(&pool, "Dardania Crafts", true).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(super::english_browser())
        .build()
        .unwrap();
    Shop {
        server,
        test_gateway,
        live_gateway,
        merchant_id,
        scope,
        http,
    }
}

/// A verified account of `kind` (`merchant` or `staff`) that never signs in (its password
/// hash matches no password); returns its id.
pub async fn verified_user(pool: &PgPool, email: &str, full_name: &str, kind: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO users (id, email, full_name, kind, password_hash, email_verified_at)
         VALUES ($1, $2, $3, $4::user_kind, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', now())",
    )
    .bind(id)
    .bind(email)
    .bind(full_name)
    .bind(kind)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A new staff member holding `grants`, loaded as the server loads them, so the test can
/// take their `StaffScope`s.
pub async fn staff_user(pool: &PgPool, email: &str, grants: &[(Module, Level)]) -> User {
    let id = verified_user(pool, email, "Ops", "staff").await;
    for (module, level) in grants {
        sqlx::query("INSERT INTO staff_permissions (user_id, module, level) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(module)
            .bind(level)
            .execute(pool)
            .await
            .unwrap();
    }
    load_active(pool, id).await.unwrap().unwrap()
}

/// A new staff member holding every console module at `level`, and their scope for
/// `module`: what a staff-only platform function is handed after the console's guards.
pub async fn staff_scope(pool: &PgPool, module: Module, level: Level) -> StaffScope {
    let email = format!("ops-{}@saleonix.test", Uuid::new_v4());
    let user = staff_user(pool, &email, &Module::ALL.map(|m| (m, level))).await;
    StaffScope::of(&user, module, level).unwrap()
}

/// The open reconciliation exceptions, as staff holding reconciliation see them.
pub async fn open_exceptions(pool: &PgPool) -> Vec<platform::payments::reconciliation::Exception> {
    let scope = staff_scope(pool, Module::Reconciliation, Level::View).await;
    platform::payments::reconciliation::exceptions(pool, &scope, true)
        .await
        .unwrap()
}

/// A merchant with its owner; `verified` opens Live Mode.
pub async fn merchant(pool: &PgPool, name: &str, verified: bool) -> (Uuid, MerchantScope) {
    let merchant_id = Uuid::new_v4();
    sqlx::query("INSERT INTO merchants (id, business_name, verified_at) VALUES ($1, $2, CASE WHEN $3 THEN now() END)")
        .bind(merchant_id)
        .bind(name)
        .bind(verified)
        .execute(pool)
        .await
        .unwrap();
    let email = format!("owner-{merchant_id}@shop.test");
    let user_id = verified_user(pool, &email, "Shop Owner", "merchant").await;
    sqlx::query(
        "INSERT INTO merchant_members (merchant_id, user_id, role) VALUES ($1, $2, 'owner')",
    )
    .bind(merchant_id)
    .bind(user_id)
    .execute(pool)
    .await
    .unwrap();
    let user = load_active(pool, user_id).await.unwrap().unwrap();
    (merchant_id, MerchantScope::of(&user).unwrap())
}

impl Shop {
    pub fn pool(&self) -> &PgPool {
        &self.server.platform.pool
    }

    /// A checkout of one custom line at `price` (euro, `45.00`), made from the dashboard.
    pub async fn checkout(&self, mode: Mode, price: &str) -> String {
        let new = NewSession {
            items: vec![NewItem::Custom {
                name: "Silver filigree earrings".into(),
                unit_amount: platform::payments::parse_euro("price", price).unwrap(),
                quantity: 1,
            }],
            success_url: "https://shop.example/thanks".into(),
            cancel_url: "https://shop.example/cart".into(),
            ..NewSession::default()
        };
        let facts = platform::audit::RequestFacts::default();
        sessions::create(self.pool(), &self.scope, mode, &new, &facts)
            .await
            .unwrap()
            .1
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.server.url(path)).send().await.unwrap()
    }

    /// Sets a fault rule on the Test gateway (`{"kind": "drop_callback"}`, ...).
    pub async fn fault(&self, rule: serde_json::Value) {
        let url = format!("{}/sandbox/faults", self.test_gateway.base_url());
        let response = reqwest::Client::new()
            .post(url)
            .json(&rule)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// Pays `token` with `card`; the order id and the return form(s).
    pub async fn pay(&self, token: &str, card: &str) -> (String, Vec<HtmlForm>) {
        let gate = self.to_gateway(token).await;
        let order_id = field(&gate, "oid").to_owned();
        (order_id, self.pay_at_gateway(&gate, card).await)
    }

    /// A Test Mode payment of `price`, paid and settled: its id and gateway order id.
    pub async fn paid(&self, price: &str) -> (Uuid, String) {
        self.paid_by(price, "buyer@example.com", "en").await
    }

    /// A Test Mode payment of `price` by `email`, on a browser that asks for
    /// `accept_language`, paid and settled: its id and gateway order id.
    pub async fn paid_by(&self, price: &str, email: &str, accept_language: &str) -> (Uuid, String) {
        let token = self.checkout(Mode::Test, price).await;
        let gate = self
            .gate_in(&token, &[("email", email)], accept_language)
            .await;
        let order_id = field(&gate, "oid").to_owned();
        self.pay_at_gateway(&gate, APPROVE).await;
        assert_eq!(self.settled(&order_id).await, "paid");
        let id = sqlx::query_scalar("SELECT id FROM payments WHERE order_id = $1")
            .bind(&order_id)
            .fetch_one(self.pool())
            .await
            .unwrap();
        (id, order_id)
    }

    /// Presses Pay on `/pay/<token>` with `form`, on a browser that asks for
    /// `accept_language`: the signed form to the gateway.
    pub async fn gate_in(
        &self,
        token: &str,
        form: &[(&str, &str)],
        accept_language: &str,
    ) -> HtmlForm {
        let page = self
            .http
            .post(self.server.url(&format!("/pay/{token}")))
            .header(reqwest::header::ACCEPT_LANGUAGE, accept_language)
            .form(form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        forms(&page)
            .into_iter()
            .next()
            .expect("the form to the gateway")
    }

    /// Presses Pay on `/pay/<token>` with `email`; the page answered.
    pub async fn press_pay(&self, token: &str, email: &str) -> reqwest::Response {
        self.http
            .post(self.server.url(&format!("/pay/{token}")))
            .form(&[("email", email)])
            .send()
            .await
            .unwrap()
    }

    /// Presses Pay and returns the signed form to the gateway (with its `oid`).
    pub async fn to_gateway(&self, token: &str) -> HtmlForm {
        let response = self.press_pay(token, "buyer@example.com").await;
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        forms(&page)
            .into_iter()
            .next()
            .expect("the form to the gateway")
    }

    /// The buyer on the gateway's card and 3-D Secure pages with `card`; the forms of
    /// the page after (the return to Saleonix, unless the return is lost).
    pub async fn pay_at_gateway(&self, gate: &HtmlForm, card: &str) -> Vec<HtmlForm> {
        let base = gate.action.split("/fim/").next().unwrap().to_owned();
        forms(
            &Buyer::new(base)
                .card_and_3ds(gate, card, PASSWORD_3DS)
                .await,
        )
    }

    /// The browser following the return's auto-post form: the answer of `/pay/return`.
    pub async fn deliver(&self, form: &HtmlForm) -> reqwest::Response {
        let request = if form.method.eq_ignore_ascii_case("post") {
            self.http.post(&form.action).form(&form.fields)
        } else {
            self.http.get(&form.action).query(&form.fields)
        };
        request.send().await.unwrap()
    }

    /// Moves the checkout `token` into the past: made two hours ago, expired a minute ago.
    pub async fn expire(&self, token: &str) {
        sqlx::query(
            "UPDATE checkout_sessions SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 minute'
             WHERE token = $1",
        )
        .bind(token)
        .execute(self.pool())
        .await
        .unwrap();
    }

    /// Every row of every table (the audit trail's included) as text, to search for what
    /// must never be stored.
    pub async fn dump_every_table(&self) -> String {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
             WHERE table_schema IN ('public', 'audit') AND table_type = 'BASE TABLE'",
        )
        .fetch_all(self.pool())
        .await
        .unwrap();
        let mut dump = String::new();
        for table in tables {
            let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM {table} t"))
                .fetch_all(self.pool())
                .await
                .unwrap();
            dump.extend(rows);
        }
        dump
    }

    pub async fn status(&self, order_id: &str) -> String {
        sqlx::query_scalar("SELECT status::text FROM payments WHERE order_id = $1")
            .bind(order_id)
            .fetch_one(self.pool())
            .await
            .unwrap()
    }

    /// Waits (bounded) until the payment leaves `pending`, as the callback settles it.
    pub async fn settled(&self, order_id: &str) -> String {
        for _ in 0..200 {
            let status = self.status(order_id).await;
            if status != "pending" {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("payment {order_id} stayed pending");
    }

    /// The timeline of a payment as `source:from>to:note` strings.
    pub async fn timeline(&self, order_id: &str) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT e.source || ':' || coalesce(e.from_status::text, '') || '>' || coalesce(e.to_status::text, '')
                    || ':' || coalesce(e.note, '')
             FROM payment_events e JOIN payments p ON p.id = e.payment_id WHERE p.order_id = $1 ORDER BY e.id",
        )
        .bind(order_id)
        .fetch_all(self.pool())
        .await
        .unwrap()
    }

    /// Waits (bounded) until the payment is in `status`, as a callback moves it.
    pub async fn reaches(&self, order_id: &str, status: &str) {
        for _ in 0..200 {
            if self.status(order_id).await == status {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "payment {order_id} never became {status}: {}",
            self.status(order_id).await
        );
    }

    /// `(status, refunded, held)` of the payment with gateway order id `order_id`.
    pub async fn money(&self, order_id: &str) -> (String, i64, i64) {
        sqlx::query_as("SELECT status::text, refunded_minor, refund_pending_minor FROM payments WHERE order_id = $1")
            .bind(order_id)
            .fetch_one(self.pool())
            .await
            .unwrap()
    }

    /// The Test gateway's own account of an order.
    pub async fn history(&self, order_id: &str) -> payten::api::OrderHistory {
        let platform = &self.server.platform;
        let account = platform::payments::gateways::for_mode(platform, Mode::Test)
            .await
            .unwrap();
        platform::payments::gateways::status_client(platform, &account)
            .unwrap()
            .api()
            .order_history(order_id)
            .await
            .unwrap()
    }

    /// Runs the reconciliation worker as if `minutes` had passed.
    pub async fn reconcile_after(
        &self,
        minutes: i64,
    ) -> platform::payments::reconciliation::RunReport {
        let now = time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes);
        platform::payments::reconciliation::run_due(&self.server.platform, now)
            .await
            .unwrap()
    }

    /// Audit rows about a payment: `event_type:outcome:reason`.
    pub async fn audit(&self, order_id: &str) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT event_type || ':' || outcome::text || ':' || coalesce(reason, '') FROM audit.events
             WHERE target_id = $1 ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(self.pool())
        .await
        .unwrap()
    }
}

/// The value of a field of a form.
pub fn field<'a>(form: &'a HtmlForm, name: &str) -> &'a str {
    form.fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {name}"))
}
