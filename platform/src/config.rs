//! One typed configuration: built-in defaults, then an optional TOML file, then
//! environment variables. Every setting and its default is listed in the README.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::secrets::{Secrets, SecretsError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

/// TLS termination inside the server itself (optional; a proxy in front is the other way).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TlsConfig {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    /// Plain-HTTP listener that only redirects to HTTPS.
    pub redirect_listen: Option<SocketAddr>,
}

/// The Payten endpoints of each mode: the 3-D gate the checkout form posts to (it also
/// feeds the CSP's `form-action`) and the XML API, where the API password travels. Each
/// mode's gateway account must use exactly these (`payments::gateways::for_mode`), and the
/// console's Settings module stores them with an account, so staff never type a URL.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PaytenGates {
    pub test_gate_url: String,
    pub test_api_url: String,
    pub live_gate_url: String,
    pub live_api_url: String,
    /// How long an order-status query may take before the payment is left pending for
    /// reconciliation (the buyer waits for it on the return).
    pub status_query_timeout_secs: u64,
}

impl PaytenGates {
    /// Every URL is http(s); Live ones are `https` (the store key's hashes and the API
    /// password go there); and Test and Live share neither the gate nor the API, so a Test
    /// account can never reach the live bank.
    fn validate(&self) -> Result<(), ConfigError> {
        let urls = [
            ("TEST_GATE_URL", &self.test_gate_url),
            ("TEST_API_URL", &self.test_api_url),
            ("LIVE_GATE_URL", &self.live_gate_url),
            ("LIVE_API_URL", &self.live_api_url),
        ];
        for (name, url) in urls {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::Invalid(format!(
                    "SALEONIX_PAYTEN__{name} must start with http:// or https://"
                )));
            }
        }
        for (name, url) in &urls[2..] {
            if !url.starts_with("https://") {
                return Err(ConfigError::Invalid(format!(
                    "SALEONIX_PAYTEN__{name} must be https://: Live card data and API passwords never travel in the clear"
                )));
            }
        }
        if self.test_gate_url == self.live_gate_url {
            return Err(ConfigError::Invalid(
                "SALEONIX_PAYTEN__TEST_GATE_URL and SALEONIX_PAYTEN__LIVE_GATE_URL must differ: Test and Live never share a gateway".into(),
            ));
        }
        if self.test_api_url == self.live_api_url {
            return Err(ConfigError::Invalid(
                "SALEONIX_PAYTEN__TEST_API_URL and SALEONIX_PAYTEN__LIVE_API_URL must differ: Test and Live never share a gateway".into(),
            ));
        }
        Ok(())
    }
}

/// The platform as the merchant of record, printed on every receipt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MerchantOfRecord {
    pub name: String,
    pub address: String,
    /// The business registration number (NUI) in Kosovo.
    pub business_number: String,
    pub support_email: String,
}

/// What the privacy pages say beyond the inventory: where data-protection requests go and
/// who processes data for the platform. The controller is [`MerchantOfRecord`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PrivacySettings {
    /// Where data subjects write to use their rights.
    pub contact_email: String,
    pub sub_processors: Vec<domain::privacy::SubProcessor>,
    /// When the sub-processor list last changed, printed with it.
    pub sub_processors_changed_on: Date,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        let processor =
            |name: &str, purpose: &str, location: &str, data: &str| domain::privacy::SubProcessor {
                name: name.into(),
                purpose: purpose.into(),
                location: location.into(),
                data: data.into(),
            };
        Self {
            contact_email: "privacy@saleonix.example".into(),
            sub_processors: vec![
                processor(
                    "Payten (NestPay gateway)",
                    "runs the hosted card page and the card transactions",
                    "Kosovo and Serbia",
                    "card data typed by the buyer, amounts, the buyer's email address and IP address",
                ),
                processor(
                    "Banka Kombëtare Tregtare (BKT) Kosovo",
                    "acquires the card payments and holds the settlement account",
                    "Kosovo",
                    "payment records and merchants' bank details for payouts",
                ),
                processor(
                    "The mail provider",
                    "delivers receipts, account and security mail",
                    "European Union",
                    "email addresses, names and the text of each mail",
                ),
                processor(
                    "The hosting provider",
                    "runs the servers, the database and the encrypted backups",
                    "European Union",
                    "every category in the privacy policy, encrypted at rest",
                ),
            ],
            sub_processors_changed_on: time::macros::date!(2026 - 11 - 30),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SecurityTxt {
    pub contact: String,
    pub expires: Date,
}

/// Non-secret settings. Secrets are read separately into [`Secrets`] so that this struct
/// can be logged and printed freely.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    pub env: Environment,
    pub listen: SocketAddr,
    /// Where Prometheus scrapes `/metrics`: a listener of its own, loopback by default, so
    /// the figures never reach the public side. Port 0 takes any free port.
    pub metrics_listen: SocketAddr,
    /// Development off a loopback address: its mailbox page (`/dev/mailbox`) shows every
    /// reset and invitation link to whoever reaches the server, so this must be asked for.
    pub allow_development_off_loopback: bool,
    /// The origin buyers and users see; used for CSRF origin checks and absolute links.
    pub public_url: String,
    pub database_url: String,
    pub database_max_connections: u32,
    /// Run migrations when the server starts. Off where the server connects as the
    /// application role: `saleonix-server migrate` runs them as the owner, and the server
    /// only checks the schema is current.
    pub migrate_on_start: bool,
    /// Where development secrets are generated; never read in production.
    pub secrets_file: PathBuf,
    /// The built site (`cargo leptos build` output): `pkg/` with the WASM, JS and CSS.
    pub site_root: PathBuf,
    pub tls: Option<TlsConfig>,
    /// Trust `X-Forwarded-Proto: https` from a proxy in front (sends HSTS then).
    pub trust_forwarded_proto: bool,
    /// Networks of the proxies in front, whose `X-Forwarded-For` names the client
    /// (`platform::client_ip`). Empty: the peer address is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub security_txt: SecurityTxt,
    pub payten: PaytenGates,
    pub merchant_of_record: MerchantOfRecord,
    pub privacy: PrivacySettings,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// How long a stopping server (SIGTERM or Ctrl-C) waits for requests in flight and
    /// for the background workers' current pass before it exits anyway, non-zero.
    pub shutdown_grace_secs: u64,
    pub rate_limits: RateLimits,
    pub mail: MailSettings,
    pub identity: IdentitySettings,
    pub audit: AuditSettings,
    pub refunds: RefundSettings,
    pub reconciliation: ReconciliationSettings,
    pub kyc: KycSettings,
    pub ledger: LedgerSettings,
    pub payouts: PayoutSettings,
    pub webhooks: WebhookSettings,
}

/// Outgoing mail. The SMTP server is a secret (its URL holds a password), so it is in
/// [`Secrets`]; without one, development writes mail to `mailbox_dir` instead.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MailSettings {
    /// The `From:` of every message, `Name <address>` or a bare address.
    pub from: String,
    /// The development mailbox: one `.eml` file per message (git-ignored under `.local/`).
    pub mailbox_dir: PathBuf,
    /// How often the delivery worker looks for due messages.
    pub poll_interval_ms: u64,
    /// Delivery attempts before a message is given up as failed.
    pub max_attempts: u32,
}

/// At most `max` requests per `window_secs`, for one IP address or one account.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct LimitRule {
    pub max: u32,
    pub window_secs: u64,
}

impl LimitRule {
    /// Ten-second windows rather than one: a counter row per key every ten seconds, and
    /// room for a burst within the average rate.
    const fn per_ten_seconds(max: u32) -> Self {
        Self {
            max,
            window_secs: 10,
        }
    }

    const fn per_hour(max: u32) -> Self {
        Self {
            max,
            window_secs: 3600,
        }
    }

    const fn per_day(max: u32) -> Self {
        Self {
            max,
            window_secs: 86_400,
        }
    }
}

/// Limits on public endpoints, counted in Postgres so that every instance counts together.
/// "Per account" is keyed by the email address typed, whether or not an account has it, so
/// the limits themselves reveal nothing about which accounts exist.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RateLimits {
    pub contact_per_ip: LimitRule,
    pub sign_in_per_ip: LimitRule,
    pub sign_in_per_account: LimitRule,
    pub sign_up_per_ip: LimitRule,
    pub sign_up_per_account: LimitRule,
    pub verification_per_ip: LimitRule,
    pub verification_per_account: LimitRule,
    pub reset_per_ip: LimitRule,
    pub reset_per_account: LimitRule,
    /// Checkout sessions made from the dashboard, per IP and per signed-in user.
    pub checkout_create_per_ip: LimitRule,
    pub checkout_create_per_user: LimitRule,
    /// Presses of a Pay button (each makes a gateway order), per client network and per
    /// checkout session (`platform::payments::pay_limits`).
    pub pay_per_ip: LimitRule,
    pub pay_per_checkout: LimitRule,
    /// On a payment link (which gives each buyer a new checkout), presses per link and
    /// client network, and per link and buyer email, whichever checkout of the link they are on.
    pub pay_per_link: LimitRule,
    /// Refused gateway answers (`/pay/return`, `/pay/callback`) per client address. Valid
    /// signed answers are never counted. Past it the address gets 429; either way only the
    /// first refusal of a window and the window's count reach the audit trail.
    pub gateway_refusals_per_ip: LimitRule,
    /// Team invitations (and re-sent ones) per merchant once it is verified, the same before
    /// verification (lower: a new sign-up must not be a way to mail strangers), and per
    /// invited address from all merchants together (`identity::invitation_limits`).
    pub invitations_per_merchant: LimitRule,
    pub invitations_per_unverified_merchant: LimitRule,
    pub invitations_per_address: LimitRule,
    /// Merchant API requests per key: reads (GET) and writes apart, and Live writes
    /// stricter than Test, since they reach the gateway (refunds) and real buyers.
    pub api_read_test: LimitRule,
    pub api_write_test: LimitRule,
    pub api_read_live: LimitRule,
    pub api_write_live: LimitRule,
    /// Data-subject requests (each mails a confirmation link), per client network and per
    /// address typed.
    pub privacy_request_per_ip: LimitRule,
    pub privacy_request_per_address: LimitRule,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            contact_per_ip: LimitRule::per_hour(5),
            sign_in_per_ip: LimitRule {
                max: 30,
                window_secs: 900,
            },
            sign_in_per_account: LimitRule {
                max: 10,
                window_secs: 900,
            },
            sign_up_per_ip: LimitRule::per_hour(10),
            sign_up_per_account: LimitRule::per_hour(3),
            verification_per_ip: LimitRule::per_hour(10),
            verification_per_account: LimitRule::per_hour(3),
            reset_per_ip: LimitRule::per_hour(10),
            reset_per_account: LimitRule::per_hour(3),
            checkout_create_per_ip: LimitRule::per_hour(1000),
            checkout_create_per_user: LimitRule::per_hour(1000),
            pay_per_ip: LimitRule {
                max: 20,
                window_secs: 600,
            },
            pay_per_checkout: LimitRule::per_hour(10),
            pay_per_link: LimitRule::per_hour(10),
            gateway_refusals_per_ip: LimitRule {
                max: 20,
                window_secs: 600,
            },
            invitations_per_merchant: LimitRule::per_day(50),
            invitations_per_unverified_merchant: LimitRule::per_day(3),
            invitations_per_address: LimitRule::per_day(3),
            api_read_test: LimitRule::per_ten_seconds(1000),
            api_write_test: LimitRule::per_ten_seconds(1000),
            api_read_live: LimitRule::per_ten_seconds(1000),
            api_write_live: LimitRule::per_ten_seconds(250),
            privacy_request_per_ip: LimitRule::per_hour(5),
            privacy_request_per_address: LimitRule::per_day(3),
        }
    }
}

/// Accounts, sessions and their tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IdentitySettings {
    /// A session unused this long is over.
    pub session_idle_minutes: u32,
    /// A session is over this long after sign-in, however busy.
    pub session_absolute_hours: u32,
    pub verification_link_hours: u32,
    pub reset_link_minutes: u32,
    /// Sign-in, sign-up, resend and reset answer no sooner than this, so that the time an
    /// answer takes does not tell whether an account exists.
    pub uniform_answer_ms: u64,
    /// Password hashes computed at once; the rest queue, so a flood of sign-ins cannot
    /// take every core from checkout pages.
    pub password_hash_concurrency: usize,
    /// After the password, the second factor must follow within this time.
    pub second_factor_minutes: u32,
    /// Sensitive actions need a second-factor check no older than this.
    pub step_up_minutes: u32,
    /// Merchants must use two-factor authentication too (staff always must).
    pub mfa_required_for_merchants: bool,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            verification_link_hours: 24,
            reset_link_minutes: 30,
            uniform_answer_ms: 250,
            password_hash_concurrency: 2,
            second_factor_minutes: 10,
            step_up_minutes: 5,
            mfa_required_for_merchants: false,
        }
    }
}

/// How long audit rows are kept: a daily job purges older ones from the start of the
/// chain (`platform::audit::purge_expired`), leaving an anchor the chain check starts from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditSettings {
    /// At least [`AuditSettings::MIN_RETENTION_DAYS`]: payment records are kept five years
    /// for anti-money-laundering record keeping.
    pub retention_days: u32,
}

impl AuditSettings {
    pub const MIN_RETENTION_DAYS: u32 = 1825;
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefundSettings {
    /// A staff refund needs a fresh second-factor check when it and what the same staff
    /// member refunded in the 24 hours before come to more than this many minor units.
    pub step_up_above_minor: i64,
    /// How long a Credit or Void may take before its outcome is "unknown" (real gateways
    /// answer in 10 to 70 seconds); reconciliation then reads the order history.
    pub gateway_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReconciliationSettings {
    /// The first look at a payment or refund the gateway has not settled, after it.
    pub first_check_minutes: u32,
    /// Looks then back off, doubling up to a day apart; after this long the payment goes
    /// to staff as an exception.
    pub give_up_after_hours: u32,
    /// How often the worker looks for work.
    pub poll_interval_secs: u64,
}

/// Seller verification (KYC) review.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct KycSettings {
    /// The platform has one staff member who reviews: they may approve an application
    /// they asked changes on (four eyes off). Off by default.
    pub single_reviewer: bool,
}

/// The books (`platform::ledger`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerSettings {
    /// Kosovo VAT on Saleonix's fees, in basis points (1800 = the 18 % standard rate).
    pub vat_rate_bp: u32,
    /// How often the release job moves due pending money to `available`.
    pub release_poll_secs: u64,
    /// A staff adjustment above this many minor units needs a second staff member.
    pub adjustment_four_eyes_above_minor: i64,
}

/// Payout files: the platform's own bank account, which pays merchants (the debtor of
/// the ISO 20022 credit transfer).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PayoutSettings {
    pub debtor_name: String,
    pub debtor_iban: String,
    pub debtor_bic: String,
}

/// Webhook delivery (`platform::webhooks::delivery`): how long a receiver may take, the
/// retry schedule, and how many workers drain the outbox in each instance.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebhookSettings {
    /// The whole request, the response's first bytes included.
    pub timeout_ms: u64,
    /// How often an idle worker looks for due deliveries.
    pub poll_interval_ms: u64,
    /// Workers per instance; each sends up to a batch (`delivery::BATCH`) at once.
    pub concurrency: u32,
    /// The wait after the first failed attempt; it doubles after each further one.
    pub first_retry_secs: u64,
    /// The longest wait between two attempts.
    pub longest_retry_secs: u64,
    /// Attempts of one delivery before it fails and its endpoint is disabled; with the
    /// defaults the retries span a little over three days.
    pub max_attempts: u32,
    /// An endpoint that has failed every attempt for this long is disabled.
    pub disable_after_failing_hours: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            timeout_ms: 10_000,
            poll_interval_ms: 1000,
            concurrency: 4,
            first_retry_secs: 30,
            longest_retry_secs: 12 * 60 * 60,
            max_attempts: 18,
            disable_after_failing_hours: 5 * 24,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            env: Environment::Development,
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            metrics_listen: SocketAddr::from(([127, 0, 0, 1], 9464)),
            allow_development_off_loopback: false,
            public_url: "http://127.0.0.1:3000".into(),
            database_url: "postgres://postgres@127.0.0.1:5432/saleonix".into(),
            database_max_connections: 20,
            migrate_on_start: true,
            secrets_file: PathBuf::from(".local/secrets.toml"),
            site_root: PathBuf::from("target/site"),
            tls: None,
            trust_forwarded_proto: false,
            trusted_proxies: Vec::new(),
            security_txt: SecurityTxt {
                contact: "mailto:security@saleonix.example".into(),
                expires: time::macros::date!(2027 - 11 - 24),
            },
            payten: PaytenGates {
                test_gate_url: "http://127.0.0.1:8600/fim/est3Dgate".into(),
                test_api_url: "http://127.0.0.1:8600/fim/api".into(),
                live_gate_url: "https://pgw.bkt-ks.com/fim/est3Dgate".into(),
                live_api_url: "https://pgw.bkt-ks.com/fim/api".into(),
                status_query_timeout_secs: 10,
            },
            merchant_of_record: MerchantOfRecord {
                name: "Saleonix SH.P.K.".into(),
                address: "Rr. Agim Ramadani 15, 10000 Prishtinë, Kosovo".into(),
                business_number: "NUI 811000000 (demo)".into(),
                support_email: "support@saleonix.example".into(),
            },
            privacy: PrivacySettings::default(),
            log_format: LogFormat::Pretty,
            shutdown_grace_secs: 20,
            rate_limits: RateLimits::default(),
            mail: MailSettings {
                from: "Saleonix <no-reply@saleonix.test>".into(),
                mailbox_dir: PathBuf::from(".local/mailbox"),
                poll_interval_ms: 1000,
                max_attempts: 8,
            },
            identity: IdentitySettings::default(),
            audit: AuditSettings {
                retention_days: AuditSettings::MIN_RETENTION_DAYS,
            },
            refunds: RefundSettings {
                step_up_above_minor: 10_000,
                gateway_timeout_secs: 30,
            },
            reconciliation: ReconciliationSettings {
                first_check_minutes: 15,
                give_up_after_hours: 120,
                poll_interval_secs: 60,
            },
            kyc: KycSettings::default(),
            ledger: LedgerSettings {
                vat_rate_bp: 1800,
                release_poll_secs: 300,
                adjustment_four_eyes_above_minor: 50_000,
            },
            payouts: PayoutSettings {
                debtor_name: "Saleonix SH.P.K.".into(),
                debtor_iban: "XK051212012345678906".into(),
                debtor_bic: "NCBAXKPR".into(),
            },
            webhooks: WebhookSettings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
}

/// Everything the server needs to start.
#[derive(Debug)]
pub struct Config {
    pub settings: Settings,
    pub secrets: Secrets,
}

impl Settings {
    /// Defaults, then `saleonix.toml` (or the file named by `SALEONIX_CONFIG`), then
    /// `SALEONIX_*` variables (`__` separates nested keys, e.g. `SALEONIX_TLS__CERT_PATH`),
    /// then `DATABASE_URL`, the conventional name every Postgres tool reads.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var("SALEONIX_CONFIG").unwrap_or_else(|_| "saleonix.toml".into());
        Self::from_figment(
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(Toml::file(file))
                .merge(Env::prefixed("SALEONIX_").split("__").ignore(&[
                    "config",
                    "field_keys",
                    "session_key",
                    "smtp_url",
                ]))
                .merge(Env::raw().only(&["database_url"])),
        )
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid(
                "SALEONIX_PUBLIC_URL must start with http:// or https://".into(),
            ));
        }
        if self.env == Environment::Development
            && !self.listen.ip().is_loopback()
            && !self.allow_development_off_loopback
        {
            return Err(ConfigError::Invalid(format!(
                "SALEONIX_ENV is development, whose mailbox page shows reset and invitation links to anyone who \
                 reaches the server, but SALEONIX_LISTEN ({}) is not a loopback address: listen on 127.0.0.1, run \
                 with SALEONIX_ENV=production, or set SALEONIX_ALLOW_DEVELOPMENT_OFF_LOOPBACK=true",
                self.listen
            )));
        }
        if self.env == Environment::Production && !self.public_url.starts_with("https://") {
            return Err(ConfigError::Invalid(
                "SALEONIX_PUBLIC_URL must be https:// in production".into(),
            ));
        }
        if self.mail.max_attempts == 0 || self.mail.poll_interval_ms == 0 {
            return Err(ConfigError::Invalid(
                "SALEONIX_MAIL__MAX_ATTEMPTS and SALEONIX_MAIL__POLL_INTERVAL_MS must be at least 1".into(),
            ));
        }
        if self.reconciliation.first_check_minutes == 0
            || self.reconciliation.poll_interval_secs == 0
        {
            return Err(ConfigError::Invalid(
                "SALEONIX_RECONCILIATION__FIRST_CHECK_MINUTES and __POLL_INTERVAL_SECS must be at least 1".into(),
            ));
        }
        if self.refunds.gateway_timeout_secs
            >= u64::from(self.reconciliation.first_check_minutes) * 60
        {
            return Err(ConfigError::Invalid(
                "SALEONIX_REFUNDS__GATEWAY_TIMEOUT_SECS must be shorter than the first reconciliation check".into(),
            ));
        }
        self.payten.validate()?;
        let hooks = &self.webhooks;
        if [
            hooks.timeout_ms,
            hooks.poll_interval_ms,
            hooks.first_retry_secs,
        ]
        .contains(&0)
            || hooks.concurrency == 0
            || hooks.max_attempts == 0
            || hooks.longest_retry_secs < hooks.first_retry_secs
        {
            return Err(ConfigError::Invalid(
                "SALEONIX_WEBHOOKS__*: timeout, poll interval, first retry, concurrency and attempts must be at least 1, \
                 and the longest retry at least the first".into(),
            ));
        }
        if self.audit.retention_days < AuditSettings::MIN_RETENTION_DAYS {
            return Err(ConfigError::Invalid(format!(
                "SALEONIX_AUDIT__RETENTION_DAYS must be at least {} (five years, for AML record keeping)",
                AuditSettings::MIN_RETENTION_DAYS
            )));
        }
        Ok(())
    }

    /// The public origin (scheme, host, port) without a trailing slash.
    pub fn public_origin(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}

impl Config {
    pub fn load() -> Result<Self, ConfigError> {
        let settings = Settings::load()?;
        let secrets = Secrets::load(settings.env, &settings.secrets_file)?;
        Ok(Self { settings, secrets })
    }
}

#[cfg(test)]
mod env_template;
#[cfg(test)]
mod tests;
