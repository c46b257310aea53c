//! What the database benchmarks share: a platform on a Postgres database of the
//! benchmark's own (or `SALEONIX_DATABASE_URL`), with development secrets.

// Each benchmark compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::sync::Arc;

use platform::config::{Config, Environment, Settings};
use platform::secrets::Secrets;
use platform::{Platform, db};
use sqlx::migrate::MigrateDatabase;

/// Whether a benchmark starts from an empty database or keeps what an earlier run loaded.
pub enum Database {
    Afresh,
    /// For data that takes minutes to load, such as a million ledger entries.
    Kept,
}

/// The platform on `name` at the local Postgres, migrated.
pub async fn platform(name: &str, database: Database) -> Platform {
    platform_with(name, database, |_| {}).await
}

/// The same, with settings `adjust` changes (the gateway's addresses, say).
pub async fn platform_with(
    name: &str,
    database: Database,
    adjust: impl FnOnce(&mut Settings),
) -> Platform {
    let url = std::env::var("SALEONIX_DATABASE_URL")
        .unwrap_or_else(|_| format!("postgres://postgres@127.0.0.1:5432/{name}"));
    if let Database::Afresh = database {
        let _ = sqlx::Postgres::drop_database(&url).await;
    }
    let mut settings = Settings {
        database_url: url,
        ..Settings::default()
    };
    adjust(&mut settings);
    let pool = db::prepare(&settings)
        .await
        .expect("a Postgres server to benchmark against");
    let secrets_file = std::env::temp_dir().join(format!(
        "saleonix-bench-{}/secrets.toml",
        std::process::id()
    ));
    let secrets =
        Secrets::load(Environment::Development, &secrets_file).expect("development secrets");
    Platform::new(pool, Arc::new(Config { settings, secrets }))
}
