//! WAL archiving that fails shows in the metrics (`saleonix_wal_archiving_failing`, read by
//! `platform::metrics::queues`), and clears once archiving works again: the shipped
//! archive_command pushing to a repository that has no stanza yet fails as one that is
//! unreachable does.

use std::time::Duration;

use sqlx::PgPool;

use crate::cluster::{Cluster, Scratch};
use crate::data::platform_database;
use crate::pgbackrest::PgBackRest;

async fn failing(pool: &PgPool) -> bool {
    platform::metrics::queues(pool)
        .await
        .unwrap()
        .wal_archiving_failing
}

#[tokio::test]
async fn failing_wal_archiving_shows_in_the_metrics_until_it_works_again() {
    let scratch = Scratch::new("backup-archiving");
    let mut cluster = Cluster::init(scratch.dir("data"), scratch.dir("sockets"));
    let backrest = PgBackRest::configure(&scratch, &cluster);
    cluster.include(&backrest.archiving(&scratch));
    cluster.start(&backrest.env);
    let pool = platform_database(&cluster, &scratch.path.join("secrets.toml")).await;

    sqlx::query("SELECT pg_switch_wal()")
        .execute(&pool)
        .await
        .unwrap();
    let mut seen = false;
    for _ in 0..100 {
        if failing(&pool).await {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "archive-push without a stanza failed unseen");

    // `check` switches to a new segment and waits until it is archived.
    backrest.run(&["stanza-create"]);
    backrest.run(&["check"]);
    assert!(!failing(&pool).await);
}
