//! A private PostgreSQL cluster, like `./dev`'s fallback one: its own directory under the
//! temp dir, its own port on 127.0.0.1, owned and run by the postgres user when the test
//! runs as root (initdb refuses root), and stopped when dropped, a failed test included.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A directory of the test's own, owned by the clusters' user. Removed when dropped, unless
/// the test failed: then it stays, with the clusters' and pgBackRest's logs, for a look.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("saleonix-{name}-{}", uuid::Uuid::new_v4()));
        fs::create_dir_all(&path).unwrap();
        give_to_owner(&path);
        Scratch { path }
    }

    /// A new directory `name` inside, owned by the clusters' user and private to it (a data
    /// directory must be).
    pub fn dir(&self, name: &str) -> PathBuf {
        let path = self.path.join(name);
        fs::create_dir_all(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).unwrap();
        give_to_owner(&path);
        path
    }

    /// Writes `text` to the file `name` inside, readable by the clusters' user alone.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path.join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        give_to_owner(&path);
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} for a look", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|own| own.uid() == 0)
}

fn give_to_owner(path: &Path) {
    if is_root() {
        run(Command::new("chown").arg("postgres:postgres").arg(path));
    }
}

/// `program` run as the user that owns the clusters: postgres when the test is root.
pub fn as_owner(program: impl AsRef<std::ffi::OsStr>) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Runs `command` to its end; its stdout, or a panic with everything it said.
pub fn run(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|error| {
        panic!("cannot run {command:?}: {error}");
    });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} exited with {}:\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A server program of the newest PostgreSQL installed (Debian keeps them off PATH).
fn bin(program: &str) -> PathBuf {
    let newest = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .max();
    match newest {
        Some(version) => PathBuf::from(format!("/usr/lib/postgresql/{version}/bin/{program}")),
        None => PathBuf::from(program),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Cluster {
    pub data: PathBuf,
    pub port: u16,
    pub socket_dir: PathBuf,
    log: PathBuf,
    running: bool,
}

impl Cluster {
    /// A new cluster in `data` (initdb), not started yet.
    pub fn init(data: PathBuf, socket_dir: PathBuf) -> Cluster {
        run(as_owner(bin("initdb")).arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
        ]));
        Cluster::at(data, socket_dir)
    }

    /// The cluster whose files are in `data` (one pgBackRest restored), on a port of its
    /// own, not started yet.
    pub fn at(data: PathBuf, socket_dir: PathBuf) -> Cluster {
        Cluster {
            log: data.with_extension("log"),
            data,
            port: free_port(),
            socket_dir,
            running: false,
        }
    }

    /// Adds a configuration file, as Debian's conf.d does.
    pub fn include(&self, conf: &Path) {
        let postgresql_conf = self.data.join("postgresql.conf");
        let mut text = fs::read_to_string(&postgresql_conf).unwrap();
        text.push_str(&format!("\ninclude '{}'\n", conf.display()));
        fs::write(&postgresql_conf, text).unwrap();
    }

    /// Starts the cluster with `env` added to its environment, which its archive_command
    /// inherits, and waits until it accepts connections.
    pub fn start(&mut self, env: &[(String, String)]) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.socket_dir.display()
        );
        let started = as_owner(bin("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "120", "-o", &options, "start"])
            .envs(env.iter().map(|(name, value)| (name, value)))
            .status()
            .unwrap();
        self.running = true;
        assert!(
            started.success(),
            "the cluster did not start:\n{}",
            self.log()
        );
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// What the cluster logged.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the cluster has left recovery: a restored one promoted at its target.
    pub async fn promoted(&self) {
        let pool = sqlx::PgPool::connect(&self.url("postgres")).await.unwrap();
        let started = Instant::now();
        loop {
            let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
                .fetch_one(&pool)
                .await
                .unwrap();
            if !in_recovery {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the restored cluster was not promoted:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        pool.close().await;
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running {
            let _ = as_owner(bin("pg_ctl"))
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "stop"])
                .output();
        }
    }
}

/// The files under `dir` that contain `marker`, byte for byte.
pub fn files_containing(dir: &Path, marker: &str) -> Vec<String> {
    let output = Command::new("grep")
        .args([
            "--recursive",
            "--files-with-matches",
            "--fixed-strings",
            "--",
        ])
        .arg(marker)
        .arg(dir)
        .output()
        .unwrap();
    // grep exits 1 when nothing matches, 2 when it could not read everything.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "grep failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}
