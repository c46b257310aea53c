//! pgBackRest as shipped: `deploy/pgbackrest/pgbackrest.conf` with a private cluster's
//! paths and port, the cipher pass in an include file as on a production host, and the
//! archiving fragment `deploy/postgresql/saleonix-archiving.conf` pointed at them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rand::Rng as _;
use rand::distributions::Alphanumeric;

use crate::cluster::{Cluster, Scratch, as_owner, run};

const SHIPPED_CONF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../deploy/pgbackrest/pgbackrest.conf"
);
const SHIPPED_ARCHIVING: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../deploy/postgresql/saleonix-archiving.conf"
);
/// What the shipped archive_command starts with: pgBackRest with its default files.
const SHIPPED_PUSH: &str = "pgbackrest --stanza=saleonix archive-push";

pub struct PgBackRest {
    config: PathBuf,
    include: PathBuf,
    pub repo: PathBuf,
    /// Added to every command's environment (pgBackRest reads `PGBACKREST_*` options there).
    pub env: Vec<(String, String)>,
}

impl PgBackRest {
    /// The shipped configuration for `cluster`, its repository, logs and lock in `scratch`,
    /// and a fresh cipher pass.
    pub fn configure(scratch: &Scratch, cluster: &Cluster) -> PgBackRest {
        let repo = scratch.dir("repo");
        let shipped = std::fs::read_to_string(SHIPPED_CONF).unwrap();
        let conf = with_values(
            &shipped,
            &[
                ("repo1-path", repo.display().to_string()),
                ("pg1-path", cluster.data.display().to_string()),
                ("pg1-port", cluster.port.to_string()),
                ("pg1-socket-path", cluster.socket_dir.display().to_string()),
                ("log-path", scratch.dir("log").display().to_string()),
                ("lock-path", scratch.dir("lock").display().to_string()),
            ],
        );
        let include = scratch.dir("conf.d");
        let pass: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(64)
            .map(char::from)
            .collect();
        scratch.file(
            "conf.d/saleonix-cipher.conf",
            &format!("[global]\nrepo1-cipher-pass={pass}\n"),
        );
        PgBackRest {
            config: scratch.file("pgbackrest.conf", &conf),
            include,
            repo,
            env: Vec::new(),
        }
    }

    /// The shipped archiving fragment, its archive_command reading this configuration.
    pub fn archiving(&self, scratch: &Scratch) -> PathBuf {
        let shipped = std::fs::read_to_string(SHIPPED_ARCHIVING).unwrap();
        assert!(
            shipped.contains(SHIPPED_PUSH),
            "the shipped archive_command changed: {shipped}"
        );
        let push = format!(
            "pgbackrest {} --stanza=saleonix archive-push",
            self.file_options()
        );
        scratch.file(
            "saleonix-archiving.conf",
            &shipped.replace(SHIPPED_PUSH, &push),
        )
    }

    fn file_options(&self) -> String {
        format!(
            "--config={} --config-include-path={}",
            self.config.display(),
            self.include.display()
        )
    }

    /// `pgbackrest --stanza=saleonix <args>` with this configuration, not run yet.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = as_owner("pgbackrest");
        command
            .arg(format!("--config={}", self.config.display()))
            .arg(format!("--config-include-path={}", self.include.display()))
            .arg("--stanza=saleonix")
            .args(args)
            // The clusters' superuser, which a test run by another user than postgres
            // would otherwise not connect as (production runs pgBackRest as postgres).
            .env("PGBACKREST_PG1_USER", "postgres")
            .envs(self.env.iter().map(|(name, value)| (name, value)));
        command
    }

    /// Runs `pgbackrest --stanza=saleonix <args>`, which must succeed.
    pub fn run(&self, args: &[&str]) -> String {
        run(&mut self.command(args))
    }

    /// Restores the newest backup of repository `repo` into `into` with `pass` as the
    /// cipher pass instead of the configured one.
    pub fn restore_with_pass(&self, repo: u8, into: &Path, pass: &str) -> Output {
        let repo = format!("--repo={repo}");
        let into = format!("--pg1-path={}", into.display());
        self.command(&[&repo, &into, "restore"])
            .env("PGBACKREST_REPO1_CIPHER_PASS", pass)
            .output()
            .unwrap()
    }

    /// The cipher pass of the repository, as the include file holds it.
    pub fn pass(&self) -> String {
        let text = std::fs::read_to_string(self.include.join("saleonix-cipher.conf")).unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix("repo1-cipher-pass="))
            .unwrap()
            .to_owned()
    }
}

/// `conf` with each `key=value` line of `values` given the new value; every key must be
/// there exactly once, so a renamed option in the shipped file fails here, loudly.
fn with_values(conf: &str, values: &[(&str, String)]) -> String {
    let mut replaced = Vec::new();
    let lines: Vec<String> = conf
        .lines()
        .map(|line| {
            let key = line.split_once('=').map(|(key, _)| key);
            match values.iter().find(|(name, _)| Some(*name) == key) {
                Some((name, value)) => {
                    replaced.push(*name);
                    format!("{name}={value}")
                }
                None => line.to_owned(),
            }
        })
        .collect();
    replaced.sort_unstable();
    let mut expected: Vec<&str> = values.iter().map(|(name, _)| *name).collect();
    expected.sort_unstable();
    assert_eq!(
        replaced, expected,
        "each of these options once in the shipped pgbackrest.conf"
    );
    lines.join("\n") + "\n"
}
