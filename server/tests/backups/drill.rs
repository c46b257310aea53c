//! The restore drill: the platform's database backed up by pgBackRest as shipped, written
//! to after the backup, restored to a noted moment into a new directory and started. What
//! came before the moment is there (from the backup and from the archived WAL replayed on
//! it), what came after is not, and `saleonix-server audit-verify` passes on the result.

use std::process::{Command, Output};
use std::time::Duration;

use sqlx::PgPool;

use crate::cluster::{Cluster, Scratch};
use crate::data::{platform_database, write_payments, written};
use crate::pgbackrest::PgBackRest;

/// Written before the full backup: restored from the backup's files.
const IN_BACKUP: &str = "inbackup";
/// Written after the backup and before the target: restored by replaying archived WAL.
const REPLAYED: &str = "replayed";
/// Written after the target: a restore to the target must not have them.
const LATE: &str = "late";

fn buyer(i: u32) -> String {
    format!("buyer{i}@example.com")
}

/// `saleonix-server audit-verify` on `database_url`, with a clean environment.
fn audit_verify(scratch: &Scratch, database_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_saleonix-server"))
        .arg("audit-verify")
        .current_dir(&scratch.path) // no stray saleonix.toml
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("DATABASE_URL", database_url)
        .env("SALEONIX_ENV", "development")
        .env(
            "SALEONIX_SECRETS_FILE",
            scratch.path.join("verify-secrets.toml"),
        )
        .output()
        .unwrap()
}

/// The line `audit chain …` of an audit-verify run.
fn verdict(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find(|line| line.starts_with("audit chain"))
        .unwrap_or_else(|| {
            panic!(
                "no verdict from audit-verify:\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
        .to_owned()
}

async fn audit_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit.events")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_restore_to_a_moment_keeps_what_came_before_drops_what_came_after_and_verifies() {
    let scratch = Scratch::new("restore-drill");
    let sockets = scratch.dir("sockets");
    let mut source = Cluster::init(scratch.dir("source"), sockets.clone());
    let backrest = PgBackRest::configure(&scratch, &source);
    source.include(&backrest.archiving(&scratch));
    source.start(&backrest.env);
    let pool = platform_database(&source, &scratch.path.join("secrets.toml")).await;

    write_payments(&pool, IN_BACKUP, 2_000, buyer).await;
    // The production steps: create the stanza, check archiving, take the first backup.
    backrest.run(&["stanza-create"]);
    backrest.run(&["check"]);
    backrest.run(&["--type=full", "backup"]);
    // pgBackRest keeps a backup's stop time in whole seconds and restores to a time only
    // from a backup that stopped before it: a target in the backup's last second finds
    // none ("unable to find backup set", seen when the rows below took under a second).
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    write_payments(&pool, REPLAYED, 1_000, buyer).await;
    // Commit times and now() share the server's clock; the pauses keep every commit clear
    // of the target's microsecond.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let target: String = sqlx::query_scalar("SELECT now()::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    write_payments(&pool, LATE, 1_000, buyer).await;
    // The late rows are really in the source, so their absence below is the target's work.
    assert_eq!(written(&pool, LATE).await, (1_000, 1_000));
    // Closes the current WAL segment and waits until it is in the repository.
    backrest.run(&["check"]);

    let restored_dir = scratch.dir("restored");
    backrest.run(&[
        &format!("--pg1-path={}", restored_dir.display()),
        "--type=time",
        &format!("--target={target}"),
        "--target-action=promote",
        // A drill's copy must never push WAL into the production repository.
        "--archive-mode=off",
        "restore",
    ]);
    let mut restored = Cluster::at(restored_dir, sockets);
    restored.start(&[]);
    restored.promoted().await;
    let restored_url = restored.url("saleonix");
    let restored_pool = PgPool::connect(&restored_url).await.unwrap();

    assert_eq!(
        written(&restored_pool, IN_BACKUP).await,
        (2_000, 2_000),
        "rows from the backup"
    );
    assert_eq!(
        written(&restored_pool, REPLAYED).await,
        (1_000, 1_000),
        "rows replayed from the archived WAL"
    );
    assert_eq!(
        written(&restored_pool, LATE).await,
        (0, 0),
        "rows written after the target"
    );

    let verified = audit_verify(&scratch, &restored_url);
    let line = verdict(&verified);
    assert!(verified.status.success(), "{line}");
    let rows = audit_rows(&restored_pool).await;
    assert!(
        line.starts_with(&format!("audit chain ok: {rows} rows, head #")),
        "every audit row of the restored database is in the verified chain: {line}"
    );

    // Positive control: the same verification on the same restored database fails once a
    // replayed audit row is changed behind the append-only trigger's back.
    let mut tamper = restored_pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tamper)
        .await
        .unwrap();
    let changed: i64 = sqlx::query_scalar(
        "UPDATE audit.events SET detail = '{\"amount_minor\": 1}'
         WHERE id = (SELECT min(id) FROM audit.events WHERE target_id LIKE 'replayed-%')
         RETURNING id",
    )
    .fetch_one(&mut *tamper)
    .await
    .unwrap();
    tamper.commit().await.unwrap();
    let broken = audit_verify(&scratch, &restored_url);
    assert!(!broken.status.success());
    assert_eq!(
        verdict(&broken),
        format!("audit chain BROKEN at #{changed}")
    );
}
