//! Encrypted backups with pgBackRest, proven on private PostgreSQL clusters that each test
//! starts on its own port and directory: a point-in-time restore of the platform's
//! database (the restore drill), and a repository that holds no plaintext and opens only
//! with its pass. Both run the shipped `deploy/pgbackrest/pgbackrest.conf` and
//! `deploy/postgresql/saleonix-archiving.conf` with only paths and ports replaced.
//!
//! Needs `pgbackrest` (Debian's package; `./dev test` installs it) and PostgreSQL's server
//! binaries; when run as root, the clusters and pgBackRest run as the postgres user.

// Test code: a failed unwrap is the test stopping with its reason, as an
// assertion does (clippy.toml allows this inside #[test] functions, not in their helpers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod archiving;
mod cluster;
mod data;
mod drill;
mod encryption;
mod pgbackrest;
