//! The Postgres pool and the schema. Migrations are embedded in the binary, so a server
//! always runs against the schema it was built for.

use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::config::{Environment, Settings};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot reach the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot create the database: {0}")]
    Create(#[source] sqlx::Error),
    #[error("migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Connects, creating the database first in development (a fresh machine has none), and
/// brings the schema up to date.
pub async fn prepare(settings: &Settings) -> Result<PgPool, DbError> {
    if settings.env == Environment::Development
        && !sqlx::Postgres::database_exists(&settings.database_url).await.map_err(DbError::Connect)?
    {
        sqlx::Postgres::create_database(&settings.database_url).await.map_err(DbError::Create)?;
        tracing::info!("created the development database");
    }
    let pool = PgPoolOptions::new()
        .max_connections(settings.database_max_connections)
        .connect(&settings.database_url)
        .await
        .map_err(DbError::Connect)?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// For `/readyz`: the database answers a trivial query.
pub async fn is_ready(pool: &PgPool) -> bool {
    sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await.is_ok()
}
