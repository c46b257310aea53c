//! The built `saleonix-server`, started as a process on a free port and a fresh database,
//! stops cleanly on SIGTERM: the request in flight is answered, new connections are refused
//! at once, and the process exits 0 well within its grace period.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::process::{Child, Command};

use super::support::{database_url, free_port, wait_until_serving};

const GRACE_SECS: u64 = 20;
/// The sign-in answer floor (`identity.uniform_answer_ms`): a real slow path, so a sign-in
/// posted before the signal is still in flight when it arrives.
const SLOW_ANSWER_MS: u64 = 4_000;

fn start_server(dir: &Path, port: u16, database_url: &str) -> Child {
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_saleonix-server"))
        .arg("serve")
        .current_dir(dir) // no stray saleonix.toml
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "info")
        .env("DATABASE_URL", database_url)
        .env("SALEONIX_ENV", "development")
        .env("SALEONIX_LISTEN", format!("127.0.0.1:{port}"))
        .env("SALEONIX_METRICS_LISTEN", "127.0.0.1:0")
        .env("SALEONIX_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("SALEONIX_SECRETS_FILE", dir.join("secrets.toml"))
        .env("SALEONIX_MAIL__MAILBOX_DIR", dir.join("mailbox"))
        .env(
            "SALEONIX_IDENTITY__UNIFORM_ANSWER_MS",
            SLOW_ANSWER_MS.to_string(),
        )
        .env("SALEONIX_SHUTDOWN_GRACE_SECS", GRACE_SECS.to_string())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn sigterm_answers_the_request_in_flight_refuses_new_connections_and_exits_0(pool: PgPool) {
    let dir = std::env::temp_dir().join(format!("saleonix-shutdown-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("server.log");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start_server(&dir, port, &database_url(&pool).await);
    wait_until_serving(&base, &mut server, &log).await;

    let in_flight = tokio::spawn(
        reqwest::Client::new()
            .post(format!("{base}/api/auth/sign-in"))
            .header("sec-fetch-site", "same-origin")
            .form(&[
                ("email", "nobody@example.com"),
                ("password", "not a password"),
            ])
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(
        !in_flight.is_finished(),
        "the sign-in answers only after its floor"
    );

    let pid = server.id().unwrap().to_string();
    let signalled = Instant::now();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );

    // The listener closes at once, while the sign-in is still being answered.
    loop {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => break,
            _ => {
                assert!(
                    signalled.elapsed() < Duration::from_secs(2),
                    "new connections were still accepted after SIGTERM"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    assert!(
        !in_flight.is_finished(),
        "the listener closed before the request in flight was answered"
    );

    let answer = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    // The sign-in's own refusal, whole: not a connection cut short.
    assert_eq!(answer.status(), reqwest::StatusCode::UNAUTHORIZED);
    let body = answer.text().await.unwrap();
    assert!(body.contains("InvalidCredentials"), "{body}");

    let status = tokio::time::timeout(Duration::from_secs(GRACE_SECS), server.wait())
        .await
        .expect("the server exits within its grace period")
        .unwrap();
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "exit status {status}:\n{log_text}");
    assert!(
        signalled.elapsed() < Duration::from_millis(SLOW_ANSWER_MS + 5_000),
        "the server waited for the request, not for the whole grace period"
    );
    assert!(log_text.contains("SIGTERM: stopping"), "{log_text}");
    assert!(
        log_text.contains("stopped: requests in flight answered"),
        "{log_text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
