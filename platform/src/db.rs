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
    #[error(
        "the database schema is behind this build (missing migrations {0:?}): run `saleonix-server migrate` as the schema owner"
    )]
    Behind(Vec<i64>),
}

/// Connects, creating the database first in development (a fresh machine has none), and
/// brings the schema up to date, or, with `migrate_on_start` off (a server connecting as
/// the application role, which may not change the schema), checks that it is.
pub async fn prepare(settings: &Settings) -> Result<PgPool, DbError> {
    if settings.env == Environment::Development
        && !sqlx::Postgres::database_exists(&settings.database_url)
            .await
            .map_err(DbError::Connect)?
    {
        sqlx::Postgres::create_database(&settings.database_url)
            .await
            .map_err(DbError::Create)?;
        tracing::info!("created the development database");
    }
    let pool = PgPoolOptions::new()
        .max_connections(settings.database_max_connections)
        .connect(&settings.database_url)
        .await
        .map_err(DbError::Connect)?;
    if settings.migrate_on_start {
        MIGRATOR.run(&pool).await?;
    } else {
        check_current(&pool).await?;
    }
    Ok(pool)
}

/// Refuses a schema older than this build, without writing anything.
pub async fn check_current(pool: &PgPool) -> Result<(), DbError> {
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await
            .map_err(DbError::Connect)?;
    let missing: Vec<i64> = MIGRATOR
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DbError::Behind(missing))
    }
}

/// Why `/readyz` says an instance should not get traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    /// The database does not answer.
    Unreachable,
    /// The schema lacks a migration this build needs: a new release started before its
    /// `migrate` ran, or the database was restored from before it.
    SchemaBehind,
}

/// For `/readyz`: the database answers, with every migration this build knows applied
/// (one read of the migrations' record, which also proves the connection).
pub async fn readiness(pool: &PgPool) -> Result<(), NotReady> {
    match check_current(pool).await {
        Ok(()) => Ok(()),
        Err(DbError::Behind(_)) => Err(NotReady::SchemaBehind),
        Err(_) => Err(NotReady::Unreachable),
    }
}

/// A `FROM` item that makes the statement's own transaction commit without waiting for
/// its WAL to reach the disk (`synchronous_commit = off` for that transaction alone).
///
/// Only for a single statement run on the pool (never inside a caller's transaction, whose
/// every write it would weaken), and only where losing the write in a database crash does
/// no harm: a rate-limit hit, or a claim that a later durable commit makes durable with it
/// (WAL is flushed in order). The gain is that a row every request updates, such as one
/// API key's rate-limit counter, is unlocked without waiting for a disk flush, which
/// otherwise caps that key at one flush per request.
pub const WITHOUT_FLUSH_WAIT: &str =
    "(SELECT set_config('synchronous_commit', 'off', true)) AS without_flush_wait";

/// A pool on `pool`'s database whose every connection acts as `saleonix_app`, the role
/// production connects as: how tests show what its grants allow and refuse.
#[cfg(test)]
pub(crate) async fn as_application_role(pool: &PgPool) -> PgPool {
    PgPoolOptions::new()
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET ROLE saleonix_app")
                    .execute(conn)
                    .await
                    .map(drop)
            })
        })
        .connect_with((*pool.connect_options()).clone())
        .await
        .expect("a pool as the application role")
}
