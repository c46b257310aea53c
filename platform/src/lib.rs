//! Saleonix's server-side domain, free of any web framework so that it can be tested on
//! its own: typed configuration and secrets, per-field encryption, the database, password
//! hashing, identity (accounts, email tokens, sessions), the mail outbox and its delivery
//! worker, gateway accounts, rate limits, contact requests, the audit trail and the demo
//! seed. The `app` crate's server functions and the `server` binary build on it.

pub mod api;
pub mod audit;
pub mod buyer_mails;
pub mod chargebacks;
pub mod client_ip;
pub mod config;
pub mod contact;
pub mod csv;
pub mod db;
pub mod events;
pub mod field_crypto;
pub mod gateway_accounts;
pub mod identity;
pub mod kyc;
pub mod ledger;
pub mod mail;
pub mod merchants;
pub mod metrics;
pub mod password;
pub mod payments;
pub mod payouts;
pub mod privacy;
pub mod rate_limit;
pub mod secrets;
pub mod seed;
pub mod subscriptions;
pub mod webhooks;

use std::sync::Arc;

/// What server functions and request handlers need, shared by cheap clones.
#[derive(Clone)]
pub struct Platform {
    pub pool: sqlx::PgPool,
    pub config: Arc<config::Config>,
    pub passwords: password::Passwords,
    /// Where webhooks go out, and the resolver their hosts are checked with.
    pub webhook_clients: webhooks::request::Clients,
}

impl Platform {
    pub fn new(pool: sqlx::PgPool, config: Arc<config::Config>) -> Self {
        let passwords =
            password::Passwords::new(config.settings.identity.password_hash_concurrency);
        Self {
            pool,
            config,
            passwords,
            webhook_clients: webhooks::request::Clients::default(),
        }
    }

    /// The platform with webhook hosts resolved by `names` instead of the system's
    /// resolver: how tests make a name resolve to an address of their choosing.
    pub fn resolving_with(mut self, names: Arc<dyn reqwest::dns::Resolve>) -> Self {
        self.webhook_clients = webhooks::request::Clients::resolving_with(names);
        self
    }
}
