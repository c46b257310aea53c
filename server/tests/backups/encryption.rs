//! The repository holds no plaintext: a marker written into the database is in the
//! cluster's own files and in an unencrypted repository beside the shipped one, and in
//! no file of the shipped one, whose every file is cipher text that opens only with its
//! pass.
//!
//! Compression is off here (`PGBACKREST_COMPRESS_TYPE=none`) so that the cipher alone
//! stands between the marker and the repository: compressed, the marker would be hidden
//! whatever the cipher did. The drill runs the shipped compression.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::cluster::{Cluster, Scratch, files_containing};
use crate::data::{platform_database, write_payments};
use crate::pgbackrest::PgBackRest;

/// The header of OpenSSL's salted cipher text, which pgBackRest writes for `aes-256-cbc`.
const CIPHER_TEXT_HEADER: &[u8] = b"Salted__";

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn starts_with(path: &Path, header: &[u8]) -> bool {
    let mut start = vec![0; header.len()];
    std::fs::File::open(path)
        .unwrap()
        .read_exact(&mut start)
        .is_ok()
        && start == header
}

#[tokio::test]
async fn the_repository_holds_no_plaintext_and_opens_only_with_its_pass() {
    let scratch = Scratch::new("backup-encryption");
    let mut cluster = Cluster::init(scratch.dir("data"), scratch.dir("sockets"));
    let plain_repo = scratch.dir("plain-repo");
    let mut backrest = PgBackRest::configure(&scratch, &cluster);
    // A second repository, unencrypted, that archive-push and the backups also fill.
    backrest.env = vec![
        ("PGBACKREST_COMPRESS_TYPE".into(), "none".into()),
        (
            "PGBACKREST_REPO2_PATH".into(),
            plain_repo.display().to_string(),
        ),
        ("PGBACKREST_REPO2_RETENTION_FULL".into(), "1".into()),
    ];
    cluster.include(&backrest.archiving(&scratch));
    cluster.start(&backrest.env);
    let pool = platform_database(&cluster, &scratch.path.join("secrets.toml")).await;

    let marker = format!("marker{}", uuid::Uuid::new_v4().simple());
    write_payments(&pool, "marked", 1, |_| format!("{marker}@example.com")).await;
    assert!(
        !files_containing(&cluster.data, &marker).is_empty(),
        "the cluster's own WAL holds the marker"
    );

    backrest.run(&["stanza-create"]);
    backrest.run(&["--repo=1", "--type=full", "backup"]);
    backrest.run(&["--repo=2", "--type=full", "backup"]);
    backrest.run(&["check"]);

    assert!(
        !files_containing(&plain_repo, &marker).is_empty(),
        "an unencrypted repository of the same cluster holds the marker"
    );
    let encrypted = files_under(&backrest.repo);
    assert!(
        encrypted.len() > 100,
        "a backup and its WAL: {} files",
        encrypted.len()
    );
    assert_eq!(
        files_containing(&backrest.repo, &marker),
        Vec::<String>::new(),
        "no file of the shipped repository holds the marker"
    );
    let clear: Vec<&PathBuf> = encrypted
        .iter()
        .filter(|file| !starts_with(file, CIPHER_TEXT_HEADER))
        .collect();
    assert!(
        clear.is_empty(),
        "files that are not cipher text: {clear:?}"
    );

    // Copied off its volume, the repository is of no use without the pass.
    let wrong = scratch.dir("restored-with-a-wrong-pass");
    let refused = backrest.restore_with_pass(1, &wrong, "not-the-repository-pass");
    assert!(!refused.status.success());
    assert!(!wrong.join("PG_VERSION").exists());
    let right = scratch.dir("restored-with-the-pass");
    let restored = backrest.restore_with_pass(1, &right, &backrest.pass());
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert!(right.join("PG_VERSION").exists());
}
